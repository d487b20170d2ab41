"""Shared helpers of the optimizer tests: moving tensors and nested state between ember and
torch, and running one optimizer configuration side by side in both."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


class T:
    """A tensor-valued hyperparameter, built in whichever framework the optimizer is."""

    def __init__(self, value, requires_grad=False):
        self.value = value
        self.requires_grad = requires_grad

    def make(self, lib):
        t = lib.tensor(self.value)
        return t.requires_grad_(True) if self.requires_grad else t


def build(value, lib):
    """`value` with every `T` turned into a tensor of `lib` (ember or torch)."""
    if isinstance(value, T):
        return value.make(lib)
    if isinstance(value, dict):
        return {k: build(v, lib) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(build(v, lib) for v in value)
    return value


def to_torch(x):
    """A torch copy of ember tensors inside `x` (dicts, lists, tuples recursed)."""
    if isinstance(x, ember.Tensor):
        return torch.from_numpy(np.array(x.detach().numpy(), copy=True))
    return _recurse(x, to_torch)


def to_ember(x):
    """An ember copy of torch tensors inside `x` (dicts, lists, tuples recursed)."""
    if isinstance(x, torch.Tensor):
        return ember.tensor(x.detach().numpy().copy())
    return _recurse(x, to_ember)


def _recurse(x, fn):
    if isinstance(x, dict):
        out = x.copy()      # keeps dict subclasses such as MultiStepLR's Counter
        for k, v in x.items():
            out[k] = fn(v)
        return out
    if isinstance(x, (list, tuple)):
        return type(x)(fn(v) for v in x)
    return x


def numpy_of(t):
    return np.array(t.detach().numpy() if isinstance(t, ember.Tensor) else t.detach().numpy())


def assert_close(e, t, rtol, atol, what):
    """Same dtype, shape and (to rtol/atol) values; tensors nested in lists and dicts."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: {type(e).__name__} vs tensor"
        assert str(e.dtype).replace("ember.", "torch.") == str(t.dtype), \
            f"{what}: dtype {e.dtype} vs {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {e.shape} vs {t.shape}"
        expected = numpy_of(t)
        # rounding differences (torch's sqrt is MKL's, not correctly rounded) are amplified
        # where a sum cancels, so the absolute tolerance scales with the tensor's magnitude
        scale = float(np.abs(expected).max()) if expected.size else 0.0
        np.testing.assert_allclose(numpy_of(e), expected, rtol=rtol,
                                   atol=max(atol, 4 * rtol * scale), err_msg=what)
    elif isinstance(t, dict):
        assert isinstance(e, dict) and set(e) == set(t), f"{what}: keys {set(e)} vs {set(t)}"
        for k in t:
            assert_close(e[k], t[k], rtol, atol, f"{what}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), f"{what}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_close(a, b, rtol, atol, f"{what}[{i}]")
    elif isinstance(t, float) and isinstance(e, float):
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=what)
    else:
        assert e == t, f"{what}: {e!r} vs {t!r}"


TOL = {"float32": (2e-6, 1e-7), "float64": (1e-13, 1e-15),
       "complex64": (2e-6, 1e-7), "complex128": (1e-13, 1e-15)}


def make_params(dtype, shapes, rng):
    arrays = []
    for shape in shapes:
        a = rng.standard_normal(shape)
        if dtype.startswith("complex"):
            a = a + 1j * rng.standard_normal(shape)
        arrays.append(a.astype(dtype))
    return arrays


def run_side_by_side(name, kwargs, dtype="float32", steps=10, shapes=((3, 4), (5,)),
                     skip_grad=None, seed=0, tol=None):
    """Run optimizer `name` with `kwargs` in ember and torch on the same parameters and
    gradient sequence; compare parameters and state after every step. Returns the pair of
    optimizers. ``skip_grad(step, i)`` True leaves parameter i without a gradient."""
    rng = np.random.default_rng(seed)
    init = make_params(dtype, shapes, rng)
    grads = [make_params(dtype, shapes, rng) for _ in range(steps)]
    ep = [ember.tensor(a, requires_grad=True) for a in init]
    tp = [torch.tensor(a, requires_grad=True) for a in init]
    eo = getattr(ember.optim, name)(ep, **build(kwargs, ember))
    to = getattr(torch.optim, name)(tp, **build(kwargs, torch))
    rtol, atol = tol or TOL[dtype]
    for k in range(steps):
        for i, (e, t) in enumerate(zip(ep, tp)):
            if skip_grad is not None and skip_grad(k, i):
                e.grad, t.grad = None, None
            else:
                e.grad, t.grad = ember.tensor(grads[k][i]), torch.tensor(grads[k][i])
        eo.step()
        to.step()
        for i, (e, t) in enumerate(zip(ep, tp)):
            assert_close(e, t, rtol, atol, f"{name} step {k} param {i}")
            assert_close(eo.state[e], to.state[t], rtol, atol, f"{name} step {k} state {i}")
    return eo, to
