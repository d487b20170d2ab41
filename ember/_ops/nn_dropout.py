"""The dropout family (torch.dropout, alpha_dropout, feature_dropout, feature_alpha_dropout and
their in-place forms), composed of ember ops exactly as torch composes them on the CPU.

torch draws a noise tensor like the input (or (N, C, 1, ...) for the feature variants),
fills it with ``bernoulli_(1 - p)``, scales it, and multiplies the input by it. The same
calls here consume the generator identically, so a seeded run drops the same elements, and
the graph is torch's (MulBackward0; AddBackward0 for the alpha variants).
"""
from __future__ import annotations

import math

from ember._ops.creation import empty_like, zeros

__all__ = ["dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout",
           "feature_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_"]
FUNCTIONS_ONLY = tuple(__all__)

_ALPHA = 1.7580993408473766     # SELU's alpha * scale: the value a dropped unit takes, negated


def _feature_noise(input):
    """An empty (N, C, 1, ..., 1) tensor like `input`: one draw per sample and channel."""
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return input.new_empty(shape)


def _dropout(input, p, train, feature, alpha, inplace):
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else input.mul(zero)
    noise = _feature_noise(input) if feature else empty_like(input)
    noise.bernoulli_(1 - p)
    if not alpha:
        noise.div_(1 - p)
        return input.mul_(noise) if inplace else input.mul(noise)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
    noise.mul_(a)
    return (input.mul_(noise) if inplace else input.mul(noise)).add_(b)


def dropout(input, p, train):
    """Zero each element with probability `p` and scale the rest by ``1 / (1 - p)``."""
    return _dropout(input, p, train, False, False, False)


def dropout_(input, p, train):
    """In-place dropout."""
    return _dropout(input, p, train, False, False, True)


def feature_dropout(input, p, train):
    """Dropout of whole channels: one draw per (sample, channel) of (N, C, *) `input`."""
    return _dropout(input, p, train, True, False, False)


def feature_dropout_(input, p, train):
    """In-place feature_dropout."""
    return _dropout(input, p, train, True, False, True)


def alpha_dropout(input, p, train):
    """Dropout that keeps zero mean and unit variance (for SELU networks): dropped elements
    take SELU's negative saturation value, then all are scaled and shifted back."""
    return _dropout(input, p, train, False, True, False)


def alpha_dropout_(input, p, train):
    """In-place alpha_dropout."""
    return _dropout(input, p, train, False, True, True)


def feature_alpha_dropout(input, p, train):
    """alpha_dropout of whole channels of (N, C, *) `input`."""
    return _dropout(input, p, train, True, True, False)


def feature_alpha_dropout_(input, p, train):
    """In-place feature_alpha_dropout."""
    return _dropout(input, p, train, True, True, True)
