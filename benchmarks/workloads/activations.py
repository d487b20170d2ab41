"""Activations forward + backward on a (128, 1024) float32 batch (and relu on 1e6 elements)."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload


def _fwd_bwd(shape, call):
    def build(lib):
        arr = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        x = lib.tensor(arr).requires_grad_()
        g = lib.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
        F = lib.nn.functional

        def step():
            call(F, x).backward(g)
            x.grad = None
        return step
    return build


_BATCH = (128, 1024)
WORKLOADS = [
    Workload("activations: relu fwd+bwd 1e6 f32", _fwd_bwd((1_000_000,), lambda F, x: F.relu(x)),
             budget=1.3),
    Workload("activations: relu fwd+bwd 128x1024", _fwd_bwd(_BATCH, lambda F, x: F.relu(x))),
    Workload("activations: gelu fwd+bwd 128x1024", _fwd_bwd(_BATCH, lambda F, x: F.gelu(x))),
    Workload("activations: gelu tanh fwd+bwd 128x1024",
             _fwd_bwd(_BATCH, lambda F, x: F.gelu(x, approximate="tanh"))),
    Workload("activations: silu fwd+bwd 128x1024", _fwd_bwd(_BATCH, lambda F, x: F.silu(x))),
    Workload("activations: softmax fwd+bwd 128x1024",
             _fwd_bwd(_BATCH, lambda F, x: F.softmax(x, -1))),
    Workload("activations: log_softmax fwd+bwd 128x1024",
             _fwd_bwd(_BATCH, lambda F, x: F.log_softmax(x, -1))),
]
