"""Run one scenario under ember and torch and compare tensors, gradients and graph names
(parity.assert_same), for the normalization, dropout and embedding tests."""
from __future__ import annotations

import warnings

import numpy as np

import ember
from parity import assert_same, torch


def run(fn):
    """(fn(ember), fn(torch)) with warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(ember), fn(torch)


def compare(fn, rtol=1e-5, atol=1e-6, check_grad_fn=True):
    """fn(lib) returns tensors / tuples / plain values; ember's must equal torch's."""
    e, t = run(fn)
    assert_same(e, t, rtol, atol, check_grad_fn)
    return e, t


def tensors(lib, dtype, requires_grad, *arrays):
    """lib tensors of `dtype` (a name) holding `arrays`."""
    d = getattr(lib, dtype)
    return [lib.tensor(np.asarray(a), dtype=d, requires_grad=requires_grad) for a in arrays]


def grads(lib, out, inputs, seed=0, create_graph=False):
    """Gradients of ``sum(out * g)`` for a fixed pseudo-random g, None where unused."""
    g = np.random.default_rng(seed).standard_normal(tuple(out.shape))
    g = lib.tensor(g, dtype=out.dtype)
    used = [x for x in inputs if x is not None and x.requires_grad]
    got = lib.autograd.grad(out, used, g, allow_unused=True, create_graph=create_graph)
    it = iter(got)
    return tuple(next(it) if x is not None and x.requires_grad else None for x in inputs)


def node_names(t):
    """grad_fn name of `t` and the names of its next functions."""
    fn = t.grad_fn
    return (type(fn).__name__, [None if n is None else type(n).__name__
                                for n, _ in fn.next_functions])
