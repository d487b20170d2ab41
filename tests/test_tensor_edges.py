"""Edge cases of the spine checked against torch: empty views' offsets, dims of 0-dim
tensors, resize_ and memory formats, half types with Python scalars, 0-dim results."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from tests.parity import assert_same, same_error

torch = pytest.importorskip("torch")

CASES = [
    "x.arange(6.).view(2, 3)[:, 3:].storage_offset()",
    "x.arange(6.).view(2, 3)[2:].storage_offset()",
    "x.arange(6.).view(2, 3).narrow(1, 3, 0).storage_offset()",
    "x.empty(2, 0, 3).select(2, 1).storage_offset()",
    "x.arange(6.).view(2, 3).t().resize_(3, 2).stride()",
    "x.ones(1, 2, 3, 4).to(memory_format=x.channels_last).stride()",
    "x.ones(1, 2, 3, 4).to(x.float64, memory_format=x.channels_last).stride()",
    "x.sign(x.tensor([float('nan'), -0.0, 2.0])).tolist()",
    "str((x.tensor([1.0, 3.0], dtype=x.bfloat16) * 0.1).tolist())",
    "str((x.tensor(1.0, dtype=x.bfloat16) * 0.1).item())",
    "str(x.tensor([1.0, 3.0], dtype=x.bfloat16).mul_(0.1).tolist())",
    "str((x.tensor([1.0, 3.0], dtype=x.float16) / 3).tolist())",
    "str(x.addmm(x.ones(2, 2, dtype=x.bfloat16), x.ones(2, 2, dtype=x.bfloat16), "
    "x.ones(2, 2, dtype=x.bfloat16), beta=0.5).dtype).split('.')[1]",
    "type(x.matmul(x.ones(3, requires_grad=True), x.ones(3, 2)).grad_fn).__name__",
    "x.exp_(x.zeros(2)).tolist()",
]


@pytest.mark.parametrize("expr", CASES)
def test_matches_torch(expr):
    assert eval(expr, {"x": ember}) == eval(expr, {"x": torch})


def test_zero_dim_results_are_arrays():
    a = ember.tensor(2.0)
    for r in (a + 1, a.sin(), ember.tensor(3) * 2, a * a):
        assert np.asarray(r).shape == ()
        assert isinstance(r.numpy(), np.ndarray)


@pytest.mark.parametrize("call", ["size(0)", "size(-1)", "stride(1)"])
def test_dims_of_zero_dim_tensors(call):
    same_error(lambda: eval("ember.zeros(())." + call), lambda: eval("torch.zeros(())." + call))


def test_empty_slices_read_and_write():
    e, t = ember.arange(6.0).view(2, 3), torch.arange(6.0).view(2, 3)
    assert_same(e[:, 3:] + 1, t[:, 3:] + 1)
    e[2:] = 5.0
    t[2:] = 5.0
    assert_same(e, t)


@pytest.mark.parametrize("expr", ["x.arange(6.).view(2, 3)[:, 3:].stride()",
                                  "x.empty(2, 0, 3).select(2, 1).stride()",
                                  "x.arange(6.).view(2, 3)[2:].stride()"])
def test_empty_view_strides(expr):
    assert eval(expr, {"x": ember}) == eval(expr, {"x": torch})


@pytest.mark.parametrize("expr", [
    "x.arange(8, dtype=x.uint8).view(2, 4).view(x.int32)",
    "x.arange(8, dtype=x.uint8).view(2, 4).view(x.int16)",
    "x.arange(2, dtype=x.int32).view(x.uint8)",
    "x.arange(6, dtype=x.int32).view(2, 3)[:, 1:].view(x.int16)",
    "x.arange(12, dtype=x.uint8)[4:8].view(x.int32)",
    "x.tensor([1.5, 2.0]).view(x.float64)",
    "x.tensor([1.5, 2.0], dtype=x.float64).view(x.float32)"])
def test_view_as_dtype_of_another_size(expr):
    e, t = eval(expr, {"x": ember}), eval(expr, {"x": torch})
    assert_same(e, t)
    assert (e.stride(), e.storage_offset()) == (t.stride(), t.storage_offset())


@pytest.mark.parametrize("expr", [
    "x.arange(6, dtype=x.uint8).view(2, 3).view(x.int32)",
    "x.arange(8, dtype=x.uint8).view(4, 2).t().view(x.int16)",
    "x.arange(8, dtype=x.uint8)[1:5].view(x.int32)",
    "x.tensor(3, dtype=x.int32).view(x.uint8)"])
def test_view_as_dtype_errors(expr):
    same_error(lambda: eval(expr, {"x": ember}), lambda: eval(expr, {"x": torch}), 200)


def test_dtype_view_shares_memory():
    b = ember.zeros(4, dtype=ember.uint8)
    b.view(ember.int32).fill_(0x01020304)
    assert b.tolist() == [4, 3, 2, 1]


@pytest.mark.parametrize("expr", [
    "x.tensor([1., 0., 0.]).view(1, 3, 1, 1).expand(2, 3, 2, 3).reshape(-1)",
    "x.tensor([1., 0., 0.]).view(1, 3, 1, 1).expand(2, 3, 2, 3).flatten()",
    "x.arange(24.).view(2, 3, 2, 2).permute(0, 2, 3, 1).reshape(4, 6)",
    "x.arange(24.).view(2, 2, 2, 3).permute(0, 3, 1, 2).reshape(-1)"])
def test_reshape_copies_of_channels_last_like_layouts(expr):
    # reshape's copy must be in C order even when clone would keep a channels-last layout
    assert_same(eval(expr, {"x": ember}), eval(expr, {"x": torch}))
