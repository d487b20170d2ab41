"""Helpers the reduction backwards share: undoing a reduction's shape, and sending a gradient
to the positions a value-selecting op picked (scatter_add, whose own derivative is gather,
so such backwards differentiate again)."""
from __future__ import annotations

from ember._ops.reduce import keep_shape
from ember._tensor import _wrap


def unreduce(g, in_shape, dims, keepdim):
    """Gradient `g` of a reduction over `dims`, reshaped so it broadcasts against the input."""
    return g if keepdim else g.reshape(keep_shape(in_shape, dims))


def scatter_add_along(src, index, dim, shape):
    """``zeros(shape).scatter_add(dim, index, src)``."""
    return src.new_zeros(shape).scatter_add(dim, index, src)


def select_backward(g, index, in_shape, dim, keepdim):
    """Gradient of picking ``index`` along `dim` (one pick per slice, or several)."""
    if len(in_shape) == 0:
        return g
    if not keepdim:
        g = g.unsqueeze(dim)
        index = index.unsqueeze(dim)
    return scatter_add_along(g, index, dim, in_shape)


def constant(arr, be):
    """A backend array computed in forward, as a Tensor outside the graph (indices, weights)."""
    return _wrap(arr, be.dtype_of(arr), be)
