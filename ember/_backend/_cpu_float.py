"""Exact floating-point helpers for the CPU random streams (see _cpu_rng.py).

torch's x86-64 kernels are compiled with fused multiply-add contraction, and its float32 normal
sampler evaluates the Cephes log/sincos polynomials of avx_mathfun.h with `_mm256_fmadd_ps`. NumPy
has no FMA, so it is emulated here bit for bit: float32 through float64 (the product of two float32
is exact in a double) with a check for the one case where rounding twice differs from rounding
once, float64 through error-free transforms and rounding to odd. C-style casts (static_cast from
double or int64) and the libm functions torch calls are here too.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math

import ml_dtypes
import numpy as np

F32 = np.float32
F64 = np.float64
HALF = np.dtype(np.float16)
BF16 = np.dtype(ml_dtypes.bfloat16)

_LOW29 = np.uint64((1 << 29) - 1)    # the bits of a double below float32 precision
_TIE29 = np.uint64(1 << 28)          # ... when the double lies halfway between two float32
_TINY32 = 2.0 ** -125                # below this a float32 result may be subnormal
_SPLIT = 134217729.0                 # 2**27 + 1, Veltkamp's splitter for doubles


# --- fused multiply-add ------------------------------------------------------------------------

def _round_to_odd(s, err):
    """s, nudged one ulp towards `err` when s is inexact (err != 0) and its last bit is even."""
    nudge = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if nudge.any():
        s = np.where(nudge, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s


def _two_sum_err(a, b, s):
    """The exact error of s = fl(a + b) (Knuth's TwoSum)."""
    bb = s - a
    return (a - (s - bb)) + (b - bb)


def fma32_exact(a, b, c):
    """float32 a*b + c rounded once: exact product, TwoSum, round to odd in double, then RN."""
    a, b, c = (np.asarray(v, F32).astype(F64) for v in (a, b, c))
    p = a * b
    s = p + c
    return _round_to_odd(s, _two_sum_err(p, c, s)).astype(F32)


def fma32(a, b, c):
    """float32 fused multiply-add, vectorised and exact.

    In double, a*b is exact and a*b + c is rounded once; rounding that double to float32 again is
    wrong only when it lands exactly halfway between two float32 (or in float32's subnormal range),
    and only those elements take the slow exact path.
    """
    s = np.multiply(a, b, dtype=F64)
    s += np.asarray(c, F32)
    out = s.astype(F32)
    bad = ((s.view(np.uint64) & _LOW29) == _TIE29) | (np.abs(s) < _TINY32)
    if bad.any():
        a, b, c = np.broadcast_arrays(a, b, c)
        out[bad] = fma32_exact(a[bad], b[bad], c[bad])
    return out


def _split(x):
    t = x * _SPLIT
    hi = t - (t - x)
    return hi, x - hi


def fma64(a, b, c):
    """float64 fused multiply-add a*b + c, rounded once (Boldo & Melquiond, rounding to odd).

    a*b = p + e exactly (Dekker), p + c = s + t exactly (TwoSum), and RN(s + RO(t + e)) is the
    correctly rounded a*b + c. Valid away from overflow and double underflow.
    """
    a, b, c = (np.asarray(v, F64) for v in (a, b, c))
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    t = _two_sum_err(p, c, s)
    w = t + e
    return s + _round_to_odd(w, _two_sum_err(t, e, w))


def fma_scalar(x, std, mean, dtype):
    """fma(x, std, mean) in `dtype` (float32 or float64) for scalar std and mean, taking the
    plain operations where they round identically (std == 1, or mean == +-0)."""
    std, mean = dtype.type(std), dtype.type(mean)
    if std == 1:
        return x + mean
    if mean == 0:
        # NOTE: fma(x, s, +0.) turns a -0. product into +0.; adding `mean` keeps that exact.
        return x * std + mean
    return fma32(x, std, mean) if dtype == F32 else fma64(x, std, mean)


# --- C-style casts -----------------------------------------------------------------------------

def from_double(x, dtype):
    """static_cast<T>(double) as the x86-64 build does it, elementwise."""
    dtype = np.dtype(dtype)
    if dtype == F64:
        return x
    if dtype == HALF or dtype == BF16:       # c10::Half/BFloat16 are built from a float
        return x.astype(F32).astype(dtype)
    if dtype.kind == "f":
        return x.astype(dtype)
    if dtype == np.bool_:
        return x != 0
    # cvttsd2si: truncation, and the "integer indefinite" INT_MIN when out of range; narrower
    # integers are converted through int32 and wrapped.
    bits = 64 if dtype.itemsize == 8 else 32
    limit = 2.0 ** (bits - 1)
    ok = (x > -limit - 1) & (x < limit)
    wide = np.where(ok, x, -limit).astype(np.int64 if bits == 64 else np.int32)
    return wide.astype(dtype)


def from_int64(v, dtype):
    """static_cast<T>(int64_t) elementwise: floats round (half types through float), ints wrap."""
    dtype = np.dtype(dtype)
    if dtype == HALF or dtype == BF16:
        return v.astype(F32).astype(dtype)
    if dtype == np.bool_:
        return v != 0
    return v.astype(dtype)


# --- the float32 normal kernel of the AVX2 build (avx_mathfun.h) ----------------------------

class _Scratch:
    """Named scratch arrays for one chunk of lanes, reused across chunks and NumPy calls.

    Fresh temporaries of this size cost page faults on every call (malloc hands large blocks
    back to the OS), which would dominate the arithmetic.
    """

    def __init__(self, size):
        self.size = size
        self.n = size
        self._bufs = {}

    def __call__(self, name, dtype=F32):
        buf = self._bufs.get(name)
        if buf is None:
            buf = self._bufs[name] = np.empty(self.size, dtype)
        return buf[:self.n]


def _fma_flagged(w):
    """fma32 into `out` for lanes whose results stay normal: ties are recorded in w("flags")
    rather than fixed, and the caller recomputes those lanes with fma32_exact."""
    def fma(a, b, c, out):
        s = w("s", F64)
        np.multiply(a, b, out=s, dtype=F64)
        np.add(s, c, out=s)
        low = w("low", np.uint64)
        np.bitwise_and(s.view(np.uint64), _LOW29, out=low)
        np.equal(low, _TIE29, out=w("tie", bool))
        np.bitwise_or(w("flags", bool), w("tie", bool), out=w("flags", bool))
        np.copyto(out, s, casting="same_kind")
    return fma


def _fma_exact(a, b, c, out):
    out[...] = fma32_exact(a, b, c)


_LOG_POLY = [F32(c) for c in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]


def log_ps(x, fma, w):
    """log256_ps for x in (0, 1] (normal numbers, so its invalid/denormal handling is moot).

    The result is written to w("x"), which the caller must consume before the next call.
    """
    bits, ti = x.view(np.int32), w("ti", np.int32)
    e, m, t, y, z = w("e"), w("m"), w("t"), w("y"), w("z")
    np.right_shift(bits, 23, out=ti)
    np.subtract(ti, 0x7E, out=e, casting="unsafe")             # exponent + 1, exactly
    np.bitwise_and(bits, ~0x7F800000, out=ti)
    np.bitwise_or(ti, 0x3F000000, out=ti)
    np.copyto(m, ti.view(F32))                                  # mantissa in [0.5, 1)
    small = np.less(m, F32(0.707106781186547524), out=w("small", bool))
    x = w("x")
    np.subtract(m, F32(1), out=x)
    np.multiply(m, small, out=t)
    x += t                                                      # 2m - 1 below sqrt(1/2)
    e -= small
    np.multiply(x, x, out=z)
    fma(_LOG_POLY[0], x, _LOG_POLY[1], y)
    for coef in _LOG_POLY[2:]:
        fma(y, x, coef, y)
    np.multiply(y, x, out=y)
    np.multiply(e, F32(-2.12194440e-4), out=t)
    fma(y, z, t, y)
    # The remaining fmadds add an exactly representable product (z/2, e*0.693359375), so one
    # float32 rounding of the plain sum is the fused result.
    np.multiply(z, F32(0.5), out=t)
    y -= t
    x += y
    np.multiply(e, F32(0.693359375), out=t)
    x += t
    return x


def sincos_ps(x, fma, w):
    """sincos256_ps for x >= 0 (theta = 2*pi*u), written to w("sin") and w("cos")."""
    j, ti = w("j", np.int32), w("ti", np.int32)
    y, z, t, c, s, r = w("y"), w("z"), w("t"), w("c"), w("s32"), w("r")
    np.multiply(x, F32(1.27323954473516), out=t)
    np.copyto(j, t, casting="unsafe")                           # truncation, as cvttps2dq
    j += 1
    j &= ~1
    np.copyto(y, j, casting="unsafe")
    # y*DP1 and y*DP2 are exact float32 products and y*DP3 + x is exact in double, so these
    # three fmadds round once without a tie check.
    np.multiply(y, F32(0.78515625), out=t)
    np.subtract(x, t, out=r)
    np.multiply(y, F32(2.4187564849853515625e-4), out=t)
    r -= t
    d = w("s", F64)
    np.multiply(y, -F64(F32(3.77489497744594108e-8)), out=d, dtype=F64)
    np.add(d, r, out=d)
    np.copyto(r, d, casting="same_kind")
    np.multiply(r, r, out=z)
    fma(F32(2.443315711809948e-5), z, F32(-1.388731625493765e-3), c)
    fma(c, z, F32(4.166664568298827e-2), c)
    np.multiply(c, z, out=c)
    np.multiply(z, F32(-0.5), out=t)
    fma(c, z, t, c)
    c += F32(1)
    fma(F32(-1.9515295891e-4), z, F32(8.3321608736e-3), s)
    fma(s, z, F32(-1.6666654611e-1), s)
    np.multiply(s, z, out=s)
    fma(s, r, r, s)
    # Octants 1, 2, 5, 6 swap the polynomials: select bitwise with a mask of all ones there.
    swap, diff = w("swap", np.int32), w("diff", np.int32)
    np.bitwise_and(j, 2, out=swap)
    np.right_shift(swap, 1, out=swap)
    np.negative(swap, out=swap)
    np.bitwise_xor(c.view(np.int32), s.view(np.int32), out=diff)
    diff &= swap
    sin, cos = w("sin"), w("cos")
    np.bitwise_xor(s.view(np.int32), diff, out=sin.view(np.int32))
    np.bitwise_xor(c.view(np.int32), diff, out=cos.view(np.int32))
    np.bitwise_and(j, 4, out=ti)                                # sin flips for octants 4..7
    np.left_shift(ti, 29, out=ti)
    np.bitwise_xor(sin.view(np.int32), ti, out=sin.view(np.int32))
    np.subtract(j, 2, out=ti)                                   # cos flips for octants 2..5
    np.invert(ti, out=ti)
    ti &= 4
    np.left_shift(ti, 29, out=ti)
    np.bitwise_xor(cos.view(np.int32), ti, out=cos.view(np.int32))
    return sin, cos


_LANES = 1 << 15      # lanes per chunk


def _box_muller(u1, u2, w, out_cos, out_sin):
    """out_cos, out_sin = sqrt(-2 log u1) * (cos, sin)(2*pi*u2) as the AVX2 kernel rounds them."""
    flags = w("flags", bool)
    flags[...] = False
    fma = _fma_flagged(w)
    radius = w("radius")
    np.copyto(radius, log_ps(u1, fma, w))
    theta = w("theta")
    np.multiply(u2, F32(2.0 * math.pi), out=theta)
    sin, cos = sincos_ps(theta, fma, w)
    redo = flags.nonzero()[0]
    if redo.size:       # a double-rounding tie somewhere: redo those lanes exactly
        small = _Scratch(redo.size)
        radius[redo] = log_ps(u1[redo], _fma_exact, small)
        sin[redo], cos[redo] = sincos_ps(theta[redo], _fma_exact, small)
    radius *= F32(-2)
    np.sqrt(radius, out=radius)
    np.multiply(radius, cos, out=out_cos)
    np.multiply(radius, sin, out=out_sin)


def normal_fill_avx2(u, mean, std):
    """normal_fill_16_AVX2 on every 16-block of the float32 uniforms `u`, in place.

    Each block maps u[0:8] -> radius and u[8:16] -> angle, writing r*cos to the first half and
    r*sin to the second, then fma(., std, mean). Vectorised over all blocks at once.
    """
    blocks = u.reshape(-1, 16)
    rows = _LANES // 8
    w = _Scratch(min(rows, blocks.shape[0]) * 8)
    for lo in range(0, blocks.shape[0], rows):
        part = blocks[lo:lo + rows]
        w.n = part.shape[0] * 8
        u1, u2 = w("u1"), w("u2")
        np.subtract(F32(1), part[:, :8], out=u1.reshape(-1, 8))
        np.copyto(u2.reshape(-1, 8), part[:, 8:])
        _box_muller(u1, u2, w, w("n1"), w("n2"))
        part[:, :8] = w("n1").reshape(-1, 8)
        part[:, 8:] = w("n2").reshape(-1, 8)
    if not (std == 1 and mean == 0):
        u[...] = fma_scalar(u, std, mean, np.dtype(F32))
    return u


# --- libm --------------------------------------------------------------------------------------

_PROBE = np.random.Generator(np.random.PCG64(20261122)).random(2048)
_DOMAINS = {"log": _PROBE + 1e-300, "log1p": -_PROBE, "exp": 80 * _PROBE - 40,
            "sin": 7 * _PROBE, "cos": 7 * _PROBE, "tan": 3 * _PROBE - 1.5}
_LIBM = {}


def _python_libm(name):
    """`name` through Python's math module, which calls the C library."""
    c_fn, np_fn = getattr(math, name), getattr(np, name)

    def scalar(v):
        try:
            return c_fn(v)
        except (ValueError, OverflowError):    # log(0), exp(1000): IEEE's -inf/inf/nan
            return float(np_fn(v))
    vec = np.frompyfunc(scalar, 1, 1)
    return lambda x: vec(np.asarray(x, F64)).astype(F64)


def libm(name):
    """A float64 ufunc rounding exactly as the C library's `name` (what torch's kernels call).

    NumPy's own SIMD versions (e.g. AVX-512 log/exp) may differ in the last bit; if so, fall
    back to calling libm per element.
    """
    fn = _LIBM.get(name)
    if fn is None:
        fn = getattr(np, name)
        probe = _DOMAINS[name]
        if not np.array_equal(fn(probe), _python_libm(name)(probe)):
            fn = _python_libm(name)
        _LIBM[name] = fn
    return fn


def _c_lgamma():
    path = ctypes.util.find_library("m")
    if path is None:
        return math.lgamma
    fn = ctypes.CDLL(path).lgamma
    fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double]
    return fn


# The C library's lgamma (torch's std::lgamma); Python's math.lgamma is CPython's own code and
# differs from glibc's in the last bit for about half of all integers.
lgamma = _c_lgamma()
