"""NumPy kernels behind window pooling (max, average), adaptive and fractional pooling and
max-unpooling.

Window pooling loops over the kernel's taps (kh * kw of them) and handles one strided view of
the padded input per tap, so every step is a whole-array ufunc: no loop over batch, channel or
output position. Max pooling records which tap won (a small integer per output) and turns it
into torch's flat plane indices only when asked. ``dims`` describes the pooled trailing dims,
one ``(size, out, kernel, stride, pad, dilation)`` tuple each; leading dims are untouched.
"""
from __future__ import annotations

import itertools
import math

import ml_dtypes
import numpy as np

from ember._backend._pool_windows import (adaptive_area, adaptive_bounds, empty_max,
                                          fractional_starts, has_nan, lowest, separable_max,
                                          unreached_max, window_sum)

_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


def _wide(x):
    """Half and bfloat16 accumulate in float32 (torch's opmath type), rounded once."""
    return x.astype(np.float32) if x.dtype in _LOW else x


def _span(out, k, s, d):
    return (out - 1) * s + (k - 1) * d + 1


def _padded(x, dims, fill):
    """`x` with `pad` cells of `fill` before each pooled dim and, after it, as many as the
    last window needs (ceil_mode); `x` itself when no cell is needed."""
    pads = [(p, max(0, _span(o, k, s, d) - p - n)) for n, o, k, s, p, d in dims]
    if not any(a or b for a, b in pads):
        return x
    lead = x.shape[:x.ndim - len(dims)]
    shape = lead + tuple(dim[0] + a + b for dim, (a, b) in zip(dims, pads))
    out = np.full(shape, fill, x.dtype)
    out[(Ellipsis,) + tuple(slice(a, a + dim[0]) for dim, (a, _) in zip(dims, pads))] = x
    return out


def _cropped(x, dims):
    """The inverse of `_padded`: the cells of the unpadded input."""
    if x.shape[x.ndim - len(dims):] == tuple(dim[0] for dim in dims):
        return x
    return x[(Ellipsis,) + tuple(slice(p, p + n) for n, _, _, _, p, _ in dims)]


def _taps(dims):
    """Per kernel tap (row-major over the kernel), the index of its cells of the padded input
    for every output position."""
    per_dim = [[slice(t * d, t * d + (o - 1) * s + 1, s) for t in range(k)]
               for _, o, k, s, _, d in dims]
    return [(Ellipsis,) + combo for combo in itertools.product(*per_dim)]


def _grid(dims, values):
    """Sum over dims of ``values[i]`` (one 1-D array per dim) broadcast along its own axis."""
    nd = len(dims)
    total = 0
    for axis, v in enumerate(values):
        total = total + v.reshape((1,) * axis + (-1,) + (1,) * (nd - axis - 1))
    return total


def _first_taps(dims):
    """The first in-bounds tap of every window (what torch reports when nothing beats the
    padding value)."""
    weights = [math.prod(dim[2] for dim in dims[i + 1:]) for i in range(len(dims))]
    firsts = [(np.maximum(0, p - np.arange(o) * s) + d - 1) // d * w
              for (_, o, _, s, p, d), w in zip(dims, weights)]
    return _grid(dims, firsts)


def _has_empty_window(dims):
    """Whether some window has none of its taps inside the input (large dilation)."""
    for n, o, k, s, p, d in dims:
        first = np.arange(o) * s - p
        taps = first[:, None] + np.arange(k) * d
        if not ((taps >= 0) & (taps < n)).any(axis=1).all():
            return True
    return False


def _max_taps(x, src, dims, taps, fill, nan):
    """(running max over the taps, winning tap); with `nan`, a NaN tap always wins."""
    count = len(taps)
    tdt = np.dtype(np.int8 if count <= 127 else np.int16 if count <= 32767 else np.int32)
    if src is x:
        cur = src[taps[0]].copy()
        arg = np.zeros(cur.shape, tdt)
        start = 1
    else:
        cur = np.full(src[taps[0]].shape, fill, x.dtype)
        arg = np.broadcast_to(_first_taps(dims), cur.shape).astype(tdt)
        start = 0
    # taps come in increasing order and a tap that wins replaces every earlier one, so the
    # winner is the largest tap that beat the running max (no masked writes)
    for t in range(start, count):
        v = src[taps[t]]
        win = np.greater(v, cur)
        if nan:
            win |= np.isnan(v)
        np.maximum(cur, v, out=cur)
        np.maximum(arg, np.multiply(win, tdt.type(t)), out=arg)
    return cur, arg


