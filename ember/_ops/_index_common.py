"""Checks and helpers shared by the index, scatter, split and join families.

torch's argument checks (scalar overflow, index dtypes, index bounds), the "warn once"
notices, and `multi_view`, which makes one node for ops that return several views
(split, chunk, unbind).
"""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._ops._registry import make_view, record, write_out
from ember._tensor import Tensor, _c_name, _wrap
from ember.autograd.grad_mode import STATE as GRAD

_new = object.__new__

# C++ type names torch uses in "value cannot be converted to type X without overflow"
_C_TYPE = {D.float32: "float", D.float64: "double", D.float16: "c10::Half",
           D.bfloat16: "c10::BFloat16", D.uint8: "uint8_t", D.int8: "int8_t",
           D.int16: "int16_t", D.int32: "int", D.int64: "int64_t",
           D.complex64: "c10::complex<float>", D.complex128: "c10::complex<double>"}
_FLOAT_MAX = {D.float16: 65504.0, D.bfloat16: 3.3895313892515355e38,
              D.float32: 3.4028234663852886e38}
_WARNED = set()


def warn_once(message):
    """A UserWarning the first time `message` is raised in this process (TORCH_WARN_ONCE)."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, UserWarning, stacklevel=4)


def _overflows(value, dtype):
    if dtype is D.bool:
        return False
    if isinstance(value, complex):
        if dtype.category != D.COMPLEX and value.imag != 0:
            return True
        parts = (value.real, value.imag) if dtype.category == D.COMPLEX else (value.real,)
        return any(_overflows(p, dtype.to_real()) for p in parts)
    if dtype.category == D.INT:
        bits = 8 * dtype.itemsize
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return True
            lo = 0 if not dtype.is_signed else -(1 << (bits - 1))
        else:                               # NOTE(torch): unsigned accepts -max..max (wraps)
            lo = -(1 << (bits - 1)) if dtype.is_signed else -((1 << bits) - 1)
        hi = (1 << (bits - 1)) - 1 if dtype.is_signed else (1 << bits) - 1
        return not lo <= value <= hi
    limit = _FLOAT_MAX.get(dtype.to_real())
    return limit is not None and value == value and abs(value) != float("inf") and \
        abs(value) > limit


def check_scalar(value, dtype):
    """`value` as a Python scalar, after torch's overflow check for storing it as `dtype`."""
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool) and \
            not -(1 << 63) <= value < (1 << 63):
        raise OverflowError("int too big to convert")
    if _overflows(value, dtype):
        raise RuntimeError(f"value cannot be converted to type {_C_TYPE[dtype]} without "
                           "overflow")
    return value


def check_bounds(index, size, dim, low=None):
    """RuntimeError "index 5 is out of bounds for dimension 0 with size 3" (negative
    indices are out of bounds unless `low` allows them)."""
    bad = index._be.first_outside(index._arr, 0 if low is None else low, size)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size "
                           f"{size}")


def write_out_same(result, out, message=None):
    """``out=`` for ops that require `out` to have the result's dtype exactly."""
    if out.dtype is not result.dtype:
        raise RuntimeError(message or f"Expected out tensor to have dtype "
                           f"{_c_name(result.dtype)}, but got {_c_name(out.dtype)} instead")
    return write_out(result, out)


def _dense_range(t):
    """(first, last + 1) element of `t` in its storage when it is non-overlapping and dense
    (a permutation of a contiguous layout), else None (torch's "too hard to tell")."""
    n = t._arr.size
    if n == 0:
        return None
    expected = 1
    for stride, size in sorted(zip(t.stride(), t._arr.shape)):
        if size == 1:
            continue
        if stride != expected:
            return None
        expected *= size
    start = t.storage_offset()
    return start, start + n


def check_no_overlap(self, other):
    """torch's refusal to write into `self` from a tensor sharing some of its memory."""
    if not isinstance(other, Tensor) or other._be is not self._be:
        return
    be = self._be
    if be.base_ptr(self._root_array()) != be.base_ptr(other._root_array()):
        return
    a, b = _dense_range(self), _dense_range(other)
    if a is not None and b is not None and a[0] < b[1] and b[0] < a[1]:
        raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please clone() "
                           "the tensor before performing the operation.")


def kept_original(self, other):
    """What an in-place reduce keeps as its original input for backward: a clone when a
    gradient will need it (the write replaces self's values), else self."""
    if GRAD.grad and (self._requires_grad or other._requires_grad):
        return self.detach().clone()
    return self


def is_index_dtype(t, long_only=False):
    return t.dtype is D.int64 or (not long_only and t.dtype is D.int32)


def multi_view(cls, x, geometries, **attrs):
    """Views of `x` at each (shape, stride, offset); one `cls` node is their grad_fn."""
    be = x._be
    root = x._root_array()
    outs = []
    for shape, stride, offset in geometries:
        if 0 in shape:      # the backend cannot start a view past the end of its buffer
            offset = min(offset, root.size)
        out = _wrap(be.view(root, shape, stride, offset), x.dtype, be)
        out._offset = offset
        make_view(x, out)
        outs.append(out)
    outs = tuple(outs)
    if GRAD.inference:
        for o in outs:
            o._inference = True
    elif GRAD.grad and x._requires_grad and outs:
        op = _new(cls)
        op.__dict__.update(attrs)
        record(op, (x,), outs)
        for o in outs:
            o._view_version = o._version
            o._multi_view = op
    return outs
