"""torch's float32 normal kernel on x86-64 (normal_fill_16_AVX2), bit for bit, in NumPy.

Box-Muller on 16-blocks: radius sqrt(-2 log u1) and angle 2*pi*u2, with the Cephes log and
sincos polynomials of avx_mathfun.h evaluated by `_mm256_fmadd_ps`: each fused multiply-add
rounds a*b + c once to float32. NumPy has no FMA; here a*b is computed in float64 (exact for
float32 operands), + c rounds in float64, and the cast rounds to float32. Rounding twice gives
the fused result unless the float64 sum lands exactly halfway between two float32 values.
For these two polynomials that never happens: every input is a 24-bit uniform (1 - k * 2**-24
for the log, 2*pi * k * 2**-24 for sincos), and scripts/check_normal32_fma.py runs all 2**24
of each through both kernels against exact fused arithmetic (the log polynomial's float64 sums
are even exact). tests/_backend/test_cpu_normal32.py repeats that on a sample of the inputs.
"""
from __future__ import annotations

import math
import threading

import numpy as np

from ember._backend._cpu_float import fma_scalar

F32, F64 = np.float32, np.float64
_LANES = 1 << 15      # lanes per chunk (about 5 MB of scratch arrays per thread)
_THREAD = threading.local()
_HALF_BLOCK = np.dtype((np.void, 32))       # 8 float32 lanes


class Scratch:
    """Named scratch arrays for one chunk of lanes, reused across chunks and NumPy calls.
    Set `n` (the lanes in use) with `resize`; views of that length are cached."""

    def __init__(self, size):
        self.size = size
        self.n = size
        self._bufs = {}
        self._views = {}

    def resize(self, n):
        if n != self.n:
            self.n = n
            self._views.clear()

    def __call__(self, name, dtype=F32):
        view = self._views.get(name)
        if view is None:
            buf = self._bufs.get(name)
            if buf is None:
                buf = self._bufs[name] = np.empty(self.size, dtype)
            view = self._views[name] = buf[:self.n]
        return view


def fma_double(w):
    """float32 fma(a, b, c) -> out through float64: exact product, then two roundings. That
    is the fused result for the kernel's inputs (see the module docstring)."""
    def fma(a, b, c, out):
        s = w("s", F64)
        np.multiply(a, b, out=s, dtype=F64)
        np.add(s, c, out=s)
        np.copyto(out, s, casting="same_kind")
    return fma


def _wide(w, name, x):
    """x (float32) as float64 in scratch `name`: exact, and float64 arithmetic is faster
    than NumPy's mixed float32/float64 loops."""
    out = w(name, F64)
    np.copyto(out, x)
    return out


