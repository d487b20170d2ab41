"""gather, scatter, scatter_add, scatter_reduce and take_along_dim.

``gather(dim, index)`` reads ``x[..., index[i, j], ...]`` along `dim`; the scatters write
(or reduce) `src` into a copy of the input at those places. index is int64 or int32 and may
be smaller than the input in the other dims. Duplicate indices in `scatter` keep the last
value along `dim`, as torch's CPU kernel does.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import broadcast_shapes, shape_str, wrap_dim
from ember._ops._index_common import (check_bounds, check_no_overlap, check_scalar,
                                      is_index_dtype, kept_original, warn_once,
                                      write_out_same)
from ember._ops._reduce_grads import reduce_grads, scatter_access
from ember._ops._registry import Op, apply, apply_inplace
from ember._tensor import Tensor

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "take_along_dim"]

_REDUCTIONS = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin",
               "max": "amax", "min": "amin"}   # NOTE(torch): forward accepts max/min too


def _nd(t):
    return max(t._arr.ndim, 1)


def _size(t, d):
    return t._arr.shape[d] if t._arr.ndim else 1


def _check_gather(input, dim, index):
    dim = wrap_dim(dim, input._arr.ndim)
    if index._arr.size == 0:
        return dim
    if not is_index_dtype(index):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if _nd(index) != _nd(input):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    for d in range(_nd(input)):
        if d != dim and _size(index, d) > _size(input, d):
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index "
                f"{shape_str(index._arr.shape)} to be no larger than self "
                f"{shape_str(input._arr.shape)} apart from dimension {dim}")
    check_bounds(index, _size(input, dim), dim)
    return dim


class GatherBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, index, *, dim):
        self.dim, self.in_shape = dim, x.shape
        return be.gather(x, dim, index)

    def backward(self, g):
        (index,) = self.saved
        # index was checked in forward; the zeros are fresh, so the add may go in place
        zeros = g.new_zeros(self.in_shape)
        return apply(ScatterAddBackward0, (zeros, index, g), dim=self.dim, inplace=True), None


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[i][index[i][j]]`` along `dim`; the result has index's shape.

    Differences from PyTorch: ``sparse_grad=True`` still gives a dense gradient.
    """
    dim = _check_gather(input, dim, index)
    result = apply(GatherBackward0, (input, index), dim=dim)
    return result if out is None else write_out_same(result, out)


def _check_scatter(self, dim, index, src):
    """torch's scatter checks, in its order; returns the wrapped dim."""
    dim = wrap_dim(dim, self._arr.ndim)
    empty = index._arr.size == 0
    if not empty and not is_index_dtype(index):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None and src.dtype is not self.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if empty:
        return dim
    if _nd(self) != _nd(index):
        raise RuntimeError("Index tensor must have the same number of dimensions as self "
                           "tensor")
    wrong = any(d != dim and _size(index, d) > _size(self, d) for d in range(_nd(self)))
    if not wrong and src is not None:
        wrong = any(_size(index, d) > (src.size(d) if src._arr.ndim else 1)
                    for d in range(_nd(self)))
    if wrong:
        extra = "" if src is None else \
            f" and to be no larger size than src {shape_str(src._arr.shape)}"
        raise RuntimeError(f"Expected index {shape_str(index._arr.shape)} to be no larger "
                           f"than self {shape_str(self._arr.shape)} apart from dimension "
                           f"{dim}{extra}")
    if src is not None and _nd(src) != _nd(index):
        raise RuntimeError("Index tensor must have the same number of dimensions as src "
                           "tensor")
    check_bounds(index, _size(self, dim), dim)
    return dim


class ScatterBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, index, src, *, dim, inplace=False):
        self.dim = dim
        return be.scatter(x, dim, index, src, inplace=inplace)

    def backward(self, g):
        (index,) = self.saved
        need_x, _, need_src = self.needs_input_grad
        return (g.scatter(self.dim, index, 0) if need_x else None, None,
                g.gather(self.dim, index) if need_src else None)


class ScatterBackward1(Op):
    save_inputs = (1,)

    def forward(self, be, x, index, *, dim, value, inplace=False):
        self.dim = dim
        return be.scatter(x, dim, index, value, inplace=inplace)

    def backward(self, g):
        (index,) = self.saved
        return g.scatter(self.dim, index, 0), None


class ScatterReduceLegacy(Op):
    """scatter(..., reduce='add'|'multiply'): torch records a node it cannot differentiate."""

    def forward(self, be, x, index, src=None, *, dim, reduce, value=None, inplace=False):
        return be.scatter(x, dim, index, value if src is None else src, reduce, inplace)

    def backward(self, *grads):
        raise RuntimeError("derivative for aten::scatter is not implemented")


ScatterReduceLegacy.__name__ = ScatterReduceLegacy.__qualname__ = "NotImplemented"


