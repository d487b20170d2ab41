"""Recurrent layers: an nn.LSTM training step (forward, MSE loss, backward) and a GRU
forward, at seq 64, batch 32, input 128, hidden 256."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((64, 32, 128)).astype(np.float32)
_Y = _RNG.standard_normal((64, 32, 256)).astype(np.float32)


def lstm_train_step(lib):
    lib.manual_seed(0)
    model = lib.nn.LSTM(128, 256)
    x, y = lib.tensor(_X), lib.tensor(_Y)

    def step():
        out, _ = model(x)
        loss = ((out - y) ** 2).mean()
        loss.backward()
        for p in model.parameters():
            p.grad = None
    return step


def gru_forward(lib):
    lib.manual_seed(0)
    model = lib.nn.GRU(128, 256)
    x = lib.tensor(_X)

    def step():
        with lib.no_grad():
            return model(x)
    return step


WORKLOADS = [
    Workload("rnn: LSTM train step seq64 b32 128->256", lstm_train_step, budget=2.0),
    Workload("rnn: GRU forward seq64 b32 128->256", gru_forward),
]
