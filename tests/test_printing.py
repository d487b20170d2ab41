"""repr/str of tensors, character for character against torch (ember's names read as torch's)."""
from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from parity import DTYPES, ember, pair, torch, torch_name

CASES = [
    [1.123456789, 22.5, -0.001], [1e-5, 1.0, 1e5], [1e10, 1.0], [0.1, 100.0, 1000.0],
    [1.0, 2.0, float("nan"), float("inf"), -float("inf")], [-0.0, 0.0], [0.0, 0.0],
    [1.0, 2.0], [123456789.0], [1e-9, 1e-8], [-1.5, 2.25e-3, 7e7], [float("nan")],
    [3.0, -4.0, 5.5], [0.5, 1.25], [1e-4, 9.9999e-5], [100000000.0, 1.0],
]


def _check(e, t):
    assert torch_name(repr(e)) == repr(t)
    assert torch_name(str(e)) == str(t)


@pytest.mark.parametrize("values", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_float_values(values, dtype):
    e, t = ember.tensor(values, dtype=DTYPES[dtype][0]), torch.tensor(values,
                                                                       dtype=DTYPES[dtype][1])
    _check(e, t)


@pytest.mark.parametrize("name", sorted(DTYPES))
def test_every_dtype_shapes(name):
    e_dt, t_dt = DTYPES[name]
    for shape in [(), (0,), (2, 0), (3,), (2, 3), (2, 3, 4), (1, 1, 1)]:
        arr = np.arange(int(np.prod(shape)) or 0).reshape(shape) % 7 - 2
        e = ember.tensor(arr).to(e_dt)
        t = torch.tensor(arr).to(t_dt)
        _check(e, t)


def test_complex():
    for vals in ([1 + 2j, -3.5 - 0.25j], [1e-6 + 1j, 2e6j], [0j], [-0.0 - 0.0j, 1j]):
        for dt in ("complex64", "complex128"):
            _check(ember.tensor(vals, dtype=DTYPES[dt][0]), torch.tensor(vals,
                                                                        dtype=DTYPES[dt][1]))


def test_summarised_and_large():
    for shape in [(2000,), (40, 40), (3, 400, 5), (1001,), (5, 201)]:
        arr = (np.arange(int(np.prod(shape))) * 0.37 - 17).reshape(shape)
        e, t = pair(arr.astype(np.float32))
        _check(e, t)
        e, t = pair(np.arange(int(np.prod(shape))).reshape(shape))
        _check(e, t)


def test_grad_suffixes():
    e, t = pair(np.array([1.0, 2.0], np.float32), requires_grad=True)
    _check(e, t)
    _check(e * 2, t * 2)
    _check((e * 2).sum(), (t * 2).sum())
    _check(e.double() * 2, t.double() * 2)
    long_e, long_t = pair(np.arange(20, dtype=np.float64) / 3, requires_grad=True)
    _check(long_e * 1, long_t * 1)


def test_set_printoptions():
    arr = (np.arange(30, dtype=np.float32) / 7)
    e, t = pair(arr)
    opts = [dict(precision=2), dict(precision=6), dict(threshold=5, edgeitems=2),
            dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
            dict(profile="full"), dict(edgeitems=0, threshold=3)]
    try:
        for o in opts:
            ember.set_printoptions(**o)
            torch.set_printoptions(**o)
            _check(e, t)
            _check(e.view(5, 6), t.view(5, 6))
            _check(e.long(), t.long())
            ember.set_printoptions(profile="default")
            torch.set_printoptions(profile="default")
    finally:
        ember.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    with ember.printoptions(precision=1):
        assert repr(ember.tensor([1.26])) == "tensor([1.3])"
    assert repr(ember.tensor([1.26])) == "tensor([1.2600])"


def test_default_dtype_suffix_follows_default():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        _check(ember.tensor([1.5]), torch.tensor([1.5]))
        _check(ember.tensor([1.5], dtype=ember.float32), torch.tensor([1.5],
                                                                      dtype=torch.float32))
        _check(ember.tensor([1j]), torch.tensor([1j]))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


_floats = st.floats(allow_nan=True, allow_infinity=True, width=32)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_floats, st.sampled_from([0.0, -0.0, 1e-30, 3e38, 1e8, 1e-4])),
                min_size=1, max_size=12),
       st.sampled_from(["float32", "float64", "float16", "bfloat16"]))
def test_fuzz_values(values, dtype):
    if dtype in ("float16", "bfloat16"):
        values = [v if not math.isfinite(v) or abs(v) < 6e4 else 1.0 for v in values]
    e, t = ember.tensor(values, dtype=DTYPES[dtype][0]), torch.tensor(values,
                                                                       dtype=DTYPES[dtype][1])
    _check(e, t)
