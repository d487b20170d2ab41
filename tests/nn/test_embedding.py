"""Embedding, EmbeddingBag and one_hot (functional, torch.* and modules) against torch:
values, weight and per-sample-weight gradients (first and second order), max_norm
renormalisation, seeded initialisation, reprs and errors."""
from __future__ import annotations

import numpy as np
import pytest

from nn._compare import compare, grads, node_names, run
from nn._helpers import same_error

RNG = np.random.default_rng(0)
W0 = RNG.standard_normal((10, 4))
IDX = np.array([[1, 2, 4, 5], [4, 3, 2, 9], [0, 2, 2, 7]])


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_embedding_values_grads(padding_idx, scale, index_dtype):
    def fn(lib):
        w = lib.tensor(W0, requires_grad=True)
        idx = lib.tensor(IDX, dtype=getattr(lib, index_dtype))
        y = lib.nn.functional.embedding(idx, w, padding_idx, scale_grad_by_freq=scale)
        return (y, node_names(y)) + grads(lib, y, (w,))
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("padding_idx,scale", [(None, False), (3, False), (2, True)])
def test_embedding_double_backward_through_grad_output(padding_idx, scale):
    g0 = RNG.standard_normal((3, 4, 4))

    def fn(lib):
        w = lib.tensor(W0, requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor(IDX), w, padding_idx,
                                        scale_grad_by_freq=scale)
        g = lib.tensor(g0, requires_grad=True)
        gw, = lib.autograd.grad(y, w, g, create_graph=True)
        return (gw, type(gw.grad_fn).__name__) + lib.autograd.grad((gw * gw).sum(), g)
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5])
def test_embedding_max_norm_renorms_in_place(norm_type):
    w0 = W0 * 3

    def fn(lib):
        w = lib.tensor(w0, dtype=lib.float32, requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor(IDX[:2]), w, max_norm=1.5,
                                        norm_type=norm_type)
        return y, w.detach().clone(), w._version > 0 + grads(lib, y, (w,))[0].sum()
    compare(fn, rtol=1e-5, atol=1e-6)


def test_embedding_renorm_and_torch_embedding():
    def fn(lib):
        w = lib.tensor(W0 * 2)
        out = lib.embedding_renorm_(w, lib.tensor([1, 1, 3, 9]), 1.0, 2.0)
        plain = lib.embedding(w, lib.tensor([[0, 1], [3, 3]]))
        scalar = lib.embedding(w, lib.tensor(4))
        return out is w, w, plain, scalar
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("case", ["float_idx", "out_of_range", "negative", "weight_1d",
                                  "padding_high", "padding_low", "renorm_1d"])
def test_embedding_errors(case):
    def fn(lib):
        F, w = lib.nn.functional, lib.tensor(W0)
        {"float_idx": lambda: F.embedding(lib.tensor([1.0]), w),
         "out_of_range": lambda: F.embedding(lib.tensor([10]), w),
         "negative": lambda: F.embedding(lib.tensor([-1]), w),
         "weight_1d": lambda: lib.embedding(w[0], lib.tensor([1])),
         "padding_high": lambda: F.embedding(lib.tensor([1]), w, padding_idx=10),
         "padding_low": lambda: F.embedding(lib.tensor([1]), w, padding_idx=-11),
         "renorm_1d": lambda: lib.embedding_renorm_(w[0], lib.tensor([1]), 1.0, 2.0)}[case]()
    same_error(fn)


