"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against torch."""
from __future__ import annotations

import numpy as np
import pytest

from parity import assert_same, ember, same_error, torch

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
Y = np.array([0.3, -0.6, 1.1])


def inputs(lib):
    return lib.tensor(X), lib.tensor(Y)


def f_one(lib):
    return lambda x: (x.exp() * x).sum(dim=0)


def f_two(lib):
    return lambda x, y: ((x * y).sin(), (x * x).sum() * y)


def scalar(lib):
    return lambda x, y: (x * x * y).sum() + (y ** 3).sum()


def both(fn, **kw):
    return fn(ember, **kw), fn(torch, **kw)


@pytest.mark.parametrize("kw", [{}, {"vectorize": True}, {"create_graph": True},
                                {"vectorize": True, "strategy": "forward-mode"}])
def test_jacobian(kw):
    def run(lib):
        x, y = inputs(lib)
        return (lib.autograd.functional.jacobian(f_one(lib), x, **kw),
                lib.autograd.functional.jacobian(f_two(lib), (x, y), **kw),
                lib.autograd.functional.jacobian(lambda a, b: a * 2, (x, y), **kw))
    e, t = both(run)
    assert_same(e, t, rtol=1e-10, atol=1e-12, check_grad_fn=False)
    assert [j.requires_grad for j in e[1][0]] == [j.requires_grad for j in t[1][0]]


def test_jacobian_create_graph_is_differentiable():
    def run(lib):
        x, _ = inputs(lib)
        x.requires_grad_(True)
        jac = lib.autograd.functional.jacobian(f_one(lib), x, create_graph=True)
        g, = lib.autograd.grad(jac.sum(), x)
        return jac, g
    e, t = both(run)
    assert_same(e, t, rtol=1e-10, atol=1e-12, check_grad_fn=False)


@pytest.mark.parametrize("kw", [{}, {"create_graph": True}, {"vectorize": True},
                                {"vectorize": True, "outer_jacobian_strategy": "forward-mode"}])
def test_hessian(kw):
    def run(lib):
        x, y = inputs(lib)
        return (lib.autograd.functional.hessian(lambda a: (a ** 3).sum(), y, **kw),
                lib.autograd.functional.hessian(scalar(lib), (x, y), **kw))
    assert_same(*both(run), rtol=1e-10, atol=1e-12, check_grad_fn=False)


@pytest.mark.parametrize("create_graph", [False, True])
def test_vector_products(create_graph):
    def run(lib):
        x, y = inputs(lib)
        F = lib.autograd.functional
        vx, vy = lib.tensor(X[::-1].copy()), lib.tensor(Y * 2)
        return (F.vjp(f_one(lib), x, vy, create_graph=create_graph),
                F.vjp(f_two(lib), (x, y), (lib.ones(2, 3, dtype=lib.float64), vy)),
                F.vjp(lambda a: (a * a).sum(), y),
                F.jvp(f_one(lib), x, vx, create_graph=create_graph),
                F.jvp(f_two(lib), (x, y), (vx, vy)),
                F.jvp(lambda a: a * 3, lib.tensor([2.0], dtype=lib.float64)),
                F.hvp(scalar(lib), (x, y), (vx, vy), create_graph=create_graph),
                F.vhp(scalar(lib), (x, y), (vx, vy), create_graph=create_graph),
                F.hvp(lambda a: (a ** 4).sum(), y, vy),
                F.vhp(lambda a: (a ** 4).sum(), y, vy))
    e, t = both(run)
    assert_same(e, t, rtol=1e-10, atol=1e-12, check_grad_fn=False)


def test_independent_outputs_give_zeros_or_strict_errors():
    def zeros(lib):
        x, y = inputs(lib)
        F = lib.autograd.functional
        return (F.vjp(lambda a, b: a * 2, (x, y), lib.ones(2, 3, dtype=lib.float64)),
                F.jacobian(lambda a, b: a * 2, (x, y)))
    assert_same(*both(zeros), check_grad_fn=False)

    cases = [
        lambda lib, x, y: lib.autograd.functional.vjp(
            lambda a, b: a * 2, (x, y), lib.ones(2, 3, dtype=lib.float64), strict=True),
        lambda lib, x, y: lib.autograd.functional.jacobian(lambda a, b: a * 2, (x, y),
                                                           strict=True),
        lambda lib, x, y: lib.autograd.functional.jacobian(lambda a: a.detach(), x,
                                                           strict=True),
        lambda lib, x, y: lib.autograd.functional.hessian(lambda a: (a * 2).sum(), y,
                                                          strict=True),
        lambda lib, x, y: lib.autograd.functional.jvp(lambda a: a * 2, y, y, strict=True,
                                                      create_graph=True),
        lambda lib, x, y: lib.autograd.functional.jacobian(lambda a: a * 2, y, strict=True,
                                                           vectorize=True),
    ]
    for case in cases:
        same_error(lambda: case(ember, *inputs(ember)), lambda: case(torch, *inputs(torch)),
                   prefix_len=300)


def test_argument_errors():
    cases = [
        lambda lib, x, y: lib.autograd.functional.vjp(f_one(lib), 3),
        lambda lib, x, y: lib.autograd.functional.vjp(f_one(lib), (x, 3)),
        lambda lib, x, y: lib.autograd.functional.vjp(f_one(lib), x),
        lambda lib, x, y: lib.autograd.functional.vjp(f_one(lib), x, x),
        lambda lib, x, y: lib.autograd.functional.vjp(f_two(lib), (x, y), (y,)),
        lambda lib, x, y: lib.autograd.functional.vjp(f_two(lib), (x, y), (y, y)),
        lambda lib, x, y: lib.autograd.functional.jvp(f_one(lib), x),
        lambda lib, x, y: lib.autograd.functional.jvp(lambda a: 3, x, x),
        lambda lib, x, y: lib.autograd.functional.hessian(f_one(lib), x),
        lambda lib, x, y: lib.autograd.functional.hessian(f_two(lib), (x, y)),
        lambda lib, x, y: lib.autograd.functional.hvp(f_one(lib), x, x),
        lambda lib, x, y: lib.autograd.functional.vhp(f_two(lib), (x, y), (x, y)),
        lambda lib, x, y: lib.autograd.functional.jacobian(f_one(lib), x, strategy="sideways"),
        lambda lib, x, y: lib.autograd.functional.jacobian(f_one(lib), x,
                                                           strategy="forward-mode"),
        lambda lib, x, y: lib.autograd.functional.jacobian(f_one(lib), x, create_graph=True,
                                                           strategy="forward-mode"),
        lambda lib, x, y: lib.autograd.functional.jacobian(f_one(lib), x, strict=True,
                                                           strategy="forward-mode"),
    ]
    for case in cases:
        same_error(lambda: case(ember, *inputs(ember)), lambda: case(torch, *inputs(torch)),
                   prefix_len=300)
