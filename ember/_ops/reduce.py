"""Reductions: sum, mean, and sum_to (the broadcast-undo every gradient goes through)."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dims
from ember._ops._registry import Op, apply, write_out

__all__ = ["sum", "mean"]


def reduce_dims(dim, ndim):
    """The sorted dims a reduction covers: all for None or an empty list."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        return tuple(range(ndim)) if len(dim) == 0 else tuple(sorted(wrap_dims(dim, ndim)))
    return wrap_dims((dim,), ndim)


def keep_shape(shape, dims):
    return tuple(1 if d in dims else s for d, s in enumerate(shape))


class SumBackward0(Op):
    def forward(self, be, x, *, dims, keepdim, dtype):
        self.in_shape = x.shape
        self.dims, self.keepdim = dims, keepdim
        return be.sum(x, dims, keepdim, dtype)

    def backward(self, g):
        if not self.keepdim:
            g = g.reshape(keep_shape(self.in_shape, self.dims))
        return g.expand(self.in_shape)


class SumBackward1(SumBackward0):
    pass


def _sum_dtype(input, dtype):
    if dtype is not None:
        return dtype
    return D.int64 if input.dtype.category <= D.INT else input.dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over `dim` (all dims by default); integers and bools sum to int64."""
    dims = reduce_dims(dim, input._arr.ndim)
    cls = SumBackward0 if dim is None else SumBackward1
    src = input if dtype is None or dtype is input.dtype else input.to(dtype)
    result = apply(cls, (src,), dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))
    return result if out is None else write_out(result, out)


class MeanBackward0(Op):
    def forward(self, be, x, *, dims, keepdim, dtype):
        self.in_shape = x.shape
        self.dims, self.keepdim = dims, keepdim
        count = 1
        for d in dims:
            count *= x.shape[d]
        self.count = count
        return be.mean(x, dims, keepdim, dtype)

    def backward(self, g):
        if not self.keepdim:
            g = g.reshape(keep_shape(self.in_shape, self.dims))
        return (g / self.count).expand(self.in_shape)


class MeanBackward1(MeanBackward0):
    pass


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over `dim` (all dims by default); needs a floating or complex dtype."""
    dt = dtype or input.dtype
    if dt.category < D.FLOAT:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: " f"{D.type_name(dt)}")
    dims = reduce_dims(dim, input._arr.ndim)
    cls = MeanBackward0 if dim is None else MeanBackward1
    src = input if dt is input.dtype else input.to(dt)
    result = apply(cls, (src,), dims=dims, keepdim=keepdim, dtype=dt)
    return result if out is None else write_out(result, out)


def can_sum_to(shape, target):
    """Whether `target` broadcasts to `shape` (so a gradient of `shape` can sum to it)."""
    if len(target) > len(shape):
        return False
    lead = len(shape) - len(target)
    return all(t == s or t == 1 for t, s in zip(target, shape[lead:]))


def sum_to(t, shape):
    """Sum `t` down to `shape` (undo broadcasting)."""
    shape = tuple(shape)
    if t._arr.shape == shape:
        return t
    lead = t._arr.ndim - len(shape)
    inner = tuple(lead + i for i, s in enumerate(shape) if s == 1 and t._arr.shape[lead + i] != 1)
    if not inner:                  # only leading dims to drop: one reduction, no reshape
        return sum(t, tuple(range(lead)))
    t = sum(t, tuple(range(lead)) + inner, keepdim=True)
    return t.reshape(shape) if t._arr.shape != shape else t


def sum_to_size(self, *size):
    from ember._ops.view import shape_args
    shape = shape_args(size)
    if not can_sum_to(self._arr.shape, shape):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(self._arr.shape)}}}.")
    return sum_to(self, shape)


METHODS = {"sum": sum, "mean": mean, "sum_to_size": sum_to_size}
