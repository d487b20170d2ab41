"""Differentiable primitives of the nn activations (gelu, silu, mish, softplus, log_sigmoid,
hardtanh, leaky_relu, hardswish, hardsigmoid, softshrink), one graph node each, named as
torch names it. An activation's backward is itself one fused op, ``g * f'(x)`` in a single
kernel, whose own backward (``f'(x)`` for g, ``g f''(x)`` for x) gives double backward.

torch.relu_, sigmoid_ and tanh_ (in-place forms that torch also has at the top level) are
re-exported here; nn.functional builds the public functions on these nodes.
"""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._pointwise import not_implemented
from ember._ops._registry import Op, apply
from ember._ops.unary import relu_, sigmoid_, tanh_

__all__ = ["relu_", "sigmoid_", "tanh_"]
FUNCTIONS_ONLY = frozenset(__all__)

_PDF = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_BETA = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715


def check_floating(be, x, kernel, complex_ok=False):
    """Refuse a non-floating input as torch's CPU kernel `kernel` does."""
    dt = be.dtype_of(x)
    if dt.category != D.FLOAT and not (complex_ok and dt.is_complex):
        raise not_implemented(kernel, dt)


class ActivationGrad(Op):
    """``g * f'(x)`` by backend kernel ``kernel``: the backward of an activation f.

    Linear in g, so its gradient for g is the same op; for x it is ``gg * g * f''(x)``
    with ``second`` giving f'' in ember ops (None where f'' is zero).
    """

    save_inputs = (0, 1)
    saved_for = {0: (1,)}          # g is needed only for the gradient of x
    kernel = ""

    def forward(self, be, g, x, **params):
        self.params = params
        return be.activation(self.kernel, g, x, **params)

    def backward(self, gg):
        g, x = self.saved
        need_g, need_x = self.needs_input_grad
        grad_g = apply(type(self), (gg, x), **self.params) if need_g else None
        second = self.second(x) if need_x else None
        return grad_g, (None if second is None else gg * g * second)

    def second(self, x):
        return None


class Activation(Op):
    """``y = f(x)`` by backend kernel ``kernel``; inputs that are not floating point are
    refused with torch's kernel name ``cpu``; the backward is op ``grad``."""

    save_inputs = (0,)
    kernel = cpu = ""
    grad = ActivationGrad

    def forward(self, be, x, **params):
        check_floating(be, x, self.cpu)
        self.params = params
        return be.activation(self.kernel, x, **params)

    def backward(self, g):
        (x,) = self.saved
        return apply(self.grad, (g, x), **self.params)


def on_result(cls):
    """`cls` for its in-place form, same node name: the backward reads the result (which
    gives the same derivative) instead of a copy of the overwritten input."""
    return type(cls.__name__, (cls,), {"save_inputs": (), "save_outputs": (0,),
                                       "__doc__": cls.__doc__, "__module__": __name__})


# --- gelu ------------------------------------------------------------------------------
def _gelu_tanh_second(x):
    """f'' of 0.5 x (1 + tanh(u)), u = beta (x + kappa x^3)."""
    sq = x * x
    t = ((x + _KAPPA * sq * x) * _TANH_BETA).tanh()
    du = _TANH_BETA * (1 + 3 * _KAPPA * sq)
    d2u = (6 * _TANH_BETA * _KAPPA) * x
    return (1 - t * t) * (du + 0.5 * x * (d2u - 2 * t * du * du))


class GeluBackwardBackward0(ActivationGrad):
    kernel = "gelu_backward"

    def second(self, x):
        if self.params["approximate"] == "tanh":
            return _gelu_tanh_second(x)
        sq = x * x
        return (sq * -0.5).exp() * _PDF * (2 - sq)


class GeluBackward0(Activation):
    """x * Phi(x), or its tanh approximation."""

    kernel, cpu, grad = "gelu", "GeluKernelImpl", GeluBackwardBackward0


# --- sigmoid-weighted units ------------------------------------------------------------
class SiluBackwardBackward0(ActivationGrad):
    kernel = "silu_backward"

    def second(self, x):
        s = x.sigmoid()
        return s * (1 - s) * (2 + x * (1 - 2 * s))


class SiluBackward0(Activation):
    """x * sigmoid(x); complex inputs are computed too (without autograd, as in torch)."""

    kernel, cpu, grad = "silu", "silu_cpu", SiluBackwardBackward0

    def forward(self, be, x):
        check_floating(be, x, self.cpu, complex_ok=True)
        self.params = {}
        return be.activation(self.kernel, x)


