"""NumPy kernels behind interpolation (F.interpolate's nearest, nearest-exact, linear and
cubic modes, with or without antialiasing).

Every mode is separable: along each resized axis an output cell is a weighted sum of a few
input cells ("taps": one index array and one weight array per tap), and the axes are resized
one after the other, the last first, as torch nests them. Indices and weights are computed
in torch's precision (float for float/half/bfloat16 inputs, double for double) with torch's
formulas, so values match torch's. The backward pass of an axis adds each output's gradient,
times its weight, into its input cell: tap indices never decrease along the axis, so that is
one ``add.reduceat`` per tap, no scatter.
"""
from __future__ import annotations

import math

import ml_dtypes
import numpy as np

_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


def _opmath(dt):
    """torch's opmath type: the float type indices, weights and sums are computed in."""
    return np.dtype(np.float64) if dt == np.float64 else np.dtype(np.float32)


def _scale(n, o, align_corners, scale, ft):
    """torch's area_pixel_compute_scale in precision `ft`."""
    if align_corners:
        return ft.type(n - 1) / ft.type(o - 1) if o > 1 else ft.type(0)
    if scale is not None and scale > 0:
        return ft.type(1.0 / scale)
    return ft.type(n) / ft.type(o)


def _source(scale, o, align_corners, cubic, ft):
    """torch's area_pixel_compute_source_index for outputs 0..o-1 (the half-pixel form is
    evaluated in double and rounded to `ft`, as torch's mixed arithmetic does)."""
    i = np.arange(o)
    if align_corners:
        return scale * i.astype(ft)
    src = (np.float64(scale) * (i + 0.5) - 0.5).astype(ft)
    return src if cubic else np.maximum(src, ft.type(0))


def _nearest(n, o, scale, exact, ft):
    s = _scale(n, o, False, scale, ft)
    if exact:
        src = _source(s, o, False, False, ft)
        idx = np.floor((src.astype(np.float64) + 0.5).astype(ft))
    else:
        idx = np.floor(s * np.arange(o).astype(ft))
    return [(np.minimum(idx.astype(np.int64), n - 1), None)]


def _guard(real, n):
    """torch's guard_index_and_lambda: (floor index capped at n-1, fraction in [0, 1])."""
    index = np.minimum(np.floor(real).astype(np.int64), n - 1)
    frac = np.clip(real - index.astype(real.dtype), 0, 1).astype(real.dtype)
    return index, frac


def _linear(n, o, align_corners, scale, ft, wt):
    if n == o:
        return [(np.arange(o), None)]
    real = _source(_scale(n, o, align_corners, scale, ft), o, align_corners, False, ft)
    i0, l1 = _guard(real, n)
    i1 = i0 + (i0 < n - 1)
    l1 = l1.astype(wt)
    l0 = (wt.type(1) - l1).astype(wt)
    return [(i0, l0), (i1, l1)]


def _cubic_near(x, a):
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic_far(x, a):
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def _cubic(n, o, align_corners, scale, ft, wt):
    real = _source(_scale(n, o, align_corners, scale, ft), o, align_corners, True, ft)
    index, t = _guard(real, n)
    a = ft.type(-0.75)
    one = ft.type(1)
    coeffs = (_cubic_far(t + one, a), _cubic_near(t, a), _cubic_near(one - t, a),
              _cubic_far(one - t + one, a))
    return [(np.clip(index + j - 1, 0, n - 1), c.astype(wt)) for j, c in enumerate(coeffs)]


def _aa_filter(x, kind, a=-0.5):
    """PIL's filters: the triangle ('linear'), Keys' cubic ('cubic', a = -0.5 as PIL) and
    Lanczos-3 ('lanczos')."""
    if kind == "lanczos":
        return np.where((x >= -3) & (x < 3), _sinc(x) * _sinc(x / 3), 0).astype(x.dtype)
    x = np.abs(x)
    if kind == "linear":
        return np.where(x < 1, 1 - x, 0).astype(x.dtype)
    a = x.dtype.type(a)
    return np.where(x < 1, _cubic_near(x, a),
                    np.where(x < 2, _cubic_far(x, a), 0)).astype(x.dtype)


