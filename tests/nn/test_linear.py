"""F.linear / F.bilinear and Identity, Linear, Bilinear, LazyLinear against torch."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from nn._helpers import needs_rng, same, same_error

RNG = np.random.default_rng(0)
W = RNG.standard_normal((2, 3)).astype(np.float32)
B = RNG.standard_normal(2).astype(np.float32)


def _linear_case(lib, shape, bias, transpose=False):
    F = lib.nn.functional
    x = lib.tensor(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) / 10,
                   requires_grad=True)
    w = lib.tensor(W, requires_grad=True)
    b = lib.tensor(B, requires_grad=True) if bias else None
    inp = x.transpose(0, 1) if transpose else x
    y = F.linear(inp, w, b)
    names = [type(y.grad_fn).__name__,
             [type(n).__name__ if n is not None else None for n, _ in y.grad_fn.next_functions]]
    y.sum().backward()
    return y, names, x.grad, w.grad, None if b is None else b.grad


@pytest.mark.parametrize("shape,bias", [
    ((3,), True), ((3,), False), ((4, 3), True), ((4, 3), False),
    ((5, 4, 3), True), ((5, 4, 3), False), ((2, 2, 4, 3), True), ((2, 2, 4, 3), False),
    ((0, 3), True), ((0, 3), False)])
def test_functional_linear_graph(shape, bias):
    e, t = same(lambda lib: _linear_case(lib, shape, bias)[1])
    e, t = [_linear_case(lib, shape, bias) for lib in _libs()]
    _close(e, t)


def test_functional_linear_noncontiguous():
    e, t = [_linear_case(lib, (4, 5, 3), True, transpose=True) for lib in _libs()]
    assert e[1] == t[1]
    _close(e, t)


def _libs():
    import ember
    import torch
    return ember, torch


def _close(e, t):
    for a, b in zip(e, t):
        if a is None or isinstance(a, list):
            assert a == b
            continue
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("case", ["dtype", "shape", "bias", "zero_dim", "bias_1d",
                                  "dtype_3d"])
def test_functional_linear_errors(case):
    def fn(lib):
        F = lib.nn.functional
        w, b = lib.ones(2, 3), lib.ones(2)
        x = {"dtype": lib.ones(4, 3, dtype=lib.float64), "shape": lib.ones(4, 5),
             "bias": lib.ones(4, 3), "zero_dim": lib.tensor(1.0), "bias_1d": lib.ones(3),
             "dtype_3d": lib.ones(5, 4, 3, dtype=lib.float64)}[case]
        F.linear(x, w, lib.ones(3) if case in ("bias", "bias_1d") else b)
    same_error(fn)


def test_functional_bilinear():
    def fn(lib):
        F = lib.nn.functional
        x1 = lib.tensor(np.linspace(-1, 1, 10, dtype=np.float32).reshape(5, 2),
                        requires_grad=True)
        x2 = lib.tensor(np.linspace(0, 2, 15, dtype=np.float32).reshape(5, 3),
                        requires_grad=True)
        w = lib.tensor(np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 2, 3),
                       requires_grad=True)
        b = lib.tensor([0.5, -0.5, 1.0, 0.0], requires_grad=True)
        y = F.bilinear(x1, x2, w, b)
        y2 = F.bilinear(x1, x2, w)
        y.sum().backward()
        return ([type(y.grad_fn).__name__, type(y2.grad_fn).__name__,
                 type(y2.grad_fn.next_functions[0][0]).__name__],
                np.round(y.detach().numpy(), 4).tolist(),
                np.round(w.grad.numpy(), 4).tolist(), np.round(x1.grad.numpy(), 4).tolist())
    same(fn)


@pytest.mark.parametrize("case", ["in1", "batch", "bias", "dims"])
def test_functional_bilinear_errors(case):
    def fn(lib):
        F = lib.nn.functional
        w = lib.ones(4, 2, 3)
        args = {"in1": (lib.ones(5, 3), lib.ones(5, 3), w, lib.ones(4)),
                "batch": (lib.ones(5, 2), lib.ones(4, 3), w, lib.ones(4)),
                "bias": (lib.ones(5, 2), lib.ones(5, 3), w, lib.ones(3)),
                "dims": (lib.ones(5, 2), lib.ones(3), w, None)}[case]
        F.bilinear(*args)
    same_error(fn)


def test_identity():
    def fn(lib):
        m = lib.nn.Identity(54, unused="x")
        x = lib.ones(2)
        return repr(m), m(x) is x, list(m.parameters())
    same(fn)


@needs_rng
@pytest.mark.parametrize("args", [(3, 2), (5, 7, False), (1, 1), (0, 4)])
def test_linear_seeded_init_is_torch_bits(args):
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(*args)
        return (repr(m), m.weight.detach().numpy().tobytes(),
                None if m.bias is None else m.bias.detach().numpy().tobytes(),
                [n for n, _ in m.named_parameters()])
    same(fn)


@needs_rng
def test_linear_forward_backward_dtype():
    def fn(lib):
        lib.manual_seed(1)
        m = lib.nn.Linear(3, 2, dtype=lib.float64)
        x = lib.tensor([[1.0, 2.0, 3.0]], dtype=lib.float64, requires_grad=True)
        y = m(x)
        y.sum().backward()
        return (y, type(y.grad_fn).__name__, m.weight.grad, x.grad, repr(m),
                m.in_features, m.out_features)
    same(fn)


@needs_rng
def test_linear_reset_and_copy():
    def fn(lib):
        lib.manual_seed(3)
        m = lib.nn.Linear(4, 3)
        m.reset_parameters()
        d = copy.deepcopy(m)
        return m.weight.detach().numpy().tobytes(), d.weight.tolist() == m.weight.tolist()
    same(fn)


@needs_rng
def test_linear_dtype_mismatch_error():
    def fn(lib):
        lib.manual_seed(0)
        lib.nn.Linear(10, 10)(lib.zeros(3, 10, dtype=lib.float64))
    same_error(fn)


@needs_rng
def test_bilinear_module():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Bilinear(2, 3, 4)
        y = m(lib.ones(5, 2), lib.ones(5, 3))
        return (repr(m), m.weight.detach().numpy().tobytes(), m.bias.detach().numpy().tobytes(),
                y.shape, type(y.grad_fn).__name__)
    same(fn)
    same_error(lambda lib: lib.nn.Bilinear(0, 3, 4))


@needs_rng
def test_lazy_linear():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.LazyLinear(3)
        before = (repr(m), type(m).__name__, repr(m.weight), m.has_uninitialized_params(),
                  list(m.state_dict()))
        y = m(lib.ones(2, 5))
        return (before, type(m).__name__, repr(m), tuple(m.weight.shape),
                m.weight.detach().numpy().tobytes(), y.shape, len(m._forward_pre_hooks),
                hasattr(m, "_initialize_hook"))
    same(fn)


@needs_rng
def test_lazy_linear_load_state_dict_materialises():
    def fn(lib):
        lib.manual_seed(0)
        src = lib.nn.Linear(4, 2)
        m = lib.nn.LazyLinear(2)
        m.load_state_dict(src.state_dict())
        m(lib.ones(1, 4))
        return type(m).__name__, m.weight.tolist() == src.weight.tolist(), m.in_features
    same(fn)
