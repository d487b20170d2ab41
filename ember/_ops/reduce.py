"""Sums, means and products (sum, nansum, mean, nanmean, prod), and sum_to: the
broadcast-undo every gradient goes through."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dims
from ember._ops._registry import Op, apply, write_out

__all__ = ["sum", "nansum", "mean", "nanmean", "prod"]


def reduce_dims(dim, ndim):
    """The sorted dims a reduction covers: all for None or an empty list (none of a 0-dim
    tensor, whose only valid dims are 0 and -1)."""
    if ndim == 0:
        if dim is not None and not isinstance(dim, (tuple, list)):
            wrap_dims((dim,), 0)
        elif dim:
            wrap_dims(dim, 0)
        return ()
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        return tuple(range(ndim)) if len(dim) == 0 else tuple(sorted(wrap_dims(dim, ndim)))
    return wrap_dims((dim,), ndim)


def keep_shape(shape, dims):
    """`shape` with the reduced `dims` kept as size 1."""
    return tuple(1 if d in dims else s for d, s in enumerate(shape))


def _out(result, out):
    return result if out is None else write_out(result, out)


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


def _cast(input, dtype):
    return input if dtype is None or dtype is input.dtype else input.to(dtype)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over `dim` (all dims by default); integers and bools sum to int64."""
    dims = reduce_dims(dim, input._arr.ndim)
    cls = SumBackward0 if dim is None else SumBackward1
    dtype = dtype or (out.dtype if out is not None else None)
    result = apply(cls, (_cast(input, dtype),), dims=dims, keepdim=keepdim,
                   dtype=_sum_dtype(input, dtype))
    return _out(result, out)


class NansumBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, x, *, dims, keepdim, dtype):
        self.dims, self.keepdim = dims, keepdim
        return be.nansum(x, dims, keepdim, dtype)

    def backward(self, g):
        from ember._ops.where import where
        (x,) = self.saved
        if not self.keepdim:
            g = g.reshape(keep_shape(x.shape, self.dims))
        return where(x != x, 0, g)


def _no_complex_nansum(input):
    if input.dtype.category == D.COMPLEX:
        raise RuntimeError("nansum on CPU does not support complex inputs")


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    _no_complex_nansum(input)
    dims = reduce_dims(dim, input._arr.ndim)
    dtype = dtype or (out.dtype if out is not None else None)
    result = apply(NansumBackward0, (_cast(input, dtype),), dims=dims, keepdim=keepdim,
                   dtype=_sum_dtype(input, dtype))
    return _out(result, out)


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
    result = apply(cls, (_cast(input, dt),), dims=dims, keepdim=keepdim, dtype=dt)
    return _out(result, out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements (NaN where there are none)."""
    if input.dtype.category < D.FLOAT:
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {D.type_name(input.dtype)}")
    _no_complex_nansum(input)
    count = (input == input).sum(dim, keepdim)
    return _out(nansum(input, dim, keepdim, dtype=dtype) / count, out)


class ProdBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x, *, dims, keepdim, dtype):
        self.dims, self.keepdim = dims, keepdim
        return be.prod(x, dims, keepdim, dtype)

    def backward(self, g):
        x, result = self.saved
        if x._arr.ndim == 0:
            return g
        if not self.keepdim:
            shape = keep_shape(x._arr.shape, self.dims)
            g, result = g.reshape(shape), result.reshape(shape)
        if not bool((x == 0).any()):
            return g * (result / x).conj()
        if len(self.dims) == 1:
            return g * exclusive_prod(x, self.dims[0]).conj()
        return g * exclusive_prod(x.reshape(-1), 0).reshape(x._arr.shape).conj()


class ProdBackward1(ProdBackward0):
    pass


def exclusive_prod(x, dim):
    """For each element, the product of the others along `dim`, from the running products
    before and after it (exact with zeros, and differentiable again)."""
    from ember._ops.join import cat
    n = x._arr.shape[dim]
    shape = list(x._arr.shape)
    shape[dim] = 1
    ones = x.new_ones(shape)
    if n == 1:
        return ones
    before = cat([ones, x.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    after = cat([ones, x.narrow(dim, 1, n - 1).flip(dim)], dim).cumprod(dim).flip(dim)
    return before * after


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product over all elements, or over the int `dim`; integers and bools give int64."""
    if dim is not None and not isinstance(dim, int):
        if not hasattr(dim, "__index__"):
            raise TypeError(f"prod() received an invalid combination of arguments - got "
                            f"({type(dim).__name__}), but expected one of:\n"
                            " * (*, torch.dtype dtype = None)\n"
                            " * (int dim, bool keepdim = False, *, torch.dtype dtype = None)\n")
        dim = dim.__index__()
    ndim = input._arr.ndim
    dtype = dtype or (out.dtype if out is not None else None)
    cls = ProdBackward0 if dim is None else ProdBackward1
    dims = tuple(range(ndim)) if dim is None else reduce_dims(dim, ndim)
    result = apply(cls, (_cast(input, dtype),), dims=dims,
                   keepdim=keepdim and dim is not None, dtype=_sum_dtype(input, dtype))
    return _out(result, out)


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
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and t._arr.shape[lead + i] != 1)
    if dims:
        t = sum(t, dims, keepdim=True)
    return t.reshape(shape) if t._arr.shape != shape else t


def sum_to_size(self, *size):
    from ember._ops.view import shape_args
    shape = shape_args(size)
    if not can_sum_to(self._arr.shape, shape):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(self._arr.shape)}}}.")
    return sum_to(self, shape)


METHODS = {"sum": sum, "mean": mean, "sum_to_size": sum_to_size}
