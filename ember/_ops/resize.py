"""Storage-level in-place ops: resize_, resize_as_, set_."""
from __future__ import annotations

from ember._ops import _geometry as G
from ember._ops.view import shape_args
from ember._tensor import Tensor

__all__ = []


def _adopt(self, root, shape, stride, offset):
    self._arr = self._be.view(root, shape, stride, offset)
    self._root = root
    self._offset = offset


def resize_(self, *sizes, memory_format=None):
    """Make `self` contiguous with shape `sizes`, growing its storage only if needed.

    Differences from PyTorch: when the storage must grow, other tensors viewing the old
    storage keep the old buffer (torch reallocates the shared storage under them).
    """
    if self._requires_grad and self._grad_fn is None:
        raise RuntimeError("cannot resize variables that require grad")
    shape = shape_args(sizes)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    if shape == self._arr.shape and memory_format is None:
        return self      # NOTE(torch): resizing to the same shape keeps the strides
    root = self._root_array()
    offset = self.storage_offset()
    need = offset + G.numel(shape)
    if need > root.size:
        grown = self._be.empty((need,), self.dtype)
        self._be.copy_into(grown[:root.size], root)
        root = grown
    _adopt(self, root, shape, G.contiguous_strides(shape), offset)
    return self


def resize_as_(self, the_template, memory_format=None):
    return resize_(self, the_template._arr.shape)


def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make `self` view `source` (a tensor or storage) with the given geometry."""
    from ember._storage import TypedStorage, UntypedStorage
    be = self._be
    if source is None:
        _adopt(self, be.empty((0,), self.dtype), (0,), (1,), 0)
        return self
    if isinstance(source, Tensor):
        if size is None:
            _adopt(self, source._root_array(), source._arr.shape, source.stride(),
                   source.storage_offset())
            self.dtype = source.dtype
            return self
        root = source._root_array()
    elif isinstance(source, (UntypedStorage, TypedStorage)):
        untyped = source if isinstance(source, UntypedStorage) else source.untyped()
        root = be.reinterpret(untyped._bytes, self.dtype)
    else:
        raise TypeError(f"set_(): argument 'source' must be Tensor or Storage, not "
                        f"{type(source).__name__}")
    shape = (root.size - storage_offset,) if size is None else tuple(size)
    stride = G.contiguous_strides(shape) if stride is None else tuple(stride)
    _adopt(self, root, shape, stride, storage_offset)
    return self


METHODS = {"resize_": resize_, "resize_as_": resize_as_, "set_": set_}
