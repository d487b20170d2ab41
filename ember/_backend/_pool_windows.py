"""Window helpers of adaptive and fractional pooling (windows of their own, not a sliding
kernel): torch's window bounds, window sums as small matrix products, and a separable max
that reduces one dim at a time while tracking torch's flat plane index of the max."""
from __future__ import annotations

import math

import numpy as np


def lowest(dt):
    """The value no element is below (what an empty max window reports)."""
    return np.iinfo(dt).min if dt.kind in "iu" else -np.inf


def has_nan(x):
    return x.dtype.kind not in "iu" and bool(np.isnan(x).any())


def adaptive_bounds(n, o):
    """(start, size) of torch's adaptive windows of `n` cells into `o` outputs:
    [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(o)
    start = i * n // o
    return start, ((i + 1) * n + o - 1) // o - start


def adaptive_area(sizes, outs):
    """Per output, the number of cells of its adaptive window."""
    total = 1
    nd = len(sizes)
    for axis, (n, o) in enumerate(zip(sizes, outs)):
        size = adaptive_bounds(n, o)[1]
        total = total * size.reshape((1,) * axis + (-1,) + (1,) * (nd - axis - 1))
    return total


def window_sum(y, axis, m, transpose):
    """Sums over the adaptive windows along `axis` into `m` outputs or, transposed, each of
    the axis's values spread over its window of an `m`-long axis: a reshape when the
    windows tile the axis, else one matrix product with the 0/1 window matrix."""
    length = y.shape[axis]
    n, o = (m, length) if transpose else (length, m)
    if n % o == 0:
        if transpose:
            return np.repeat(y, n // o, axis=axis)
        return y.reshape(y.shape[:axis] + (o, n // o) + y.shape[axis + 1:]).sum(axis=axis + 1)
    start, size = adaptive_bounds(n, o)
    cols = np.arange(n)
    member = ((cols >= start[:, None]) & (cols < (start + size)[:, None])).astype(y.dtype)
    matrix = member if transpose else member.T          # (length, result length)
    if axis == y.ndim - 1:
        return y @ matrix
    if axis == y.ndim - 2:
        return matrix.T @ y
    return np.moveaxis(np.moveaxis(y, axis, -1) @ matrix, -1, axis)


def fractional_starts(u, n, o, k):
    """torch's pseudo-random window starts for samples `u`, computed in u's own dtype."""
    seq = np.empty(u.shape + (o,), np.int64)
    if o > 1:
        dt = u.dtype
        alpha = np.asarray(n - k, dt) / np.asarray(o - 1, dt)
        steps = np.arange(o - 1).astype(dt)
        seq[..., :-1] = _trunc((steps + u[..., None]) * alpha) - _trunc(u * alpha)[..., None]
    seq[..., -1] = n - k
    return seq


def _trunc(x):
    return np.asarray(x).astype(np.float64).astype(np.int64)


def unreached_max(x, starts):
    """What torch reports for windows of no cell (a zero kernel): the lowest value, at the
    windows' starts."""
    nd = len(starts)
    sizes = x.shape[x.ndim - nd:]
    index = 0
    for i, start in enumerate(starts):
        start = start.reshape(start.shape[:-1] + (1,) * i + start.shape[-1:] +
                              (1,) * (nd - 1 - i))
        index = index + start * math.prod(sizes[i + 1:])
    shape = x.shape[:x.ndim - nd] + tuple(s.shape[-1] for s in starts)
    return np.full(shape, lowest(x.dtype), x.dtype), np.broadcast_to(index, shape).astype(np.int64)


def empty_max(x, outs):
    shape = x.shape[:x.ndim - len(outs)] + tuple(outs)
    return np.zeros(shape, x.dtype), np.zeros(shape, np.int64)


def separable_max(x, windows):
    """(max, flat plane index) over windows given per pooled dim as (start, size): reduces
    the last dim first, so a tie keeps the first cell in row-major scan order and a NaN the
    last NaN, as torch's window loop does. A start array is (o,) (windows shared by every
    plane) or lead + (o,) (fractional pooling: windows of their own per plane)."""
    nd = len(windows)
    lead_n = x.ndim - nd
    plane = x.shape[lead_n:]
    nan = has_nan(x)
    vals = x
    # flat plane index of each cell; a window's later cells have larger indices, so the
    # index of the last winner is a running maximum (no masked writes)
    index = np.arange(math.prod(plane)).reshape((1,) * lead_n + plane)
    for i in reversed(range(nd)):
        start, size = windows[i]
        if start.ndim > 1:       # per-plane windows: align them with their axis
            start = start.reshape(start.shape[:-1] + (1,) * i + start.shape[-1:] +
                                  (1,) * (nd - 1 - i))
            size = size.reshape((1,) * (lead_n + i) + (-1,) + (1,) * (nd - 1 - i))
        vals, index = _reduce_axis(vals, index, lead_n + i, start, size, nan)
    return vals, np.broadcast_to(index, vals.shape).astype(np.int64)


def _reduce_axis(vals, index, axis, start, size, nan):
    """(max, index of the max) over the windows of one axis."""
    shared = start.ndim == 1
    last = size - 1

    def pick(arr, j):
        pos = start + np.minimum(j, last)
        if shared:
            return np.take(arr, pos, axis=axis)
        return np.take_along_axis(arr, pos, axis)
    best, best_index = pick(vals, 0), pick(index, 0)
    for j in range(1, int(size.max())):
        v = pick(vals, j)
        win = np.greater(v, best)
        if nan:
            win |= np.isnan(v)
        np.maximum(best, v, out=best)
        best_index = np.maximum(best_index, win * pick(index, j))
    return best, best_index
