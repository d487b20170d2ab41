"""Indexing and joining on ~1e6-element tensors: gather, scatter_add, index_select, index_add,
advanced and boolean-mask indexing (read and write), and a cat of 100 tensors."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload

N = 1000          # 1000 x 1000 = 1e6 elements


def _data(lib, shape, seed=0):
    return lib.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _index(lib, high, shape, seed=1):
    return lib.tensor(np.random.default_rng(seed).integers(0, high, shape))


def gather(lib):
    x, idx = _data(lib, (N, N)), _index(lib, N, (N, N))
    return lambda: x.gather(1, idx)


def scatter_add(lib):
    src, idx = _data(lib, (N, N)), _index(lib, 100, (N, N))
    out = lib.zeros(100, N)
    return lambda: out.scatter_add(0, idx, src)


def scatter_add_1d(lib):
    src, idx = _data(lib, (N * N,)), _index(lib, 10_000, (N * N,))
    out = lib.zeros(10_000)
    return lambda: out.scatter_add(0, idx, src)


def index_select(lib):
    x, idx = _data(lib, (N, N)), _index(lib, N, (N,))
    return lambda: x.index_select(0, idx)


def index_add(lib):
    x, src, idx = _data(lib, (N, N)), _data(lib, (N, N), 2), _index(lib, N, (N,))
    return lambda: x.index_add(0, idx, src)


def advanced_get(lib):
    x, idx = _data(lib, (N * N,)), _index(lib, N * N, (N * N,))
    return lambda: x[idx]


def advanced_get_2d(lib):
    x, rows, cols = _data(lib, (N, N)), _index(lib, N, (N * 100,)), _index(lib, N, (N * 100,), 3)
    return lambda: x[rows, cols]


def advanced_set(lib):
    x, idx, v = _data(lib, (N * N,)), _index(lib, N * N, (N * N,)), _data(lib, (N * N,), 4)

    def step():
        x[idx] = v
    return step


def mask_get(lib):
    x = _data(lib, (N, N))
    mask = x > 0
    return lambda: x[mask]


def mask_set(lib):
    x = _data(lib, (N, N))
    mask = x > 0

    def step():
        x[mask] = 0.5
    return step


def cat_100(lib):
    parts = [_data(lib, (100, 100), i) for i in range(100)]
    return lambda: lib.cat(parts)


def gather_backward(lib):
    x = _data(lib, (N, N)).requires_grad_()
    idx = _index(lib, N, (N, N))

    def step():
        x.gather(1, idx).sum().backward()
        x.grad = None
    return step


WORKLOADS = [
    Workload("indexing: gather 1000x1000 dim 1", gather),
    Workload("indexing: scatter_add 1000x1000 into 100x1000", scatter_add),
    Workload("indexing: scatter_add 1e6 into 1e4 (1-d)", scatter_add_1d),
    Workload("indexing: index_select 1000 rows of 1000x1000", index_select),
    Workload("indexing: index_add 1000 rows into 1000x1000", index_add),
    Workload("indexing: x[idx] 1e6 of 1e6", advanced_get),
    Workload("indexing: x[rows, cols] 1e5 of 1000x1000", advanced_get_2d),
    Workload("indexing: x[idx] = v 1e6 of 1e6", advanced_set),
    Workload("indexing: x[mask] 1000x1000", mask_get),
    Workload("indexing: x[mask] = 0.5 1000x1000", mask_set),
    Workload("indexing: cat of 100 (100x100) tensors", cat_100),
    Workload("indexing: gather + backward 1000x1000", gather_backward),
]
