"""Reordering and repeating copies: flip (fliplr, flipud), rot90, roll, repeat, tile,
repeat_interleave and narrow_copy.

All return new storage: strides stay non-negative, so flip copies (torch has no negative
strides either). flip keeps the input's layout; rot90 returns the transposed layout of a
flipped copy, as torch does.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim, wrap_dims
from ember._ops._index_common import write_out_same
from ember._ops._registry import Op, apply
from ember._tensor import Tensor, _wrap

__all__ = ["flip", "fliplr", "flipud", "rot90", "roll", "tile", "repeat_interleave",
           "narrow_copy"]


def _int_args(args):
    """Ints given as varargs or as one sequence (Tensor.flip(0, 1), Tensor.flip([0, 1]))."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = args[0]
    return tuple(a.__index__() for a in args)


class FlipBackward0(Op):
    def forward(self, be, x, *, dims):
        self.dims = dims
        return be.flip(x, dims)

    def backward(self, g):
        return g.flip(self.dims)


def flip(input, dims):
    """A copy of `input` with the order of elements reversed along `dims`."""
    if not isinstance(dims, (list, tuple)):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    return _flip(input, tuple(dims))


def _flip(input, dims):
    return apply(FlipBackward0, (input,), dims=wrap_dims(dims, input._arr.ndim))


def _flip_method(self, *dims):
    return _flip(self, _int_args(dims))


def fliplr(input):
    """flip along dim 1 (left/right); input at least 2-d."""
    if input._arr.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return _flip(input, (1,))


def flipud(input):
    """flip along dim 0 (up/down); input at least 1-d."""
    if input._arr.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return _flip(input, (0,))


