"""Fused pointwise losses: mse, huber, smooth_l1, soft_margin, binary_cross_entropy and
binary_cross_entropy_with_logits, one graph node each with torch's name
(``MseLossBackward0`` ...), the reduction (0 none, 1 mean, 2 sum) done inside the node as
torch does. Their gradients are nodes of nn_loss_grad (one backend kernel each, themselves
differentiable), so double backward works.

nn.functional calls the lower-case functions here with inputs already broadcast; only
binary_cross_entropy_with_logits is also a torch.* function.
"""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._errors import broadcast_shapes, shape_str
from ember._ops._pointwise import not_implemented
from ember._ops import nn_loss_grad as G
from ember._ops._registry import Op, _device_error, apply
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["binary_cross_entropy_with_logits"]
FUNCTIONS_ONLY = ("binary_cross_entropy_with_logits",)


def forbid_grad(function, argument, t):
    """torch refuses, at call time, a tensor that requires grad where it has no derivative."""
    if t is not None and t._requires_grad and GRAD.grad:
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument '{argument}'. This input cannot have requires_grad True.")


class NoSecondDerivative(Op):
    """Base of gradient nodes torch does not differentiate again (named "NotImplemented"
    by `no_second_derivative`): their backward raises torch's error for ``aten``."""

    aten = ""

    def backward(self, *grads):
        raise RuntimeError(f"derivative for aten::{self.aten} is not implemented")


def no_second_derivative(cls):
    # NOTE(torch): torch names the gradient node of such ops "NotImplemented".
    cls.__name__ = cls.__qualname__ = "NotImplemented"
    return cls


def same_device(input, *others):
    for t in others:
        if t is not None and t._be is not input._be:
            raise _device_error(input, t)


class _PointwiseLoss(Op):
    """loss(x, t[, weights]) elementwise, then reduced; ``kernel`` names the backend
    function and ``grad_node`` the node computing the input gradient. Subclasses give
    ``target_derivative(x, t, *weights)`` in ember ops where the target is differentiable."""

    save_inputs = (0, 1)
    kernel = ""

    def forward(self, be, x, t, *weights, reduction, **params):
        self.reduction, self.params = reduction, params
        shapes = [a.shape for a in (x, t, *weights) if a is not None]
        self.count = math.prod(be.xp.broadcast_shapes(*shapes))
        return getattr(be, self.kernel)(x, t, *weights, reduction, **params,
                                        out_dtype=x.dtype)

    def backward(self, g):
        x, t, *weights = self.saved
        scale = 1.0 / self.count if self.reduction == 1 and self.count else 1.0
        need_x, need_t = self.needs_input_grad[:2]
        gx = gt = None
        if need_x:
            gx = apply(self.grad_node, (g, x, t, *weights), scale=scale, **self.params)
        if need_t:
            gt = g * scale * self.target_derivative(x, t, *weights)
        return (gx, gt) + (None,) * len(weights)


class _DifferenceLoss(_PointwiseLoss):
    """A loss of ``x - t`` alone: the target's gradient is minus the input's."""

    def backward(self, g):
        x, t = self.saved
        scale = 1.0 / self.count if self.reduction == 1 and self.count else 1.0
        gx = apply(self.grad_node, (g, x, t), scale=scale, **self.params)
        need_x, need_t = self.needs_input_grad
        return (gx if need_x else None), (-gx if need_t else None)


class MseLossBackward0(_DifferenceLoss):
    kernel = "mse_loss"
    grad_node = G.MseLossBackwardBackward0


class HuberLossBackward0(_DifferenceLoss):
    kernel = "huber_loss"
    grad_node = G.HuberLossBackwardBackward0


class SmoothL1LossBackward0(_DifferenceLoss):
    kernel = "smooth_l1_loss"
    grad_node = G.SmoothL1LossBackwardBackward0


class SoftMarginLossBackward0(_PointwiseLoss):
    kernel = "soft_margin_loss"
    grad_node = G.SoftMarginLossBackwardBackward0


class BinaryCrossEntropyBackward0(_PointwiseLoss):
    kernel = "binary_cross_entropy"
    grad_node = G.BinaryCrossEntropyBackwardBackward0
    save_inputs = (0, 1, 2)

    def target_derivative(self, x, t, w):
        d = -(x / (1 - x)).log()
        return d if w is None else d * w


