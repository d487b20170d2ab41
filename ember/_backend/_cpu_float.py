"""Exact floating-point helpers for the CPU random streams (see _cpu_rng.py).

torch's x86-64 kernels are compiled with fused multiply-add contraction (fma(x, std, mean) in
normal_ and uniform_; the float32 normal kernel itself is in _cpu_normal32.py). NumPy has no FMA,
so it is emulated here bit for bit: float32 through float64 (the product of two float32 is exact
in a double) with a check for the one case where rounding twice differs from rounding once,
float64 through error-free transforms and rounding to odd. C-style casts (static_cast from
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
_EXPONENT = np.uint64(0x7FF << 52)     # a double's exponent field
_TINY32_BITS = np.uint64((1023 - 125) << 52)    # ... below that of _TINY32
_CHUNK = 1 << 16
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
    and only those elements take the slow exact path. Works chunk by chunk so that the float64
    work arrays stay in cache; scalar operands stay scalars.
    """
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    ops = [np.broadcast_to(np.asarray(v, F32), shape).reshape(-1) if np.ndim(v) else F32(v)
           for v in (a, b, c)]
    size = math.prod(shape)
    out = np.empty(size, F32)
    work = min(_CHUNK, size)
    s, bits, flag, tiny = (np.empty(work, t) for t in (F64, np.uint64, bool, bool))
    bad = []
    for lo in range(0, size, _CHUNK):
        n = min(_CHUNK, size - lo)
        x, y, z = (v[lo:lo + n] if np.ndim(v) else v for v in ops)
        ss, bb, ff, tt = s[:n], bits[:n], flag[:n], tiny[:n]
        np.multiply(x, y, out=ss, dtype=F64)
        np.add(ss, z, out=ss)
        np.copyto(out[lo:lo + n], ss, casting="same_kind")
        np.bitwise_and(ss.view(np.uint64), _LOW29, out=bb)
        np.equal(bb, _TIE29, out=ff)
        np.bitwise_and(ss.view(np.uint64), _EXPONENT, out=bb)
        np.less(bb, _TINY32_BITS, out=tt)
        np.logical_or(ff, tt, out=ff)
        if ff.any():
            bad.append(lo + np.flatnonzero(ff))
    if bad:
        idx = np.concatenate(bad)
        out[idx] = fma32_exact(*(v[idx] if np.ndim(v) else v for v in ops))
    return out.reshape(shape)


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
