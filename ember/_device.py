"""Devices (torch.device): 'cpu' and 'cuda:N'."""
from __future__ import annotations

__all__ = ["device"]

_KNOWN = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, "
          "lazy, vulkan, mps, meta, hpu, mtia, privateuseone")
_TYPES = frozenset(t.strip() for t in _KNOWN.split(","))


class device:
    """Where a tensor's data lives: ``device('cpu')``, ``device('cuda', 0)``, ``'cuda:1'``."""

    __slots__ = ("type", "index")

    def __new__(cls, type, index=None):
        if isinstance(type, device):
            return type
        if isinstance(type, int) and not isinstance(type, bool):
            return _make("cuda", type)       # device(0) means cuda:0, as in torch
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type.__class__.__name__})")
        name, sep, idx = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {_KNOWN} device type at start of device "
                               f"string: {type}")
        if sep:
            if index is not None or not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        return _make(name, index)

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        if self.index is None:
            return (device, (self.type,))
        return (device, (self.type, self.index))


def _make(type, index):
    d = object.__new__(device)
    object.__setattr__(d, "type", type)
    object.__setattr__(d, "index", index)
    return d


CPU = device("cpu")
