"""NumPy kernel for fused scaled dot-product attention (CPU backend).

q (B, Hq, L, E), k (B, Hkv, S, E), v (B, Hkv, S, Ev) with Hq a multiple of Hkv (grouped
query attention: key/value head j serves query heads j*G .. j*G + G - 1). The query heads
of a group are folded into the row dimension, so one batched GEMM per product serves all
of them without repeating k or v.
"""
from __future__ import annotations

import numpy as np

from ember._backend.numpy_math import _LOW


def _group(a, kv_heads):
    """(B, Hq, L, E) -> (B, Hkv, G * L, E)."""
    b, h, n, e = a.shape
    return a.reshape(b, kv_heads, (h // kv_heads) * n, e)


class NumpyAttention:
    """Attention kernels mixed into the NumPy backend."""

    @staticmethod
    def sdpa(q, k, v, mask, scale, causal):
        """(output (B, Hq, L, Ev), attention probabilities (B, Hq, L, S)).

        `mask` (None, bool: True takes part, or additive float) broadcasts to (B, Hq, L, S);
        `causal` keeps key j <= query i. Rows with no key left give zeros, not NaN.
        """
        low = q.dtype if q.dtype in _LOW else None
        if low is not None:
            q, k, v = (a.astype(np.float32) for a in (q, k, v))
            if mask is not None and mask.dtype != np.bool_:
                mask = mask.astype(np.float32)
        batch, heads, length, _ = q.shape
        kv_heads, source = k.shape[1], k.shape[2]
        scores = np.matmul(_group(q, kv_heads), np.swapaxes(k, -1, -2))
        scores = scores.reshape(batch, heads, length, source)
        scores *= scale
        if causal:
            keep = np.tril(np.ones((length, source), dtype=bool))
            scores = np.where(keep, scores, -np.inf).astype(scores.dtype, copy=False)
        if mask is not None:
            if mask.dtype == np.bool_:
                scores = np.where(mask, scores, -np.inf).astype(scores.dtype, copy=False)
            else:
                scores = scores + mask
        probs = _safe_softmax_(scores)
        out = np.matmul(_group(probs, kv_heads), v)
        out = out.reshape(batch, heads, length, v.shape[-1])
        if low is not None:
            return out.astype(low), probs.astype(low)
        return out, probs

    @staticmethod
    def safe_softmax(x):
        """softmax over the last dim; a row that is -inf throughout gives zeros."""
        y = x.astype(np.float32) if x.dtype in _LOW else x.copy()
        return _safe_softmax_(y).astype(x.dtype, copy=False)


def _safe_softmax_(s):
    """Softmax over the last axis, in place."""
    top = s.max(axis=-1, keepdims=True)
    top[np.isneginf(top)] = 0        # a fully masked row: exp(-inf) = 0 everywhere
    s -= top
    np.exp(s, out=s)
    total = s.sum(axis=-1, keepdims=True)
    total[total == 0] = 1
    s /= total
    return s
