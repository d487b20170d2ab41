"""Elementwise activation functions (torch.nn.functional): relu and its variants, the
exponential, sigmoid-weighted, hard and shrinking units, glu and prelu.

Each has torch's signature; ``inplace=True`` (and the ``*_`` forms) write into the input
and record torch's in-place node.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._registry import apply, apply_inplace
from ember._ops.activation_fns import EluBackward0, EluBackward1, celu_, hardshrink, rrelu_
from ember._ops.activation_fns import celu as _celu
from ember._ops.activation_fns import rrelu as _rrelu
from ember._ops.activation_fns import selu as _selu
from ember._ops.activation_fns import selu_, threshold_
from ember._ops.activation_fns import threshold as _threshold
from ember._ops.nn_activation import (GeluBackward0, HardsigmoidBackward0, HardswishBackward0,
                                      HardtanhBackward0, HardtanhInplace, LeakyReluBackward0,
                                      LeakyReluBackward1, LogSigmoidBackward0, MishBackward0,
                                      SiluBackward0, SoftplusBackward0, SoftshrinkBackward0)
from ember._ops.nn_gated import glu as _glu
from ember._ops.nn_gated import prelu
from ember._ops.unary import relu as _relu
from ember._ops.unary import relu_
from ember._ops.unary import sigmoid as _sigmoid
from ember._ops.unary import tanh as _tanh
from ember._tensor import Tensor
from ember.autograd.grad_mode import STATE as GRAD

__all__ = [
    "relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu",
    "mish", "hardtanh", "hardtanh_", "hardswish", "hardsigmoid", "leaky_relu", "leaky_relu_",
    "prelu", "rrelu", "rrelu_", "glu", "logsigmoid", "softplus", "softshrink", "hardshrink",
    "softsign", "tanhshrink", "threshold", "threshold_", "sigmoid", "tanh",
]


def _tensor(name, input):
    """torch's binding check for functions it implements natively."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _unary(cls, input, inplace, **params):
    return apply_inplace(cls, (input,), **params) if inplace else apply(cls, (input,), **params)


# --- rectifiers --------------------------------------------------------------------------
def relu(input, inplace=False):
    """max(input, 0)."""
    _tensor("relu", input)
    # NOTE(torch): torch.relu's own dtype refusals (ember.relu lacks them)
    if input.dtype is D.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    if input.dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    return relu_(input) if inplace else _relu(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """`input` clamped to [min_val, max_val] (integer tensors too)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return apply(HardtanhBackward0, (input,), min_val=min_val, max_val=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    _tensor("hardtanh_", input)
    return apply_inplace(HardtanhInplace, (input,), min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    """min(max(input, 0), 6): hardtanh over [0, 6]."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """`input` above 0, ``input * negative_slope`` elsewhere."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return apply(LeakyReluBackward0, (input,), slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    _tensor("leaky_relu_", input)
    return apply_inplace(LeakyReluBackward1, (input,), slope=negative_slope)


# --- exponential units -------------------------------------------------------------------
def elu(input, alpha=1.0, inplace=False):
    """`input` above 0, ``alpha * (exp(input) - 1)`` elsewhere."""
    if inplace:
        return elu_(input, alpha)
    return apply(EluBackward0, (input,), alpha=alpha, scale=1.0, input_scale=1.0)


def elu_(input, alpha=1.0):
    _tensor("elu_", input)
    return apply_inplace(EluBackward1, (input,), alpha=alpha, scale=1.0, input_scale=1.0)


def selu(input, inplace=False):
    """scale * elu(input, alpha) with the self-normalizing constants."""
    return selu_(input) if inplace else _selu(input)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return celu_(input, alpha) if inplace else _celu(input, alpha)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: per-element slopes from U(lower, upper) in training, their
    mean in evaluation."""
    # NOTE(torch): torch.rrelu's own check (ember.rrelu lacks it)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if inplace:
        return rrelu_(input, lower, upper, training)
    return _rrelu(input, lower, upper, training)


# --- smooth units ------------------------------------------------------------------------
def gelu(input, approximate="none"):
    """``input * Phi(input)`` (Phi the standard normal CDF), or with
    ``approximate='tanh'`` its tanh approximation."""
    _tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return apply(GeluBackward0, (input,), approximate=approximate)


def silu(input, inplace=False):
    """``input * sigmoid(input)`` (swish)."""
    if input.dtype.is_complex and input.requires_grad and GRAD.grad:
        raise RuntimeError("silu does not support automatic differentiation for outputs with "
                           "complex dtype.")
    return _unary(SiluBackward0, input, inplace)


def mish(input, inplace=False):
    """``input * tanh(softplus(input))``."""
    return _unary(MishBackward0, input, inplace)


def hardswish(input, inplace=False):
    """``input * relu6(input + 3) / 6``."""
    return _unary(HardswishBackward0, input, inplace)


def hardsigmoid(input, inplace=False):
    """``relu6(input + 3) / 6``."""
    return _unary(HardsigmoidBackward0, input, inplace)


def logsigmoid(input):
    """``log(sigmoid(input))``, stable for large |input|."""
    _tensor("log_sigmoid", input)
    return apply(LogSigmoidBackward0, (input,))


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * input)) / beta``; linear where ``beta * input > threshold``."""
    _tensor("softplus", input)
    return apply(SoftplusBackward0, (input,), beta=beta, threshold=threshold)


def threshold(input, threshold, value, inplace=False):
    """`value` where ``input <= threshold``, else `input`."""
    if inplace:
        return threshold_(input, threshold, value)
    return _threshold(input, threshold, value)


def sigmoid(input):
    """``1 / (1 + exp(-input))``."""
    return _sigmoid(input)


def tanh(input):
    """The hyperbolic tangent."""
    return _tanh(input)


def softsign(input):
    """``input / (1 + |input|)``."""
    return input / (input.abs() + 1)


# --- shrinking and gating ----------------------------------------------------------------
def softshrink(input, lambd=0.5):
    """``input - lambd`` above lambd, ``input + lambd`` below -lambd, 0 between."""
    _tensor("softshrink", input)
    return apply(SoftshrinkBackward0, (input,), lambd=lambd)


def tanhshrink(input):
    """``input - tanh(input)``."""
    return input - input.tanh()


def glu(input, dim=-1):
    """The first half of `input` along `dim` times the sigmoid of the second half."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    return _glu(input, dim)
