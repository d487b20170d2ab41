"""Distances: cdist (the direct p-norm kernel, or torch's matmul form of the Euclidean
distance), cosine_similarity and pairwise_distance, composed as torch composes them."""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._errors import broadcast_shapes
from ember._ops._registry import Op, apply
from ember.autograd.grad_mode import no_grad

__all__ = ["cdist", "cosine_similarity", "pairwise_distance"]
FUNCTIONS_ONLY = frozenset(__all__)

_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
          "donot_use_mm_for_euclid_dist": 2}


def _pnorm(xp, diff, p, axis):
    a = xp.abs(diff)
    if p == 0:
        return xp.sum(a != 0, axis=axis).astype(diff.dtype)
    if p == math.inf:
        return xp.max(a, axis=axis) if a.shape[axis] else xp.zeros(a.shape[:-1], a.dtype)
    if p == 1:
        return xp.sum(a, axis=axis)
    if p == 2:
        return xp.sqrt(xp.sum(a * a, axis=axis))
    return xp.power(xp.sum(xp.power(a, p), axis=axis), 1.0 / p)


class CdistBackward0(Op):
    """Pairwise p-norm distances between the rows of x1 and x2 (batch dims broadcast)."""

    save_inputs = (0, 1)
    save_outputs = (0,)

    def forward(self, be, x1, x2, *, p):
        self.p = p
        return _pnorm(be.xp, x1[..., :, None, :] - x2[..., None, :, :], p, -1)

    def backward(self, g):
        x1, x2, dist = self.saved
        need1, need2 = self.needs_input_grad
        grads = apply(CdistBackwardBackward0, (g, x1, x2, dist), p=self.p)
        return (grads[0] if need1 else None), (grads[1] if need2 else None)


class CdistBackwardBackward0(Op):
    """cdist's gradients for x1 and x2 (torch does not differentiate them again)."""

    def forward(self, be, g, x1, x2, dist, *, p):
        xp = be.xp
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        d = dist[..., None]
        if p == 0:
            f = xp.zeros_like(diff)
        elif p == 1:
            f = xp.sign(diff)
        elif p == math.inf:
            f = xp.sign(diff) * (xp.abs(diff) == d)
        else:
            safe = xp.where(d == 0, 1, d)
            if p < 2:
                a = xp.where(diff == 0, 1, xp.abs(diff))
                f = xp.where((diff == 0) | (d == 0), 0,
                             xp.sign(diff) * xp.power(a, p - 1) / xp.power(safe, p - 1))
            else:
                f = xp.where(d == 0, 0, diff * xp.power(xp.abs(diff), p - 2) /
                             xp.power(safe, p - 1))
        f = f * g[..., None]
        return xp.sum(f, axis=-2).astype(x1.dtype), (-xp.sum(f, axis=-3)).astype(x2.dtype)

    def backward(self, *grads):
        raise RuntimeError("the derivative for '_cdist_backward' is not implemented.")


class EuclideanDistBackward0(Op):
    """sqrt(max(|x1|^2 - 2 x1.x2 + |x2|^2, 0)) computed with one matmul, as torch does."""

    save_inputs = (0, 1)
    save_outputs = (0,)

    def forward(self, be, x1, x2):
        xp = be.xp
        n1 = xp.sum(x1 * x1, axis=-1, keepdims=True)
        n2 = xp.sum(x2 * x2, axis=-1, keepdims=True)
        a = xp.concatenate([-2 * x1, n1, xp.ones_like(n1)], axis=-1)
        b = xp.concatenate([x2, xp.ones_like(n2), n2], axis=-1)
        return xp.sqrt(xp.maximum(be.matmul(a, xp.swapaxes(b, -1, -2)), 0))

    def backward(self, g):
        x1, x2, res = self.saved
        ratio = (g / res).masked_fill(res == 0, 0)
        need1, need2 = self.needs_input_grad
        g1 = x1 * ratio.sum(-1, True) - ratio.matmul(x2) if need1 else None
        g2 = x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT.matmul(x1) if need2 else None
        return g1, g2


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Distances between each row of x1 (…, P, M) and each row of x2 (…, R, M)."""
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _MODES[compute_mode]
    for t, name in ((x1, "X1"), (x2, "X2")):
        if t._arr.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t._arr.ndim}D")
    c1, c2 = x1._arr.shape[-1], x2._arr.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    for t, name in ((x1, "X1"), (x2, "X2")):
        if t.dtype.category != D.FLOAT:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{D.type_name(t.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    r1, r2 = x1._arr.shape[-2], x2._arr.shape[-2]
    batch = broadcast_shapes(x1._arr.shape[:-2], x2._arr.shape[:-2])
    a = x1.expand(batch + (r1, c1)) if x1._arr.shape[:-2] != batch else x1
    b = x2.expand(batch + (r2, c1)) if x2._arr.shape[:-2] != batch else x2
    nonempty = x1._arr.size and x2._arr.size
    if nonempty and p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        return apply(EuclideanDistBackward0, (a, b)).view(batch + (r1, r2))
    return apply(CdistBackward0, (a, b), p=float(p))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """<x1, x2> / (max(|x1|, eps) max(|x2|, eps)) along `dim` (broadcasting)."""
    from ember._ops.linalg_norms import vector_norm
    dt = D.result_dtype((x1, x2))
    if dt.category != D.FLOAT:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{D.type_name(dt)}")
    x1 = x1.to(dt) if x1.dtype.category <= D.INT else x1
    x2 = x2.to(dt) if x2.dtype.category <= D.INT else x2
    shape = broadcast_shapes(x1._arr.shape, x2._arr.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = vector_norm(x1, 2, dim, True).clone()
    n2 = vector_norm(x2, 2, dim, True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps over the last dim."""
    from ember._ops.linalg_norms import NormBackward1, apply_vector_norm
    last = max(x1._arr.ndim, x2._arr.ndim) - 1
    return apply_vector_norm(NormBackward1, x1 - x2 + eps, p, last, keepdim, None)