def _disjoint(dims):
    """Whether no input cell is in two windows."""
    return all(k == 1 or s >= (k - 1) * d + 1 for _, _, k, s, _, d in dims)


def _covers(dims):
    """Whether the windows tile the input exactly (every cell in exactly one window)."""
    return all(s == k and d == 1 and p == 0 and o * k == n for n, o, k, s, p, d in dims)


def _spread(parts, g, dims):
    """An input-shaped array with ``parts(t)`` (an output-shaped array per tap) added into
    the cells that tap reads: no loop over outputs, and plain assignment when no cell is in
    two windows."""
    lead = g.shape[:g.ndim - len(dims)]
    full = lead + tuple(dim[0] for dim in dims)
    if _covers(dims):
        gi = np.empty(full, g.dtype)
    else:
        gi = _padded(np.zeros(full, g.dtype), dims, 0)
    disjoint = _disjoint(dims)
    for t, tap in enumerate(_taps(dims)):
        if disjoint:
            gi[tap] = parts(t)
        else:
            gi[tap] += parts(t)
    return _cropped(gi, dims)


def _avg_divisor(dims, count_include_pad):
    """Per output position, the count torch divides a window's sum by."""
    counts = []
    for n, o, k, s, p, _ in dims:
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, n) - np.maximum(start, 0))
    total = 1
    nd = len(dims)
    for axis, c in enumerate(counts):
        total = total * c.reshape((1,) * axis + (-1,) + (1,) * (nd - axis - 1))
    return total


def _divide(total, divisor):
    if total.dtype.kind in "iu":          # C++ integer division truncates toward zero
        q = np.abs(total) // divisor
        return np.where(total < 0, -q, q)
    return total / divisor


