"""Ops indexing whole slices along one dim: index_select, index_add, index_copy, index_fill
and index_reduce.

`index` is a vector (or a single-element 0-d tensor) of positions along `dim`; the
source's slice ``i`` along `dim` goes to position ``index[i]``.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str, wrap_dim
from ember._ops._index_common import (check_no_overlap, check_scalar, is_index_dtype,
                                      kept_original, warn_once, write_out_same)
from ember._ops._reduce_grads import index_access, reduce_grads
from ember._ops._registry import Op, apply, apply_inplace
from ember._tensor import Tensor

__all__ = ["index_select", "index_add", "index_copy", "index_fill", "index_reduce"]


def _size(t, d):
    return t._arr.shape[d] if t._arr.ndim else 1


def _out_of_range(index, size):
    if index._be.first_outside(index._arr, 0, size) is not None:
        raise IndexError("index out of range in self")


class IndexSelectBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, index, *, dim):
        self.dim, self.in_shape = dim, x.shape
        return be.index_select(x, dim, index)

    def backward(self, g):
        (index,) = self.saved
        return g.new_zeros(self.in_shape).index_add(self.dim, index, g), None


def index_select(input, dim, index, *, out=None):
    """The slices of `input` at positions `index` (a vector) along `dim`."""
    dim = wrap_dim(dim, input._arr.ndim)
    if not is_index_dtype(index):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index._arr.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if input._arr.ndim == 0 and index._arr.size != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{index._arr.size} value(s)")
    _out_of_range(index, _size(input, dim))
    result = apply(IndexSelectBackward0, (input, index), dim=dim)
    return result if out is None else write_out_same(
        result, out, "index_select(): self and result must have the same scalar type")


def _check_index_func(self, dim, index, source, func):
    """torch's shared checks of index_add / index_reduce."""
    dim = wrap_dim(dim, self._arr.ndim)
    if index._arr.ndim > 1:
        raise IndexError(f"{func}_(): Index is supposed to be a vector, but got dim: "
                         f"{index._arr.ndim} with type: {D.type_name(index.dtype)} and size: "
                         f"{shape_str(index._arr.shape)}")
    if not is_index_dtype(index):
        raise RuntimeError(f"{func}_(): Expected dtype int32/int64 for index but got: "
                           f"{D.type_name(index.dtype)}")
    if self.dtype is not source.dtype:
        raise RuntimeError(f"{func}_(): self ({D.type_name(self.dtype)}) and source "
                           f"({D.type_name(source.dtype)}) must have the same scalar type")
    numel = index._arr.size
    if numel != _size(source, dim if source._arr.ndim else 0):
        raise RuntimeError(f"{func}_(): Number of indices ({numel}) should be equal to "
                           f"source.size(dim): ({_size(source, dim)}), for dim: {dim}")
    a, b = list(self._arr.shape), list(source._arr.shape)
    if a and b:
        del a[dim], b[dim]
    if a != b:
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {shape_str(self._arr.shape)}"
                           f" source.shape = {shape_str(source._arr.shape)}")
    return dim


def _pick(g, dim, index, source):
    """grad at the indexed slices, shaped as `source` (torch's source gradient)."""
    if source._arr.ndim:
        return g.index_select(dim, index).expand_as(source)
    return g.index_select(dim, index.reshape(-1)).reshape(())


class IndexAddBackward0(Op):
    save_inputs = (1, 2)
    saved_for = {2: (2,)}

    def forward(self, be, x, index, source, *, dim, alpha, inplace=False):
        self.dim, self.alpha = dim, alpha
        return be.index_add(x, dim, index, source, alpha, inplace)

    def backward(self, g):
        index, source = self.saved
        gsrc = None
        if self.needs_input_grad[2]:
            gsrc = _pick(g, self.dim, index, source)
            gsrc = gsrc * self.alpha if self.alpha != 1 else gsrc
        return g, None, gsrc


