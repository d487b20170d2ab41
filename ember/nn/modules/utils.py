"""torch.nn.modules.utils: argument normalisers shared by the layers."""
from __future__ import annotations

import collections.abc

__all__ = []


def _ntuple(n, name="parse"):
    """A parser giving an iterable as a tuple and anything else repeated `n` times."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return (x,) * n
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """(a, b) -> (b, b, a, a) for n = 2: F.pad's order for per-dim paddings."""
    return tuple(x for x in reversed(t) for _ in range(n))
