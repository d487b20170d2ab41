"""Layouts and memory formats (torch.strided, torch.channels_last, ...)."""
from __future__ import annotations

__all__ = ["layout", "strided", "memory_format", "contiguous_format", "channels_last",
           "channels_last_3d", "preserve_format"]


class layout:
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "ember." + self._name

    def __reduce__(self):
        return self._name


class memory_format(layout):
    __slots__ = ()


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


def is_contiguous(shape, stride, fmt=None):
    """torch's contiguity test: size-1 dims are ignored, empty tensors are contiguous."""
    if fmt is channels_last and len(shape) == 4:
        order = (1, 3, 2, 0)
    elif fmt is channels_last_3d and len(shape) == 5:
        order = (1, 4, 3, 2, 0)
    elif fmt in (channels_last, channels_last_3d):
        return False
    else:
        order = tuple(range(len(shape) - 1, -1, -1))
    if 0 in shape:
        return True
    expected = 1
    for d in order:
        size = shape[d]
        if size != 1:
            if stride[d] != expected:
                return False
            expected *= size
    return True
