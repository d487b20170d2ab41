"""Tensor over storage: geometry, views sharing storage and version, conversions, creation."""
from __future__ import annotations

import numpy as np
import pytest

from parity import DTYPES, assert_same, ember, same_error, torch, torch_name


def both(fn):
    return fn(ember), fn(torch)


VIEWS = [
    lambda x: x.view(4, 6), lambda x: x.t(), lambda x: x.transpose(0, 1),
    lambda x: x.permute(1, 0), lambda x: x[1:, ::2], lambda x: x[:, 1], lambda x: x[2],
    lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(0).squeeze(0), lambda x: x.narrow(1, 1, 3),
    lambda x: x.select(0, -1), lambda x: x.unfold(1, 2, 2), lambda x: x.diagonal(),
    lambda x: x.as_strided((3, 2), (2, 5), 1), lambda x: x[:, :1].expand(6, 4),
    lambda x: x.reshape(2, 12),
    lambda x: x.detach(), lambda x: x[None, ..., None], lambda x: x.flatten(),
]


@pytest.mark.parametrize("i", range(len(VIEWS)))
def test_views_share_storage_with_torch_geometry(i):
    f = VIEWS[i]
    e, t = both(lambda lib: lib.arange(24.).view(6, 4))
    ev, tv = f(e), f(t)
    assert tuple(ev.shape) == tuple(tv.shape)
    assert ev.stride() == tv.stride()
    assert ev.storage_offset() == tv.storage_offset()
    assert ev.is_contiguous() == tv.is_contiguous()
    assert ev.untyped_storage().data_ptr() == e.untyped_storage().data_ptr()
    assert_same(ev, tv)
    ev.add_(1) if ev.numel() else None
    assert e._version == ev._version
    assert (ev._base is e) == (tv._base is t)


def test_view_incompatible_layout_error():
    same_error(lambda: ember.zeros(2, 3).t().view(6), lambda: torch.zeros(2, 3).t().view(6))
    same_error(lambda: ember.zeros(2, 3).view(4), lambda: torch.zeros(2, 3).view(4))
    same_error(lambda: ember.zeros(3).view(-1, -1), lambda: torch.zeros(3).view(-1, -1))


def test_reshape_copies_only_when_needed():
    e = ember.arange(6.)
    assert e.view(2, 3).reshape(3, 2)._base is e
    r = e.view(2, 3).t().reshape(6)
    assert r._base is None
    assert r.tolist() == [0., 3., 1., 4., 2., 5.]


@pytest.mark.parametrize("name", sorted(DTYPES))
def test_every_dtype_roundtrip(name):
    e_dt, t_dt = DTYPES[name]
    e, t = both(lambda lib: lib.tensor([[0, 1], [2, 3]]).to(e_dt if lib is ember else t_dt))
    assert_same(e, t)
    assert e.element_size() == t.element_size()
    assert e.tolist() == t.tolist()
    assert repr(e).replace("ember.", "torch.") == repr(t)


def test_info_objects():
    assert repr(ember.finfo(ember.float32)) == repr(torch.finfo(torch.float32))
    assert repr(ember.finfo(ember.bfloat16)) == repr(torch.finfo(torch.bfloat16))
    assert repr(ember.iinfo(ember.int32)) == repr(torch.iinfo(torch.int32))
    assert ember.iinfo(ember.uint8).max == 255
    same_error(lambda: ember.iinfo(ember.bool), lambda: torch.iinfo(torch.bool))


def test_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.float32)
    e = ember.from_numpy(a)
    a[0] = 10
    assert e[0].item() == 10
    e.add_(1)
    assert a[1] == 2
    assert e.numpy() is not None and np.shares_memory(e.numpy(), a)
    assert ember.from_numpy(a[2:]).storage_offset() == torch.from_numpy(a[2:]).storage_offset()
    same_error(lambda: ember.ones(2, requires_grad=True).numpy(),
               lambda: torch.ones(2, requires_grad=True).numpy())


def test_tensor_always_copies_as_tensor_does_not():
    a = np.ones(3)
    assert not np.shares_memory(ember.tensor(a).numpy(), a)
    assert np.shares_memory(ember.as_tensor(a).numpy(), a)
    x = ember.ones(3)
    assert ember.as_tensor(x) is x


