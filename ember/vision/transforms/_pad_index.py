"""Source indices for 'edge', 'reflect' and 'symmetric' padding along one axis."""
from __future__ import annotations

import ember


def pad_index(n, before, after, mode):
    """int64 indices into ``range(n)`` of a line padded by (before, after).

    Works for any pad width the way ``numpy.pad`` does: reflection repeats with period
    2(n-1) (edge-free mirror), symmetric with period 2n (edge repeated), 'edge' clamps.
    """
    idx = ember.arange(-before, n + after)
    if mode == "edge" or (mode == "reflect" and n == 1):
        return idx.clamp(0, n - 1)
    if mode == "reflect":
        period = 2 * (n - 1)
        idx = idx.remainder(period)
        return ember.where(idx >= n, period - idx, idx)
    if mode == "symmetric":
        period = 2 * n
        idx = idx.remainder(period)
        return ember.where(idx >= n, period - 1 - idx, idx)
    raise ValueError(f"unknown padding mode {mode!r}")
