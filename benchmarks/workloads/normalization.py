"""Normalization, dropout and embedding layers: training steps (forward + backward)."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload


def _tensor(lib, *shape, seed=0, grad=False):
    arr = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return lib.tensor(arr, requires_grad=grad)


def _train_step(lib, out_fn, grad_shape, params):
    g = _tensor(lib, *grad_shape, seed=1)

    def step():
        out_fn().backward(g)
        for p in params:
            p.grad = None
    return step


def batch_norm2d_train(lib):
    """F.batch_norm in training mode on (32, 64, 32, 32), running stats updated."""
    x = _tensor(lib, 32, 64, 32, 32, grad=True)
    w, b = lib.ones(64, requires_grad=True), lib.zeros(64, requires_grad=True)
    rm, rv = lib.zeros(64), lib.ones(64)
    F = lib.nn.functional
    return _train_step(lib, lambda: F.batch_norm(x, rm, rv, w, b, True), x.shape, (x, w, b))


def layer_norm_train(lib):
    """F.layer_norm over the last dim of (16, 128, 256)."""
    x = _tensor(lib, 16, 128, 256, grad=True)
    w, b = lib.ones(256, requires_grad=True), lib.zeros(256, requires_grad=True)
    F = lib.nn.functional
    return _train_step(lib, lambda: F.layer_norm(x, (256,), w, b), x.shape, (x, w, b))


def dropout_train(lib):
    """F.dropout(p=0.1) on (64, 128, 128) with its backward."""
    lib.manual_seed(0)
    x = _tensor(lib, 64, 128, 128, grad=True)
    F = lib.nn.functional
    return _train_step(lib, lambda: F.dropout(x, 0.1), x.shape, (x,))


def embedding_train(lib):
    """F.embedding from a (30000, 256) table with (64, 128) indices, and its backward."""
    w = _tensor(lib, 30000, 256, grad=True)
    idx = lib.tensor(np.random.default_rng(2).integers(0, 30000, (64, 128)))
    F = lib.nn.functional
    return _train_step(lib, lambda: F.embedding(idx, w), (64, 128, 256), (w,))


WORKLOADS = [
    Workload("norm: batch_norm2d train fwd+bwd 32x64x32x32", batch_norm2d_train),
    Workload("norm: layer_norm fwd+bwd 16x128x256", layer_norm_train),
    Workload("norm: dropout(0.1) fwd+bwd 64x128x128", dropout_train),
    Workload("norm: embedding fwd+bwd 30000x256, 64x128 idx", embedding_train),
]
