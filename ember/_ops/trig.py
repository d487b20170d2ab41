"""Trigonometric and hyperbolic functions and their inverses (with NumPy's arc* aliases),
atan2, hypot, sinc, deg2rad / rad2deg. Integer and bool inputs compute in the default float
dtype; complex inputs are accepted where torch accepts them."""
from __future__ import annotations

import math

from ember._ops._pointwise import COMPLEX, NOT_FLOAT, Pointwise, tensor_binary, unary
from ember._ops._registry import ALL

__all__ = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
           "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "atan2", "arctan2",
           "hypot", "sinc", "deg2rad", "rad2deg"]
_INPLACE = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
            "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sinc", "deg2rad",
            "rad2deg"]


class TanBackward0(Pointwise):
    kernel = "tan"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return g * (1 + y * y).conj()


class AsinBackward0(Pointwise):
    kernel = "asin"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * (1 - x * x).rsqrt().conj()


class AcosBackward0(Pointwise):
    kernel = "acos"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * -(1 - x * x).rsqrt().conj()


class AtanBackward0(Pointwise):
    kernel = "atan"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g / (x * x + 1).conj()


class SinhBackward0(Pointwise):
    kernel = "sinh"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * x.cosh().conj()


class CoshBackward0(Pointwise):
    kernel = "cosh"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * x.sinh().conj()


class AsinhBackward0(Pointwise):
    kernel = "asinh"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * (x * x + 1).rsqrt().conj()


class AcoshBackward0(Pointwise):
    kernel = "acosh"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        if x.dtype.is_complex:        # sqrt(z*z - 1) takes another branch than this product
            return g * ((x + 1).rsqrt() * (x - 1).rsqrt()).conj()
        return g * (x * x - 1).rsqrt()


class AtanhBackward0(Pointwise):
    kernel = "atanh"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g / (1 - x * x).conj()


class Atan2Backward0(Pointwise):
    """The angle of the point (other, input), in (-pi, pi]."""

    kernel = "atan2"
    refuse = COMPLEX
    save_inputs = (0, 1)

    def backward(self, g):
        y, x = self.saved
        scale = g / (y * y + x * x)
        need_y, need_x = self.needs_input_grad
        return (scale * x if need_y else None), (scale * -y if need_x else None)


class HypotBackward0(Pointwise):
    """sqrt(input**2 + other**2) without intermediate overflow; floating inputs only."""

    promote = ALL
    kernel = "hypot"
    refuse = NOT_FLOAT
    save_inputs = (0, 1)
    save_outputs = (0,)

    def backward(self, g):
        a, b, y = self.saved
        need_a, need_b = self.needs_input_grad
        return (g * a / y if need_a else None), (g * b / y if need_b else None)


class SincBackward0(Pointwise):
    """sin(pi x) / (pi x), 1 at 0."""

    kernel = "sinc"
    save_inputs = (0,)

    def backward(self, g):
        from ember._ops.where import where
        (x,) = self.saved
        px = x * math.pi
        den = x * x * math.pi
        out = g * ((px * px.cos() - px.sin()) / den).conj()
        return where(den == 0, 0.0, out)


class _DegRad(Pointwise):
    factor = 1.0

    def check(self, dt):
        if dt in COMPLEX:
            raise RuntimeError(f"{self.kernel} is not supported for complex tensors.")

    def backward(self, g):
        return g * self.factor


class Deg2RadBackward0(_DegRad):
    kernel = "deg2rad"
    factor = math.pi / 180.0


class Rad2DegBackward0(_DegRad):
    kernel = "rad2deg"
    factor = 180.0 / math.pi


tan, tan_ = unary(TanBackward0, "tan")
asin, asin_ = unary(AsinBackward0, "asin")
acos, acos_ = unary(AcosBackward0, "acos")
atan, atan_ = unary(AtanBackward0, "atan")
sinh, sinh_ = unary(SinhBackward0, "sinh")
cosh, cosh_ = unary(CoshBackward0, "cosh")
asinh, asinh_ = unary(AsinhBackward0, "asinh")
acosh, acosh_ = unary(AcoshBackward0, "acosh")
atanh, atanh_ = unary(AtanhBackward0, "atanh")
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
arcsin_, arccos_, arctan_ = asin_, acos_, atan_
arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_
sinc, sinc_ = unary(SincBackward0, "sinc")
deg2rad, deg2rad_ = unary(Deg2RadBackward0, "deg2rad")
rad2deg, rad2deg_ = unary(Rad2DegBackward0, "rad2deg")
atan2, _atan2_method, atan2_ = tensor_binary(Atan2Backward0, "atan2")
arctan2, _arctan2_method, arctan2_ = tensor_binary(Atan2Backward0, "arctan2")
hypot, _hypot_method, hypot_ = tensor_binary(HypotBackward0, "hypot")

__all__ += [name + "_" for name in _INPLACE]
METHODS = {"atan2": _atan2_method, "atan2_": atan2_, "arctan2": _arctan2_method,
           "arctan2_": arctan2_, "hypot": _hypot_method, "hypot_": hypot_}