def _check_add(self, dim, index, source):
    dim = _check_index_func(self, dim, index, source, "index_add")
    size = _size(self, dim)
    bad = index._be.first_outside(index._arr, 0, size)
    if bad is not None:
        if self._arr.ndim <= 1:
            raise IndexError("index out of range in self")
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return dim


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of `input` with ``alpha * source`` added at `index` along `dim` (duplicate
    indices accumulate)."""
    dim = _check_add(input, dim, index, source)
    result = apply(IndexAddBackward0, (input, index, source), dim=dim, alpha=alpha)
    return result if out is None else write_out_same(result, out)


def index_add_(self, dim, index, source, *, alpha=1):
    """In-place index_add."""
    dim = _check_add(self, dim, index, source)
    check_no_overlap(self, source)
    return apply_inplace(IndexAddBackward0, (self, index, source), dim=dim, alpha=alpha,
                         inplace=True)


def _check_copy(self, dim, index, source):
    dim = wrap_dim(dim, self._arr.ndim)
    if index._arr.ndim >= 2:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                         f"{index._arr.ndim})")
    n, sd, xd = index._arr.size, source._arr.ndim, self._arr.ndim
    if sd == 0 and n != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element "
                         f"(got {n})")
    if sd != xd and sd and xd:
        raise IndexError("index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({sd}), "
                         f"destination dimensionality ({xd})")
    if index.dtype is not D.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index, but got "
                           f"{D.type_name(index.dtype)}")
    if self.dtype is not source.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {D.type_name(self.dtype)} and (source) "
                           f"{D.type_name(source.dtype)}")
    a, b = list(self._arr.shape), list(source._arr.shape)
    if a:
        a.pop(dim)
    if b:
        b.pop(dim)
    if a != b:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. "
            f"Destination slice shape: {' '.join(map(str, a))} at dimension {dim} and source "
            f"slice shape: {' '.join(map(str, b))} at dimension 0.")
    if sd and n != source._arr.shape[dim]:
        raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({source._arr.shape[dim]})")
    bad = index._be.first_outside(index._arr, 0, _size(self, dim))
    if bad is not None:
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {dim} "
                         f"with size {_size(self, dim)}")
    return dim


class IndexCopyBackward0(Op):
    save_inputs = (1, 2)
    saved_for = {2: (2,)}

    def forward(self, be, x, index, source, *, dim, inplace=False):
        self.dim = dim
        return be.index_copy(x, dim, index, source, inplace)

    def backward(self, g):
        index, source = self.saved
        need_x, _, need_src = self.needs_input_grad
        return (g.index_fill(self.dim, index, 0) if need_x else None, None,
                _pick(g, self.dim, index, source) if need_src else None)


def index_copy(input, dim, index, source, *, out=None):
    """A copy of `input` whose slices at `index` along `dim` are `source`'s slices."""
    dim = _check_copy(input, dim, index, source)
    result = apply(IndexCopyBackward0, (input, index, source), dim=dim)
    return result if out is None else write_out_same(result, out)


def index_copy_(self, dim, index, source):
    """In-place index_copy."""
    dim = _check_copy(self, dim, index, source)
    check_no_overlap(self, source)
    return apply_inplace(IndexCopyBackward0, (self, index, source), dim=dim, inplace=True)


class IndexFillBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, index, *, dim, value, inplace=False):
        self.dim = dim
        return be.index_fill(x, dim, index, value, inplace)

    def backward(self, g):
        (index,) = self.saved
        return g.index_fill(self.dim, index, 0), None


class IndexFillBackward1(Op):
    save_inputs = (1,)

    def forward(self, be, x, index, value, *, dim, inplace=False):
        self.dim = dim
        return be.index_fill(x, dim, index, value, inplace)

    def backward(self, g):
        (index,) = self.saved
        gv = None
        if self.needs_input_grad[2]:
            size = g.shape[self.dim] if g.ndim else 1
            positions = index.reshape(-1).remainder(size).tolist()
            unique = index.new_tensor(sorted(set(positions)))
            gv = g.index_select(self.dim, unique).sum()
        return g.index_fill(self.dim, index, 0), None, gv


