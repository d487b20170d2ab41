"""The op table: one OpInfo per public op, driving the generic tests in test_ops.py.

An OpInfo names the call as ``op(lib, *args, **kwargs)`` (lib is ember or torch), the sample
inputs per dtype (NumPy arrays and Python scalars), the dtypes to test, and whether
gradients and second-order gradients are checked. Each module of this package holds one
family's entries in its own ``OPS`` list; ``OPS`` here collects them all.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

FLOATS = ("float32", "float64")
ALL_FLOATS = ("float16", "bfloat16", "float32", "float64")
INTS = ("uint8", "int8", "int16", "int32", "int64")
ALL = ALL_FLOATS + ("complex64", "complex128") + INTS + ("bool",)
REAL = ALL_FLOATS + INTS + ("bool",)


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class OpInfo:
    name: str
    op: Callable
    samples: Callable            # samples(dtype_name, rng) -> list[Sample]
    dtypes: tuple = ALL
    grad: bool = True            # first-order gradients against torch (float64)
    gradgrad: bool = True        # second-order gradients against torch (float64)
    rtol: float = 1e-5
    atol: float = 1e-6
    low_rtol: float = 1e-2       # float16 / bfloat16
    noncontiguous: bool = True


def values(dtype, shape, rng, low=-3.0, high=3.0):
    """Random test values of a dtype and shape (always an ndarray, also for shape ())."""
    return np.asarray(_values(dtype, shape, rng, low, high))


def _values(dtype, shape, rng, low, high):
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype in INTS:
        lo = 0 if dtype == "uint8" else -5
        return rng.integers(lo, 10, shape).astype(dtype)
    if dtype.startswith("complex"):
        return (rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)).astype(dtype)
    arr = rng.uniform(low, high, shape)
    if dtype == "bfloat16":
        import ml_dtypes
        return arr.astype(ml_dtypes.bfloat16)
    return arr.astype(dtype)


UNARY_SHAPES = [(), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]
BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)),
                 ((3,), ()), ((0, 3), (3,))]


def unary_samples(low=-3.0, high=3.0):
    def make(dtype, rng):
        return [Sample((values(dtype, s, rng, low, high),)) for s in UNARY_SHAPES]
    return make


def binary_samples(low=-3.0, high=3.0, scalars=(2, 2.5, True), nonzero=False):
    def make(dtype, rng):
        out = []
        for sa, sb in BINARY_SHAPES:
            a, b = values(dtype, sa, rng, low, high), values(dtype, sb, rng, low, high)
            if nonzero:
                b = np.where(b == 0, np.ones_like(b), b)
            out.append(Sample((a, b)))
        a = values(dtype, (3, 4), rng, low, high)
        out += [Sample((a, s)) for s in scalars]
        return out
    return make


def reduction_samples(dtype, rng):
    a = values(dtype, (3, 4, 5), rng)
    return [Sample((a,)), Sample((a, 1)), Sample((a, -1), {"keepdim": True}),
            Sample((a, (0, 2))), Sample((values(dtype, (), rng),)),
            Sample((values(dtype, (0, 4), rng), 0))]




def op(name):
    """``lib.<name>(*args, **kwargs)``."""
    def call(lib, *args, **kwargs):
        return getattr(lib, name)(*args, **kwargs)
    call.__name__ = name
    return call


def method(name, *margs, **mkwargs):
    """``x.<name>(*margs, *args, **mkwargs, **kwargs)``."""
    def call(lib, x, *args, **kwargs):
        return getattr(x, name)(*margs, *args, **mkwargs, **kwargs)
    return call


def _collect():
    import importlib
    import pkgutil
    ops = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        ops.extend(importlib.import_module(f"{__name__}.{info.name}").OPS)
    return ops


OPS: list[OpInfo] = _collect()
