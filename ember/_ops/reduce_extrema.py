"""Extrema and truth reductions: max, min, amax, amin, aminmax, argmax, argmin, all, any,
count_nonzero.

Gradient conventions (torch's): max/min over a dim send the gradient to the index they
return; the full max()/min() and amax/amin/aminmax share it evenly among all tied
elements.
"""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types
from ember._errors import wrap_dim
from ember._ops._index_grad import select_backward, unreduce
from ember._ops._reduce_out import write_pair
from ember._ops._registry import Op, apply, write_out
from ember._ops.reduce import reduce_dims
from ember._tensor import Tensor

__all__ = ["max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "all", "any",
           "count_nonzero"]


def _not_implemented(kernel, input):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D.type_name(input.dtype)}'")


def _empty_all(name, input, exc=RuntimeError, suffix=" Specify the reduction dim with the "
               "'dim' argument."):
    if input._arr.size == 0:
        raise exc(f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                  + suffix)


def _empty_dims(name, input, dims, sep="(): "):
    for d in dims:
        if input._arr.shape[d] == 0:
            raise IndexError(f"{name}{sep}Expected reduction dim {d} to have non-zero size.")


def _nan_mask(x, value):
    """Elements equal to `value` (or, when `value` is NaN, the NaN elements)."""
    return x != x if bool(value != value) else x == value


def _scaled_by_count(g, mask, dims):
    return (g / mask.sum(dims, keepdim=True)) * mask


class MaxBackward1(Op):
    """Full max(): the gradient is shared among the elements equal to the result."""

    save_inputs = (0,)
    save_outputs = (0,)
    largest = True

    def forward(self, be, x):
        return be.amax(x, None, False) if self.largest else be.amin(x, None, False)

    def backward(self, g):
        from ember._ops.where import where
        x, value = self.saved
        mask = _nan_mask(x, value)
        return where(mask, g / mask.sum(), 0)


class MinBackward1(MaxBackward1):
    largest = False


class MaxBackward0(Op):
    """max(dim): (values, indices); the gradient goes to the returned index."""

    save_outputs = (1,)
    largest = True

    def forward(self, be, x, *, dim, keepdim):
        self.in_shape, self.dim, self.keepdim = x.shape, dim, keepdim
        return be.arg_extreme(x, dim, keepdim, self.largest)

    def backward(self, g, _):
        (index,) = self.saved
        return select_backward(g, index, self.in_shape, self.dim, self.keepdim)


class MinBackward0(MaxBackward0):
    largest = False


def _extreme(name, input, dim, keepdim, out, full_cls, dim_cls):
    if isinstance(dim, Tensor):
        from ember import _ops
        fn = _ops.maximum if full_cls is MaxBackward1 else _ops.minimum
        return fn(input, dim, out=out)
    if input.dtype.category == D.COMPLEX:
        if dim is None:
            raise _not_implemented(f"{name}_all", input)
        raise RuntimeError(f"{name}(): does not support complex input")
    if dim is None:
        _empty_all(name, input)
        result = apply(full_cls, (input,))
        return result if out is None else write_out(result, out)
    ndim = input._arr.ndim
    d = wrap_dim(dim, ndim)
    if ndim:
        _empty_dims(name, input, (d,))
    values, indices = apply(dim_cls, (input,), dim=d, keepdim=keepdim)
    if out is not None:
        values, indices = write_pair(values, indices, out)
    return getattr(return_types, name)((values, indices))


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with `dim`, (values, indices) of the first maximum along it; with a
    tensor `other`, the elementwise maximum. A NaN counts as the largest."""
    return _extreme("max", input, dim, keepdim, out, MaxBackward1, MaxBackward0)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with `dim`, (values, indices); with a tensor, elementwise minimum."""
    return _extreme("min", input, dim, keepdim, out, MinBackward1, MinBackward0)


class AmaxBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)
    largest = True

    def forward(self, be, x, *, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        return be.amax(x, dims, keepdim) if self.largest else be.amin(x, dims, keepdim)

    def backward(self, g):
        x, result = self.saved
        shape = x._arr.shape
        g = unreduce(g, shape, self.dims, self.keepdim)
        mask = x == unreduce(result, shape, self.dims, self.keepdim)
        return _scaled_by_count(g, mask, self.dims)


class AminBackward0(AmaxBackward0):
    largest = False


def _amax(name, kernel, cls, input, dim, keepdim, out):
    if input.dtype.category == D.COMPLEX:
        raise _not_implemented(kernel, input)
    ndim = input._arr.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and not len(dim)):
        _empty_all(name, input)
    elif ndim:      # torch looks for an empty dim before it looks for repeated ones
        _empty_dims(name, input, [wrap_dim(d, ndim) for d in
                                  (dim if isinstance(dim, (tuple, list)) else (dim,))])
    dims = reduce_dims(dim, ndim)
    result = apply(cls, (input,), dims=dims, keepdim=keepdim)
    if out is not None and out.dtype is not input.dtype:
        raise RuntimeError("Expected the dtype for input and out to match, but got "
                           f"{D.type_name(input.dtype)} for input's dtype and "
                           f"{D.type_name(out.dtype)} for out's dtype.")
    return result if out is None else write_out(result, out)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over `dim` (all dims by default); ties share the gradient evenly."""
    return _amax("amax", "max_values_cpu", AmaxBackward0, input, dim, keepdim, out)


def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over `dim` (all dims by default); ties share the gradient evenly."""
    return _amax("amin", "min_values_cpu", AminBackward0, input, dim, keepdim, out)


class AminmaxBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0, 1)

    def forward(self, be, x, *, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        return be.amin(x, dims, keepdim), be.amax(x, dims, keepdim)

    def backward(self, g_min, g_max):
        x, lo, hi = self.saved
        shape, dims, keepdim = x._arr.shape, self.dims, self.keepdim
        grads = [_scaled_by_count(unreduce(g, shape, dims, keepdim),
                                  x == unreduce(v, shape, dims, keepdim), dims)
                 for g, v in ((g_min, lo), (g_max, hi))]
        return grads[0] + grads[1]


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(min, max) over `dim` (all elements by default)."""
    if input.dtype.category == D.COMPLEX:
        raise _not_implemented("aminmax_cpu", input)
    ndim = input._arr.ndim
    if dim is None:
        if input._arr.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        dims = tuple(range(ndim))
        keep = keepdim
    else:
        dims = reduce_dims(dim, ndim)
        _empty_dims("aminmax", input, dims, sep=": ")
        keep = keepdim
    lo, hi = apply(AminmaxBackward0, (input,), dims=dims, keepdim=keep)
    if out is not None:
        lo, hi = write_pair(lo, hi, out)
    return return_types.aminmax((lo, hi))


class _ArgExtreme(Op):
    largest = True

    def forward(self, be, x, *, dim, keepdim):
        return be.arg_extreme(x, dim, keepdim, self.largest)[1]


class _ArgMin(_ArgExtreme):
    largest = False


def _arg(name, cls, input, dim, keepdim, out):
    if input.dtype.category == D.COMPLEX:
        raise RuntimeError(f"{name}(): does not support complex input")
    if input.dtype is D.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    ndim = input._arr.ndim
    if dim is None:
        _empty_all(name, input, IndexError, "")
        result = apply(cls, (input.detach(),), dim=None, keepdim=keepdim)
    else:
        d = wrap_dim(dim, ndim)
        if ndim:
            _empty_dims(name, input, (d,))
        result = apply(cls, (input.detach(),), dim=d, keepdim=keepdim)
    return result if out is None else write_out(result, out)


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the first maximum (flattened when `dim` is None); a NaN counts as largest."""
    return _arg("argmax", _ArgExtreme, input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the first minimum (flattened when `dim` is None); a NaN counts as smallest."""
    return _arg("argmin", _ArgMin, input, dim, keepdim, out)


class _Truth(Op):
    def forward(self, be, x, *, dims, keepdim, want_all, out_dtype):
        return be.all_any(x, dims, keepdim, want_all, out_dtype)


def _truth(input, dim, keepdim, out, want_all):
    # NOTE(torch): an empty dim list reduces nothing here (sum and the others reduce all)
    empty = isinstance(dim, (tuple, list)) and not len(dim)
    dims = () if empty else reduce_dims(dim, input._arr.ndim)
    dt = D.uint8 if input.dtype is D.uint8 else D.bool
    result = apply(_Truth, (input.detach(),), dims=dims, keepdim=keepdim, want_all=want_all,
                   out_dtype=dt)
    return result if out is None else write_out(result, out)


def all(input, dim=None, keepdim=False, *, out=None):
    """Whether every element is nonzero (over `dim`); uint8 input gives uint8, else bool."""
    return _truth(input, dim, keepdim, out, True)


def any(input, dim=None, keepdim=False, *, out=None):
    """Whether some element is nonzero (over `dim`); uint8 input gives uint8, else bool."""
    return _truth(input, dim, keepdim, out, False)


class _CountNonzero(Op):
    def forward(self, be, x, *, dims):
        return be.count_nonzero(x, dims)


def count_nonzero(input, dim=None):
    """Number of nonzero elements (over `dim`), as int64."""
    dims = reduce_dims(dim, input._arr.ndim)
    return apply(_CountNonzero, (input.detach(),), dims=dims)
