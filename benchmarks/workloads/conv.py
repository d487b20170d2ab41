"""Convolutions: conv2d forward+backward on the layer shapes of LeNet-5 and of a small CIFAR
convnet, and full training steps of both networks (the issue's speed targets)."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload


def _t(lib, shape, requires_grad=False, scale=1.0, seed=0):
    arr = np.random.default_rng(seed).standard_normal(shape).astype(np.float32) * scale
    return lib.tensor(arr, requires_grad=requires_grad)


def _conv_step(n, c, o, size, k, padding, input_grad):
    def build(lib):
        x = _t(lib, (n, c, size, size), input_grad)
        w = _t(lib, (o, c, k, k), True, 0.1, 1)
        b = _t(lib, (o,), True, 0.1, 2)
        leaves = (x, w, b) if input_grad else (w, b)

        def step():
            y = lib.nn.functional.conv2d(x, w, b, padding=padding)
            y.backward(lib.ones_like(y))
            for t in leaves:
                t.grad = None
        return step
    return build


def _conv_forward(n, c, o, size, k, padding):
    def build(lib):
        x = _t(lib, (n, c, size, size))
        w = _t(lib, (o, c, k, k), False, 0.1, 1)
        return lambda: lib.nn.functional.conv2d(x, w, padding=padding)
    return build


def _train_step(lib, model, x, target):
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
    return step


def lenet5(lib):
    """LeNet-5 on 28x28 inputs, batch 64, SGD with momentum."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    x = _t(lib, (64, 1, 28, 28))
    target = lib.tensor(np.random.default_rng(3).integers(0, 10, 64))
    return _train_step(lib, model, x, target)


def cifar_convnet(lib):
    """Four 3x3 conv + BatchNorm + ReLU blocks, two max-pools and a linear head on 32x32
    inputs, batch 32, SGD with momentum."""
    nn = lib.nn
    lib.manual_seed(0)

    def block(c, o):
        return [nn.Conv2d(c, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
    model = nn.Sequential(
        *block(3, 32), *block(32, 32), nn.MaxPool2d(2),
        *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 10))
    x = _t(lib, (32, 3, 32, 32))
    target = lib.tensor(np.random.default_rng(3).integers(0, 10, 32))
    return _train_step(lib, model, x, target)


WORKLOADS = [
    Workload("conv: conv2d 3x3 32->64 32x32 b32 forward", _conv_forward(32, 32, 64, 32, 3, 1)),
    Workload("conv: conv2d 3x3 32->64 32x32 b32 fwd+bwd", _conv_step(32, 32, 64, 32, 3, 1,
                                                                     True)),
    Workload("conv: conv2d 5x5 1->6 28x28 b64 fwd+bwd (lenet 1)",
             _conv_step(64, 1, 6, 28, 5, 0, False)),
    Workload("conv: conv2d 5x5 6->16 12x12 b64 fwd+bwd (lenet 2)",
             _conv_step(64, 6, 16, 12, 5, 0, True)),
    Workload("conv: LeNet-5 train step (b64, 28x28)", lenet5, 1.5),
    Workload("conv: CIFAR convnet train step (b32, 3x3 + BN)", cifar_convnet, 2.0),
]
