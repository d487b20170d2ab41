"""Per-op overhead and the core matmul: the spine's speed targets."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload


def _t(lib, arr, requires_grad=False):
    return lib.tensor(arr, requires_grad=requires_grad)


def add_small(lib):
    a = _t(lib, np.arange(10, dtype=np.float32))
    b = _t(lib, np.ones(10, dtype=np.float32))
    return lambda: a + b


def add_small_grad(lib):
    a = _t(lib, np.arange(10, dtype=np.float32), True)
    b = _t(lib, np.ones(10, dtype=np.float32), True)
    return lambda: a + b


def mlp_raw_step(lib):
    """A 16-16-1 MLP training step written with raw tensor ops (batch 32)."""
    rng = np.random.default_rng(0)
    x = _t(lib, rng.standard_normal((32, 16)).astype(np.float32))
    y = _t(lib, rng.standard_normal((32, 1)).astype(np.float32))
    params = [_t(lib, (rng.standard_normal(s) * 0.3).astype(np.float32), True)
              for s in ((16, 16), (16,), (16, 1), (1,))]

    def step():
        w1, b1, w2, b2 = params
        h = (x @ w1 + b1).relu()
        loss = ((h @ w2 + b2 - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
    return step


def matmul_512(lib):
    rng = np.random.default_rng(0)
    a = _t(lib, rng.standard_normal((512, 512)).astype(np.float32), True)
    b = _t(lib, rng.standard_normal((512, 512)).astype(np.float32), True)

    def step():
        (a @ b).sum().backward()
        a.grad = None
        b.grad = None
    return step


WORKLOADS = [
    Workload("overhead: a + b (10 elems)", add_small, 2.5),
    Workload("overhead: a + b (10 elems, requires_grad)", add_small_grad, 3.5),
    Workload("mlp 16-16-1 step from raw ops (batch 32)", mlp_raw_step),
    Workload("matmul 512x512 forward+backward", matmul_512, 1.1),
]
