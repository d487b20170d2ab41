"""Scaled dot-product attention: the fused node torch's CPU runs when it can, and the math
composition it falls back to (nn.functional.scaled_dot_product_attention picks).

The fused node keeps the attention probabilities of its forward for the backward; under
``create_graph`` they are recomputed with the (differentiable) math composition instead.
"""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._registry import Op, apply
from ember._ops.nn_dropout import dropout
from ember._ops.creation import ones, zeros_like
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD


class SafeSoftmaxBackward0(Op):
    """softmax over the last dim, zeros for rows that are -inf throughout."""

    save_outputs = (0,)

    def forward(self, be, x):
        return be.safe_softmax(x)

    def backward(self, g):
        (y,) = self.saved
        gy = g * y
        return gy - y * gy.sum(-1, keepdim=True)


def safe_softmax(x):
    return apply(SafeSoftmaxBackward0, (x,))


class ScaledDotProductFlashAttentionForCpuBackward0(Op):
    """softmax(q k^T * scale + mask) v over 4-D (B, H, L, E) inputs; key/value may have
    fewer heads than the query (grouped query attention). The mask takes no gradient."""

    save_inputs = (0, 1, 2, 3)

    def forward(self, be, q, k, v, mask, *, scale, causal):
        out, probs = be.sdpa(q, k, v, mask, scale, causal)
        self.probs, self.scale, self.causal = probs, scale, causal
        return out

    def _release(self):
        super()._release()
        self.probs = None

    def backward(self, g):
        q, k, v, mask = self.saved
        if GRAD.grad:      # create_graph: probabilities that depend on q and k
            probs = attention_probs(q, k, mask, self.scale, self.causal, True)
        else:
            probs = _wrap(self.probs, q.dtype, q._be)
        batch, heads, length, _ = q.shape
        kv_heads, source = k.shape[1], k.shape[2]
        rows = (heads // kv_heads) * length
        p = probs.reshape(batch, kv_heads, rows, source)
        grad = g.reshape(batch, kv_heads, rows, g.shape[-1])
        dv = p.transpose(-1, -2).matmul(grad)
        dp = grad.matmul(v.transpose(-1, -2))
        ds = p * (dp - (dp * p).sum(-1, keepdim=True))
        dq = ds.matmul(k).mul(self.scale).reshape(q.shape)
        dk = ds.transpose(-1, -2).matmul(q.reshape(batch, kv_heads, rows, q.shape[-1]))
        return dq, dk.mul(self.scale), dv, None


def fused_attention(q, k, v, mask, scale, causal):
    return apply(ScaledDotProductFlashAttentionForCpuBackward0, (q, k, v, mask), scale=scale,
                 causal=causal)


def attention_probs(q, k, mask, scale, causal, gqa):
    """safe_softmax(q k^T * scale + mask) as torch's math path composes it: q and k^T are
    each scaled by sqrt(scale); a bool mask (and the causal one) becomes 0 / -inf."""
    if gqa and k.dim() >= 3 and k.shape[-3] != q.shape[-3]:
        k = k.repeat_interleave(q.shape[-3] // k.shape[-3], -3)
    root = math.sqrt(scale)
    scores = (q * root).matmul(k.transpose(-2, -1) * root)
    if causal:
        length, source = q.shape[-2], k.shape[-2]
        mask = ones(length, source, dtype=D.bool, device=q.device).tril()
    if mask is not None:
        if mask.dtype is D.bool:
            mask = zeros_like(mask, dtype=scores.dtype).masked_fill(mask.logical_not(),
                                                                    float("-inf"))
        scores = scores + mask
    return safe_softmax(scores)


def math_attention(q, k, v, mask, dropout_p, scale, causal, gqa):
    """torch's composite attention: probabilities, dropout on them, then times v."""
    probs = attention_probs(q, k, mask, scale, causal, gqa)
    if dropout_p > 0:
        probs = dropout(probs, dropout_p, True)
    if gqa and v.dim() >= 3 and v.shape[-3] != q.shape[-3]:
        v = v.repeat_interleave(q.shape[-3] // v.shape[-3], -3)
    return probs.matmul(v)