def _sinc(x):
    safe = np.where(x == 0, 1, x) * np.pi
    return np.where(x == 0, 1, np.sin(safe) / safe).astype(x.dtype)


_HALF_WIDTH = {"linear": 1.0, "cubic": 2.0, "lanczos": 3.0}


def _antialiased(n, o, align_corners, scale, ft, kind):
    """torch's antialiasing weights: the filter stretched by the downscale factor over a
    variable number of cells, normalised to sum to 1."""
    s = _scale(n, o, align_corners, scale, ft)
    half = _HALF_WIDTH[kind]
    support = ft.type(half * s) if s >= 1.0 else ft.type(half)
    width = int(math.ceil(support)) * 2 + 1
    center = (np.float64(s) * (np.arange(o) + 0.5)).astype(ft)
    invscale = ft.type(1.0 / s) if s >= 1.0 else ft.type(1.0)
    xmin = np.maximum((center - support).astype(np.float64) + 0.5, 0).astype(np.int64)
    xmax = np.minimum(((center + support).astype(np.float64) + 0.5).astype(np.int64), n)
    size = np.clip(xmax - xmin, 0, width)
    j = np.arange(width)
    pos = ((j + xmin[:, None]).astype(ft) - center[:, None]).astype(np.float64) + 0.5
    w = _aa_filter((pos * invscale).astype(ft), kind)
    w = np.where(j < size[:, None], w, 0).astype(ft)
    total = np.zeros(o, ft)
    for k in range(width):            # sequential, as torch sums the weights
        total += w[:, k]
    w = np.where(total[:, None] != 0, w / np.where(total == 0, 1, total)[:, None], w)
    return [(np.minimum(xmin + k, n - 1), w[:, k].astype(ft)) for k in range(width)]


def axis_taps(mode, n, o, align_corners, scale, dtype, antialias):
    """[(index, weight or None)] of one resized axis of `n` cells into `o`."""
    ft = _opmath(dtype)
    wt = np.dtype(dtype) if dtype in _LOW else ft
    if mode in ("nearest", "nearest-exact"):
        return _nearest(n, o, scale, mode == "nearest-exact", ft)
    if antialias:
        return _antialiased(n, o, align_corners, scale, ft, mode)
    if mode == "linear":
        return _linear(n, o, align_corners, scale, ft, wt)
    return _cubic(n, o, align_corners, scale, ft, wt)


def _edge_folded(n, o, align_corners, scale, kind):
    """torch's weights for uint8 resizing without antialiasing: the linear/cubic (a=-0.75)
    taps in double, those falling off either edge folded onto the edge cell."""
    width = 4 if kind == "cubic" else 2
    support = width // 2
    f64 = np.dtype(np.float64)
    real = _source(_scale(n, o, align_corners, scale, f64), o, align_corners,
                   kind == "cubic", f64)
    index, frac = _guard(real, n)
    low = index - support + 1
    first = np.maximum(low, 0)
    size = np.clip(np.minimum(index + support + 1, n) - first, 0, width)
    weights = np.zeros((o, width))
    rows = np.arange(o)
    slot = np.zeros(o, np.int64)
    peak = 0.0
    for j in range(width):          # in torch's order, so its running maximum is ours
        weights[:, j] = 0
        w = _aa_filter(np.float64(j + 1 - support) - frac, kind, -0.75)
        slot = np.where(low + j <= 0, 0, np.where(low + j >= n - 1, size - 1, slot))
        weights[rows, slot] += w
        peak = max(peak, float(weights[rows, slot].max()))
        slot = slot + 1
    taps = [(np.minimum(first + k, n - 1), weights[:, k]) for k in range(width)]
    return taps, peak


def _int16_taps(mode, n, o, align_corners, scale, antialias):
    """(taps with int16 weights, their precision in bits): torch's fixed-point uint8 path."""
    if antialias:
        taps = _antialiased(n, o, align_corners, scale, np.dtype(np.float64), mode)
        peak = max(float(w.max()) for _, w in taps)
    else:
        taps, peak = _edge_folded(n, o, align_corners, scale, mode)
    bits = 0
    while bits < 22 and int(0.5 + peak * (1 << (bits + 1))) < (1 << 15):
        bits += 1
    fixed = [(i, np.trunc(w * (1 << bits) + np.where(w < 0, -0.5, 0.5)).astype(np.int64))
             for i, w in taps]
    return fixed, bits


