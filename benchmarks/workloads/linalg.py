"""Linear algebra and FFT: the LAPACK-backed factorizations on 256x256 float64 matrices,
a batched einsum (one bmm) and a 2**20-point rfft."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload

_RNG = np.random.default_rng(0)
_A = _RNG.standard_normal((256, 256)) + 16 * np.eye(256)
_SPD = _A @ _A.T
_B = _RNG.standard_normal((256, 8))


def _matrix(lib, arr):
    return lib.tensor(arr, dtype=lib.float64)


def solve(lib):
    a, b = _matrix(lib, _A), _matrix(lib, _B)
    return lambda: lib.linalg.solve(a, b)


def inv(lib):
    a = _matrix(lib, _A)
    return lambda: lib.linalg.inv(a)


def svd(lib):
    a = _matrix(lib, _A)
    return lambda: lib.linalg.svd(a)


def cholesky(lib):
    a = _matrix(lib, _SPD)
    return lambda: lib.linalg.cholesky(a)


def einsum_bmm(lib):
    x = lib.tensor(_RNG.standard_normal((32, 64, 64)).astype(np.float32))
    y = lib.tensor(_RNG.standard_normal((32, 64, 64)).astype(np.float32))
    return lambda: lib.einsum("bij,bjk->bik", x, y)


def rfft(lib):
    x = lib.tensor(_RNG.standard_normal(1 << 20).astype(np.float32))
    return lambda: lib.fft.rfft(x)


WORKLOADS = [
    Workload("linalg: solve 256x256 f64 (8 rhs)", solve),
    Workload("linalg: inv 256x256 f64", inv),
    Workload("linalg: svd 256x256 f64", svd),
    Workload("linalg: cholesky 256x256 f64", cholesky),
    Workload("linalg: einsum bij,bjk->bik 32x64x64", einsum_bmm),
    Workload("linalg: fft.rfft 2**20 f32", rfft),
]
