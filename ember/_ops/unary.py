"""Unary pointwise math: exp, log, sqrt, trigonometric, tanh, sigmoid, relu, abs, sign, conj."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._elementwise import Elementwise, unary
from ember._ops._registry import FLOAT, apply

__all__ = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "absolute",
           "sign", "sgn", "conj_physical"]


class _Float(Elementwise):
    """Integer and bool inputs compute in the default float dtype."""

    promote = FLOAT


class ExpBackward0(_Float):
    xp_name = "exp"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return g * y.conj()


class LogBackward0(_Float):
    xp_name = "log"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g / x.conj()


class SqrtBackward0(_Float):
    xp_name = "sqrt"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return g / (2 * y.conj())


class SinBackward0(_Float):
    xp_name = "sin"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * x.cos().conj()


class CosBackward0(_Float):
    xp_name = "cos"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * -x.sin().conj()


class TanhBackward0(_Float):
    xp_name = "tanh"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return g * (1 - y * y).conj()


class SigmoidBackward0(_Float):
    save_outputs = (0,)

    def forward(self, be, x):
        return be.sigmoid(x)

    def backward(self, g):
        (y,) = self.saved
        return g * (y * (1 - y)).conj()


class ReluBackward0(Elementwise):
    save_outputs = (0,)

    def forward(self, be, x):
        dt = be.dtype_of(x)
        if dt is D.bool:
            raise RuntimeError("Boolean inputs not supported for relu")
        if dt.is_complex:
            raise NotImplementedError("clamp is not supported for complex types")
        return be.relu(x)

    def backward(self, g):
        from ember._ops.nn_activation import ThresholdBackwardBackward0
        (y,) = self.saved
        return apply(ThresholdBackwardBackward0, (g, y), threshold=0)


class AbsBackward0(Elementwise):
    xp_name = "absolute"
    save_inputs = (0,)

    def forward(self, be, x):
        if be.dtype_of(x) is D.bool:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return be.xp.absolute(x)

    def backward(self, g):
        (x,) = self.saved
        return g * x.sgn()


class SignBackward0(Elementwise):
    def forward(self, be, x):
        if be.dtype_of(x).is_complex:
            raise RuntimeError("Unlike NumPy, torch.sign is not intended to support complex "
                               "numbers. Please use torch.sgn instead.")
        return be.sign(x)

    def backward(self, g):
        return g * 0


class SgnBackward0(Elementwise):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x):
        return be.sgn(x)

    def backward(self, g):
        x, y = self.saved
        if not x.dtype.is_complex:
            return g * 0
        a = x.abs()
        return ((g - (g * y.conj()).real * y) / a).masked_fill(a == 0, 0)


class ConjPhysicalBackward0(Elementwise):
    xp_name = "conjugate"

    def backward(self, g):
        return g.conj_physical()


exp, exp_ = unary(ExpBackward0, "exp")
log, log_ = unary(LogBackward0, "log")
sqrt, sqrt_ = unary(SqrtBackward0, "sqrt")
sin, sin_ = unary(SinBackward0, "sin")
cos, cos_ = unary(CosBackward0, "cos")
tanh, tanh_ = unary(TanhBackward0, "tanh")
sigmoid, sigmoid_ = unary(SigmoidBackward0, "sigmoid")
relu, relu_ = unary(ReluBackward0, "relu")
abs, abs_ = unary(AbsBackward0, "abs")
absolute, absolute_ = abs, abs_
sign, sign_ = unary(SignBackward0, "sign")
sgn, sgn_ = unary(SgnBackward0, "sgn")
conj_physical, conj_physical_ = unary(ConjPhysicalBackward0, "conj_physical")


def conj(input):
    """The complex conjugate; real tensors are returned as they are."""
    return conj_physical(input) if input.dtype.is_complex else input


def resolve_conj(input):
    return input


def is_conj(input):
    return False


METHODS = {name: globals()[name] for name in __all__}
METHODS.update({name + "_": globals()[name + "_"] for name in __all__})
METHODS.update(conj=conj, resolve_conj=resolve_conj, is_conj=is_conj,
               __abs__=abs, __pos__=lambda self: self)
__all__ += ["conj", "resolve_conj", "is_conj"]
