"""Sorting, selection and unique on 1e6-element inputs."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload

N = 1_000_000


def _vector(lib):
    return lib.tensor(np.random.default_rng(0).standard_normal(N).astype(np.float32))


def sort_1m(lib):
    x = _vector(lib)
    return lambda: x.sort()


def topk_1m(lib):
    x = _vector(lib)
    return lambda: x.topk(100)


def unique_1m(lib):
    x = lib.tensor(np.random.default_rng(0).integers(0, 1000, N))
    return lambda: lib.unique(x, return_inverse=True, return_counts=True)


def argsort_rows(lib):
    x = lib.tensor(np.random.default_rng(0).standard_normal((1000, 1000)).astype(np.float32))
    return lambda: x.argsort(-1)


WORKLOADS = [
    Workload("sorting: sort 1e6 f32", sort_1m),
    Workload("sorting: topk(100) of 1e6 f32", topk_1m),
    Workload("sorting: unique 1e6 int64 (inverse+counts)", unique_1m),
    Workload("sorting: argsort(-1) 1000x1000 f32", argsort_rows),
]
