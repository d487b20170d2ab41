"""Regression and classification losses of torch.nn.functional: l1, mse, huber, smooth_l1,
nll, cross_entropy, binary_cross_entropy (with logits), kl_div, poisson and gaussian nll.

`reduction` is 'none', 'mean' or 'sum'; the deprecated `size_average` / `reduce` flags, when
given, override it with torch's warning.
"""
from __future__ import annotations

import math
import warnings

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops import nn_loss
from ember._ops.broadcast import broadcast_shapes, broadcast_tensors
from ember._ops.calculus import DivBackward1, MulBackward1, _scalar_op
from ember._ops.nn_loss_composite import apply_loss_reduction
from ember._ops.nn_loss_composite import kl_div as _kl_div
from ember._ops.nn_loss_composite import poisson_nll_loss as _poisson_nll_loss
from ember._ops.nn_loss_index import nll_loss_nd
from ember._ops.softmax import log_softmax
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn._reduction import get_enum, legacy_get_enum, legacy_get_string

__all__ = ["l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "poisson_nll_loss", "gaussian_nll_loss"]


def _legacy(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    return reduction


def _warn_size(input, target):
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _weighted(loss, input, weight, reduction, mean_by_weight=True):
    """`loss * weight` reduced as torch's weighted l1 / mse / huber losses reduce it."""
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def _l1(input, target, reduction):
    return apply_loss_reduction((input - target).abs(), reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) absolute error |input - target|; with `weight`, 'mean' divides the
    weighted sum by the sum of the weights."""
    _warn_size(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    ex_input, ex_target = broadcast_tensors(input, target)
    if weight is not None:
        return _weighted((ex_input - ex_target).abs(), input, weight, reduction)
    return _l1(ex_input, ex_target, get_enum(reduction))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) squared error; with `weight`, 'mean' divides the weighted sum by the
    sum of the weights."""
    _warn_size(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    ex_input, ex_target = broadcast_tensors(input, target)
    if weight is not None:
        return _weighted((ex_input - ex_target).pow(2), input, weight, reduction)
    return nn_loss.mse_loss(ex_input, ex_target, get_enum(reduction))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, delta (|d| - delta / 2) elsewhere (d = input - target)."""
    _warn_size(input, target)
    ex_input, ex_target = broadcast_tensors(input, target)
    if weight is None:
        return nn_loss.huber_loss(ex_input, ex_target, get_enum(reduction), delta)
    loss = nn_loss.huber_loss(ex_input, ex_target, 0, delta)
    return _weighted(loss, input, weight, reduction, mean_by_weight=False)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, |d| - beta / 2 elsewhere; l1_loss when beta is 0."""
    _warn_size(input, target)
    reduction = get_enum(_legacy(size_average, reduce, reduction))
    ex_input, ex_target = broadcast_tensors(input, target)
    if beta == 0.0:
        return _l1(ex_input, ex_target, reduction)
    return nn_loss.smooth_l1_loss(ex_input, ex_target, reduction, beta)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """-input[n, target[n], ...] * weight[target], for log-probabilities `input` (C,),
    (N, C) or (N, C, d1, ...); 'mean' divides by the total weight of the counted targets.
    Targets equal to `ignore_index` count for nothing."""
    reduction = _legacy(size_average, reduce, reduction)
    return nll_loss_nd(input, target, weight, get_enum(reduction), ignore_index)


def _class_weight(weight, ndim, class_dim):
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    """Cross entropy against class probabilities of the input's shape."""
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of shape: "
                           f"{shape_str(weight.shape)}")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        _check_smoothing(label_smoothing)
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None and input.dim() > 1:
        prod = prod * _class_weight(weight, input.dim(), class_dim)
    elif weight is not None:
        prod = prod * weight
    if reduction == 1:
        return _scalar_op(DivBackward1, -prod.sum(), input.numel() // max(n_classes, 1))
    if reduction == 2:
        return -prod.sum()
    return -prod.sum(class_dim)


def _check_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")


def _cross_entropy_smoothed(input, target, weight, reduction, ignore_index, label_smoothing):
    """(1 - eps) nll + eps / C * (sum over classes of -log p), class-index targets."""
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    nll = nll_loss_nd(logp, target, weight, reduction, ignore_index)
    ignore_mask = target == ignore_index
    if weight is not None:
        smooth = -(logp * _class_weight(weight, logp.dim(), class_dim)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == 1:
        if weight is not None:
            kept = weight.gather(0, target.masked_select(~ignore_mask).flatten())
            smooth = smooth.sum() / kept.sum()
        else:
            smooth = smooth.sum() / (~ignore_mask).sum()
    elif reduction == 2:
        smooth = smooth.sum()
    return (_scalar_op(MulBackward1, nll, 1 - label_smoothing)
            + _scalar_op(MulBackward1, smooth, label_smoothing / n_classes))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dim (1, or 0 for a 1-D input) then nll_loss; a floating
    target of the input's shape holds class probabilities instead of indices.
    `label_smoothing` mixes the target with the uniform distribution."""
    reduction = get_enum(_legacy(size_average, reduce, reduction))
    if tuple(input.shape) == tuple(target.shape):
        if target.dtype.category != D.FLOAT:
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {D.type_name(target.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0.0:
        _check_smoothing(label_smoothing)
        return _cross_entropy_smoothed(input, target, weight, reduction, ignore_index,
                                       label_smoothing)
    class_dim = 0 if input.dim() == 1 else 1
    return nll_loss_nd(log_softmax(input, class_dim), target, weight, reduction, ignore_index)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (t log x + (1 - t) log(1 - x)) for probabilities x in [0, 1], each log clamped
    at -100."""
    if size_average is not None or reduce is not None:
        reduction_enum = legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = get_enum(reduction)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they have "
                         "the same size.")
    if weight is not None:
        weight = weight.expand(broadcast_shapes(target.size(), weight.size()))
    return nn_loss.binary_cross_entropy(input, target, weight, reduction_enum)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """binary_cross_entropy of sigmoid(input), computed stably from the logits;
    `pos_weight` scales the positive term (per class, broadcast over the batch)."""
    if size_average is not None or reduce is not None:
        reduction_enum = legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = get_enum(reduction)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    return nn_loss.binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                    reduction_enum)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence of log-probabilities `input` from `target`; 'batchmean' divides the sum
    by the batch size (the true KL divergence), 'mean' by the element count (with torch's
    warning)."""
    if size_average is not None or reduce is not None:
        reduction_enum = legacy_get_enum(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        reduction_enum = get_enum("sum" if reduction == "batchmean" else reduction)
    reduced = _kl_div(input, target, reduction_enum, log_target=log_target)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.size()[0]
    return reduced


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log likelihood of `target` given rates exp(input) (`log_input`) or
    input; `full` adds the Stirling term."""
    reduction = _legacy(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    return _poisson_nll_loss(input, target, log_input, full, eps, get_enum(reduction))


def _gaussian_var(input, var):
    """`var` made to broadcast against `input` (one dim short, or one mismatched dim)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return var * input.new_ones(input.shape)
    if not isinstance(var, Tensor):
        # NOTE(torch): any other number reaches torch.any as a bool
        raise TypeError("any() received an invalid combination of arguments - got (bool), but "
                        "expected one of:\n * (Tensor input, *, Tensor out = None)\n * (Tensor "
                        "input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = "
                        "None)\n * (Tensor input, int dim, bool keepdim = False, *, Tensor out "
                        "= None)\n")
    if (var < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.size() == input.size():
        return var
    if input.size()[:-1] == var.size():
        return var.unsqueeze(-1)
    if input.dim() == var.dim() and sum(v for i, v in zip(input.shape, var.shape)
                                        if i != v) == 1:
        return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (input - target)^2 / var) (+ 0.5 log(2 pi) with `full`); var is
    clamped below at `eps` without changing its gradient."""
    var = _gaussian_var(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return apply_loss_reduction(loss, get_enum(reduction))
