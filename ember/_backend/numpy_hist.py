"""NumPy kernels behind histc, histogram, histogramdd and bincount (CPU backend).

Counting goes through np.bincount on flattened bin indices; bins are chosen as torch's
histogram kernel chooses them (linear interpolation for histc, the bin edges otherwise).
"""
from __future__ import annotations

import numpy as np


class NumpyHist:
    """Histogram kernels mixed into the NumPy backend."""

    @staticmethod
    def histc_bins(x, bins, lo, hi):
        """Counts of `x` in `bins` equal bins over [lo, hi] (edges in x's dtype), as torch's
        histc: the bin is (x - lo) * bins / (hi - lo) truncated, in x's arithmetic."""
        flat = x.reshape(-1)
        lo_t, hi_t = np.asarray(lo, x.dtype), np.asarray(hi, x.dtype)
        keep = (flat >= lo_t) & (flat <= hi_t)
        v = flat[keep]
        pos = ((v - lo_t) * np.asarray(bins, x.dtype) / (hi_t - lo_t)).astype(np.int64)
        pos = np.minimum(pos, bins - 1)
        return np.bincount(pos, minlength=bins).astype(x.dtype)

    @staticmethod
    def histogramdd(x, edges, weight, density):
        """Histogram of the rows of the (M, N) `x` over per-dim edge arrays: each value goes
        to the last edge not above it; the last bin also takes its right edge."""
        m, n = x.shape
        keep = np.ones(m, bool)
        pos = []
        for d in range(n):
            e = edges[d]
            col = x[:, d]
            keep &= (col >= e[0]) & (col <= e[-1])
            p = np.searchsorted(e, col, side="right") - 1
            pos.append(np.minimum(np.maximum(p, 0), len(e) - 2))
        shape = tuple(len(e) - 1 for e in edges)
        flat = np.ravel_multi_index(tuple(p[keep] for p in pos), shape) if n else \
            np.zeros(0, np.int64)
        w = None if weight is None else weight.reshape(-1)[keep].astype(np.float64)
        size = int(np.prod(shape))
        hist = np.bincount(flat, w, minlength=size)[:size].reshape(shape) if size else \
            np.zeros(shape)
        if density:
            hist = hist / hist.sum()
            for d, e in enumerate(edges):
                widths = np.diff(e).astype(np.float64)
                hist = hist / widths.reshape([-1 if i == d else 1 for i in range(n)])
        return hist.astype(x.dtype)

    @staticmethod
    def bincount(x, weights, minlength):
        size = max(int(x.max()) + 1 if x.size else 0, minlength)
        if weights is None:
            return np.bincount(x, minlength=size).astype(np.int64)
        out = np.bincount(x, weights.astype(np.float64), minlength=size)
        return out.astype(np.float32 if weights.dtype == np.float32 else np.float64)

    @staticmethod
    def finite_min_max(x):
        """(min, max) of `x` as Python floats (NaN if any element is NaN)."""
        flat = x.reshape(-1).astype(np.float64)
        return float(flat.min()), float(flat.max())
