"""The parity helper: run the same call under ember and torch, compare everything.

Values, dtype, shape, grad_fn name, gradients and second-order gradients, and for bad input
the exception type and the start of its message. ``ember.`` in names is read as ``torch.``.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

DTYPES = {name: (getattr(ember, name), getattr(torch, name)) for name in (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "uint8", "int8", "int16", "int32", "int64", "bool")}


def torch_name(obj) -> str:
    """str(obj) with ember's own name read as torch's."""
    return str(obj).replace("ember.", "torch.")


def to_numpy(t):
    """A NumPy copy of an ember or torch tensor (bfloat16 as float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        if t._is_zerotensor():
            return np.zeros(tuple(t.shape), dtype=str(t.dtype).replace("torch.", ""))
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.cpu().numpy().copy()
    t = t.detach()
    if t.dtype is ember.bfloat16:
        t = t.float()
    return np.array(t.numpy(), copy=True)


def pair(arr, requires_grad=False):
    """(ember tensor, torch tensor) holding the same NumPy array `arr`."""
    arr = np.asarray(arr)
    if arr.dtype.name == "bfloat16":
        e = ember.tensor(arr.astype(np.float32)).to(ember.bfloat16)
        t = torch.tensor(arr.astype(np.float32)).to(torch.bfloat16)
    else:
        e, t = ember.tensor(arr), torch.tensor(arr)
    if requires_grad:
        e.requires_grad_(True)
        t.requires_grad_(True)
    return e, t


def assert_same(e, t, rtol=1e-5, atol=1e-6, check_grad_fn=True, what="output"):
    """Equal dtype, shape, values (NaN-aware) and grad_fn name, recursing into tuples."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{what}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, rtol, atol, check_grad_fn, f"{what}[{i}]")
        return
    if not isinstance(t, torch.Tensor):
        assert not isinstance(e, ember.Tensor), f"{what}: ember gave a tensor, torch {t!r}"
        if isinstance(t, float):
            np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=what)
        else:
            assert e == t, f"{what}: {e!r} != {t!r}"
        return
    assert isinstance(e, ember.Tensor), f"{what}: expected a tensor, got {type(e).__name__}"
    assert torch_name(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} vs {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    a, b = to_numpy(e), to_numpy(t)
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)
    if check_grad_fn:
        en = type(e.grad_fn).__name__ if e.grad_fn is not None else None
        tn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
        assert en == tn, f"{what}: grad_fn {en} vs {tn}"


def same_error(fe, ft, prefix_len=40):
    """Both calls raise; same exception type and the same message start."""
    with pytest.raises(Exception) as te:
        ft()
    with pytest.raises(Exception) as ee:
        fe()
    assert type(ee.value).__name__ == type(te.value).__name__, \
        f"{type(ee.value).__name__}: {ee.value} vs {type(te.value).__name__}: {te.value}"
    em = torch_name(str(ee.value))
    tm = str(te.value)
    assert em[:prefix_len] == tm[:prefix_len], f"message {em!r} vs {tm!r}"
