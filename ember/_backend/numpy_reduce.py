"""NumPy kernels behind reductions and scans: prod, nansum, var, extrema with indices,
all/any, logsumexp, vector norms, quantiles and the cumulative ops (CPU backend).

Half and bfloat16 inputs are reduced in float32 and rounded once, as torch's CPU kernels
accumulate them; every result is an array (never a NumPy scalar).
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from ember._backend.dtypes import TO_NP

_LOW = (np.dtype(ml_dtypes.bfloat16), np.dtype(np.float16))


def _acc(npdt):
    return np.dtype(np.float32) if npdt in _LOW else npdt


# torch's CPU scans accumulate in at::acc_type: double for float32, float for half
_SCAN_ACC = {np.dtype(np.float32): np.dtype(np.float64),
             np.dtype(np.complex64): np.dtype(np.complex128)}


def _scan_acc(npdt):
    return _SCAN_ACC.get(npdt, _acc(npdt))


def _up(x):
    return x.astype(np.float32) if x.dtype in _LOW else x


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _accumulate(ufunc, x, axis, dtype=None):
    """``ufunc.accumulate`` along `axis` (possibly a strided view: callers make it C-ordered
    in their final cast). NumPy walks a non-last axis one column at a time, which is slow;
    there, with many slices, one vectorised step per position along the axis is faster."""
    n = x.shape[axis] if x.ndim else 0
    if x.ndim == 0 or n < 2 or axis == x.ndim - 1 or x.size // n < 64:
        return ufunc.accumulate(x, axis=axis, dtype=dtype)
    src = np.moveaxis(x, axis, 0)
    buf = np.empty(src.shape, dtype or x.dtype)     # the scanned axis first
    buf[0] = src[0]
    for i in range(1, n):          # along the scanned axis; each step is a whole slab
        ufunc(buf[i - 1], src[i], out=buf[i])
    return np.moveaxis(buf, 0, axis)


class NumpyReduce:
    """Reduction and scan kernels mixed into the NumPy backend."""

    @staticmethod
    def nansum(x, dims, keepdim, dtype):
        npdt = TO_NP[dtype]
        if x.dtype.kind == "f" or x.dtype in _LOW:
            x = np.where(np.isnan(_up(x)), 0, _up(x))
        out = np.sum(x, axis=dims, dtype=_acc(npdt), keepdims=keepdim)
        return np.asarray(out).astype(npdt, copy=False)

    @staticmethod
    def prod(x, dims, keepdim, dtype):
        npdt = TO_NP[dtype]
        out = np.prod(x, axis=dims, dtype=_acc(npdt), keepdims=keepdim)
        return np.asarray(out).astype(npdt, copy=False)

    @staticmethod
    def var_mean(x, dims, correction, keepdim, sqrt=False):
        """(variance with `correction` subtracted from the count (its square root when
        `sqrt`), mean) over `dims`, computed in double for float32 (as torch's CPU kernel
        does) and in float32 for half."""
        acc = _scan_acc(x.dtype)
        n = _count(x.shape, dims)
        mean = np.add.reduce(x, axis=dims, dtype=acc, keepdims=True) / acc.type(n) if n else \
            np.full(tuple(1 if d in dims else s for d, s in enumerate(x.shape)), np.nan, acc)
        dev = np.subtract(x, mean, dtype=acc)
        ss = _sum_squares(dev.real, dims, keepdim)
        if dev.dtype.kind == "c":
            ss = ss + _sum_squares(dev.imag, dims, keepdim)
        var = np.true_divide(ss, max(0, n - correction))
        if sqrt:
            var = np.sqrt(var)
        if not keepdim:
            mean = mean.reshape(var.shape)
        real = np.dtype(np.float32 if x.dtype == np.complex64 else np.float64) \
            if x.dtype.kind == "c" else x.dtype
        return np.asarray(var).astype(real, copy=False), np.asarray(mean).astype(x.dtype)

    @staticmethod
    def amax(x, dims, keepdim):
        return np.asarray(np.max(x, axis=dims, keepdims=keepdim))

    @staticmethod
    def amin(x, dims, keepdim):
        return np.asarray(np.min(x, axis=dims, keepdims=keepdim))

    @staticmethod
    def arg_extreme(x, dim, keepdim, largest):
        """(values, int64 indices) of the first maximum (minimum) along `dim`; a NaN wins."""
        src = _up(x)
        fn = np.argmax if largest else np.argmin
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        if dim is None:
            idx = np.asarray(fn(src.reshape(-1)), np.int64)
            if keepdim:
                idx = idx.reshape((1,) * x.ndim)
            return None, idx
        idx = np.expand_dims(fn(src, axis=dim), dim).astype(np.int64, copy=False)
        values = np.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            idx, values = idx.squeeze(dim), values.squeeze(dim)
        return values, idx

    @staticmethod
    def all_any(x, dims, keepdim, want_all, out_dtype):
        fn = np.all if want_all else np.any
        out = np.asarray(fn(x != 0 if x.dtype.kind != "b" else x, axis=dims, keepdims=keepdim))
        return out.astype(TO_NP[out_dtype], copy=False)

    @staticmethod
    def count_nonzero(x, dims):
        return np.asarray(np.count_nonzero(x, axis=dims)).astype(np.int64, copy=False)

    @staticmethod
    def pnorm(x, p, dims, keepdim):
        """The p-norm of |x| over `dims` in x's real dtype (half precision sums in float32)."""
        a = np.abs(_up(x))
        if p == float("inf"):
            out = np.max(a, axis=dims, keepdims=keepdim)
        elif p == float("-inf"):
            out = np.min(a, axis=dims, keepdims=keepdim)
        elif p == 0:
            out = np.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        elif p == 1:
            out = np.sum(a, axis=dims, keepdims=keepdim)
        elif p == 2:
            out = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
        else:
            out = np.power(np.sum(np.power(a, p), axis=dims, keepdims=keepdim), 1.0 / p)
        real = x.real.dtype if x.dtype.kind == "c" else x.dtype
        return np.asarray(out).astype(real, copy=False)

    @staticmethod
    def renorm(x, p, dim, maxnorm):
        """Slices along `dim` with p-norm above `maxnorm` scaled by maxnorm / (norm + 1e-7)."""
        dims = tuple(d for d in range(x.ndim) if d != dim)
        norm = NumpyReduce.pnorm(_up(x), p, dims, True)
        factor = np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0).astype(norm.dtype)
        real = x.real.dtype if x.dtype.kind == "c" else x.dtype
        return x * factor.astype(real)

    @staticmethod
    def quantile(x, q, dim, keepdim, interpolation, ignore_nan):
        """torch's quantiles of `x` over `dim` (flattened when None) at the 1-D `q`.

        Returns the values (q leading) and, per value, the sorted ranks of its lower and upper
        neighbours (stacked on the last axis), the weight of the upper one and that weight's
        derivative in q (zero where the rank is clamped or not interpolated)."""
        src = x.reshape(-1) if dim is None else np.moveaxis(x, dim, -1)
        s = np.sort(src, axis=-1)
        n = s.shape[-1]
        nan = np.isnan(s)
        qq = q.reshape((-1,) + (1,) * s.ndim).astype(x.dtype)
        if ignore_nan:
            scale = (n - nan.sum(axis=-1, keepdims=True) - 1).astype(x.dtype)
            rank = qq * scale
            scale = np.where(rank < 0, 0, scale)
            rank = np.maximum(rank, 0)
        else:
            has_nan = nan.any(axis=-1, keepdims=True)
            scale = np.where(has_nan, 0, x.dtype.type(n - 1))
            rank = np.where(has_nan, x.dtype.type(n - 1), qq * x.dtype.type(n - 1))
        rounding = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(interpolation)
        if rounding is not None:
            rank = rounding(rank)      # np.round: half to even, as torch's round
        below = rank.astype(np.int64)
        above, w = below, np.zeros_like(rank)
        if interpolation in ("linear", "midpoint"):
            above = np.ceil(rank).astype(np.int64)
            w = np.full_like(rank, 0.5) if interpolation == "midpoint" else \
                rank - below.astype(rank.dtype)
        values = np.take_along_axis(s[None], below, -1)
        if interpolation in ("linear", "midpoint"):
            values = _lerp(values, np.take_along_axis(s[None], above, -1), w)
        out = values[..., 0]
        if keepdim:
            out = out.reshape(out.shape[:1] + (1,) * x.ndim) if dim is None else \
                np.expand_dims(out, dim + 1)
        dw = np.broadcast_to(scale, w.shape) if interpolation == "linear" else np.zeros_like(w)
        ranks = np.concatenate([np.broadcast_to(below, w.shape), np.broadcast_to(above, w.shape)],
                               axis=-1)
        return (np.ascontiguousarray(out.astype(x.dtype, copy=False)), ranks, w,
                np.ascontiguousarray(dw))

    # --- scans ----------------------------------------------------------------------
    @staticmethod
    def cumsum(x, dim, dtype, reverse=False):
        npdt = TO_NP[dtype]
        src = np.flip(x, dim) if reverse else x
        out = _accumulate(np.add, src, dim, _scan_acc(npdt))
        out = np.flip(out, dim) if reverse else out
        return out.astype(npdt, order="C", copy=False)

    @staticmethod
    def cumprod(x, dim, dtype):
        npdt = TO_NP[dtype]
        out = _accumulate(np.multiply, x, dim, _scan_acc(npdt))
        return out.astype(npdt, order="C", copy=False)

    @staticmethod
    def cum_extreme(x, dim, largest):
        """Running max (min) along `dim` and the index of the latest element that attained
        it; a NaN, once seen, stays (its latest position wins)."""
        src = _up(x)
        run = _accumulate(np.maximum if largest else np.minimum, src, dim)
        hit = src == run
        if src.dtype.kind == "f":
            hit |= np.isnan(src)
        steps = np.arange(src.shape[dim]).reshape((-1,) + (1,) * (src.ndim - dim - 1))
        idx = _accumulate(np.maximum, np.where(hit, steps, -1), dim)
        return run.astype(x.dtype, order="C", copy=False), idx.astype(np.int64, order="C",
                                                                     copy=False)

    @staticmethod
    def logcumsumexp(x, dim, reverse=False):
        """log(cumsum(exp(x))) along `dim` (from the end when `reverse`)."""
        src = x.astype(_scan_acc(x.dtype))
        if reverse:
            src = np.flip(src, dim)
        if src.shape[dim] == 0:
            out = src.copy()
        elif src.dtype.kind == "c":
            out = _complex_logcumsumexp(np.moveaxis(src, dim, 0))
            out = np.moveaxis(out, 0, dim)
        else:
            out = _accumulate(np.logaddexp, src, dim)
        if reverse:
            out = np.flip(out, dim)
        return out.astype(x.dtype, order="C", copy=False)


