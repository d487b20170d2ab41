"""Softmin, Softmax, Softmax2d and LogSoftmax (torch.nn.modules.activation).

Shape: (*) -> (*), normalized along `dim` (Softmax2d: over the channels of (C, H, W) or
(N, C, H, W)).
"""
from __future__ import annotations

from ember.nn import functional as F
from ember.nn.modules.module import Module

__all__ = ["Softmin", "Softmax", "Softmax2d", "LogSoftmax"]


class _Normalize(Module):
    """A layer normalizing along ``dim`` (None: torch's deprecated implicit choice)."""

    __constants__ = ["dim"]
    _fn = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):       # pickles from before `dim` existed
            self.dim = None

    def forward(self, input):
        return type(self)._fn(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(_Normalize):
    """softmax(-x) along `dim`."""

    _fn = staticmethod(F.softmin)


class Softmax(_Normalize):
    """exp(x) / sum(exp(x)) along `dim`."""

    _fn = staticmethod(F.softmax)


class LogSoftmax(_Normalize):
    """log(softmax(x)) along `dim`."""

    _fn = staticmethod(F.log_softmax)


class Softmax2d(Module):
    """Softmax over the channels (dim -3) of a 3-D or 4-D input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)
