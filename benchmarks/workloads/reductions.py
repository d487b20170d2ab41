"""Reductions and scans over a 1000x1000 float32 matrix."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload


def _matrix(lib):
    arr = np.random.default_rng(0).standard_normal((1000, 1000)).astype(np.float32)
    return lib.tensor(arr)


def sum_dim0(lib):
    x = _matrix(lib)
    return lambda: x.sum(0)


def sum_dim1(lib):
    x = _matrix(lib)
    return lambda: x.sum(1)


def mean_all(lib):
    x = _matrix(lib)
    return lambda: x.mean()


def var_dim1(lib):
    x = _matrix(lib)
    return lambda: x.var(1)


def cumsum_dim1(lib):
    x = _matrix(lib)
    return lambda: x.cumsum(1)


def max_dim1(lib):
    x = _matrix(lib)
    return lambda: x.max(1)


def sum_backward(lib):
    x = _matrix(lib).requires_grad_()

    def step():
        x.sum(1).sum().backward()
        x.grad = None
    return step


WORKLOADS = [
    Workload("reductions: sum(0) 1000x1000 f32", sum_dim0),
    Workload("reductions: sum(1) 1000x1000 f32", sum_dim1),
    Workload("reductions: mean() 1000x1000 f32", mean_all),
    Workload("reductions: var(1) 1000x1000 f32", var_dim1),
    Workload("reductions: cumsum(1) 1000x1000 f32", cumsum_dim1),
    Workload("reductions: max(1) values+indices 1000x1000", max_dim1),
    Workload("reductions: sum(1) forward+backward", sum_backward),
]