def _check_fill(self, dim, index, value):
    dim = wrap_dim(dim, self._arr.ndim)
    if index.dtype is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if isinstance(value, Tensor) and value._arr.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._arr.ndim} dimension(s).")
    if index._arr.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    size = _size(self, dim)
    bad = index._be.first_outside(index._arr, -size, size)
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return dim


def _fill_call(self, dim, index, value, inplace):
    dim = _check_fill(self, dim, index, value)
    run = apply_inplace if inplace else apply
    if isinstance(value, Tensor):
        return run(IndexFillBackward1, (self, index, value.to(self.dtype)), dim=dim,
                   inplace=inplace)
    return run(IndexFillBackward0, (self, index), dim=dim, value=check_scalar(value, self.dtype),
               inplace=inplace)


def index_fill(input, dim, index, value):
    """A copy of `input` whose slices at `index` along `dim` hold `value` (a scalar or a
    0-d tensor)."""
    return _fill_call(input, dim, index, value, False)


def index_fill_(self, dim, index, value):
    """In-place index_fill."""
    return _fill_call(self, dim, index, value, True)


class IndexReduceBackward0(Op):
    # inputs: (self, index, source, original self); the last is a clone for the in-place form
    save_inputs = (3, 1, 2)
    save_outputs = (0,)

    def forward(self, be, x, index, source, orig, *, dim, reduce, include_self):
        self.dim, self.reduce, self.include_self = dim, reduce, include_self
        return be.index_reduce(x, dim, index, source, reduce, include_self)

    def backward(self, g):
        x, index, source, result = self.saved
        access = index_access(self.dim, index, self.reduce, self.include_self)
        gx, gsrc = reduce_grads(g, x, source, self.reduce, self.include_self, result,
                                self.needs_input_grad, access)
        return gx, None, gsrc, None


def _check_reduce(self, dim, index, source, reduce, include_self):
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    dim = _check_index_func(self, dim, index, source, "index_reduce")
    _out_of_range(index, _size(self, dim))
    name = None
    if self._arr.ndim <= 1 and (self.dtype is D.bool or self.dtype.is_complex):
        name = "index_func_"
    elif not include_self and (self.dtype.is_complex or self.dtype is D.bool):
        name = "index_reduce_func_exclude_input_init"
    elif reduce == "mean" and self.dtype is D.bool:
        name = "div_floor_cpu"
    elif reduce in ("amax", "amin") and self.dtype.is_complex:
        name = "maximum_cpu" if reduce == "amax" else "minimum_cpu"
    if name is not None:
        raise NotImplementedError(f"\"{name}\" not implemented for "
                                  f"'{D.type_name(self.dtype)}'")
    warn_once("index_reduce() is in beta and the API may change at any time.")
    return dim


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """Reduce (prod, mean, amax, amin) `source`'s slices into a copy of `input` at `index`
    along `dim`; ``include_self=False`` leaves the input's values out."""
    dim = _check_reduce(input, dim, index, source, reduce, include_self)
    result = apply(IndexReduceBackward0, (input, index, source, input), dim=dim,
                   reduce=reduce, include_self=include_self)
    return result if out is None else write_out_same(result, out)


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    """In-place index_reduce."""
    dim = _check_reduce(self, dim, index, source, reduce, include_self)
    check_no_overlap(self, source)
    return apply_inplace(IndexReduceBackward0, (self, index, source, kept_original(self, source)),
                         dim=dim, reduce=reduce, include_self=include_self)


METHODS = {"index_add_": index_add_, "index_copy_": index_copy_, "index_fill_": index_fill_,
           "index_reduce_": index_reduce_}