class BinaryCrossEntropyWithLogitsBackward0(_PointwiseLoss):
    kernel = "binary_cross_entropy_with_logits"
    grad_node = G.BinaryCrossEntropyWithLogitsBackwardBackward0
    save_inputs = (0, 1, 2, 3)

    def target_derivative(self, x, t, w, pw):
        d = -x if pw is None else _log_sigmoid(-x) - _log_sigmoid(x) * pw
        return d if w is None else d * w


def _log_sigmoid(x):
    return x.clamp_max(0) - (-x.abs()).exp().log1p()


def _cast_error(result, out):
    """torch's refusal to write a `result`-typed value into an `out`-typed tensor."""
    if not D.can_cast(result, out):
        raise RuntimeError(f"result type {D.type_name(result)} can't be cast to the desired "
                           f"output type {D.type_name(out)}")


def _floating(input, kernel):
    if input.dtype.category != D.FLOAT:
        raise not_implemented(kernel, input.dtype)


def _as(t, dt):
    return t if t is None or t.dtype is dt else t.to(dt)


def _into(out_shape, other_shape):
    """torch's checks for ``out.op_(other)`` in place: `other` must broadcast to `out`."""
    out_shape = tuple(out_shape)
    full = broadcast_shapes(out_shape, other_shape)
    if full != out_shape:
        raise RuntimeError(f"output with shape {shape_str(out_shape)} doesn't match the "
                           f"broadcast shape {shape_str(full)}")


def mse_loss(input, target, reduction):
    """torch's fused mse_loss on same-shape operands (dtype: their promotion)."""
    same_device(input, target)
    dt = D.promote_types(input.dtype, target.dtype)
    if dt.category != D.FLOAT:
        raise not_implemented("mse_cpu", dt)
    return apply(MseLossBackward0, (_as(input, dt), _as(target, dt)), reduction=reduction)


def huber_loss(input, target, reduction, delta):
    """torch's fused huber_loss (dtype: the input's)."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    same_device(input, target)
    if input.dtype.category != D.FLOAT:
        _cast_error(D.promote_types(input.dtype, target.dtype), input.dtype)
        raise not_implemented("huber_cpu", input.dtype)
    return apply(HuberLossBackward0, (input, _as(target, input.dtype)), reduction=reduction,
                 delta=delta)


def smooth_l1_loss(input, target, reduction, beta):
    """torch's fused smooth_l1_loss (dtype: the promotion of the operands)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    same_device(input, target)
    dt = D.promote_types(input.dtype, target.dtype)
    if dt.category != D.FLOAT:
        raise not_implemented("smooth_l1_cpu", dt)
    return apply(SmoothL1LossBackward0, (_as(input, dt), _as(target, dt)),
                 reduction=reduction, beta=beta)


def soft_margin_loss(input, target, reduction):
    """torch's fused soft_margin_loss (dtype: the input's)."""
    forbid_grad("soft_margin_loss", "target", target)
    same_device(input, target)
    if input.dtype.category != D.FLOAT:
        _cast_error(D.get_default_dtype(), input.dtype)
    return apply(SoftMarginLossBackward0, (input, _as(target, input.dtype)),
                 reduction=reduction)


def binary_cross_entropy(input, target, weight, reduction):
    """torch's fused binary_cross_entropy: input in [0, 1], target of the input's dtype."""
    forbid_grad("binary_cross_entropy", "weight", weight)
    same_device(input, target, weight)
    _floating(input, "binary_cross_entropy")
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {D.type_name(target.dtype)} but expected "
                           f"{D.type_name(input.dtype)}")
    if weight is not None:
        _into(input.shape, weight.shape)
    return apply(BinaryCrossEntropyBackward0, (input, target, _as(weight, input.dtype)),
                 reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction=0):
    """``(1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))``, times `weight`, computed
    without overflow for large logits; result in the target's dtype.

    NOTE(torch): the torch.* function's default reduction behaves as 0 (none), although
    torch documents Mean.
    """
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        forbid_grad("binary_cross_entropy_with_logits", name, t)
    same_device(input, target, weight, pos_weight)
    if input.dtype.category != D.FLOAT:
        raise not_implemented("log_sigmoid_cpu", input.dtype)
    if target.dtype is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    _cast_error(D.promote_types(input.dtype, target.dtype), target.dtype)
    _into(target.shape, input.shape)
    if pos_weight is not None:
        _into(input.shape, broadcast_shapes(pos_weight.shape, target.shape))
    if weight is not None:
        _into(target.shape, weight.shape)
    dt = target.dtype
    return apply(BinaryCrossEntropyWithLogitsBackward0,
                 (_as(input, dt), target, _as(weight, dt), _as(pos_weight, dt)),
                 reduction=reduction)
