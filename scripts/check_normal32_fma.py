"""Check, over every input it can receive, that ember's float32 normal kernel rounds as fused
multiply-adds do (ember/_backend/_cpu_normal32.py).

The kernel emulates each float32 fmadd of torch's AVX2 normal sampler by an exact float64 product,
a float64 add and a cast: two roundings, which give the fused result unless the float64 sum is
exactly halfway between two float32 values. Its inputs are 24-bit uniforms u = k * 2**-24: the log
sees 1 - u, sincos sees fl32(2*pi * u). This runs all 2**24 values of k through the kernel twice,
once with that emulation and once with exact fused arithmetic (fma32_exact), and compares the
bits. It also checks the one non-fma step argued exact in double (y*DP3 + r in sincos).

    python scripts/check_normal32_fma.py        # about a minute; exit status 1 on a mismatch
"""
from __future__ import annotations

import math
import sys

import numpy as np  # noqa: TID251  (a check of a backend kernel)

from ember._backend import _cpu_normal32 as K
from ember._backend._cpu_float import _two_sum_err, fma32_exact

F32, F64 = np.float32, np.float64
CHUNK = 1 << 20


def exact_fma(w):
    def fma(a, b, c, out):
        out[...] = fma32_exact(a, b, c)
    return fma


def bits(x):
    return x.view(np.uint32).copy()


def check_chunk(k):
    u = k.astype(F32) * F32(2.0 ** -24)
    w = K.Scratch(k.size)
    bad = 0
    u1 = F32(1) - u
    fast = bits(K.log_ps(u1, K.fma_double(w), w))
    bad += int((fast != bits(K.log_ps(u1, exact_fma(w), w))).sum())
    theta = u * F32(2.0 * math.pi)
    fast = [bits(a) for a in K.sincos_ps(theta, K.fma_double(w), w)]
    exact = [bits(a) for a in K.sincos_ps(theta, exact_fma(w), w)]
    bad += sum(int((f != e).sum()) for f, e in zip(fast, exact))
    # sincos's third Cody-Waite step: y*DP3 + r must be exact in float64
    j = ((theta * K._FOPI).astype(np.int32) + 1) & ~1
    y = j.astype(F32)
    r = (theta - y * K._DP1) - y * K._DP2
    p = y.astype(F64) * K._DP3
    s = p + r
    bad += int((_two_sum_err(p, r.astype(F64), s) != 0).sum())
    return bad


def main():
    bad = 0
    for lo in range(0, 1 << 24, CHUNK):
        bad += check_chunk(np.arange(lo, lo + CHUNK, dtype=np.uint32))
    print(f"{1 << 24} inputs per polynomial: {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
