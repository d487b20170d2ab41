"""Attention (torch.nn.functional): scaled_dot_product_attention and the multi-head
attention forward behind nn.MultiheadAttention, with its mask helpers."""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._attention import fused_attention, math_attention
from ember._ops.blas import bmm
from ember._ops.blas_extra import baddbmm
from ember._ops.creation import zeros
from ember._ops.join import cat
from ember._ops.softmax import softmax
from ember._tensor import _c_name
from ember.nn.functional._attention_utils import (_canonical_mask, _in_projection,
                                                  _in_projection_packed, _mha_shape_check,
                                                  _none_or_dtype, _pad_key)
from ember.nn.functional.dropout import dropout
from ember.nn.functional.linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


# --- scaled dot-product attention ---------------------------------------------------------
def _check_sdpa(query, key, value, attn_mask, enable_gqa):
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_c_name(query.dtype)} key.dtype: {_c_name(key.dtype)} and value.dtype: "
            f"{_c_name(value.dtype)} instead.")
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
            "instead.")
    if attn_mask is not None and attn_mask.dtype is not D.bool and \
            attn_mask.dtype is not query.dtype:
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_c_name(attn_mask.dtype)} and  query.dtype: "
            f"{_c_name(query.dtype)} instead.")
    if enable_gqa and query.dim() >= 3:
        heads = query.shape[-3]
        if heads % key.shape[-3] or heads % value.shape[-3]:
            raise RuntimeError("Number of heads in key and value must divide the number of "
                               "heads in ")


def _fusable(query, key, value, attn_mask, dropout_p, enable_gqa):
    """Whether torch's CPU would run its fused kernel for these inputs."""
    if dropout_p != 0 or not query.dim() == key.dim() == value.dim() == 4:
        return False
    if attn_mask is not None and (attn_mask.requires_grad or attn_mask.dim() not in (2, 4)):
        return False
    if not query.shape[0] == key.shape[0] == value.shape[0] or key.shape[1] != value.shape[1]:
        return False
    if query.shape[1] != key.shape[1] and not enable_gqa:
        return False
    if not query.shape[-1] == key.shape[-1] == value.shape[-1]:
        return False
    if query.shape[2] == 0 or key.shape[2] == 0:
        return False
    return all(t.stride(-1) == 1 for t in (query, key, value))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(query @ key^T * scale + mask) @ value``, with dropout on the weights.

    A bool ``attn_mask`` marks with True the keys that take part; a float one is added to
    the scores. ``is_causal`` keeps key j <= query i (upper-left aligned). ``scale``
    defaults to 1/sqrt(E). With ``enable_gqa`` key/value may have fewer heads (dim -3) than
    the query, each serving a contiguous group of query heads.

    Shape: query (N, ..., Hq, L, E), key (N, ..., H, S, E), value (N, ..., H, S, Ev) ->
    (N, ..., Hq, L, Ev).
    """
    _check_sdpa(query, key, value, attn_mask, enable_gqa)
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    if _fusable(query, key, value, attn_mask, dropout_p, enable_gqa):
        return fused_attention(query, key, value, attn_mask, scale, is_causal)
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    return math_attention(query, key, value, attn_mask, dropout_p, scale, is_causal,
                          enable_gqa)


# --- multi-head attention -------------------------------------------------------------------
def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Multi-head attention over sequence-first inputs (what nn.MultiheadAttention runs).

    Returns (output (L, N, E), weights): the weights (N, L, S), averaged over heads unless
    ``average_attn_weights`` is False (then (N, heads, L, S)), when ``need_weights``; else
    None, and the attention runs through scaled_dot_product_attention.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    attn_mask, key_padding_mask, is_causal = _canonical_masks(
        attn_mask, key_padding_mask, is_causal, need_weights, query.dtype)
    head_dim = _check_dims(query, key, value, embed_dim_to_check, num_heads,
                           use_separate_proj_weight)
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight \
        else None
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, separate)
    attn_mask = _attn_mask_3d(attn_mask, tgt_len, key.shape[0], bsz * num_heads)
    if bias_k is not None or bias_v is not None:
        k, v, attn_mask, key_padding_mask = _append_bias_kv(k, v, bias_k, bias_v, attn_mask,
                                                            key_padding_mask, static_k,
                                                            static_v)
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _split_heads(k, static_k, "static_k", bsz * num_heads, head_dim)
    v = _split_heads(v, static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        shape = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(shape, dtype=k.dtype, device=k.device)], dim=1)
        v = cat([v, zeros(shape, dtype=v.dtype, device=v.device)], dim=1)
        attn_mask = None if attn_mask is None else _pad_key(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_key(key_padding_mask)
    attn_mask = _merge_padding(attn_mask, key_padding_mask, bsz, num_heads, k.size(1))
    dropout_p = dropout_p if training else 0.0
    out_proj = (out_proj_weight, out_proj_bias)
    if need_weights:
        out, weights = _attend_with_weights(q, k, v, attn_mask, dropout_p, out_proj,
                                            (tgt_len, bsz, num_heads), is_causal)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    out = _attend_sdpa(q, k, v, attn_mask, dropout_p, out_proj, (tgt_len, bsz, num_heads),
                       is_causal)
    return (out if is_batched else out.squeeze(1)), None


def _canonical_masks(attn_mask, key_padding_mask, is_causal, need_weights, dtype):
    """(attn_mask, key_padding_mask, is_causal) as additive float masks; a causal hint
    without padding or weights leaves the masking to sdpa."""
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        return None, None, True
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", dtype, False)
    return attn_mask, key_padding_mask, is_causal and key_padding_mask is None


def _project(query, key, value, in_proj_weight, in_proj_bias, separate):
    """q, k, v: by the stacked in_proj_weight, or by the `separate` (q, k, v) weights."""
    if separate is not None:
        for name, weight in zip("qkv", separate):
            if weight is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        return _in_projection(query, key, value, *separate, *biases)
    if in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    return _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)


def _check_dims(query, key, value, embed_dim_to_check, num_heads, separate):
    """head_dim, after torch's embedding and key/value shape checks."""
    embed_dim = query.shape[2]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if separate and key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                             f"value's {value.shape[:2]}")
    if not separate and key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape "
                             f"{value.shape}")
    return head_dim


