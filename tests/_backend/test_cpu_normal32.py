"""The float32 normal kernel's fma emulation against exact fused arithmetic.

scripts/check_normal32_fma.py runs all 2**24 inputs of each polynomial; this runs a strided
sample and the edges of the input range, so that a change to the kernel fails here quickly.
"""
import math

import numpy as np

from ember._backend import _cpu_normal32 as K
from ember._backend._cpu_float import fma32_exact

F32 = np.float32


def exact_fma(w):
    def fma(a, b, c, out):
        out[...] = fma32_exact(a, b, c)
    return fma


def sample_k():
    top = 1 << 24
    return np.unique(np.concatenate([np.arange(0, top, 127), np.arange(4096),
                                     np.arange(top - 4096, top)])).astype(np.uint32)


def test_log_and_sincos_match_fused_arithmetic():
    u = sample_k().astype(F32) * F32(2.0 ** -24)
    w = K.Scratch(u.size)
    fast = K.log_ps(F32(1) - u, K.fma_double(w), w).copy()
    assert np.array_equal(fast.view(np.uint32),
                          K.log_ps(F32(1) - u, exact_fma(w), w).view(np.uint32))
    theta = u * F32(2.0 * math.pi)
    fast = [a.copy() for a in K.sincos_ps(theta, K.fma_double(w), w)]
    exact = K.sincos_ps(theta, exact_fma(w), w)
    for f, e in zip(fast, exact):
        assert np.array_equal(f.view(np.uint32), e.view(np.uint32))


def test_fill_matches_the_exact_kernel_across_chunks():
    rng = np.random.default_rng(7)
    n = 16 * (K._LANES // 8 + 37)                # more than one chunk of lanes
    u = rng.integers(0, 1 << 24, n).astype(F32) * F32(2.0 ** -24)
    fast = K.normal_fill_avx2(u.copy(), F32(0.5), F32(1.5))
    exact = K.normal_fill_avx2(u.copy(), F32(0.5), F32(1.5), fma_for=exact_fma)
    assert np.array_equal(fast.view(np.uint32), exact.view(np.uint32))