CREATION = [
    lambda lib: lib.zeros(2, 3), lambda lib: lib.ones((2, 3), dtype=lib.int32),
    lambda lib: lib.full((2,), 7), lambda lib: lib.full((2,), 1.5),
    lambda lib: lib.full((1,), True), lambda lib: lib.arange(5),
    lambda lib: lib.arange(0, 1, 0.1), lambda lib: lib.arange(1, 4, 0.5),
    lambda lib: lib.linspace(0, 1, 7), lambda lib: lib.linspace(-2, 5, 10),
    lambda lib: lib.logspace(0, 2, 5), lambda lib: lib.eye(3), lambda lib: lib.eye(2, 4),
    lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda lib: lib.tensor([1.5, 2]),
    lambda lib: lib.tensor([True, False]), lambda lib: lib.tensor(3.0), lambda lib: lib.tensor([]),
    lambda lib: lib.tensor([1 + 2j]), lambda lib: lib.zeros_like(lib.ones(2, 3).t()),
    lambda lib: lib.ones(2, 3).new_full((2,), 3), lambda lib: lib.ones(2).new_tensor([1, 2]),
    lambda lib: lib.empty_strided((2, 3), (1, 2)).stride(), lambda lib: lib.Tensor([1, 2]),
    lambda lib: lib.FloatTensor(2, 3).shape, lambda lib: lib.LongTensor([1.7]),
]


@pytest.mark.parametrize("i", range(len(CREATION)))
def test_creation_matches_torch(i):
    e, t = both(CREATION[i])
    if isinstance(t, torch.Tensor):
        assert_same(e, t)
    else:
        assert tuple(e) == tuple(t)


def test_creation_errors():
    same_error(lambda: ember.tensor([[1, 2], [3]]), lambda: torch.tensor([[1, 2], [3]]))
    same_error(lambda: ember.tensor("a"), lambda: torch.tensor("a"))
    same_error(lambda: ember.zeros(2, 3.0), lambda: torch.zeros(2, 3.0))
    same_error(lambda: ember.ones(2, dtype=ember.int64).requires_grad_(),
               lambda: torch.ones(2, dtype=torch.int64).requires_grad_())


def test_legacy_types():
    assert ember.ones(2).type() == "ember.FloatTensor"
    assert ember.ones(2).type(ember.LongTensor).dtype is ember.int64
    assert ember.ones(2).type("torch.DoubleTensor").dtype is ember.float64
    assert isinstance(ember.ones(2), ember.FloatTensor)
    assert not isinstance(ember.ones(2), ember.LongTensor)
    with pytest.warns(UserWarning):
        ember.set_default_tensor_type(ember.DoubleTensor)
    try:
        assert ember.tensor([1.5]).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)


def test_storage_objects():
    e, t = both(lambda lib: lib.arange(3.))
    with pytest.warns(UserWarning):
        s = e.storage()
    assert repr(s).replace("ember.", "torch.") == repr(t.storage())
    assert s.tolist() == [0.0, 1.0, 2.0] and s.size() == 3
    assert e.untyped_storage().nbytes() == 12
    assert len(e.untyped_storage()) == len(t.untyped_storage())


def test_copy_broadcasts_and_converts():
    e, t = both(lambda lib: lib.zeros(2, 3, dtype=lib.int64).copy_(lib.tensor([1.7, -2.7, 3.2])))
    assert_same(e, t)
    same_error(lambda: ember.zeros(3).copy_(ember.zeros(4)),
               lambda: torch.zeros(3).copy_(torch.zeros(4)))


def test_resize_and_set():
    e, t = both(lambda lib: lib.arange(6.).resize_(2, 2))
    assert_same(e, t)
    e, t = both(lambda lib: lib.arange(4.).resize_(3, 3)[:1])
    assert_same(e, t)
    base = ember.arange(6.)
    x = ember.empty(0).set_(base.untyped_storage(), 2, (2, 2), (2, 1))
    assert x.tolist() == [[2.0, 3.0], [4.0, 5.0]]
    x[0, 0] = 100
    assert base[2].item() == 100


def test_conversions():
    e = ember.tensor([1.5, 2.5])
    assert e.int().dtype is ember.int32 and e.long().tolist() == [1, 2]
    assert e.half().dtype is ember.float16 and e.bfloat16().dtype is ember.bfloat16
    assert e.double().dtype is ember.float64 and e.bool().tolist() == [True, True]
    assert e.to(ember.float32) is e
    assert e.to("cpu") is e
    assert e.to(ember.float32, copy=True) is not e
    assert float(ember.tensor(2.5)) == 2.5 and int(ember.tensor(3)) == 3
    same_error(lambda: ember.ones(2).item(), lambda: torch.ones(2).item())
    same_error(lambda: bool(ember.ones(2)), lambda: torch.ones(2).__bool__())
    same_error(lambda: len(ember.tensor(1.)), lambda: len(torch.tensor(1.)))


def test_size_and_device():
    assert repr(ember.Size([2, 3])) == "ember.Size([2, 3])"
    assert ember.zeros(2, 3).size(-1) == 3
    assert isinstance(ember.zeros(2, 3).shape[1:], ember.Size)
    assert repr(ember.device("cpu")) == "device(type='cpu')"
    assert ember.device("cuda:1").index == 1
    same_error(lambda: ember.zeros(2).size(3), lambda: torch.zeros(2).size(3))
    same_error(lambda: ember.device("cpux"), lambda: torch.device("cpux"))
    assert torch_name(ember.zeros(1).dtype) == "torch.float32"