def _sum_squares(d, dims, keepdim):
    """sum(d * d) over `dims`, without the squared temporary (einsum)."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[:d.ndim]
    kept = "".join(c for i, c in enumerate(letters) if i not in dims)
    out = np.asarray(np.einsum(f"{letters},{letters}->{kept}", d, d))
    return out.reshape(tuple(1 if i in dims else s for i, s in enumerate(d.shape))) \
        if keepdim else out


def _complex_logcumsumexp(x):
    """Running log-add-exp along axis 0 as torch computes it for complex values: the larger
    operand (by real part) plus log1p(exp(smaller - larger)), so the imaginary part is carried
    along rather than reduced to the principal branch. One vectorised step per position."""
    out = np.empty_like(x)
    acc = x[0].copy()
    out[0] = acc
    for i in range(1, x.shape[0]):    # the scan axis only; each step is vectorised
        y = x[i]
        swap = acc.real < y.real
        lo, hi = np.where(swap, acc, y), np.where(swap, y, acc)
        step = np.log1p(np.exp(lo - hi)) + hi
        inf = ~np.isfinite(lo.real) & (lo.real == hi.real)
        step = np.where(inf & (lo.real < 0), lo, step)
        step = np.where(inf & (lo.real > 0), np.log(np.exp(lo) + np.exp(hi)), step)
        nan = np.isnan(lo.real) | np.isnan(hi.real)
        acc = np.where(nan, complex(np.nan, np.nan), step).astype(x.dtype)
        out[i] = acc
    return out


def _lerp(a, b, w):
    """torch's lerp: a + w (b - a) for w < 0.5, b - (b - a)(1 - w) otherwise."""
    d = b - a
    return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))
