"""Gradient nodes of the fused pointwise losses: each computes the input gradient in one
backend kernel (``<loss>_backward``) and differentiates it again in ember ops, so first-order
training steps stay fused and double backward works.

Each node takes (g, input, target, *weights) and the reduction's `scale` (1 / count for
'mean', else 1); `second(gg, g, x, t, *weights)` gives the gradients for g, x and t.
Names follow torch's ``MseLossBackwardBackward0`` pattern.

Differences from PyTorch: torch composes the gradient of binary_cross_entropy_with_logits
from other ops, so its second-order graph shows those ops' nodes instead of one
``BinaryCrossEntropyWithLogitsBackwardBackward0``.
"""
from __future__ import annotations

from ember._ops._registry import Op

EPSILON = 1e-12     # torch's floor on x (1 - x) in the gradient of binary_cross_entropy


class _LossGrad(Op):
    save_inputs = (0, 1, 2)
    kernel = ""

    def forward(self, be, g, x, t, *weights, scale, **params):
        self.scale, self.params = scale, params
        return getattr(be, self.kernel)(g, x, t, *weights, scale, **params)

    def backward(self, gg):
        g, x, t, *weights = self.saved
        return self.second(gg * self.scale, g, x, t, *weights) + (None,) * len(weights)


class MseLossBackwardBackward0(_LossGrad):
    kernel = "mse_loss_backward"

    def second(self, gg, g, x, t):
        dx = gg * (2 * g)
        return gg * (2 * (x - t)), dx, -dx


class HuberLossBackwardBackward0(_LossGrad):
    kernel = "huber_loss_backward"

    def second(self, gg, g, x, t):
        delta = self.params["delta"]
        d = x - t
        dx = gg * g * (d.abs() <= delta)
        return gg * d.clamp(-delta, delta), dx, -dx


class SmoothL1LossBackwardBackward0(_LossGrad):
    kernel = "smooth_l1_loss_backward"

    def second(self, gg, g, x, t):
        beta = self.params["beta"]
        d = (x - t) / beta
        dx = gg * g * (d.abs() <= 1) / beta
        return gg * d.clamp(-1, 1), dx, -dx


class SoftMarginLossBackwardBackward0(_LossGrad):
    kernel = "soft_margin_loss_backward"

    def second(self, gg, g, x, t):
        z = (-t * x).exp()
        return gg * (-t * z / (1 + z)), gg * g * t * t * z / (1 + z).pow(2), None


def _times(t, w):
    return t if w is None else t * w


class BinaryCrossEntropyBackwardBackward0(_LossGrad):
    kernel = "binary_cross_entropy_backward"
    save_inputs = (0, 1, 2, 3)

    def second(self, gg, g, x, t, w):
        var = (1 - x) * x
        den = var.clamp_min(EPSILON)
        ggw = _times(gg, w)
        dx = ggw * g * (den - (x - t) * (1 - 2 * x) * (var > EPSILON)) / den.pow(2)
        return ggw * (x - t) / den, dx, -ggw * g / den


class BinaryCrossEntropyWithLogitsBackwardBackward0(_LossGrad):
    kernel = "binary_cross_entropy_with_logits_backward"
    save_inputs = (0, 1, 2, 3, 4)

    def second(self, gg, g, x, t, w, pw):
        sig = x.sigmoid()
        ggw = _times(gg, w)
        if pw is None:
            return ggw * (sig - t), ggw * g * sig * (1 - sig), -ggw * g
        lw = pw * t + 1 - t
        return (ggw * (lw * sig - pw * t), ggw * g * lw * sig * (1 - sig),
                ggw * g * ((pw - 1) * sig - pw))