def _attn_mask_3d(attn_mask, tgt_len, src_len, batch_heads):
    if attn_mask is None:
        return None
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (batch_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(batch_heads, tgt_len, src_len)}.")
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _append_bias_kv(k, v, bias_k, bias_v, attn_mask, key_padding_mask, static_k, static_v):
    """k and v with the learned bias key/value appended (one more source position)."""
    if bias_v is None:
        raise AssertionError("bias_k is set but bias_v is None")
    if bias_k is None:
        raise AssertionError("bias_v is set but bias_k is None")
    if static_k is not None:
        raise AssertionError("bias cannot be added to static key.")
    if static_v is not None:
        raise AssertionError("bias cannot be added to static value.")
    bsz = k.shape[1]
    k = cat([k, bias_k.repeat(1, bsz, 1)])
    v = cat([v, bias_v.repeat(1, bsz, 1)])
    attn_mask = None if attn_mask is None else _pad_key(attn_mask)
    key_padding_mask = None if key_padding_mask is None else _pad_key(key_padding_mask)
    return k, v, attn_mask, key_padding_mask


def _split_heads(t, static, name, batch_heads, head_dim):
    """(S, N, E) -> (N * heads, S, head_dim), or the given static (N * heads, S, head_dim)."""
    if static is None:
        return t.view(t.shape[0], batch_heads, head_dim).transpose(0, 1)
    if static.size(0) != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got "
                             f"{static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got "
                             f"{static.size(2)}")
    return static


def _merge_padding(attn_mask, key_padding_mask, bsz, num_heads, src_len):
    """attn_mask plus the key padding mask spread over the heads, (N * heads, 1 or L, S)."""
    if key_padding_mask is None:
        return attn_mask
    if key_padding_mask.shape[0] != bsz:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                             f"{key_padding_mask.shape[0]}")
    if key_padding_mask.shape[1] != src_len:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                             f"{key_padding_mask.shape[1]}")
    padding = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
        .reshape(bsz * num_heads, 1, src_len)
    return padding if attn_mask is None else attn_mask + padding


def _attend_with_weights(q, k, v, attn_mask, dropout_p, out_proj, dims, is_causal):
    """(output (L, N, E), weights (N, heads, L, S)) computed explicitly."""
    tgt_len, bsz, num_heads = dims
    if is_causal and attn_mask is None:
        raise AssertionError("FIXME: is_causal not implemented for need_weights")
    q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
    if attn_mask is not None:
        weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
    else:
        weights = bmm(q_scaled, k.transpose(-2, -1))
    weights = softmax(weights, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, p=dropout_p)
    out = bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, q.shape[-1] * num_heads)
    out = linear(out, *out_proj).view(tgt_len, bsz, -1)
    return out, weights.view(bsz, num_heads, tgt_len, -1)


def _attend_sdpa(q, k, v, attn_mask, dropout_p, out_proj, dims, is_causal):
    """Output (L, N, E) through scaled_dot_product_attention."""
    tgt_len, bsz, num_heads = dims
    src_len, head_dim = k.shape[1], q.shape[-1]
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, num_heads * head_dim)
    return linear(out, *out_proj).view(tgt_len, bsz, -1)
