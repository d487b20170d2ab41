"""Splitting into views: split, split_with_sizes, chunk, unbind, tensor_split and the
h/v/dsplit forms.

Every piece is a view sharing the input's storage. split/chunk/unbind make one node for
all their pieces (SplitBackward0, SplitWithSizesBackward0, UnbindBackward0); tensor_split
and its forms are plain slices (SliceBackward0 each).
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._index_common import multi_view
from ember._ops._registry import Op
from ember._tensor import Tensor

__all__ = ["split", "split_with_sizes", "chunk", "unbind", "tensor_split", "hsplit",
           "vsplit", "dsplit"]
FUNCTIONS_ONLY = frozenset({"split"})


class SplitBackward0(Op):
    def backward(self, *grads):
        from ember._ops.join import cat
        return cat(list(grads), self.dim)


class SplitWithSizesBackward0(SplitBackward0):
    pass


def _pieces(cls, input, dim, sizes):
    """Views of `input` of the given `sizes` along `dim`, one after the other."""
    shape, stride = input._arr.shape, input.stride()
    offset = input.storage_offset()
    geoms = []
    for size in sizes:
        geoms.append((shape[:dim] + (size,) + shape[dim + 1:], stride, offset))
        offset += size * stride[dim]
    return multi_view(cls, input, geoms, dim=dim)


def _split_dim(input, dim, name):
    if input._arr.ndim == 0:
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")
    return wrap_dim(dim, input._arr.ndim)


def _split_int(input, split_size, dim):
    dim = _split_dim(input, dim, "split")
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got "
                           f"split_size={split_size}")
    size = input._arr.shape[dim]
    if split_size == 0 and size != 0:
        raise RuntimeError("split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {size}")
    count = max((size + split_size - 1) // split_size, 1) if split_size else 1
    sizes = [split_size] * (count - 1) + [size - split_size * (count - 1)]
    return _pieces(SplitBackward0, input, dim, sizes)


def split_with_sizes(self, split_sizes, dim=0):
    """Views of `self` with the given sizes along `dim` (they must sum to its size)."""
    dim = wrap_dim(dim, self._arr.ndim)
    sizes = [int(s) for s in split_sizes]
    size = self._arr.shape[dim] if self._arr.ndim else 1
    if any(s < 0 for s in sizes):
        raise RuntimeError("split_with_sizes expects split_sizes have only non-negative entries, "
                           f"but got split_sizes={sizes}")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {dim}), but got "
                           f"split_sizes={sizes}")
    return _pieces(SplitWithSizesBackward0, self, dim, sizes)


def split(tensor, split_size_or_sections, dim=0):
    """Views of `tensor` along `dim`: pieces of an int size (the last may be smaller), or
    of the sizes in a list."""
    if isinstance(split_size_or_sections, (list, tuple)):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    return _split_int(tensor, int(split_size_or_sections), dim)


def _split_method(self, split_size, dim=0):
    """Tensor.split (its size argument is named ``split_size``)."""
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    """`chunks` views along `dim` of size ceil(size / chunks) (fewer when they run out)."""
    dim = _split_dim(input, dim, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._arr.shape[dim]
    split_size = (size + chunks - 1) // chunks
    if split_size == 0 and size == 0:
        return split_with_sizes(input, [0] * chunks, dim)
    return _split_int(input, split_size, dim)


class UnbindBackward0(Op):
    def backward(self, *grads):
        from ember._ops.join import stack
        return stack(list(grads), self.dim)


def unbind(input, dim=0):
    """The views ``input.select(dim, i)`` for every i, as a tuple."""
    n = input._arr.ndim
    d = wrap_dim(dim, n)
    if n == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    shape, stride = input._arr.shape, input.stride()
    offset = input.storage_offset()
    rest_shape, rest_stride = shape[:d] + shape[d + 1:], stride[:d] + stride[d + 1:]
    geoms = [(rest_shape, rest_stride, offset + i * stride[d]) for i in range(shape[d])]
    return multi_view(UnbindBackward0, input, geoms, dim=d)


def _sections_or_indices(value, sections, indices, tensor_indices):
    for alt in (sections, indices, tensor_indices):
        if alt is not None:
            value = alt
    if isinstance(value, Tensor):
        if value.dtype is not D.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {D.type_name(value.dtype)}")
        if value._arr.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {value._arr.ndim} dims")
        value = value.item() if value._arr.ndim == 0 else value.tolist()
    return value


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Slices of `input` along `dim`: `sections` nearly equal ones (the first size % n one
    longer), or the pieces between the given `indices`."""
    from ember._ops.view import slice_dim
    if input._arr.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    value = _sections_or_indices(indices_or_sections, sections, indices,
                                 tensor_indices_or_sections)
    dim = wrap_dim(dim, input._arr.ndim)
    size = input._arr.shape[dim]
    if isinstance(value, (list, tuple)):
        bounds = [0] + [int(i) for i in value] + [None]
    else:
        n = int(value)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        base, extra = divmod(size, n)
        bounds = [0]
        for i in range(n):
            bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    return tuple(slice_dim(input, dim, start, stop, 1)
                 for start, stop in zip(bounds, bounds[1:]))


def _split_named(input, value, dim, name, min_dims):
    n = input._arr.ndim
    if n < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} "
                           f"dimension, but got a tensor with {n} dimensions!")
    if not isinstance(value, (list, tuple)):
        size = input._arr.shape[dim]
        if value == 0 or size % value:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {size} is not divisible by the "
                               f"split_size {value}!")
    return tensor_split(input, value, dim)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 for 1-d); an int must divide the size."""
    dim = 1 if input._arr.ndim > 1 else 0
    return _split_named(input, indices_or_sections, dim, "hsplit", 1)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 of an at least 2-d tensor; an int must divide the size."""
    return _split_named(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 of an at least 3-d tensor; an int must divide the size."""
    return _split_named(input, indices_or_sections, 2, "dsplit", 3)


METHODS = {"split": _split_method}
