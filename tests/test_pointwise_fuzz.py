"""Hypothesis fuzzing of the pointwise family against torch: random shapes (empty and
zero-dim included), broadcasting partners, dtypes, and strided (transposed, sliced, expanded)
layouts, for unary and binary ops and their in-place forms."""
from __future__ import annotations

import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

import ember
from tests.parity import assert_same

torch = pytest.importorskip("torch")

UNARY = ["abs", "neg", "exp", "log1p", "sqrt", "sin", "tanh", "sigmoid", "floor", "sign",
         "reciprocal", "erf", "relu", "square", "frac"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "atan2", "fmod", "remainder",
          "pow", "hypot", "copysign", "eq", "lt", "logaddexp"]
DTYPES = ["float32", "float64", "int32", "int64", "bool"]
FLOAT_ONLY = {"atan2", "hypot", "copysign", "logaddexp", "erf", "frac"}


@st.composite
def layouts(draw):
    """(array, how to view it): a base array and a view recipe applied in both libraries."""
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim)))
    view = draw(st.sampled_from(["plain", "transpose", "slice", "expand"]))
    return shape, view


def _make(lib, arr, view):
    t = lib.tensor(arr)
    if view == "transpose" and t.dim() >= 2:
        t = t.transpose(0, -1)
    elif view == "slice" and t.dim() >= 1:
        t = t[::2]
    elif view == "expand" and t.dim() >= 1 and t.shape[0] == 1:
        t = t.expand(3, *t.shape[1:])
    return t


def _array(rng, shape, dtype):
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("int"):
        return rng.integers(-5, 6, shape).astype(dtype)
    return rng.uniform(-3, 3, shape).astype(dtype)


def _run(lib, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(lib), None
        except Exception as e:          # both must fail alike
            return None, type(e).__name__


def _compare(fe, ft):
    (e, ee), (t, te) = _run(ember, fe), _run(torch, ft)
    assert ee == te, f"ember {ee} vs torch {te}"
    if te is None:
        assert_same(e, t, rtol=1e-5, atol=1e-5, check_grad_fn=False)


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(UNARY), st.sampled_from(DTYPES), layouts(), st.booleans(),
       st.integers(0, 2 ** 16))
def test_unary(name, dtype, layout, inplace, seed):
    if name in FLOAT_ONLY and not dtype.startswith("float"):
        return
    shape, view = layout
    arr = _array(np.random.default_rng(seed), shape, dtype)

    def call(lib):
        t = _make(lib, arr, view)
        if inplace:
            return getattr(t.clone(), name + "_")()
        return getattr(lib, name)(t)
    _compare(call, call)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(BINARY), st.sampled_from(DTYPES), st.sampled_from(DTYPES), layouts(),
       st.sampled_from(["same", "row", "scalar", "python"]), st.integers(0, 2 ** 16))
def test_binary(name, da, db, layout, partner, seed):
    if name in FLOAT_ONLY and not (da.startswith("float") and db.startswith("float")):
        return
    shape, view = layout
    rng = np.random.default_rng(seed)
    a = _array(rng, shape, da)
    b_shape = {"same": shape, "row": shape[-1:], "scalar": ()}.get(partner, ())
    b = _array(rng, b_shape, db)

    def call(lib):
        x = _make(lib, a, view)
        y = b.item() if partner == "python" else lib.tensor(b)
        if view == "transpose" and partner == "same" and x.dim() >= 2:
            y = y.transpose(0, -1)
        return getattr(lib, name)(x, y)
    _compare(call, call)
