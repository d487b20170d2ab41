"""Full training steps (zero_grad, forward, loss, backward, optimizer step) of five small
networks, the same code under ember and torch: an MLP, LeNet-5, a CIFAR convnet with
BatchNorm, an LSTM and a TransformerEncoderLayer (the issue's per-step speed targets)."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload
from workloads.conv import cifar_convnet, lenet5

_RNG = np.random.default_rng(0)


def _data(shape, classes=None):
    if classes is not None:
        return _RNG.integers(0, classes, shape)
    return _RNG.standard_normal(shape).astype(np.float32)


def _step(lib, model, loss_fn, x, target, optimizer):
    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        optimizer.step()
    return step


_MLP_X, _MLP_Y = _data((128, 784)), _data(128, 10)


def mlp(lib):
    """784-512-512-10 ReLU MLP, batch 128, cross-entropy, SGD with momentum."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _step(lib, model, nn.functional.cross_entropy, lib.tensor(_MLP_X),
                 lib.tensor(_MLP_Y), opt)


_SEQ_X, _SEQ_Y = _data((64, 32, 128)), _data(32, 10)


def lstm(lib):
    """nn.LSTM(128, 256) over seq 64, batch 32; a linear head on the last output,
    cross-entropy, Adam."""
    nn = lib.nn
    lib.manual_seed(0)
    rnn, head = nn.LSTM(128, 256), nn.Linear(256, 10)
    opt = lib.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    return _step(lib, lambda x: head(rnn(x)[0][-1]), nn.functional.cross_entropy,
                 lib.tensor(_SEQ_X), lib.tensor(_SEQ_Y), opt)


_ENC_X, _ENC_Y = _data((16, 128, 256)), _data((16, 128, 256))


def transformer(lib):
    """One TransformerEncoderLayer (d_model 256, 4 heads, feed-forward 1024, dropout 0.1,
    batch_first) on seq 128, batch 16; MSE to a fixed target, AdamW."""
    nn = lib.nn
    lib.manual_seed(0)
    layer = nn.TransformerEncoderLayer(256, 4, dim_feedforward=1024, batch_first=True)
    opt = lib.optim.AdamW(layer.parameters(), lr=1e-4)
    return _step(lib, layer, nn.functional.mse_loss, lib.tensor(_ENC_X), lib.tensor(_ENC_Y),
                 opt)


WORKLOADS = [
    Workload("training: MLP 784-512-512-10 b128 SGD", mlp, 1.15),
    Workload("training: LeNet-5 b64 28x28 SGD", lenet5, 1.5),
    Workload("training: CIFAR convnet b32 3x3+BN SGD", cifar_convnet, 2.0),
    Workload("training: LSTM seq64 b32 128->256 Adam", lstm, 2.0),
    Workload("training: TransformerEncoderLayer d256 h4 s128 b16 AdamW", transformer, 1.5),
]
