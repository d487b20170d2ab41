"""Special-function kernels (SciPy), patched where torch's CPU kernels answer differently:
at poles, for infinite and NaN arguments, and where torch's own algorithm (trigamma, the
ndtr composite, spherical_bessel_j0) gives other values than SciPy's."""
from __future__ import annotations

import math

import numpy as np
import scipy.special as sp


def _erfinv(x):
    return np.where(x == 0, x, sp.erfinv(x))      # keeps the sign of zero


def _lgamma(x):
    return np.where(np.isneginf(x), np.inf, sp.gammaln(x))


def _trigamma(x):
    """torch's trigamma: reflection below 0.5, six recurrence steps, asymptotic series;
    in the input's own precision (its values at the poles are huge, not infinite)."""
    pi = x.dtype.type(math.pi)
    reflect = x < 0.5
    s = np.sin(pi * x)
    result = np.where(reflect, -(pi * pi) / (s * s), 0).astype(x.dtype)
    x = np.where(reflect, 1 - x, x)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x
    return np.where(reflect, -result, result)


def _zeta(x, q):
    """Hurwitz zeta; torch's series turns an infinite `q` (or an infinite `x` with q > 1)
    into NaN where SciPy gives the limit."""
    out = sp.zeta(x, q)
    bad = (np.isposinf(q) & (x > 1)) | (np.isposinf(x) & (q > 1))
    return np.where(bad, np.nan, out)


def _polygamma(x, *, n):
    if n == 0:
        return sp.psi(x)
    if n == 1:
        return _trigamma(x)
    sign = 1.0 if n % 2 else -1.0
    return sign * math.exp(math.lgamma(n + 1.0)) * _zeta(np.float64(n + 1), x.astype(np.float64))


def _mvlgamma(x, *, p):
    """sum_j lgamma(x - j/2) + p(p-1)/4 log(pi), summed as torch sums it (j descending)."""
    total = sum(sp.gammaln(x - 0.5 * j) for j in range(p - 1, -1, -1))
    return total + p * (p - 1) / 4 * math.log(math.pi)


def _incomplete_gamma(upper):
    """gammainc / gammaincc with torch's order of special cases before the series."""
    def run(a, x):
        lower = sp.gammaincc(a, x) if upper else sp.gammainc(a, x)
        one, zero = (0.0, 1.0) if upper else (1.0, 0.0)
        return np.select(
            [(x < 0) | (a < 0), a == 0, x == 0, np.isinf(a), np.isinf(x)],
            [np.nan, np.where(x > 0, one, np.nan), zero, np.where(np.isinf(x), np.nan, zero),
             one], lower)
    return run


def _logit(x, *, eps):
    if eps is not None:
        x = np.clip(x, eps, 1 - eps)
    return np.log(x / (1 - x))


def _ndtr(x):
    """torch's composite (1 + erf(x / sqrt 2)) / 2, in the input's precision."""
    return (1 + sp.erf(x * math.sqrt(0.5))) * 0.5


def _airy_ai(x):
    """Ai(x); far left, the two-term oscillating asymptotic with torch's phase expression in
    the input's precision (SciPy gives NaN there); 0 far right, NaN at infinity."""
    out = sp.airy(x)[0]
    far = x < -1e4
    if far.any():
        w = -np.where(far, x, -1e4)
        t = (2 * w) * np.sqrt(w) / 3 + 0.25 * math.pi
        zeta = 1 / ((2 * w) * np.sqrt(w) / 3)
        amp = 0.5641895835477563 / np.sqrt(np.sqrt(w))
        out = np.where(far, amp * (np.sin(t) - np.cos(t) * (5 / 72) * zeta), out)
    return np.where(np.isinf(x), np.nan, np.where(x > 103.892, 0.0, out))


def _bessel_pair(j, y, shift, odd):
    """(J, Y) of one order with torch's float32 phase: torch's asymptotic branch (x > 5)
    evaluates cos / sin of x - shift rounded to float32, which moves the phase by a delta
    that rotates the (J, Y) pair; double inputs keep SciPy's values."""
    def rotate(x):
        if x.dtype != np.float32:
            return j(x), y(x)
        a = np.abs(x)
        ja, ya = j(a), y(a)
        delta = (a - np.float32(shift)).astype(np.float64) - (a.astype(np.float64) - shift)
        c, s = np.cos(delta), np.sin(delta)
        far = a > 5
        jr = np.where(far, ja * c - ya * s, ja)
        yr = np.where(far, ya * c + ja * s, ya)
        return (np.where(x < 0, -jr, jr) if odd else jr), np.where(x < 0, np.nan, yr)
    return rotate


_ORDER0 = _bessel_pair(sp.j0, sp.y0, math.pi / 4, False)
_ORDER1 = _bessel_pair(sp.j1, sp.y1, 3 * math.pi / 4, True)


def _spherical_j0(x):
    x2 = x * x
    series = 1 + x2 * (-1 / 6 + x2 * (1 / 120 + x2 * (-1 / 5040 + x2 * (
        1 / 362880 + x2 * (-1 / 39916800 + x2 * (1 / 6227020800))))))
    out = np.where(np.abs(x) < 0.5, series, np.sin(x) / np.where(x == 0, 1, x))
    return np.where(np.isinf(x), 0.0, out)


# (NumPy's floating-point warnings are off backend-wide; SciPy's special-function errors are
# silent by default, as torch is.)
SPECIAL = {
    "erf": sp.erf, "erfc": sp.erfc, "erfinv": _erfinv, "lgamma": _lgamma, "digamma": sp.psi,
    "polygamma": _polygamma, "mvlgamma": _mvlgamma, "i0": sp.i0, "i0e": sp.i0e, "i1": sp.i1,
    "i1e": sp.i1e, "erfcx": sp.erfcx, "log_ndtr": sp.log_ndtr, "ndtr": _ndtr,
    "ndtri": sp.ndtri, "entr": sp.entr, "zeta": _zeta, "gammainc": _incomplete_gamma(False),
    "gammaincc": _incomplete_gamma(True), "logit": _logit, "airy_ai": _airy_ai,
    "bessel_j0": lambda x: _ORDER0(x)[0], "bessel_j1": lambda x: _ORDER1(x)[0],
    "bessel_y0": lambda x: _ORDER0(x)[1], "bessel_y1": lambda x: _ORDER1(x)[1],
    "modified_bessel_i0": sp.i0, "modified_bessel_i1": sp.i1, "modified_bessel_k0": sp.k0,
    "modified_bessel_k1": sp.k1, "scaled_modified_bessel_k0": sp.k0e,
    "scaled_modified_bessel_k1": sp.k1e, "spherical_bessel_j0": _spherical_j0,
}
