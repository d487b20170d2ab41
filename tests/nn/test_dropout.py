"""The dropout family against torch: after the same manual_seed the masks are identical
(functional, in-place, torch.* and module forms), plus gradients, graph names, the training
flag, p = 0 / 1, warnings, errors and reprs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from nn._compare import compare, grads, node_names
from nn._helpers import same_error
from parity import torch

X0 = np.random.default_rng(0).standard_normal((4, 3, 5, 2)) + 0.5

FUNCS = ["dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
         "dropout3d"]
SHAPE_FOR = {"dropout1d": (4, 3, 10), "dropout2d": (4, 3, 5, 2), "dropout3d": (4, 3, 5, 1, 2)}


def _input(lib, name, dtype="float32", noncontiguous=False):
    arr = X0.reshape(SHAPE_FOR.get(name, X0.shape))
    if noncontiguous:
        arr = np.ascontiguousarray(np.swapaxes(arr, -1, -2))
    x = lib.tensor(arr, dtype=getattr(lib, dtype), requires_grad=True)
    return x.transpose(-1, -2) if noncontiguous else x


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_functional_masks_grads(name, p):
    def fn(lib):
        lib.manual_seed(7)
        x = _input(lib, name)
        y = getattr(lib.nn.functional, name)(x, p, True)
        again = getattr(lib.nn.functional, name)(x, p, True)      # the generator moved on
        nodes = None if y.grad_fn is None else node_names(y)
        return (y, again, nodes, y is x) + grads(lib, y, (x,))
    compare(fn)


@pytest.mark.parametrize("name", FUNCS)
def test_functional_eval_noncontiguous_and_float64(name):
    def fn(lib):
        lib.manual_seed(3)
        x = _input(lib, name, "float64", noncontiguous=True)
        y = getattr(lib.nn.functional, name)(x, 0.4, True)
        off = getattr(lib.nn.functional, name)(x, 0.4, False)
        return y, off is x, lib.rand(3)
    compare(fn, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "dropout1d", "dropout2d",
                                  "dropout3d", "feature_alpha_dropout"])
def test_functional_inplace(name):
    def fn(lib):
        lib.manual_seed(11)
        base = _input(lib, name)
        x = base * 1.0
        y = getattr(lib.nn.functional, name)(x, 0.5, True, inplace=True)
        return y, y is x, x._version > 0 if hasattr(x, "_version") else True, \
            node_names(y)[0], tuple(x.shape)
    compare(fn)


@pytest.mark.parametrize("name", ["dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
                                  "feature_dropout", "feature_dropout_",
                                  "feature_alpha_dropout", "feature_alpha_dropout_"])
def test_torch_namespace_forms(name):
    def fn(lib):
        lib.manual_seed(5)
        x = lib.tensor(X0, dtype=lib.float32)
        y = getattr(lib, name)(x, 0.25, True)
        return y, y is x, getattr(lib, name)(x, 0.25, False) is x
    compare(fn)


@pytest.mark.parametrize("unbatched", [False, True])
def test_dropout1d_3d_unbatched(unbatched):
    def fn(lib):
        lib.manual_seed(2)
        a = lib.tensor(X0[0] if unbatched else X0, dtype=lib.float32)      # (3, 5, 2) / 4-D
        b = lib.tensor(X0[0, 0] if unbatched else X0[0], dtype=lib.float32)  # (5, 2) / 3-D
        y3 = lib.nn.functional.dropout3d(a[None] if not unbatched else a[None], 0.5)
        y1 = lib.nn.functional.dropout1d(b, 0.5)
        c = b.clone()
        y1i = lib.nn.functional.dropout1d(c, 0.5, inplace=True)
        return y3, y1, y1i, y1i is c, tuple(c.shape)
    compare(fn)


@pytest.mark.parametrize("name,ndim,kind", [
    ("dropout2d", 2, "deprecated"), ("dropout2d", 3, "1d behaviour"),
    ("dropout2d", 5, "deprecated"), ("dropout3d", 3, "deprecated"),
    ("dropout3d", 6, "deprecated")])
def test_dimension_warnings(name, ndim, kind):
    messages = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            lib.manual_seed(0)
            getattr(lib.nn.functional, name)(lib.ones(*([2] * ndim)), 0.5)
        messages.append([str(w.message).replace("ember", "torch") for w in rec])
    assert messages[0] == messages[1] and messages[0]


@pytest.mark.parametrize("case", ["p_high", "p_low", "torch_p", "feature_1d", "dropout1d_4d",
                                  "dropout1d_1d", "long", "module_p"])
def test_errors(case):
    def fn(lib):
        F = lib.nn.functional
        {"p_high": lambda: F.dropout(lib.ones(3), 1.5),
         "p_low": lambda: F.alpha_dropout(lib.ones(3), -0.1),
         "torch_p": lambda: lib.dropout(lib.ones(3), 1.5, True),
         "feature_1d": lambda: lib.feature_dropout(lib.ones(3), 0.5, True),
         "dropout1d_4d": lambda: F.dropout1d(lib.ones(2, 2, 2, 2), 0.5),
         "dropout1d_1d": lambda: F.dropout1d(lib.ones(2), 0.5),
         "long": lambda: F.dropout(lib.arange(4), 0.5),
         "module_p": lambda: lib.nn.Dropout2d(p=2)}[case]()
    same_error(fn)


@pytest.mark.parametrize("cls,shape", [("Dropout", (4, 6)), ("Dropout1d", (4, 3, 5)),
                                       ("Dropout2d", (2, 3, 4, 2)),
                                       ("Dropout3d", (2, 3, 2, 2, 2)),
                                       ("AlphaDropout", (4, 6)),
                                       ("FeatureAlphaDropout", (2, 3, 4))])
def test_modules(cls, shape):
    x0 = np.linspace(-2, 2, int(np.prod(shape))).reshape(shape)

    def fn(lib):
        lib.manual_seed(4)
        m = getattr(lib.nn, cls)(0.3)
        mi = getattr(lib.nn, cls)(p=0.6, inplace=True)
        x = lib.tensor(x0, dtype=lib.float32, requires_grad=True)
        y = m(x)
        z = mi(x * 1.0)
        m.eval()
        return (repr(m), repr(mi), y, z, m(x) is x, list(m.state_dict())) + grads(lib, y, (x,))
    compare(fn)


def test_dropout_in_no_grad_and_half():
    def fn(lib):
        lib.manual_seed(9)
        x = lib.tensor(X0, dtype=lib.float16)
        with lib.no_grad():
            y = lib.nn.functional.dropout(x.float(), 0.2)
        return y, lib.nn.functional.dropout(x, 0.2), lib.nn.functional.alpha_dropout(
            x.double(), 0.2, True)
    compare(fn, rtol=1e-3, atol=1e-3)
