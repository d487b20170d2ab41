"""scaled_dot_product_attention, multi_head_attention_forward, MultiheadAttention and the
Transformer family against torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from nn._helpers import both, same, same_error

import ember

torch = pytest.importorskip("torch")

F64 = {"rtol": 1e-9, "atol": 1e-10}
F32 = {"rtol": 1e-4, "atol": 1e-5}


def _close(e, t, tol):
    if isinstance(e, (list, tuple)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _close(a, b, tol)
    elif isinstance(e, np.ndarray):
        assert e.shape == t.shape and e.dtype == t.dtype
        np.testing.assert_allclose(e, t, **tol)
    else:
        assert e == t, (e, t)


def _np(t):
    return None if t is None else t.detach().numpy()


def _array(lib, rng, shape, dtype, grad=True):
    return lib.tensor(rng.standard_normal(shape), dtype=getattr(lib, dtype), requires_grad=grad)


# --- scaled_dot_product_attention ------------------------------------------------------------
def _sdpa_case(lib, shapes, mask=None, dtype="float64", double=False, **kwargs):
    lib.manual_seed(0)
    rng = np.random.default_rng(7)
    q, k, v = (_array(lib, rng, s, dtype) for s in shapes)
    if mask is not None:
        mask = lib.tensor(mask) if mask.dtype == bool else lib.tensor(mask, dtype=q.dtype)
    sdpa = lib.nn.functional.scaled_dot_product_attention
    if double and lib is torch:        # torch's fused CPU kernel has no double backward
        from torch.nn.attention import SDPBackend, sdpa_kernel
        with sdpa_kernel(SDPBackend.MATH):
            out = sdpa(q, k, v, attn_mask=mask, **kwargs)
    else:
        out = sdpa(q, k, v, attn_mask=mask, **kwargs)
    if double:
        grads = lib.autograd.grad((out * out).sum(), [q, k, v], create_graph=True)
        sum(g.sin().sum() for g in grads).backward()
    else:
        out.sin().sum().backward()
    return type(out.grad_fn).__name__, [_np(out), _np(q.grad), _np(k.grad), _np(v.grad)]


_M = np.random.default_rng(3)
FOUR = ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8))
SDPA_CASES = {
    "plain": (FOUR, {}),
    "float_mask": (FOUR, {"mask": _M.standard_normal((4, 5))}),
    "bool_mask_4d": (FOUR, {"mask": _M.standard_normal((2, 1, 4, 5)) > -0.3}),
    "masked_row": (FOUR, {"mask": np.array([[True] * 5, [False] * 5] * 2)}),
    "causal_scale": (FOUR, {"is_causal": True, "scale": 0.3}),
    "gqa": (((2, 4, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8)), {"enable_gqa": True}),
    "three_d": (((2, 4, 8), (2, 5, 8), (2, 5, 6)), {}),
    "mask_3d": (FOUR, {"mask": _M.standard_normal((3, 4, 5))}),
    "three_d_causal": (((2, 4, 8), (2, 4, 8), (2, 4, 8)), {"is_causal": True}),
    "two_d": (((4, 8), (5, 8), (5, 8)), {"mask": _M.standard_normal((4, 5)) > 0}),
    "gqa_3d": (((4, 4, 8), (2, 5, 8), (2, 5, 8)), {"enable_gqa": True}),
    "broadcast_batch": (((2, 3, 4, 8), (1, 3, 5, 8), (1, 3, 5, 8)), {}),
    "dropout": (FOUR, {"dropout_p": 0.4}),
    "float32": (FOUR, {"dtype": "float32"}),
}


@pytest.mark.parametrize("case", sorted(SDPA_CASES))
def test_sdpa(case):
    shapes, kwargs = SDPA_CASES[case]
    e, t = both(lambda lib: _sdpa_case(lib, shapes, **kwargs))
    assert e[0] == t[0]
    _close(e[1], t[1], F32 if kwargs.get("dtype") == "float32" else F64)


@pytest.mark.parametrize("shapes,kwargs", [(FOUR, {}), (FOUR, {"mask": _M.random((4, 5))}),
                                           (((2, 4, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8)),
                                            {"enable_gqa": True, "is_causal": True})])
def test_sdpa_double_backward(shapes, kwargs):
    e, t = both(lambda lib: _sdpa_case(lib, shapes, double=True, **kwargs))
    _close(e[1], t[1], F64)


def test_sdpa_no_grad_and_low_precision():
    def fn(lib):
        rng = np.random.default_rng(0)
        q, k, v = (_array(lib, rng, s, "float32", grad=False) for s in FOUR)
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v)
        half = lib.nn.functional.scaled_dot_product_attention(q.bfloat16(), k.bfloat16(),
                                                              v.bfloat16())
        return out.grad_fn, str(half.dtype), half.float().numpy()
    e, t = both(fn)
    assert e[:2] == (None, "ember.bfloat16") and t[:2] == (None, "torch.bfloat16")
    np.testing.assert_allclose(e[2], t[2], rtol=2e-2, atol=2e-2)


SDPA_ERRORS = {
    "dtype": lambda lib: (lib.zeros(2, 2, 4), lib.zeros(2, 3, 4, dtype=lib.float64),
                          lib.zeros(2, 3, 4), {}),
    "dims": lambda lib: (lib.zeros(4), lib.zeros(4), lib.zeros(4), {}),
    "mask_dtype": lambda lib: (lib.zeros(2, 2, 4), lib.zeros(2, 3, 4), lib.zeros(2, 3, 4),
                               {"attn_mask": lib.ones(2, 3, dtype=lib.int64)}),
    "mask_causal": lambda lib: (lib.zeros(2, 2, 4), lib.zeros(2, 3, 4), lib.zeros(2, 3, 4),
                                {"attn_mask": lib.ones(2, 3, dtype=lib.bool),
                                 "is_causal": True}),
    "gqa": lambda lib: (lib.zeros(1, 4, 2, 4), lib.zeros(1, 3, 3, 4), lib.zeros(1, 3, 3, 4),
                        {"enable_gqa": True}),
    "heads": lambda lib: (lib.zeros(1, 4, 2, 4), lib.zeros(1, 2, 3, 4), lib.zeros(1, 2, 3, 4),
                          {}),
    "dropout": lambda lib: (lib.zeros(2, 2, 4), lib.zeros(2, 3, 4), lib.zeros(2, 3, 4),
                            {"dropout_p": 1.5}),
}


@pytest.mark.parametrize("case", sorted(SDPA_ERRORS))
def test_sdpa_errors(case):
    def fn(lib):
        q, k, v, kwargs = SDPA_ERRORS[case](lib)
        lib.nn.functional.scaled_dot_product_attention(q, k, v, **kwargs)
    same_error(fn)


# --- MultiheadAttention ----------------------------------------------------------------------
def _mha_case(lib, kwargs, call, train=False, dtype="float64", unbatched=False):
    lib.manual_seed(0)
    m = lib.nn.MultiheadAttention(8, 2, **kwargs).to(getattr(lib, dtype))
    m.train(train)
    rng = np.random.default_rng(1)
    first = kwargs.get("batch_first", False)

    def make(length, width=8):
        shape = (length, width) if unbatched else \
            ((3, length, width) if first else (length, 3, width))
        return _array(lib, rng, shape, dtype)
    q = make(4)
    if call.get("self"):
        k = v = q
    else:
        k = make(5, kwargs.get("kdim", 8))
        v = k if call.get("kv_same") else make(5, kwargs.get("vdim", 8))
    src = 4 if call.get("self") else 5
    args = {key: call[key] for key in ("need_weights", "average_attn_weights", "is_causal")
            if key in call}
    if "am" in call:
        mask = call["am"](src)
        args["attn_mask"] = lib.tensor(mask) if mask.dtype == bool else \
            lib.tensor(mask, dtype=q.dtype)
    if "kpm" in call:
        pad = np.array([[False] * (src - 1) + [True], [False] * src, [True] + [False] * (src - 1)])
        args["key_padding_mask"] = lib.tensor(pad[0] if unbatched else pad)
    out, weights = m(q, k, v, **args)
    loss = out.sin().sum() + (0 if weights is None else (weights * weights).sum())
    loss.backward()
    grads = [_np(p.grad) for p in m.parameters()] + [_np(q.grad)]
    return (repr(m), [n for n, _ in m.named_parameters()], type(out.grad_fn).__name__,
            [_np(out), _np(weights)] + grads)


def _noise(*shape):
    return np.random.default_rng(5).standard_normal(shape)


def _causal(n):
    return np.triu(np.full((4, n), -np.inf), 1)


MHA_CASES = {
    "cross": ({}, {}),
    "self": ({}, {"self": True}),
    "kv_same": ({}, {"kv_same": True}),
    "batch_first_sdpa": ({"batch_first": True}, {"self": True, "need_weights": False}),
    "bias_kv_zero_attn": ({"bias": False, "add_bias_kv": True, "add_zero_attn": True},
                          {"am": lambda s: _noise(4, s), "kpm": True}),
    "kdim_vdim": ({"kdim": 5, "vdim": 6}, {"need_weights": False,
                                           "am": lambda s: _noise(4, s) > 0.8}),
    "causal_sdpa": ({}, {"self": True, "am": _causal, "is_causal": True,
                         "need_weights": False}),
    "causal_weights": ({}, {"self": True, "am": _causal, "is_causal": True}),
    "per_head": ({}, {"average_attn_weights": False,
                      "am": lambda s: _noise(6, 4, s)}),
    "bias_kv_sdpa": ({"add_bias_kv": True}, {"need_weights": False, "kpm": True}),
}


@pytest.mark.parametrize("case", sorted(MHA_CASES))
def test_multihead_attention(case):
    kwargs, call = MHA_CASES[case]
    e, t = both(lambda lib: _mha_case(lib, kwargs, call))
    assert e[:3] == t[:3]
    _close(e[3], t[3], F64)


@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_dropout_draws_torch_bits(need_weights):
    call = {"self": True, "need_weights": need_weights}
    e, t = both(lambda lib: _mha_case(lib, {"dropout": 0.3}, call, train=True))
    _close(e[3], t[3], F64)


def test_multihead_attention_unbatched_and_float32():
    call = {"kpm": True}
    e, t = both(lambda lib: _mha_case(lib, {}, call, unbatched=True))
    assert e[2] == t[2]
    _close(e[3], t[3], F64)
    e, t = both(lambda lib: _mha_case(lib, {"batch_first": True}, {}, dtype="float32"))
    _close(e[3], t[3], F32)


def test_multihead_attention_seeded_init():
    def fn(lib):
        lib.manual_seed(3)
        a = lib.nn.MultiheadAttention(6, 3, add_bias_kv=True)
        b = lib.nn.MultiheadAttention(6, 2, kdim=4, vdim=5, bias=False)
        return [(n, p.detach().numpy().tobytes()) for m in (a, b)
                for n, p in m.named_parameters()] + [repr(a), a.head_dim, b._qkv_same_embed_dim]
    same(fn)


def test_merge_masks():
    def fn(lib):
        m = lib.nn.MultiheadAttention(4, 2, batch_first=True)
        q = lib.zeros(2, 3, 4)
        am = lib.zeros(3, 3)
        kpm = lib.tensor([[0.0, 0.0, float("-inf")], [0.0] * 3])
        return [m.merge_masks(*args, q) for args in ((None, None), (None, kpm), (am, None),
                                                     (am, kpm))]
    same(fn)


MHA_ERRORS = {
    "divisible": lambda lib: lib.nn.MultiheadAttention(6, 4),
    "zero": lambda lib: lib.nn.MultiheadAttention(0, 4),
    "query_dims": lambda lib: lib.nn.MultiheadAttention(4, 2)(lib.zeros(1, 2, 3, 4),
                                                             lib.zeros(3, 4), lib.zeros(3, 4)),
    "key_dims": lambda lib: lib.nn.MultiheadAttention(4, 2)(lib.zeros(2, 3, 4),
                                                           lib.zeros(3, 4), lib.zeros(3, 4)),
    "embed": lambda lib: lib.nn.MultiheadAttention(4, 2)(lib.zeros(2, 3, 6), lib.zeros(2, 3, 6),
                                                        lib.zeros(2, 3, 6)),
    "mask_2d": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        lib.zeros(2, 3, 4), lib.zeros(5, 3, 4), lib.zeros(5, 3, 4), attn_mask=lib.zeros(2, 4)),
    "mask_3d": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        lib.zeros(2, 3, 4), lib.zeros(5, 3, 4), lib.zeros(5, 3, 4), attn_mask=lib.zeros(2, 2, 5)),
    "mask_type": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        lib.zeros(2, 3, 4), lib.zeros(5, 3, 4), lib.zeros(5, 3, 4),
        attn_mask=lib.zeros(2, 5, dtype=lib.int64)),
    "padding": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        lib.zeros(2, 3, 4), lib.zeros(5, 3, 4), lib.zeros(5, 3, 4),
        key_padding_mask=lib.zeros(3, 4, dtype=lib.bool)),
    "causal": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        lib.zeros(2, 3, 4), lib.zeros(5, 3, 4), lib.zeros(5, 3, 4), is_causal=True),
    "kv_shape": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        lib.zeros(2, 3, 4), lib.zeros(5, 3, 4), lib.zeros(6, 3, 4)),
}


@pytest.mark.parametrize("case", sorted(MHA_ERRORS))
def test_multihead_attention_errors(case):
    same_error(MHA_ERRORS[case])


def test_mismatched_mask_types_warn():
    m = ember.nn.MultiheadAttention(4, 2)
    x = ember.zeros(2, 3, 4)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask"):
        m(x, x, x, key_padding_mask=ember.zeros(3, 2, dtype=ember.bool),
          attn_mask=ember.zeros(2, 2))


# --- Transformer modules -----------------------------------------------------------------------
def _encoder_case(lib, kwargs, train=False, dtype="float64", mask=None, padding=False,
                  unbatched=False, is_causal=None):
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8))
    m = m.to(getattr(lib, dtype)).train(train)
    rng = np.random.default_rng(0)
    shape = (5, 8) if unbatched else ((3, 5, 8) if kwargs.get("batch_first") else (5, 3, 8))
    x = _array(lib, rng, shape, dtype)
    args = {}
    if mask:
        args["mask"] = lib.nn.Transformer.generate_square_subsequent_mask(
            5, dtype=getattr(lib, dtype))
    if padding:
        pad = np.array([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])
        args["src_key_padding_mask"] = lib.tensor(pad[1] if unbatched else pad)
    if is_causal is not None:
        args["is_causal"] = is_causal
    y = m(x, **args)
    y.sin().sum().backward()
    return (repr(m), [n for n, _ in m.named_parameters()],
            [_np(y), _np(x.grad)] + [_np(p.grad) for p in m.parameters()])


ENCODER_CASES = {
    "post_norm": ({}, {}),
    "pre_norm_gelu": ({"norm_first": True, "activation": "gelu"}, {}),
    "batch_first_causal": ({"batch_first": True}, {"mask": True}),
    "padding": ({}, {"padding": True}),
    "no_bias": ({"batch_first": True, "bias": False}, {"padding": True, "mask": True}),
    "dropout": ({"dropout": 0.2}, {"train": True}),
    "unbatched": ({}, {"unbatched": True, "padding": True}),
    "is_causal": ({"activation": ember.nn.functional.gelu}, {"mask": True, "is_causal": True}),
    "float32": ({}, {"dtype": "float32"}),
}


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("case", sorted(ENCODER_CASES))
def test_transformer_encoder(case):
    kwargs, extra = ENCODER_CASES[case]
    torch_kwargs = dict(kwargs)
    if callable(kwargs.get("activation")):
        torch_kwargs["activation"] = torch.nn.functional.gelu
    e = _encoder_case(ember, kwargs, **extra)
    t = _encoder_case(torch, torch_kwargs, **extra)
    assert e[:2] == t[:2]
    _close(e[2], t[2], F32 if extra.get("dtype") == "float32" else F64)


def _transformer_case(lib, kwargs, train=False):
    lib.manual_seed(0)
    m = lib.nn.Transformer(8, 2, 2, 1, 16, **kwargs).double().train(train)
    rng = np.random.default_rng(0)
    first = kwargs.get("batch_first")
    src = _array(lib, rng, (3, 5, 8) if first else (5, 3, 8), "float64")
    tgt = _array(lib, rng, (3, 4, 8) if first else (4, 3, 8), "float64")
    tgt_mask = m.generate_square_subsequent_mask(4, dtype=lib.float64)
    memory_padding = lib.tensor([[False] * 5, [False] * 4 + [True], [False] * 5])
    y = m(src, tgt, tgt_mask=tgt_mask, tgt_is_causal=True,
          memory_key_padding_mask=memory_padding)
    y.sum().backward()
    return (repr(m), [n for n, _ in m.named_parameters()],
            [_np(y), _np(src.grad), _np(tgt.grad)] + [_np(p.grad) for p in m.parameters()])


@pytest.mark.parametrize("kwargs,train", [({}, False), ({"batch_first": True,
                                                         "norm_first": True}, False),
                                          ({"dropout": 0.3}, True)])
def test_transformer(kwargs, train):
    e, t = both(lambda lib: _transformer_case(lib, kwargs, train))
    assert e[:2] == t[:2]
    _close(e[2], t[2], F64)


@pytest.mark.parametrize("padding", [[[False, False, True, True], [False] * 4],
                                     [[True, False, False, True], [False] * 4]])
@pytest.mark.parametrize("grad", [False, True])
def test_encoder_inference_zeroes_padding_like_torch(padding, grad):
    def fn(lib):
        lib.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        m = lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8)).eval()
        x = lib.tensor(np.random.default_rng(0).standard_normal((2, 4, 8)), dtype=lib.float32)
        with lib.set_grad_enabled(grad):
            return _np(m(x, src_key_padding_mask=lib.tensor(padding)))
    e, t = both(fn)
    _close(e, t, F32)


def test_nested_tensor_warning_and_mask():
    def fn(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            enc = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2), 1)
        return ([str(w.message) for w in caught], enc.use_nested_tensor,
                lib.nn.Transformer.generate_square_subsequent_mask(3).tolist())
    same(fn)


@pytest.mark.parametrize("case", ["batch", "features", "activation"])
def test_transformer_errors(case):
    def fn(lib):
        if case == "activation":
            lib.nn.TransformerEncoderLayer(4, 2, activation="tanh")
        m = lib.nn.Transformer(4, 2, 1, 1, 8)
        src = lib.zeros(5, 3, 4)
        tgt = lib.zeros(2, 2, 4) if case == "batch" else lib.zeros(2, 3, 6)
        m(src, tgt)
    same_error(fn)