_LOG_POLY = [F32(c) for c in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_SQRTHF = F32(0.707106781186547524)


def log_ps(u, fma, w):
    """log256_ps for u in (0, 1] (normal numbers, so its invalid/denormal paths are moot),
    written to w("x"), which the caller must consume before the next call."""
    ti, e, m, t = w("ti", np.int32), w("e"), w("m"), w("t")
    np.right_shift(u.view(np.int32), 23, out=ti)
    np.subtract(ti, 0x7E, out=e, casting="unsafe")               # exponent + 1, exactly
    np.bitwise_and(u.view(np.int32), 0x007FFFFF, out=ti)
    np.bitwise_or(ti, 0x3F000000, out=m.view(np.int32))          # mantissa in [0.5, 1)
    small = w("small")                                            # 1.0 below sqrt(1/2)
    np.less(m, _SQRTHF, out=w("flag", bool))
    np.copyto(small, w("flag", bool))
    x = w("x")
    np.subtract(m, F32(1), out=x)
    np.multiply(m, small, out=t)
    np.add(x, t, out=x)                                           # 2m - 1 below sqrt(1/2)
    np.subtract(e, small, out=e)
    z = w("z")
    np.multiply(x, x, out=z)
    y = _log_poly(x, fma, w)
    np.multiply(y, x, out=y)
    np.multiply(e, F32(-2.12194440e-4), out=t)
    fma(y, z, t, y)
    # The remaining fmadds add an exactly representable product (z/2, e*0.693359375), so one
    # float32 rounding of the plain sum is the fused result.
    np.multiply(z, F32(0.5), out=t)
    np.subtract(y, t, out=y)
    np.add(x, y, out=x)
    np.multiply(e, F32(0.693359375), out=t)
    np.add(x, t, out=x)
    return x


def _log_poly(x, fma, w):
    """The Cephes polynomial in x by eight fmadds, y kept in float64 between them."""
    x64, y64, y = _wide(w, "x64", x), w("y64", F64), w("y")
    fma(_LOG_POLY[0], x64, _LOG_POLY[1], y)
    for coef in _LOG_POLY[2:]:
        np.copyto(y64, y)
        fma(y64, x64, coef, y)
    return y


_FOPI = F32(1.27323954473516)
_DP1, _DP2 = F32(0.78515625), F32(2.4187564849853515625e-4)
_DP3 = -F64(F32(3.77489497744594108e-8))
_COS_POLY = [F32(c) for c in (2.443315711809948e-5, -1.388731625493765e-3,
                              4.166664568298827e-2)]
_SIN_POLY = [F32(c) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]


def sincos_ps(x, fma, w):
    """sincos256_ps for x >= 0 (here x = 2*pi*u), written to w("sin") and w("cos")."""
    j, y, r, z, t = w("j", np.int32), w("y"), w("r"), w("z"), w("t")
    np.multiply(x, _FOPI, out=t)
    np.copyto(j, t, casting="unsafe")                            # truncation, as cvttps2dq
    np.add(j, 1, out=j)
    np.bitwise_and(j, ~1, out=j)
    np.copyto(y, j, casting="unsafe")
    # y*DP1 and y*DP2 are exact float32 products and y*DP3 + r is exact in double, so these
    # three fmadds round once.
    np.multiply(y, _DP1, out=t)
    np.subtract(x, t, out=r)
    np.multiply(y, _DP2, out=t)
    np.subtract(r, t, out=r)
    d = _wide(w, "d", y)
    np.multiply(d, _DP3, out=d)
    np.add(d, _wide(w, "r64", r), out=d)
    np.copyto(r, d, casting="same_kind")
    np.multiply(r, r, out=z)
    z64, c, s = _wide(w, "z64", z), w("c"), w("s32")
    fma(_COS_POLY[0], z64, _COS_POLY[1], c)
    fma(_wide(w, "c64", c), z64, _COS_POLY[2], c)
    np.multiply(c, z, out=c)
    np.multiply(z, F32(-0.5), out=t)
    fma(_wide(w, "c64", c), z64, t, c)
    np.add(c, F32(1), out=c)
    fma(_SIN_POLY[0], z64, _SIN_POLY[1], s)
    fma(_wide(w, "s64", s), z64, _SIN_POLY[2], s)
    np.multiply(s, z, out=s)
    fma(_wide(w, "s64", s), _wide(w, "r64", r), r, s)
    return _octant(j, s, c, w)


def _octant(j, s, c, w):
    """Place the polynomials by octant: j & 2 swaps them, sin changes sign for j & 4 and cos
    for (j - 2) & 4 == 0. Done on the bits (a sign flip is exact; masked NumPy loops are slow)."""
    mask, diff = w("mask", np.int32), w("diff", np.int32)
    np.bitwise_and(j, 2, out=mask)
    np.left_shift(mask, 30, out=mask)
    np.right_shift(mask, 31, out=mask)                            # all ones where j & 2
    np.bitwise_xor(c.view(np.int32), s.view(np.int32), out=diff)
    np.bitwise_and(diff, mask, out=diff)
    sin, cos = w("sin"), w("cos")
    np.bitwise_xor(s.view(np.int32), diff, out=sin.view(np.int32))
    np.bitwise_xor(c.view(np.int32), diff, out=cos.view(np.int32))
    np.bitwise_and(j, 4, out=mask)
    np.left_shift(mask, 29, out=mask)
    np.bitwise_xor(sin.view(np.int32), mask, out=sin.view(np.int32))
    np.subtract(j, 2, out=mask)
    np.invert(mask, out=mask)
    np.bitwise_and(mask, 4, out=mask)
    np.left_shift(mask, 29, out=mask)
    np.bitwise_xor(cos.view(np.int32), mask, out=cos.view(np.int32))
    return sin, cos


def _scratch():
    """This thread's scratch arrays, kept between calls: fresh ones would cost page faults on
    every call (the allocator returns blocks this large to the OS), about a third of the time."""
    w = getattr(_THREAD, "scratch", None)
    if w is None:
        w = _THREAD.scratch = Scratch(_LANES)
    return w


def normal_fill_avx2(u, mean, std, fma_for=fma_double):
    """normal_fill_16_AVX2 on every 16-block of the float32 uniforms `u`, in place.

    Each block maps u[0:8] -> radius and u[8:16] -> angle, writing r*cos to the first half and
    r*sin to the second, then fma(., std, mean). `fma_for(scratch)` gives the fma to use.
    """
    # Each half-block is one 32-byte item, so NumPy moves halves with long inner loops
    # instead of 8-element rows.
    halves = u.view(_HALF_BLOCK).reshape(-1, 2)
    rows = _LANES // 8
    w = _scratch()
    fma = fma_for(w)
    for lo in range(0, halves.shape[0], rows):
        part = halves[lo:lo + rows]
        w.resize(part.shape[0] * 8)
        u1, theta, radius = w("u1"), w("theta"), w("radius")
        np.copyto(u1.view(_HALF_BLOCK), part[:, 0])
        np.subtract(F32(1), u1, out=u1)
        np.multiply(log_ps(u1, fma, w), F32(-2), out=radius)
        np.sqrt(radius, out=radius)
        np.copyto(theta.view(_HALF_BLOCK), part[:, 1])
        np.multiply(theta, F32(2.0 * math.pi), out=theta)
        sin, cos = sincos_ps(theta, fma, w)
        np.multiply(radius, cos, out=cos)
        np.copyto(part[:, 0], cos.view(_HALF_BLOCK))
        np.multiply(radius, sin, out=sin)
        np.copyto(part[:, 1], sin.view(_HALF_BLOCK))
    if not (std == 1 and mean == 0):
        u[...] = fma_scalar(u, std, mean, np.dtype(F32))
    return u
