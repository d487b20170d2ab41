"""Argument handling shared by the convolution, unfold/fold and padding ops: int-list
parsing, torch's parameter expansion, its shape checks and output sizes, worded as torch's."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str

# the integer dtypes torch's dilated and transposed CPU kernels accept (besides floats)
_WIDE_KERNEL_INTS = (D.int64,)


def int_tuple(value, name, fn, n):
    """`value` (an int or a sequence of ints) as a tuple; an int repeats `n` times."""
    if type(value) is int:
        return (value,) * n
    if type(value) is tuple and all(type(v) is int for v in value):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, tuple, list)):
        if hasattr(value, "__index__") and not isinstance(value, bool):
            return (value.__index__(),) * n
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, but found element "
                        f"of type {type(value).__name__} at pos 0")
    if isinstance(value, int):
        return (value,) * n
    out = []
    for i, v in enumerate(value):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"{fn}(): argument '{name}' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type(v).__name__}\"")
        out.append(v.__index__())
    return tuple(out)


def expand_param(values, name, dim):
    """torch's expand_param_if_needed: one value serves every spatial dim."""
    if len(values) == dim:
        return tuple(values)
    if len(values) == 1:
        return tuple(values) * dim
    raise RuntimeError(f"expected {name} to be a single integer value or a list of {dim} values "
                       f"to match the convolution dimensions, but got {name}={shape_str(values)}")


def check_conv_shapes(input, weight, bias, stride, padding, output_padding, transposed,
                      groups):
    """torch's check_shape_forward: parameter signs, then weight/input/bias agreement."""
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(output_padding) < 0:
        raise RuntimeError("negative output_padding is not supported")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    xs, ws = input._arr.shape, weight._arr.shape
    if len(ws) != len(xs):
        raise RuntimeError(f"Expected {len(ws)}-dimensional input for {len(ws)}-dimensional "
                           f"weight {shape_str(ws)}, but got {len(xs)}-dimensional input of "
                           f"size {shape_str(xs)} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {shape_str(ws)} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{shape_str(ws)}] instead")
    channels = xs[1]
    if transposed:
        _check_transposed_shapes(input, ws, bias, groups)
        return
    if channels != ws[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {shape_str(ws)}, expected "
                           f"input{shape_str(xs)} to have {ws[1] * groups} channels, but got "
                           f"{channels} channels instead")
    if bias is not None and bias._arr.shape != ws[:1]:
        raise RuntimeError(f"Given weight of size {shape_str(ws)}, expected bias to be "
                           f"1-dimensional with {ws[0]} elements, but got bias of size "
                           f"{shape_str(bias.shape)} instead")


def check_kernel_fits(input, weight, padding, dilation):
    """A conv's padded input must hold its dilated kernel."""
    padded = [s + 2 * p for s, p in zip(input._arr.shape[2:], padding)]
    kernel = [d * (k - 1) + 1 for d, k in zip(dilation, weight._arr.shape[2:])]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
            "actual input size")


def _check_transposed_shapes(input, ws, bias, groups):
    xs = input._arr.shape
    if xs[1] != ws[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(ws)}, expected "
                           f"input{shape_str(xs)} to have {ws[0]} channels, but got {xs[1]} "
                           "channels instead")
    if bias is not None and bias._arr.shape != (ws[1] * groups,):
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(ws)}, expected bias "
                           f"to be 1-dimensional with {ws[1] * groups} elements, but got bias "
                           f"of size {shape_str(bias.shape)} instead")


def conv_out_size(size, kernel, stride, padding, dilation):
    return tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                 for s, k, st, p, d in zip(size, kernel, stride, padding, dilation))


def transposed_out_size(size, kernel, stride, padding, dilation, output_padding):
    return tuple((s - 1) * st - 2 * p + d * (k - 1) + op + 1 for s, k, st, p, d, op in
                 zip(size, kernel, stride, padding, dilation, output_padding))


_AXES = ("depth", "height", "width")


def check_transposed_geometry(input, out, stride, dilation, output_padding):
    """torch's slow_conv_transpose shape checks (1-d is checked as 2-d, as torch views it)."""
    lead = (1,) if input.dim() == 3 else ()
    op = ((0,) if lead else ()) + output_padding
    st, dl = lead + stride, lead + dilation
    if any(o >= s and o >= d for o, s, d in zip(op, st, dl)):
        axes = _AXES[-len(op):]
        words = " ".join(f"{kind}_{a}: {v}" for kind, vals in
                         (("output_padding", op), ("stride", st), ("dilation", dl))
                         for a, v in zip(axes, vals))
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got {words}")
    if any(o < 1 for o in out):
        if input.dtype is D.float32:
            raise RuntimeError("could not construct a memory descriptor using a format tag")
        sizes = lead + tuple(input.shape[2:])
        outs = lead + tuple(out)
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, sizes))}). "
                           f"Calculated output size per channel: "
                           f"({' x '.join(map(str, outs))}). Output size is too small")


def check_conv_dtypes(input, weight, bias, dilation, transposed):
    """The dtype checks of the backend torch's CPU dispatch picks (oneDNN for float32)."""
    if input.dtype is D.float32:
        for what, t in (("weight", weight), ("bias", bias)):
            if t is not None and t.dtype is not input.dtype:
                from ember._legacy import legacy_type_name
                raise RuntimeError(
                    f"Input type ({legacy_type_name(input.dtype, input._be)}) and {what} type "
                    f"({legacy_type_name(t.dtype, t._be)}) should be the same or input should "
                    f"be a MKLDNN tensor and {what} is a dense tensor")
        if min(dilation) <= 0:
            raise RuntimeError("non-positive dilation is not supported")
        return
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found "
                           f"{D.type_name(weight.dtype)}")
    if bias is not None and bias.dtype is not input.dtype and not transposed:
        raise bias_type_error(input, bias)
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got "
                           f"{shape_str(dilation)}")


def bias_type_error(input, bias):
    from ember._tensor import _c_name
    return RuntimeError(f"Input type ({_c_name(input.dtype)}) and bias type "
                        f"({_c_name(bias.dtype)}) should be the same")


def check_kernel_dtype(dtype, nd, dilated, transposed):
    """NotImplementedError for the dtypes torch's CPU conv kernel has no instance of."""
    if transposed:
        kernel = f"slow_conv_transpose{max(nd, 2)}d_out_cpu"
    elif dilated:
        kernel = "slow_conv_dilated<>"
    else:
        kernel = "compute_columns3d" if nd == 3 else "slow_conv2d_cpu"
    wide = transposed or dilated
    ok = dtype.category >= D.FLOAT or (dtype.category == D.INT and
                                        (not wide or dtype in _WIDE_KERNEL_INTS))
    if not ok:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.type_name(dtype)}'")
