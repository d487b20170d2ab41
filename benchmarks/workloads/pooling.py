"""Pooling and resampling on a (32, 64, 32, 32) float32 feature map, forward + backward:
max_pool2d 2x2 and 3x3/stride 2, adaptive_avg_pool2d to 1x1, bilinear interpolate x2."""
from __future__ import annotations

import numpy as np

from workloads._base import Workload

SHAPE = (32, 64, 32, 32)


def _step(fn):
    def build(lib):
        arr = np.random.default_rng(0).standard_normal(SHAPE).astype(np.float32)
        x = lib.tensor(arr, requires_grad=True)
        out = fn(lib, x)
        grad = lib.ones_like(out)

        def step():
            fn(lib, x).backward(grad)
            x.grad = None
        return step
    return build


def _forward(fn):
    def build(lib):
        arr = np.random.default_rng(0).standard_normal(SHAPE).astype(np.float32)
        x = lib.tensor(arr)
        return lambda: fn(lib, x)
    return build


def _max2(lib, x):
    return lib.nn.functional.max_pool2d(x, 2)


def _max3s2(lib, x):
    return lib.nn.functional.max_pool2d(x, 3, 2)


def _gap(lib, x):
    return lib.nn.functional.adaptive_avg_pool2d(x, 1)


def _bilinear(lib, x):
    return lib.nn.functional.interpolate(x, scale_factor=2, mode="bilinear",
                                         align_corners=False)


WORKLOADS = [
    Workload("pooling: max_pool2d 2x2 fwd (32,64,32,32)", _forward(_max2)),
    Workload("pooling: max_pool2d 2x2 fwd+bwd (32,64,32,32)", _step(_max2)),
    Workload("pooling: max_pool2d 3x3/s2 fwd+bwd (32,64,32,32)", _step(_max3s2)),
    Workload("pooling: adaptive_avg_pool2d 1x1 fwd+bwd", _step(_gap)),
    Workload("pooling: interpolate bilinear x2 fwd (32,64,32,32)", _forward(_bilinear)),
    Workload("pooling: interpolate bilinear x2 fwd+bwd (32,64,32,32)", _step(_bilinear)),
]
