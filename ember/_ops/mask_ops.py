"""Selection by boolean mask and by nonzero: masked_select, masked_scatter, nonzero, argwhere.

The mask broadcasts against the input (masked_scatter_ only expands the mask to self).
Results are read in row-major order, as torch reads them.
"""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._errors import broadcast_shapes
from ember._ops import _geometry as G
from ember._ops._index_common import write_out_same
from ember._ops._registry import Op, apply, apply_inplace, write_out

__all__ = ["masked_select", "masked_scatter", "nonzero", "nonzero_static", "argwhere"]


class MaskedSelectBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, mask, *, shape):
        self.shape = shape
        return be.masked_select(x, mask, shape)

    def backward(self, g):
        (mask,) = self.saved
        return g.new_zeros(self.shape).masked_scatter(mask, g), None


def masked_select(input, mask, *, out=None):
    """The elements of `input` where the (broadcast) `mask` is True, as a 1-d tensor."""
    if mask.dtype is not D.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(mask._arr.shape, input._arr.shape)
    result = apply(MaskedSelectBackward0, (input, mask), shape=shape)
    return result if out is None else write_out_same(
        result, out, "masked_select(): self and result must have the same scalar type")


class MaskedScatterBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, mask, source, *, shape):
        self.source_shape = source.shape
        return be.masked_scatter(x, mask, source, shape)

    def backward(self, g):
        (mask,) = self.saved
        need_x, _, need_src = self.needs_input_grad
        gsrc = None
        if need_src:
            picked = g.masked_select(mask)
            missing = G.numel(self.source_shape) - picked.numel()
            if missing > 0:
                from ember._ops.join import cat
                picked = cat([picked, g.new_zeros(missing)])
            gsrc = picked.view(self.source_shape)
        return (g.masked_fill(mask, 0) if need_x else None), None, gsrc


def _check_scatter(self, mask, source, shape):
    if self.dtype is not source.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but "
                           f"got{D.type_name(self.dtype)} and {D.type_name(source.dtype)}")
    if mask.dtype is not D.bool:
        if mask.dtype is D.uint8:
            warnings.warn("masked_scatter_ received a mask with dtype torch.uint8, this "
                          "behavior is now deprecated,please use a mask with dtype torch.bool "
                          "instead.", UserWarning, stacklevel=3)
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {D.type_name(mask.dtype)}")
    ones = mask._be.count_nonzero_all(mask._arr)
    if ones and ones * G.numel(shape) // G.numel(mask._arr.shape) > source._arr.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")


def masked_scatter(input, mask, source):
    """A copy of `input` (broadcast with `mask`) whose masked places take `source`'s
    elements in order."""
    shape = broadcast_shapes(input._arr.shape, mask._arr.shape)
    _check_scatter(input, mask, source, shape)
    return apply(MaskedScatterBackward0, (input, mask, source), shape=shape)


def masked_scatter_(self, mask, source):
    """In-place masked_scatter (the mask broadcasts to self)."""
    shape = self._arr.shape
    G.expand(mask._arr.shape, mask.stride(), shape, "CPUBoolType")
    _check_scatter(self, mask, source, shape)
    return apply_inplace(MaskedScatterBackward0, (self, mask, source), shape=shape)


class NonzeroOp(Op):
    def forward(self, be, x):
        return be.nonzero(x)


def _check_out(out):
    if out is not None and out.dtype is not D.int64:
        raise RuntimeError("nonzero: Expected out tensor to have scalar type Long but got "
                           f"scalar type{D.type_name(out.dtype)}")


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or with `as_tuple`
    one 1-d tensor per dim (a 0-d input counts as 1-d)."""
    if as_tuple:
        source = input.reshape(1) if input._arr.ndim == 0 else input
        return apply(NonzeroOp, (source.detach(),)).unbind(1)
    _check_out(out)
    result = apply(NonzeroOp, (input.detach(),))
    return result if out is None else write_out(result, out)


def argwhere(input):
    """Indices of the nonzero elements, as an (n, ndim) int64 tensor (nonzero)."""
    return nonzero(input)


def nonzero_static(input, *, size, fill_value=-1):
    """nonzero with a fixed number of rows: cut to `size`, or padded with `fill_value`."""
    found = nonzero(input)
    n = found.shape[0]
    if n >= size:
        return found[:size].clone()
    from ember._ops.join import cat
    pad = found.new_full((size - n, input._arr.ndim), fill_value)
    return cat([found, pad])


METHODS = {"masked_scatter_": masked_scatter_}