class NumpyPooling:
    """Kernels for the pooling ops (ember/_ops/nn_pooling.py, nn_adaptive.py)."""

    @staticmethod
    def max_pool(x, dims, with_taps):
        """(max over each window, winning tap or None). Ties keep the first tap in scan
        order; a NaN always wins (so the last NaN of a window), as in torch."""
        fill = lowest(x.dtype)
        src = _padded(x, dims, fill)
        taps = _taps(dims)
        if not with_taps:
            out = src[taps[0]].copy()
            for tap in taps[1:]:
                np.maximum(out, src[tap], out=out)
            return out, None
        out, arg = _max_taps(x, src, dims, taps, fill, nan=False)
        if has_nan(out):           # a NaN reached the output: redo with torch's NaN rule
            out, arg = _max_taps(x, src, dims, taps, fill, nan=True)
        return out, arg

    @staticmethod
    def pool_indices(arg, dims):
        """torch's indices (flat positions in each input plane) of winning taps `arg`."""
        plane = [dim[0] for dim in dims]
        strides = [math.prod(plane[i + 1:]) for i in range(len(dims))]
        offsets = sum(np.ix_(*[np.arange(k) * d * st for (_, _, k, _, _, d), st
                               in zip(dims, strides)])).reshape(-1).astype(np.int64)
        base = _grid(dims, [(np.arange(o) * s - p) * st
                            for (_, o, _, s, p, _), st in zip(dims, strides)])
        return np.take(offsets, arg) + base

    @staticmethod
    def max_pool_backward(g, arg, dims):
        """Each output's gradient added to the input cell its window's max came from."""
        if _has_empty_window(dims):
            # NOTE(torch): a window with no cell in the input reports a position derived from
            # its clamped start, and torch adds the gradient there; ember follows the index
            # (dropping one that falls outside the plane)
            index = NumpyPooling.pool_indices(arg, dims)
            plane = tuple(dim[0] for dim in dims)
            inside = (index >= 0) & (index < math.prod(plane))
            return NumpyPooling.scatter_planes(np.where(inside, g, 0), np.where(inside, index, 0),
                                               plane)
        return _spread(lambda t: np.multiply(arg == t, g), g, dims)

    @staticmethod
    def avg_pool(x, dims, count_include_pad, divisor):
        """Window sums (taps added in torch's scan order) over the divisor torch uses."""
        src = _padded(_wide(x), dims, 0)
        taps = _taps(dims)
        total = src[taps[0]].copy()
        for tap in taps[1:]:
            total += src[tap]
        div = divisor if divisor else _avg_divisor(dims, count_include_pad)
        return _divide(total, div).astype(x.dtype, copy=False)

    @staticmethod
    def avg_pool_backward(g, dims, count_include_pad, divisor):
        """Each output's gradient, over its divisor, spread over its window."""
        div = divisor if divisor else _avg_divisor(dims, count_include_pad)
        share = (_wide(g) / div).astype(g.dtype, copy=False)
        return _spread(lambda t: share, share, dims)

    # --- windows of their own: adaptive and fractional pooling ---------------------
    @staticmethod
    def adaptive_avg(x, outs):
        """Mean over torch's adaptive windows (start floor(i*n/o), end ceil((i+1)*n/o))."""
        nd = len(outs)
        if 0 in outs:
            return np.zeros(x.shape[:x.ndim - nd] + tuple(outs), x.dtype)
        y = _wide(x)
        for i, o in enumerate(outs):
            y = window_sum(y, y.ndim - nd + i, o, transpose=False)
        area = adaptive_area(x.shape[x.ndim - nd:], outs)
        return (y / area).astype(x.dtype, copy=False)

    @staticmethod
    def adaptive_avg_backward(g, sizes):
        """Each output's gradient over its window's area, spread over the window."""
        nd = len(sizes)
        if 0 in g.shape[g.ndim - nd:]:
            return np.zeros(g.shape[:g.ndim - nd] + tuple(sizes), g.dtype)
        y = _wide(g) / adaptive_area(sizes, g.shape[g.ndim - nd:])
        for i, n in enumerate(sizes):
            y = window_sum(y, y.ndim - nd + i, n, transpose=True)
        return y.astype(g.dtype, copy=False)

    @staticmethod
    def adaptive_max(x, outs):
        """(max over each adaptive window, torch's flat plane index of it)."""
        nd = len(outs)
        if 0 in outs:
            return empty_max(x, outs)
        sizes = x.shape[x.ndim - nd:]
        if all(n % o == 0 for n, o in zip(sizes, outs)):      # windows tile the input
            dims = tuple((n, o, n // o, n // o, 0, 1) for n, o in zip(sizes, outs))
            out, taps = NumpyPooling.max_pool(x, dims, True)
            return out, NumpyPooling.pool_indices(taps, dims)
        windows = [adaptive_bounds(n, o) for n, o in zip(sizes, outs)]
        return separable_max(x, windows)

    @staticmethod
    def fractional_max(x, samples, outs, kernel):
        """(max over fractional windows, flat plane indices). `samples` is (N, C, nd): torch
        reads entry 0 for the width in 2-d and for the depth in 3-d."""
        nd = len(outs)
        if 0 in outs:
            return empty_max(x, outs)
        batched = x.ndim == nd + 2
        windows = []
        for i, (n, o, k) in enumerate(zip(x.shape[x.ndim - nd:], outs, kernel)):
            u = samples[..., nd - 1 - i if nd == 2 else i]
            start = fractional_starts(u if batched else u[0], n, o, k)
            windows.append((start, np.full(o, k)))
        if 0 in kernel:
            return unreached_max(x, [start for start, _ in windows])
        return separable_max(x, windows)

    @staticmethod
    def scatter_planes(g, index, plane):
        """Zeros of shape lead + `plane` with `g` added at flat plane positions `index`."""
        size = math.prod(plane)
        lead = g.shape[:g.ndim - len(plane)]
        rows = math.prod(lead)
        flat = (index.reshape(rows, -1) + np.arange(rows)[:, None] * size).reshape(-1)
        sums = np.bincount(flat, weights=g.reshape(-1).astype(np.float64),
                           minlength=rows * size)
        return sums.astype(g.dtype).reshape(lead + tuple(plane))

    @staticmethod
    def max_unpool(x, index, plane):
        """Zeros of shape lead + `plane` with `x` written at flat plane positions `index` (a
        later duplicate overwrites an earlier one, as torch's loop does)."""
        lead = x.shape[:x.ndim - len(plane)]
        rows = math.prod(lead)
        out = np.zeros((rows, math.prod(plane)), x.dtype)
        out[np.arange(rows)[:, None], index.reshape(rows, -1)] = x.reshape(rows, -1)
        return out.reshape(lead + tuple(plane))