# --- embedding_bag ------------------------------------------------------------------------
FLAT = np.array([1, 2, 4, 5, 4, 3, 2, 9, 9, 0])
BAG_CASES = [  # (offsets, include_last_offset)
    ([0, 4, 4, 7], False), ([0, 3, 10], True), ([0, 2, 5, 8], True), ([0], False)]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("offsets,last", BAG_CASES)
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_1d(mode, offsets, last, padding_idx):
    def fn(lib):
        w = lib.tensor(W0, requires_grad=True)
        y = lib.nn.functional.embedding_bag(lib.tensor(FLAT), w, lib.tensor(offsets),
                                            mode=mode, include_last_offset=last,
                                            padding_idx=padding_idx)
        return (y, node_names(y)) + grads(lib, y, (w,))
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("scale", [False, True])
def test_embedding_bag_per_sample_weights(scale):
    psw0 = RNG.uniform(0.5, 2, FLAT.shape)

    def fn(lib):
        w = lib.tensor(W0, requires_grad=True)
        psw = lib.tensor(psw0, requires_grad=True)
        y = lib.nn.functional.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0, 4, 4, 7]),
                                            mode="sum", per_sample_weights=psw,
                                            scale_grad_by_freq=scale, padding_idx=9)
        return (y,) + grads(lib, y, (w, psw))
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_input_and_max_norm(mode):
    def fn(lib):
        w = lib.tensor(W0 * 2, dtype=lib.float32, requires_grad=True)
        y = lib.nn.functional.embedding_bag(lib.tensor(IDX), w, mode=mode, max_norm=2.0,
                                            scale_grad_by_freq=mode != "max")
        return (y, w.detach().clone()) + grads(lib, y, (w,))
    compare(fn, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("dtype,padding_idx", [("float64", 2), ("float32", None),
                                               ("float64", None)])
def test_torch_embedding_bag_outputs(mode, dtype, padding_idx):
    def fn(lib):
        w = lib.tensor(W0, dtype=getattr(lib, dtype))
        return lib.embedding_bag(w, lib.tensor(FLAT[:8]), lib.tensor([0, 4, 4]), False, mode,
                                 False, None, False, padding_idx)
    compare(fn, rtol=1e-6, atol=1e-7)


BAG_ERRORS = {
    "offset0": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([1, 4])),
    "offset_last": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0, 11])),
    "float_idx": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT).float(), w,
                                                   lib.tensor([0])),
    "mode": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0]), mode="x"),
    "psw_mode": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0]),
                                                  mode="max",
                                                  per_sample_weights=lib.ones(10)),
    "psw_shape": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0]),
                                                   per_sample_weights=lib.ones(9)),
    "psw_dtype": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0]),
                                                   mode="sum", per_sample_weights=lib.ones(10)),
    "index_range": lambda F, lib, w: F.embedding_bag(lib.tensor([1, 20]), w, lib.tensor([0])),
    "index_range_f32": lambda F, lib, w: F.embedding_bag(lib.tensor([1, 20]), w.float(),
                                                         lib.tensor([0])),
    "index_negative": lambda F, lib, w: F.embedding_bag(lib.tensor([1, -1]), w.float(),
                                                        lib.tensor([0]), padding_idx=1),
    "offsets_decreasing": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w.float(),
                                                            lib.tensor([0, 5, 3])),
    "2d_offsets": lambda F, lib, w: F.embedding_bag(lib.tensor(IDX), w, lib.tensor([0])),
    "no_offsets": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w),
    "offsets_2d": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([[0]])),
    "input_3d": lambda F, lib, w: F.embedding_bag(lib.tensor(IDX)[None], w),
    "weight_1d": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w[0], lib.tensor([0])),
    "padding": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0]),
                                                 padding_idx=10),
    "max_freq": lambda F, lib, w: F.embedding_bag(lib.tensor(FLAT), w, lib.tensor([0]),
                                                  mode="max", scale_grad_by_freq=True),
}


@pytest.mark.parametrize("case", sorted(BAG_ERRORS))
def test_embedding_bag_errors(case):
    same_error(lambda lib: BAG_ERRORS[case](lib.nn.functional, lib, lib.tensor(W0)))


# --- one_hot ------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [([0, 2, 1],), ([[1, 0], [3, 3]], 5), (2,), ([], 3)])
def test_one_hot(args):
    compare(lambda lib: lib.nn.functional.one_hot(lib.tensor(args[0], dtype=lib.int64),
                                                  *args[1:]))


