"""Attention: a TransformerEncoderLayer training step (d_model 256, 4 heads, feed-forward
1024, dropout 0.1, seq 128, batch 16, batch_first) and scaled_dot_product_attention forward
and backward at the same sizes."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((16, 128, 256)).astype(np.float32)
_QKV = _RNG.standard_normal((3, 16, 4, 128, 64)).astype(np.float32)


def encoder_layer_train_step(lib):
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(256, 4, dim_feedforward=1024, batch_first=True)
    x = lib.tensor(_X)

    def step():
        loss = layer(x).pow(2).mean()
        loss.backward()
        for p in layer.parameters():
            p.grad = None
    return step


def sdpa_forward_backward(lib):
    q, k, v = (lib.tensor(a, requires_grad=True) for a in _QKV)

    def step():
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        out.sum().backward()
        q.grad = k.grad = v.grad = None
    return step


WORKLOADS = [
    Workload("transformer: encoder layer train step d256 h4 s128 b16",
             encoder_layer_train_step, budget=1.5),
    Workload("transformer: sdpa causal fwd+bwd b16 h4 s128 d64", sdpa_forward_backward),
]
