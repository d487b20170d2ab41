"""Margin, embedding and sequence losses of torch.nn.functional: margin_ranking, hinge
embedding, soft margin, multilabel (soft) margin, cosine embedding, multi margin, triplet
margin (with a distance function) and ctc_loss.

`reduction` is 'none', 'mean' or 'sum'; the deprecated `size_average` / `reduce` flags, when
given, override it with torch's warning.
"""
from __future__ import annotations

from ember._ops import nn_loss_composite as composite
from ember._ops.distance import pairwise_distance
from ember._ops.nn_ctc import ctc_loss as _ctc_loss
from ember._ops.nn_loss import soft_margin_loss as _soft_margin_loss
from ember._ops.nn_loss_index import multi_margin_loss as _multi_margin_loss
from ember._ops.nn_loss_index import multilabel_margin_loss as _multilabel_margin_loss
from ember._ops.pointwise_binary import minimum
from ember.nn._reduction import get_enum, legacy_get_enum, legacy_get_string

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "multilabel_margin_loss",
           "soft_margin_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss",
           "multi_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
           "ctc_loss"]


def _enum(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return legacy_get_enum(size_average, reduce)
    return get_enum(reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin): target 1 asks input1 to rank higher."""
    reduction_enum = _enum(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {input1.size()}, input2: {input2.size()}, target: "
            f"{target.size()} ")
    return composite.margin_ranking_loss(input1, input2, target, margin, reduction_enum)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1."""
    return composite.hinge_embedding_loss(input, target, margin,
                                          _enum(size_average, reduce, reduction))


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Hinge loss between each listed target class (indices up to the first -1) and every
    other class, summed and divided by the number of classes."""
    return _multilabel_margin_loss(input, target, _enum(size_average, reduce, reduction))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)) for targets of 1 / -1."""
    return _soft_margin_loss(input, target, _enum(size_average, reduce, reduction))


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Per-class binary cross entropy of logits, averaged over the classes (last dim)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    from ember.nn.functional import logsigmoid
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1."""
    return composite.cosine_embedding_loss(input1, input2, target, margin,
                                           _enum(size_average, reduce, reduction))


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss: sum over j != y of weight[y] max(0, margin - x[y] + x[j])^p,
    divided by the number of classes (p is 1 or 2)."""
    reduction_enum = _enum(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    return _multi_margin_loss(input, target, p, margin, weight, reduction_enum)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, margin + ||a - p||_p - ||a - n||_p) (with `swap`, the negative distance is the
    smaller of d(a, n) and d(p, n))."""
    reduction_enum = _enum(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return composite.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                         reduction_enum)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """triplet_margin_loss with any `distance_function(x1, x2)` (pairwise_distance when
    None)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    return composite.apply_loss_reduction(loss, get_enum(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification loss of log-probabilities (T, N, C) against
    padded (N, S) or concatenated targets; 'mean' divides each sample's loss by its target
    length, then averages over the batch."""
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                     get_enum(reduction), zero_infinity)
