"""The flat-index pair take / put: the input read (or written) as if it were 1-d.

Indices may be negative (counted from the end) and must lie in ``[-numel, numel)``.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._index_common import check_no_overlap, write_out_same
from ember._ops._registry import Op, apply, apply_inplace

__all__ = ["take", "put"]


def _check_flat(self, index, name):
    if index.dtype is not D.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{D.type_name(index.dtype)}")


def _flat_bounds(self, index):
    n = self._arr.size
    bad = index._be.first_outside(index._arr, -n, n)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")


class TakeBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, index):
        self.in_shape = x.shape
        return be.take(x, index)

    def backward(self, g):
        (index,) = self.saved
        return put(g.new_zeros(self.in_shape), index, g, accumulate=True), None


def take(input, index, *, out=None):
    """`input` read as if flattened, at positions `index`; the result has index's shape."""
    _check_flat(input, index, "take")
    if input._arr.size == 0 and index._arr.size:
        raise IndexError("take(): tried to take from an empty tensor")
    _flat_bounds(input, index)
    result = apply(TakeBackward0, (input, index))
    return result if out is None else write_out_same(
        result, out, "take(): self and out expected to have the same dtype, but got "
        f"self.dtype = {D.type_name(input.dtype)} and out.dtype = {D.type_name(out.dtype)}")


class PutBackward0(Op):
    save_inputs = (1, 2)
    saved_for = {2: (2,)}

    def forward(self, be, x, index, source, *, accumulate, inplace=False):
        self.accumulate = accumulate
        return be.put(x, index, source, accumulate, inplace)

    def backward(self, g):
        index, source = self.saved
        need_x, _, need_src = self.needs_input_grad
        gx = gsrc = None
        if need_x:
            gx = g if self.accumulate else put(g, index, g.new_zeros(index.shape))
        if need_src:
            gsrc = g.take(index).reshape(source.shape)
        return gx, None, gsrc


def _check_put(self, index, source):
    _check_flat(self, index, "put_")
    if self.dtype is not source.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {D.type_name(self.dtype)} and source.dtype = "
                           f"{D.type_name(source.dtype)}")
    if source._arr.size != index._arr.size:
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._arr.size}, "
                         f"index.numel() = {index._arr.size}")
    if self._arr.size == 0 and index._arr.size:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    _flat_bounds(self, index)


def put(input, index, source, accumulate=False):
    """A copy of `input`, read as flat, with `source` written (or added) at `index`."""
    _check_put(input, index, source)
    return apply(PutBackward0, (input, index, source), accumulate=accumulate)


def put_(self, index, source, accumulate=False):
    """In-place put."""
    _check_put(self, index, source)
    check_no_overlap(self, source)
    return apply_inplace(PutBackward0, (self, index, source), accumulate=accumulate,
                         inplace=True)


METHODS = {"put_": put_}
