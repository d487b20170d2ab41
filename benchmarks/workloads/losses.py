"""Loss forward + backward: cross_entropy on (128, 10) and (128, 1000) logits, mse_loss and
binary_cross_entropy_with_logits on (128, 1000)."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload


def _logits(lib, shape):
    arr = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    return lib.tensor(arr).requires_grad_()


def _step(x, loss):
    def step():
        loss().backward()
        x.grad = None
    return step


def cross_entropy(classes):
    def build(lib):
        x = _logits(lib, (128, classes))
        target = lib.tensor(np.random.default_rng(1).integers(0, classes, 128))
        return _step(x, lambda: lib.nn.functional.cross_entropy(x, target))
    return build


def mse(lib):
    x = _logits(lib, (128, 1000))
    target = lib.tensor(np.random.default_rng(1).standard_normal((128, 1000)).astype(np.float32))
    return _step(x, lambda: lib.nn.functional.mse_loss(x, target))


def bce_with_logits(lib):
    x = _logits(lib, (128, 1000))
    target = lib.tensor(np.random.default_rng(1).uniform(size=(128, 1000)).astype(np.float32))
    return _step(x, lambda: lib.nn.functional.binary_cross_entropy_with_logits(x, target))


WORKLOADS = [
    Workload("losses: cross_entropy fwd+bwd (128, 10)", cross_entropy(10)),
    Workload("losses: cross_entropy fwd+bwd (128, 1000)", cross_entropy(1000)),
    Workload("losses: mse_loss fwd+bwd (128, 1000)", mse),
    Workload("losses: bce_with_logits fwd+bwd (128, 1000)", bce_with_logits),
]