def _scatter_call(self, dim, index, src, value, reduce, inplace):
    if inplace:
        check_no_overlap(self, src)

    def run(cls, inputs, **options):
        if inplace:
            return apply_inplace(cls, inputs, inplace=True, **options)
        return apply(cls, inputs, **options)
    if isinstance(src, Tensor):
        dim = _check_scatter(self, dim, index, src)
        if reduce is None:
            return run(ScatterBackward0, (self, index, src), dim=dim)
        _check_legacy_reduce(reduce)
        warn_once("The reduce argument of torch.scatter with Tensor src is deprecated and "
                  "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                  "instead for more reduction options.")
        return run(ScatterReduceLegacy, (self, index, src), dim=dim, reduce=reduce)
    value = src if value is None else value
    if value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    dim = _check_scatter(self, dim, index, None)
    value = check_scalar(value, self.dtype)
    if reduce is None:
        return run(ScatterBackward1, (self, index), dim=dim, value=value)
    _check_legacy_reduce(reduce)
    return run(ScatterReduceLegacy, (self, index), dim=dim, reduce=reduce, value=value)


def _check_legacy_reduce(reduce):
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """A copy of `input` with `src` (a tensor, or a scalar `value`) written at `index`
    along `dim`; ``reduce='add'|'multiply'`` combines instead of overwriting."""
    result = _scatter_call(input, dim, index, src, value, reduce, False)
    return result if out is None else write_out_same(result, out)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    """In-place scatter."""
    return _scatter_call(self, dim, index, src, value, reduce, True)


class ScatterAddBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, index, src, *, dim, inplace=False):
        self.dim = dim
        return be.scatter_add(x, dim, index, src, inplace)

    def backward(self, g):
        (index,) = self.saved
        need_x, _, need_src = self.needs_input_grad
        return (g if need_x else None, None, g.gather(self.dim, index) if need_src else None)


def scatter_add(input, dim, index, src, *, out=None):
    """A copy of `input` with `src` summed into the places `index` names along `dim`."""
    dim = _check_scatter(input, dim, index, src)
    result = apply(ScatterAddBackward0, (input, index, src), dim=dim)
    return result if out is None else write_out_same(result, out)


def scatter_add_(self, dim, index, src):
    """In-place scatter_add."""
    dim = _check_scatter(self, dim, index, src)
    check_no_overlap(self, src)
    return apply_inplace(ScatterAddBackward0, (self, index, src), dim=dim, inplace=True)


class ScatterReduceBackward0(Op):
    # inputs: (self, index, src, original self); the last is a clone for the in-place form
    save_inputs = (3, 1, 2)
    save_outputs = (0,)

    def forward(self, be, x, index, src, orig, *, dim, reduce, include_self):
        self.dim, self.reduce, self.include_self = dim, reduce, include_self
        return be.scatter_reduce(x, dim, index, src, _REDUCTIONS[reduce], include_self)

    def backward(self, g):
        x, index, src, result = self.saved
        access = scatter_access(self.dim, index, self.reduce, self.include_self)
        gx, gsrc = reduce_grads(g, x, src, self.reduce, self.include_self, result,
                                self.needs_input_grad, access)
        return gx, None, gsrc, None


def _check_reduce(self, dim, index, src, reduce):
    dim = _check_scatter(self, dim, index, src)
    if reduce not in _REDUCTIONS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if self.dtype is D.bool and reduce == "mean":
        raise NotImplementedError("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented "
                                  "for 'Bool'")
    if self.dtype.is_complex and _REDUCTIONS[reduce] in ("amax", "amin"):
        raise NotImplementedError(f"\"scatter_gather_tensor_cpu_reduce_{_REDUCTIONS[reduce]}\" "
                                  f"not implemented for '{D.type_name(self.dtype)}'")
    return dim


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Reduce (sum, prod, mean, amax, amin) `src` into a copy of `input` at `index`
    along `dim`; with ``include_self=False`` the input's values at those places are
    left out of the reduction."""
    dim = _check_reduce(input, dim, index, src, reduce)
    result = apply(ScatterReduceBackward0, (input, index, src, input), dim=dim,
                   reduce=reduce, include_self=include_self)
    return result if out is None else write_out_same(result, out)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    """In-place scatter_reduce."""
    dim = _check_reduce(self, dim, index, src, reduce)
    check_no_overlap(self, src)
    return apply_inplace(ScatterReduceBackward0, (self, index, src, kept_original(self, src)),
                         dim=dim, reduce=reduce, include_self=include_self)


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of `input` at `indices` along `dim` (of the flattened input when dim is None);
    input and indices broadcast in the other dims."""
    if indices.dtype is not D.int64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{D.type_name(indices.dtype)}")
    if dim is None:
        result = gather(input.view(-1), 0, indices.view(-1))
    else:
        n = input._arr.ndim
        if n != indices._arr.ndim:
            raise RuntimeError(
                "torch.take_along_dim(): input and indices should have the same number of "
                f"dimensions, but got {n} dimensions for input, and {indices._arr.ndim} "
                "dimensions for indices")
        dim = wrap_dim(dim, n)
        size = _size(input, dim)
        # NOTE(torch): with a dim, indices wrap around modulo the size (no bounds error)
        indices = indices.remainder(size) if size else indices
        shape = list(broadcast_shapes(input._arr.shape[:dim] + (1,) + input._arr.shape[dim + 1:],
                                      indices._arr.shape[:dim] + (1,)
                                      + indices._arr.shape[dim + 1:]))
        in_shape, idx_shape = list(shape), list(shape)
        in_shape[dim], idx_shape[dim] = input._arr.shape[dim], indices._arr.shape[dim]
        result = gather(input.expand(in_shape) if n else input, dim,
                        indices.expand(idx_shape) if n else indices)
    return result if out is None else write_out_same(result, out)


METHODS = {"scatter_": scatter_, "scatter_add_": scatter_add_,
           "scatter_reduce_": scatter_reduce_}
