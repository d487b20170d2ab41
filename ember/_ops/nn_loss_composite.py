"""Losses torch builds from other ops (torch.kl_div, poisson_nll_loss, hinge_embedding_loss,
margin_ranking_loss, cosine_embedding_loss, triplet_margin_loss): composed here the way
torch composes them, so results, dtypes and the outer graph nodes match.

`reduction` is torch's enum: 0 none, 1 mean, 2 sum.

NOTE(torch): these torch.* functions behave as if their default reduction were 0 (none),
although torch documents Mean; ember follows the behaviour.
"""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._registry import Op
from ember._ops.calculus import _scalar_op
from ember._ops.creation import full_like, ones_like, zeros_like
from ember._ops.distance import pairwise_distance
from ember._ops.explog import xlogy
from ember._ops.pointwise_binary import minimum
from ember._ops.where import where

__all__ = ["kl_div", "poisson_nll_loss", "hinge_embedding_loss", "margin_ranking_loss",
           "cosine_embedding_loss", "triplet_margin_loss"]
FUNCTIONS_ONLY = tuple(__all__)

EPSILON = 1e-12     # added to the squared norms in cosine_embedding_loss


class AddBackward1(Op):
    """A tensor plus a Python number (torch's add.Scalar, which its C++ losses record)."""

    def forward(self, be, x, *, other):
        return x + be.xp.asarray(other, x.dtype)

    def backward(self, g):
        return g


def add_scalar(t, number):
    """``t + number`` recorded as torch's C++ composites record it (AddBackward1)."""
    return _scalar_op(AddBackward1, t, number)


def apply_loss_reduction(loss, reduction):
    """`loss` averaged (1), summed (2) or as it is (any other value)."""
    if reduction == 1:
        return loss.mean()
    if reduction == 2:
        return loss.sum()
    return loss


def kl_div(input, target, reduction=0, *, log_target=False):
    """Pointwise KL divergence of log-probabilities `input` from `target` (probabilities, or
    log-probabilities with `log_target`): target * (log(target) - input), 0 where target is
    0."""
    if input.dtype.category < D.FLOAT or target.dtype.category < D.FLOAT:
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = xlogy(target, target) - target * input
    return apply_loss_reduction(loss, reduction)


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """Poisson negative log likelihood: exp(input) - target * input with `log_input`, else
    input - target * log(input + eps); `full` adds Stirling's approximation of log(target!)
    where target > 1."""
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * add_scalar(input, float(eps)).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return apply_loss_reduction(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """input where target is 1, max(0, margin - input) where target is -1 (both terms where
    target is neither)."""
    zeros = zeros_like(input)
    # torch forms margin - input in the input's dtype (a tensor filled with margin)
    margin_clamp = (full_like(input, margin) - input).clamp_min(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return apply_loss_reduction(output_margin + output_self, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """max(0, -target * (input1 - input2) + margin)."""
    return apply_loss_reduction(add_scalar(-target * (input1 - input2), float(margin)).clamp_min(0),
                                reduction)


def _check_cosine(input1, input2, target):
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if targ_dim == 1 else 1
    if input1.dim() != want:
        sizes = f"{list(input1.shape)} and {list(input2.shape)}"
        raise RuntimeError(f"{targ_dim}D target tensor expects {want}D input tensors, but found "
                           f"inputs with sizes {sizes}.")


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1 (0
    elsewhere); rows are compared for 2-D inputs with a 1-D target."""
    _check_cosine(input1, input2, target)
    d = target.dim()
    prod_sum = (input1 * input2).sum(d)
    mag_square1 = (input1 * input1).sum(d) + EPSILON
    mag_square2 = (input2 * input2).sum(d) + EPSILON
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = zeros_like(cos)
    pos = ones_like(cos) - cos
    neg = (cos - margin).clamp_min(0)
    output = where(target == 1, pos, zeros) + where(target == -1, neg, zeros)
    return apply_loss_reduction(output, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False,
                        reduction=0):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with the p-norm pairwise
    distance; `swap` uses the smaller of d(a, n) and d(p, n)."""
    dims = [t.dim() for t in (anchor, positive, negative)]
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    loss = (add_scalar(dist_pos, float(margin)) - dist_neg).clamp_min(0)
    return apply_loss_reduction(loss, reduction)