@pytest.mark.parametrize("case", ["int32", "empty", "negative", "too_big", "empty_zero"])
def test_one_hot_errors(case):
    def fn(lib):
        F = lib.nn.functional
        {"int32": lambda: F.one_hot(lib.tensor([1], dtype=lib.int32)),
         "empty": lambda: F.one_hot(lib.tensor([], dtype=lib.int64)),
         "negative": lambda: F.one_hot(lib.tensor([-1, 2])),
         "too_big": lambda: F.one_hot(lib.tensor([1, 2]), 2),
         "empty_zero": lambda: F.one_hot(lib.tensor([], dtype=lib.int64), 0)}[case]()
    same_error(fn)


# --- modules ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1}, {"padding_idx": -2},
                                    {"max_norm": 1.0, "norm_type": 1.0},
                                    {"scale_grad_by_freq": True}, {"sparse": True}])
def test_embedding_module_seeded_init_repr_forward(kwargs):
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Embedding(6, 3, **kwargs)
        w0 = m.weight.detach().clone()
        y = m(lib.tensor([[1, 4, 4], [0, 1, 5]]))
        y.sum().backward()
        grad = m.weight.grad
        if getattr(grad, "is_sparse", False):       # ember's gradient is always dense
            grad = grad.to_dense()
        return repr(m), w0, m.weight.detach(), y, grad, m.padding_idx, list(m.state_dict())
    compare(fn)


@pytest.mark.parametrize("kwargs", [{}, {"mode": "sum", "padding_idx": 0},
                                    {"mode": "max", "max_norm": 1.0},
                                    {"include_last_offset": True, "scale_grad_by_freq": True,
                                     "dtype": "float64"}])
def test_embedding_bag_module(kwargs):
    def fn(lib):
        lib.manual_seed(1)
        options = dict(kwargs, dtype=getattr(lib, kwargs.get("dtype", "float32")))
        m = lib.nn.EmbeddingBag(6, 3, **options)
        w0 = m.weight.detach().clone()
        y = m(lib.tensor([1, 0, 4, 4, 5, 2]), lib.tensor([0, 2, 2, 5]))
        y.sum().backward()
        return repr(m), w0, y, m.weight.grad
    compare(fn)


def test_from_pretrained():
    def fn(lib):
        w = lib.tensor(W0, dtype=lib.float32)
        a = lib.nn.Embedding.from_pretrained(w)
        b = lib.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=2)
        c = lib.nn.EmbeddingBag.from_pretrained(w, mode="max")
        d = lib.nn.EmbeddingBag.from_pretrained(w, freeze=False)
        return [(repr(m), m.weight.requires_grad, m.weight) for m in (a, b, c, d)], \
            a(lib.tensor([2, 3])), c(lib.tensor([[2, 3]]))
    compare(fn)


@pytest.mark.parametrize("case", ["pretrained_1d", "shape", "padding", "bag_padding",
                                  "sparse_freq"])
def test_module_errors(case):
    def fn(lib):
        nn = lib.nn
        {"sparse_freq": lambda: nn.Embedding(3, 2, scale_grad_by_freq=True, sparse=True)(
            lib.tensor([1])).sum().backward(),
         "pretrained_1d": lambda: nn.Embedding.from_pretrained(lib.ones(3)),
         "shape": lambda: nn.Embedding(3, 2, _weight=lib.ones(2, 2)),
         "padding": lambda: nn.Embedding(3, 2, padding_idx=3),
         "bag_padding": lambda: nn.EmbeddingBag(3, 2, padding_idx=-4)}[case]()
    same_error(fn)


def test_half_embedding():
    e, t = run(lambda lib: lib.nn.functional.embedding(
        lib.tensor([[1, 2]]), lib.tensor(W0, dtype=lib.float16)))
    assert str(e.dtype) == "ember.float16" and np.allclose(e.float().numpy(), t.float().numpy())
