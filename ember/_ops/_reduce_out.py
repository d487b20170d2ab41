"""out= for the reductions that return (values, indices): torch requires the out tensors to
have exactly the input's dtype and int64, and words the refusal differently per op."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._registry import write_out
from ember._tensor import _c_name


def _legacy(d):
    return f"ember.{d._legacy}Tensor"


def _message(style, want, got, slot, name):
    if style == "dtype":
        return f"Expected out tensor to have dtype {_c_name(want)}, but got {_c_name(got)} instead"
    if style == "scalar_type":
        return f"expected scalar_type {D.type_name(want)} but found {D.type_name(got)}"
    if style == "quoted":
        return (f"expected scalar type '{D.type_name(want)}' but got '{D.type_name(got)}' for "
                f"{slot} output")
    if style == "kthvalue":
        return "output values must be of same type as input" if slot == "values" else \
            "output indices must be of scalar type Long"
    if slot == "values":                            # median, nanmedian
        return (f"Expected tensor for 'values' to have the same type as tensor for argument "
                f"#2 'self'; but type {_legacy(got)} does not equal {_legacy(want)} (while "
                f"checking arguments for {name}_out)")
    return (f"Expected tensor for argument #1 'indices' to have scalar type Long; but got "
            f"{_legacy(got)} instead (while checking arguments for {name})")


def check_out(out, want, style="dtype", slot="values", name=""):
    if out.dtype is not want:
        raise RuntimeError(_message(style, want, out.dtype, slot, name))


def write_pair(first, second, out, style="dtype", name=""):
    """Check and fill the user's (values, indices) out tensors; the pair written."""
    check_out(out[0], first.dtype, style, "values", name)
    check_out(out[1], second.dtype, style, "indices", name)
    return write_out(first, out[0]), write_out(second, out[1])