def _resample_uint8(x, axis, taps, bits):
    """One axis of a uint8 resize in fixed point: rounded, shifted, clamped to 0..255."""
    total = 1 << (bits - 1)
    for index, weight in taps:
        total = total + np.take(x, index, axis=axis).astype(np.int64) * \
            _along(weight, axis, x.ndim)
    return np.clip(total >> bits, 0, 255).astype(np.uint8)


def _along(w, axis, ndim):
    return w.reshape((-1,) + (1,) * (ndim - axis - 1))


def _resample(x, axis, taps):
    """One axis resized: sum over taps of ``x[..., index, ...] * weight``."""
    out = None
    for index, weight in taps:
        part = np.take(x, index, axis=axis)
        if weight is not None:
            part = part * _along(weight.astype(x.dtype), axis, x.ndim)
        out = part if out is None else out + part
    return out


def _resample_backward(g, axis, n, taps):
    """The transpose of `_resample`: each output's gradient times its weight, added into its
    input cell. Small axes go through one matrix product with the (o, n) resampling matrix;
    long ones sum runs of equal indices (tap indices never decrease) with reduceat."""
    o = g.shape[axis]
    if n * o <= 1 << 16:
        matrix = np.zeros((o, n), g.dtype)
        rows = np.arange(o)
        for index, weight in taps:
            np.add.at(matrix, (rows, index), 1 if weight is None else weight)
        if axis == g.ndim - 1:
            return np.matmul(g, matrix)
        if axis == g.ndim - 2:
            return np.matmul(matrix.T, g)
        return np.moveaxis(np.matmul(np.moveaxis(g, axis, -1), matrix), -1, axis)
    shape = list(g.shape)
    shape[axis] = n
    out = np.zeros(shape, g.dtype)
    for index, weight in taps:
        part = g if weight is None else g * _along(weight.astype(g.dtype), axis, g.ndim)
        starts = np.flatnonzero(np.concatenate(([True], index[1:] != index[:-1])))
        sums = np.add.reduceat(part, starts, axis=axis)
        target = [slice(None)] * g.ndim
        target[axis] = index[starts]
        out[tuple(target)] += sums
    return out


class NumpySampling:
    """Kernels for the interpolation ops (ember/_ops/nn_upsample.py)."""

    @staticmethod
    def interpolate(x, outs, mode, align_corners, scales, antialias):
        """`x` resized over its last len(outs) dims to `outs`."""
        nd = len(outs)
        nearest = mode in ("nearest", "nearest-exact")
        fixed = x.dtype == np.uint8 and not nearest
        y = x if nearest or fixed else x.astype(_opmath(x.dtype), copy=False)
        for i in reversed(range(nd)):
            axis = x.ndim - nd + i
            n = x.shape[axis]
            if (antialias or fixed) and n == outs[i]:
                continue                      # torch copies an axis that keeps its size
            if fixed:
                taps, bits = _int16_taps(mode, n, outs[i], align_corners, scales[i],
                                         antialias)
                y = _resample_uint8(y, axis, taps, bits)
            else:
                taps = axis_taps(mode, n, outs[i], align_corners, scales[i], x.dtype,
                                 antialias)
                y = _resample(y, axis, taps)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def interpolate_backward(g, sizes, mode, align_corners, scales, antialias):
        """The gradient of `interpolate` for the input sizes `sizes` (the transpose)."""
        nd = len(sizes)
        y = g.astype(_opmath(g.dtype), copy=False)
        for i in range(nd):
            axis = g.ndim - nd + i
            o = g.shape[axis]
            if antialias and sizes[i] == o:
                continue
            taps = axis_taps(mode, sizes[i], o, align_corners, scales[i], g.dtype, antialias)
            y = _resample_backward(y, axis, sizes[i], taps)
        return y.astype(g.dtype, copy=False)
