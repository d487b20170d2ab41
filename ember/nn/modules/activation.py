"""Elementwise activation layers (torch.nn.modules.activation): thin Modules over
ember.nn.functional, with torch's constructor arguments, defaults and reprs.

Shape: every layer here maps (*) to (*), except GLU, which halves its `dim`.
"""
from __future__ import annotations

import warnings

from ember._ops.creation import empty
from ember._ops.unary import sigmoid, tanh
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter
# NOTE(torch): MultiheadAttention's home module is torch.nn.modules.activation.
from ember.nn.modules.attention import MultiheadAttention  # noqa: F401

__all__ = [
    "Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh",
    "SiLU", "Mish", "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink",
    "LeakyReLU", "LogSigmoid", "Softplus", "Softshrink", "PReLU", "Softsign", "Tanhshrink",
]


def _inplace_suffix(inplace, first=False):
    """torch's ``inplace=True`` repr fragment (alone, or after other fields)."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class _Inplace(Module):
    """A layer whose only option is ``inplace``; repr ``Name(inplace=True)`` when set."""

    __constants__ = ["inplace"]
    _fn = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_suffix(self.inplace, first=True)


class _Plain(Module):
    """A layer without options."""

    _fn = None

    def forward(self, input):
        return type(self)._fn(input)


class Threshold(Module):
    """`value` where ``input <= threshold``, else the input."""

    __constants__ = ["threshold", "value", "inplace"]

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + \
            _inplace_suffix(self.inplace)


class ReLU(_Inplace):
    """max(x, 0)."""

    _fn = staticmethod(F.relu)


class RReLU(Module):
    """Randomized leaky ReLU: per-element slopes from U(lower, upper) while training, their
    mean in evaluation."""

    __constants__ = ["lower", "upper", "inplace"]

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + _inplace_suffix(self.inplace)


class Hardtanh(Module):
    """x clamped to [min_val, max_val] (``min_value`` / ``max_value`` are deprecated
    spellings)."""

    __constants__ = ["min_val", "max_val", "inplace"]

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None,
                 max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val "
                                 f"({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + \
            _inplace_suffix(self.inplace)


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_suffix(self.inplace, first=True)


class Sigmoid(_Plain):
    """1 / (1 + exp(-x))."""

    _fn = staticmethod(sigmoid)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6 (torch prints no ``inplace`` for it)."""

    _fn = staticmethod(F.hardsigmoid)

    def extra_repr(self):
        return ""


class Tanh(_Plain):
    """tanh(x)."""

    _fn = staticmethod(tanh)


class SiLU(_Inplace):
    """x * sigmoid(x)."""

    _fn = staticmethod(F.silu)


class Mish(_Inplace):
    """x * tanh(softplus(x))."""

    _fn = staticmethod(F.mish)


class Hardswish(_Inplace):
    """x * relu6(x + 3) / 6 (torch prints no ``inplace`` for it)."""

    _fn = staticmethod(F.hardswish)

    def extra_repr(self):
        return ""


class _Alpha(Module):
    """A layer with options ``alpha`` and ``inplace``."""

    __constants__ = ["alpha", "inplace"]
    _fn = None

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + _inplace_suffix(self.inplace)


class ELU(_Alpha):
    """x above 0, alpha * (exp(x) - 1) elsewhere."""

    _fn = staticmethod(F.elu)


class CELU(_Alpha):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    _fn = staticmethod(F.celu)


class SELU(_Inplace):
    """scale * elu(x, alpha) with the self-normalizing constants."""

    _fn = staticmethod(F.selu)


class GLU(Module):
    """The first half of the input along `dim` times the sigmoid of the second half.

    Shape: (*, 2N, *) -> (*, N, *) along `dim`.
    """

    __constants__ = ["dim"]

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    """x * Phi(x), or its tanh approximation (``approximate='tanh'``)."""

    __constants__ = ["approximate"]

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class _Lambd(Module):
    """A layer with the one option ``lambd``, printed bare."""

    __constants__ = ["lambd"]
    _fn = None

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return type(self)._fn(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Hardshrink(_Lambd):
    """x where |x| > lambd, else 0."""

    _fn = staticmethod(F.hardshrink)


class Softshrink(_Lambd):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""

    _fn = staticmethod(F.softshrink)


class LeakyReLU(Module):
    """x above 0, negative_slope * x elsewhere."""

    __constants__ = ["inplace", "negative_slope"]

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + _inplace_suffix(self.inplace)


class LogSigmoid(_Plain):
    """log(sigmoid(x))."""

    _fn = staticmethod(F.logsigmoid)


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold."""

    __constants__ = ["beta", "threshold"]

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """x above 0, weight * x elsewhere, with a learned slope per channel (dim 1) or one
    shared slope; the weight starts at `init` everywhere."""

    __constants__ = ["num_parameters"]

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Softsign(_Plain):
    """x / (1 + |x|)."""

    _fn = staticmethod(F.softsign)


class Tanhshrink(_Plain):
    """x - tanh(x)."""

    _fn = staticmethod(F.tanhshrink)
