"""Padding layers (torch.nn.modules.padding): constant, zero, reflection, replication and
circular padding of the last 1, 2 or 3 dims, thin Modules over F.pad."""
from __future__ import annotations

from ember.nn import functional as F
from ember.nn.modules.module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d"]


def _pads(padding, n):
    """An int repeated over the 2n sides, or a 2n-tuple as given."""
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * n)


class _PadNd(Module):
    __constants__ = ["padding"]
    mode = None
    _n = None

    def __init__(self, padding):
        super().__init__()
        self.padding = _pads(padding, self._n)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    mode = "circular"

    def forward(self, input):
        n = self._n
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Pad the last dim by wrapping around. Shape: (N, C, W) or (C, W)."""

    _n = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last 2 dims by wrapping around. Shape: (N, C, H, W) or (C, H, W)."""

    _n = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last 3 dims by wrapping around. Shape: (N, C, D, H, W) or (C, D, H, W)."""

    _n = 3


class _ReflectionPadNd(_PadNd):
    mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """Pad the last dim with its mirror image (edge excluded)."""

    _n = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Pad the last 2 dims with their mirror image (edge excluded)."""

    _n = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Pad the last 3 dims with their mirror image (edge excluded)."""

    _n = 3


class _ReplicationPadNd(_PadNd):
    mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """Pad the last dim by repeating its edge values."""

    _n = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Pad the last 2 dims by repeating their edge values."""

    _n = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Pad the last 3 dims by repeating their edge values."""

    _n = 3


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _n = None

    def __init__(self, padding, value):
        super().__init__()
        self.value = value
        self.padding = _pads(padding, self._n)

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with `value`."""

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with `value`."""

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with `value`."""

    _n = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last 2 dims with zeros.

    Example:
        >>> import ember
        >>> ember.nn.ZeroPad2d((1, 0, 0, 2))(ember.ones(1, 1, 1, 1)).shape
        ember.Size([1, 1, 3, 2])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last 3 dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"
