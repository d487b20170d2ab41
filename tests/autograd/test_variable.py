"""The legacy autograd.Variable: a way of spelling "a tensor", as in torch."""
from __future__ import annotations

import pytest

from parity import assert_same, ember, same_error, torch


def both(fn):
    return fn(ember), fn(torch)


def test_variable_returns_a_tensor():
    def run(lib):
        t = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        v = lib.autograd.Variable(t, requires_grad=True)
        y = lib.tensor([1.0], requires_grad=True) * 2
        vy = lib.autograd.Variable(y)
        info = (type(v).__name__, v.is_leaf, v.requires_grad, t.requires_grad,
                v.data_ptr() == t.data_ptr(), isinstance(t, lib.autograd.Variable),
                isinstance(3, lib.autograd.Variable), vy.grad_fn, vy.requires_grad,
                lib.autograd.Variable(t, True).requires_grad)
        (v * v).mean().backward()
        return v.grad, lib.autograd.Variable(), info
    e, t = both(run)
    assert_same(e[:2], t[:2])
    assert e[2] == t[2]


def test_variable_errors():
    for bad in (lambda lib: lib.autograd.Variable(3),
                lambda lib: lib.autograd.Variable(lib.ones(2, dtype=lib.long),
                                                  requires_grad=True),
                lambda lib: lib.autograd.variable(lib.ones(1))):
        same_error(lambda: bad(ember), lambda: bad(torch), prefix_len=200)
    with pytest.warns(UserWarning, match="volatile was removed"):
        ember.autograd.Variable(ember.ones(1), volatile=True)
