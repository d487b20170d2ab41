"""NumPy kernels behind padding: constant_pad_nd and the reflection / replication pads with
their adjoints (the backward of each pad)."""
from __future__ import annotations

import numpy as np

from ember._backend.dtypes import FROM_NP


class NumpyPad:
    """Padding kernels mixed into the NumPy backend."""

    @staticmethod
    def constant_pad(x, pad, value):
        """torch's constant_pad_nd; `pad` runs (lo, hi) from the last dim backwards and a
        negative entry crops."""
        src = [slice(None)] * x.ndim
        dst = [slice(None)] * x.ndim
        shape = list(x.shape)
        for i in range(len(pad) // 2):
            dim, lo, hi = x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
            size = x.shape[dim]
            src[dim] = slice(max(-lo, 0), size - max(-hi, 0))
            kept = max(size - max(-lo, 0) - max(-hi, 0), 0)
            dst[dim] = slice(max(lo, 0), max(lo, 0) + kept)
            shape[dim] = size + lo + hi
        if all(p <= 0 for p in pad):
            return np.array(x[tuple(src)], order="C")
        if value == 0:
            out = np.zeros(shape, x.dtype)
        else:
            from ember._backend.numpy_backend import cast_scalar
            out = np.full(shape, cast_scalar(value, FROM_NP[x.dtype]), x.dtype)
        out[tuple(dst)] = x[tuple(src)]
        return out

    @staticmethod
    def edge_pad(x, pad, mode):
        """Reflection ('reflect') or replication ('replicate') padding of trailing dims."""
        for i in range(len(pad) // 2):
            dim = x.ndim - 1 - i
            x = np.take(x, _edge_index(x.shape[dim], pad[2 * i], pad[2 * i + 1], mode),
                        axis=dim)
        return np.ascontiguousarray(x)

    @staticmethod
    def edge_pad_backward(g, pad, mode, in_shape):
        """The adjoint of edge_pad: each padded cell's gradient added to its source cell."""
        for i in range(len(pad) // 2):
            dim = g.ndim - 1 - i
            g = _edge_fold(g, dim, in_shape[dim], pad[2 * i], pad[2 * i + 1], mode)
        return g


def _edge_index(size, lo, hi, mode):
    """Source index of every output cell along one padded dim."""
    j = np.arange(-lo, size + hi)
    if mode == "replicate":
        return np.clip(j, 0, size - 1)
    j = np.abs(j)
    return (size - 1) - np.abs((size - 1) - j)


def _edge_fold(g, dim, size, lo, hi, mode):
    """Sum `g` along `dim` onto the `size` source cells of edge padding (lo, hi)."""
    n_out = g.shape[dim]
    shape = list(g.shape)
    shape[dim] = size
    out = np.zeros(shape, g.dtype)
    lead = (slice(None),) * dim
    start, stop = max(lo, 0), min(n_out, lo + size)     # the cells copied straight through
    if stop > start:
        out[lead + (slice(start - lo, stop - lo),)] += g[lead + (slice(start, stop),)]
    index = _edge_index(size, lo, hi, mode)
    for o in (*range(start), *range(stop, n_out)):       # the padding: a short loop
        out[lead + (index[o],)] += g[lead + (o,)]
    return out