class MishBackwardBackward0(ActivationGrad):
    kernel = "mish_backward"

    def second(self, x):
        s = x.sigmoid()
        t = x.exp().log1p().tanh()
        return (1 - t * t) * s * (2 + x * (1 - s - 2 * t * s))


class MishBackward0(Activation):
    """x * tanh(softplus(x))."""

    kernel, cpu, grad = "mish", "mish_cpu", MishBackwardBackward0


class SoftplusBackwardBackward0(ActivationGrad):
    kernel = "softplus_backward"

    def second(self, x):
        beta, threshold = self.params["beta"], self.params["threshold"]
        s = (x * beta).sigmoid()
        return (beta * s * (1 - s)).masked_fill(x * beta > threshold, 0)


class SoftplusBackward0(Activation):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""

    kernel, cpu, grad = "softplus", "softplus_cpu", SoftplusBackwardBackward0


class LogSigmoidBackwardBackward0(ActivationGrad):
    kernel = "log_sigmoid_backward"

    def second(self, x):
        s = x.sigmoid()
        return s * (s - 1)


class LogSigmoidBackward0(Activation):
    """log(sigmoid(x)), computed as min(x, 0) - log1p(exp(-|x|))."""

    kernel, cpu, grad = "log_sigmoid", "log_sigmoid_cpu", LogSigmoidBackwardBackward0


# --- piecewise-linear units ------------------------------------------------------------
class ThresholdBackwardBackward0(ActivationGrad):
    """g where x > threshold, else 0: the gradient of relu (on its result) and threshold."""

    kernel = "threshold_backward"


class HardtanhBackwardBackward0(ActivationGrad):
    kernel = "hardtanh_backward"


class HardtanhBackward0(Activation):
    """x clamped to [min_val, max_val]; integer inputs are clamped too."""

    kernel, grad = "hardtanh", HardtanhBackwardBackward0

    def forward(self, be, x, *, min_val, max_val):
        dt = be.dtype_of(x)
        if dt is D.bool:
            raise RuntimeError("Bool inputs not supported for hardtanh")
        if dt.is_complex:
            raise NotImplementedError("clamp is not supported for complex types")
        if dt is D.uint8 and (int(min_val) < 0 or int(max_val) < 0):
            raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
        self.params = {"min_val": min_val, "max_val": max_val}
        return be.activation(self.kernel, x, **self.params)


HardtanhInplace = on_result(HardtanhBackward0)


class LeakyReluBackwardBackward0(ActivationGrad):
    kernel = "leaky_relu_backward"


class LeakyReluBackward0(Activation):
    """x above 0, x * negative_slope elsewhere."""

    kernel, cpu, grad = "leaky_relu", "leaky_relu_cpu", LeakyReluBackwardBackward0


class LeakyReluBackward1(LeakyReluBackward0):
    """In place: the derivative is read from the result, which needs a positive slope."""

    save_inputs = ()
    save_outputs = (0,)

    def backward(self, g):
        if self.params["slope"] < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope "
                "which is not supported. This is caused by calling in-place forward function "
                "with a negative slope, please call out-of-place version instead. File an "
                "issue at https://github.com/pytorch/pytorch if you do require supporting "
                "in-place leakRelu backward calculation with negative slope")
        return super().backward(g)


class HardswishBackwardBackward0(ActivationGrad):
    kernel = "hardswish_backward"

    def second(self, x):
        return ((x > -3) & (x < 3)).to(x.dtype) / 3


class HardswishBackward0(Activation):
    """x * relu6(x + 3) / 6."""

    kernel, cpu, grad = "hardswish", "hardswish_cpu", HardswishBackwardBackward0


class HardsigmoidBackwardBackward0(ActivationGrad):
    kernel = "hardsigmoid_backward"

    def backward(self, gg):
        # NOTE(torch): torch has no double backward for hardsigmoid
        raise RuntimeError("derivative for aten::hardsigmoid_backward is not implemented")


class HardsigmoidBackward0(Activation):
    """relu6(x + 3) / 6."""

    kernel, cpu, grad = "hardsigmoid", "hardsigmoid_cpu", HardsigmoidBackwardBackward0


class SoftshrinkBackwardBackward0(ActivationGrad):
    kernel = "shrink_backward"


class SoftshrinkBackward0(Activation):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""

    kernel, grad = "softshrink", SoftshrinkBackwardBackward0

    def forward(self, be, x, *, lambd):
        dt = be.dtype_of(x)
        check_floating(be, x, "softshrink_check")
        top = D.finfo(dt).max
        if not 0 <= lambd <= top:
            raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                               f"{D.type_name(dt)}, but found {lambd:g}")
        self.params = {"lambd": lambd}
        return be.activation(self.kernel, x, lambd=lambd)