class Rot90Backward0(Op):
    def forward(self, be, x, *, k, dims):
        self.k, self.dims = k, dims
        d0, d1 = dims
        if k == 0:
            return be.contiguous_copy(x)
        if k == 2:
            return be.flip(x, dims)
        return be.xp.swapaxes(be.flip(x, (d1,) if k == 1 else (d0,)), d0, d1)

    def backward(self, g):
        return g.rot90(-self.k, self.dims)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `dims`, from the first towards the
    second."""
    dims = tuple(dims)
    n = input._arr.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    wrapped = (wrap_dim(dims[0], n), wrap_dim(dims[1], n))
    if wrapped[0] == wrapped[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    dims = wrapped
    return apply(Rot90Backward0, (input,), k=k % 4, dims=dims)


class RollBackward0(Op):
    def forward(self, be, x, *, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return be.roll(x, shifts if dims is not None else shifts[0], dims)

    def backward(self, g):
        return g.roll(tuple(-s for s in self.shifts), self.dims)


def roll(input, shifts, dims=None):
    """Rotate elements along `dims` by `shifts` (of the flattened tensor when dims is None)."""
    shifts = (shifts,) if not isinstance(shifts, (list, tuple)) else tuple(shifts)
    dims = () if dims is None else (dims,) if not isinstance(dims, (list, tuple)) \
        else tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if not dims and len(shifts) == 1:
        return apply(RollBackward0, (input,), shifts=shifts, dims=None)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    n = input._arr.ndim
    if n == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(wrap_dim(d, n) for d in dims)
    return apply(RollBackward0, (input,), shifts=shifts, dims=dims)


class RepeatBackward0(Op):
    def forward(self, be, x, *, repeats):
        self.in_shape, self.repeats = x.shape, repeats
        return be.repeat(x, repeats)

    def backward(self, g):
        padded = (1,) * (len(self.repeats) - len(self.in_shape)) + self.in_shape
        split = []
        for r, s in zip(self.repeats, padded):
            split += [r, s]
        if not split:
            return g
        g = g.reshape(split).sum(tuple(range(0, len(split), 2)))
        return g.reshape(self.in_shape)


def repeat(self, *repeats):
    """`self` tiled `repeats[i]` times along each dim (more repeats than dims add leading
    dims)."""
    repeats = _int_args(repeats)
    shape = self._arr.shape
    if len(repeats) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(repeats) - len(shape)) + shape
    target = [r * s for r, s in zip(repeats, padded)]
    for size in target:
        if size < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {size}: "
                               f"{target}")
    return apply(RepeatBackward0, (self,), repeats=repeats)


def tile(input, dims):
    """repeat with `dims` left-padded by ones to the input's number of dims."""
    if not isinstance(dims, (list, tuple)):
        raise TypeError(f"tile(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    return _tile(input, tuple(dims))


def _tile(input, dims):
    dims = (1,) * (input._arr.ndim - len(dims)) + tuple(d.__index__() for d in dims)
    return repeat(input, dims)


def _tile_method(self, *dims):
    return _tile(self, _int_args(dims))


def _repeat_index(repeats, output_size):
    """torch.repeat_interleave(repeats): i repeated repeats[i] times."""
    if repeats._arr.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if repeats.dtype not in (D.int32, D.int64):
        raise NotImplementedError("\"repeat_interleave_cpu\" not implemented for "
                                  f"'{D.type_name(repeats.dtype)}'")
    be = repeats._be
    if be.first_outside(repeats._arr, 0, 1 << 62) is not None:
        raise RuntimeError("repeats can not be negative")
    index = be.repeat_index(repeats._arr)
    if output_size is not None and output_size != index.shape[0]:
        raise RuntimeError("allocated size does not match required size")
    return _wrap(index, D.int64, be)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along `dim`) repeated `repeats` times, in place order; with
    only a tensor of repeats, the indices ``i`` repeated ``repeats[i]`` times."""
    if repeats is None:
        return _repeat_index(input, output_size)
    if dim is None:
        input, dim = input.flatten(), 0
    if isinstance(repeats, Tensor):
        if repeats._arr.size == 1 and repeats._arr.ndim <= 1:
            repeats = repeats.item()
        else:
            d = wrap_dim(dim, input._arr.ndim)
            if repeats._arr.ndim == 1 and repeats._arr.shape[0] != input.size(d):
                raise RuntimeError("repeats must have the same size as input along dim, but got "
                                   f"repeats.size(0) = {repeats._arr.shape[0]} and "
                                   f"input.size({d}) = {input.size(d)}")
            return input.index_select(d, _repeat_index(repeats, output_size))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    n = input._arr.ndim
    d = wrap_dim(dim, n)
    if output_size is not None and output_size != input.size(d) * repeats:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected "
                           f"{input.size(d) * repeats} but got {output_size}")
    shape = list(input.unsqueeze(d + 1).shape)
    shape[d + 1] = repeats
    return input.unsqueeze(d + 1).expand(shape).clone().flatten(d, d + 1)


class NarrowCopyBackward0(Op):
    def forward(self, be, x, *, dim, start, length):
        self.in_shape, self.dim, self.start, self.length = x.shape, dim, start, length
        key = (slice(None),) * dim + (slice(start, start + length),)
        return be.contiguous_copy(x[key])

    def backward(self, g):
        from ember._ops.scatter_view import slice_scatter
        return slice_scatter(g.new_zeros(self.in_shape), g, self.dim, self.start,
                             self.start + self.length)


def narrow_copy(input, dim, start, length, *, out=None):
    """A contiguous copy of ``input.narrow(dim, start, length)``."""
    n = input._arr.ndim
    if n == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, n)
    size = input._arr.shape[dim]
    start = start.__index__()
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    result = apply(NarrowCopyBackward0, (input,), dim=dim, start=start, length=length)
    return result if out is None else write_out_same(
        result, out, "Expected self.dtype() == output.dtype() to be true, but got false.  (Could "
        "this error message be improved?  If so, please report an enhancement request to "
        "PyTorch.)")


METHODS = {"flip": _flip_method, "repeat": repeat, "tile": _tile_method}
