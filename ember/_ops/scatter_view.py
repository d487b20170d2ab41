"""Scatter a tensor into a strided region of a copy of another: select_scatter and friends.

They are the backwards of the view ops (a view's gradient is zeros with the view's region
filled), and differentiable themselves: the source's gradient is the same region of grad.
"""
from __future__ import annotations

from ember._errors import shape_str, wrap_dim
from ember._ops import _geometry as G
from ember._ops._registry import Op, apply

__all__ = ["select_scatter", "slice_scatter", "diagonal_scatter", "as_strided_scatter"]


class _RegionScatter(Op):
    """Forward: a contiguous copy of input whose region `geom` holds src (or += src)."""

    def forward(self, be, inp, src, *, geom, accumulate=False):
        self.geom = geom
        self.accumulate = accumulate
        out = be.contiguous_copy(inp)
        be.region_write(out, geom, src, accumulate and G.overlaps(geom[0], geom[1]))
        return out

    def backward(self, g):
        grad_in = grad_src = None
        if self.needs_input_grad[0]:
            grad_in = g if self.accumulate else apply(
                type(self), (g, g.new_zeros(self.geom[0])), geom=self.geom)
        if self.needs_input_grad[1]:
            grad_src = region(g, self.geom)
        return grad_in, grad_src


def region(t, geom):
    """The view of contiguous(t) at geometry `geom` (relative to its first element)."""
    c = t.contiguous()
    shape, stride, offset = geom
    return c.as_strided(shape, stride, c.storage_offset() + offset)


class SelectScatterBackward0(_RegionScatter):
    pass


class SliceScatterBackward0(_RegionScatter):
    pass


class DiagonalScatterBackward0(_RegionScatter):
    pass


class AsStridedScatterBackward0(_RegionScatter):
    pass


def _check_src(src, shape, what):
    if tuple(src._arr.shape) != tuple(shape):
        raise RuntimeError(f"expected src to have a size equal to the {what} of self. src size "
                           f"= {shape_str(src._arr.shape)}, {what} size = {shape_str(shape)}")


def select_scatter(input, src, dim, index):
    """A copy of `input` whose ``select(dim, index)`` is `src`."""
    shape = input._arr.shape
    dim = wrap_dim(dim, len(shape))
    size = shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{shape_str(shape)} at dimension {dim}")
    index = index + size if index < 0 else index
    geom = G.select(shape, G.contiguous_strides(shape), 0, dim, index)
    _check_src(src, geom[0], "slice")
    return apply(SelectScatterBackward0, (input, src), geom=geom)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of `input` whose ``[start:end:step]`` along `dim` is `src`."""
    shape = input._arr.shape
    dim = wrap_dim(dim, len(shape))
    start, end, step = slice(start, end, step).indices(shape[dim])
    geom = G.slice_(shape, G.contiguous_strides(shape), 0, dim, start, end, step)
    _check_src(src, geom[0], "slice")
    return apply(SliceScatterBackward0, (input, src), geom=geom)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of `input` whose ``diagonal(offset, dim1, dim2)`` is `src`."""
    shape = input._arr.shape
    geom = G.diagonal(shape, G.contiguous_strides(shape), 0, offset, dim1, dim2)
    _check_src(src, geom[0], "diagonal")
    return apply(DiagonalScatterBackward0, (input, src), geom=geom)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of `input` whose ``as_strided(size, stride, storage_offset)`` is `src`."""
    geom = (tuple(size), tuple(stride), 0 if storage_offset is None else storage_offset)
    _check_src(src, geom[0], "view")
    return apply(AsStridedScatterBackward0, (input, src), geom=geom)


def _extent(shape, stride, offset):
    if 0 in shape:
        return offset
    return offset + 1 + sum((s - 1) * st for s, st in zip(shape, stride))


def as_strided_backward(g, in_geom, out_geom):
    """Gradient of ``as_strided``: scatter-add `g` over the storage, read the input's view."""
    in_shape, in_stride, in_off = in_geom
    out_shape, out_stride, out_off = out_geom
    base = min(in_off, out_off)
    size = max(_extent(*in_geom), _extent(*out_geom)) - base
    flat = apply(AsStridedScatterBackward0, (g.new_zeros(size), g),
                 geom=(out_shape, out_stride, out_off - base), accumulate=True)
    return flat.as_strided(in_shape, in_stride, in_off - base)


class UnfoldBackwardBackward0(Op):
    def forward(self, be, g, *, in_shape, dim, size, step):
        self.args = (dim, size, step)
        return be.unfold_backward(g, in_shape, dim, size, step)

    def backward(self, gg):
        dim, size, step = self.args
        return gg.unfold(dim, size, step)


def unfold_backward(g, in_shape, dim, size, step):
    return apply(UnfoldBackwardBackward0, (g,), in_shape=in_shape, dim=dim, size=size, step=step)
