"""torch's type promotion: every dtype pair and operand kind, against torch."""
from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given, settings

from parity import DTYPES, ember, torch, torch_name

NAMES = sorted(DTYPES)
KINDS = ("dim", "zerodim", "scalar")


def _operand(lib, name, kind):
    e_dt, t_dt = DTYPES[name]
    dt = e_dt if lib is ember else t_dt
    if kind == "dim":
        return lib.ones(2, dtype=dt)
    if kind == "zerodim":
        return lib.ones((), dtype=dt)
    return {"bool": True, "complex64": 1j, "complex128": 1j}.get(
        name, 1.5 if "float" in name else 2)


def test_promote_types_all_pairs():
    for a in NAMES:
        for b in NAMES:
            got = ember.promote_types(DTYPES[a][0], DTYPES[b][0])
            want = torch.promote_types(DTYPES[a][1], DTYPES[b][1])
            assert torch_name(got) == str(want), (a, b)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(NAMES), st.sampled_from(KINDS), st.sampled_from(NAMES),
       st.sampled_from(KINDS))
def test_result_type_matches_torch(a, ka, b, kb):
    if ka == "scalar" and kb == "scalar":
        return
    ea, eb = _operand(ember, a, ka), _operand(ember, b, kb)
    ta, tb = _operand(torch, a, ka), _operand(torch, b, kb)
    if torch.result_type(ta, tb) == torch.complex32:
        # ember has no complex32 (torch's ComplexHalf): float16 with complex gives complex64
        assert ember.result_type(ea, eb) is ember.complex64
        return
    assert torch_name(ember.result_type(ea, eb)) == str(torch.result_type(ta, tb))
    if "bool" in (a, b) or (ka == "scalar" and a == "bool") or (kb == "scalar" and b == "bool"):
        return
    try:
        want = (ta * tb).dtype
    except RuntimeError:
        return
    assert torch_name((ea * eb).dtype) == str(want), (a, ka, b, kb)


def test_default_dtype_changes_float_promotion():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        assert torch_name((ember.ones(2, dtype=ember.int32) + 1.5).dtype) == \
            str((torch.ones(2, dtype=torch.int32) + 1.5).dtype)
        assert ember.tensor([1.0]).dtype is ember.float64
        assert ember.tensor([1j]).dtype is ember.complex128
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def test_integer_true_division_gives_default_float():
    assert (ember.tensor([1, 2]) / ember.tensor([2, 2])).dtype is ember.float32
    assert (ember.tensor([1, 2]) // 2).dtype is ember.int64


def test_inplace_refuses_narrowing():
    t = ember.zeros(3, dtype=ember.int64)
    try:
        t.add_(1.5)
    except RuntimeError as e:
        assert str(e) == "result type Float can't be cast to the desired output type Long"
    else:
        raise AssertionError("no error")
