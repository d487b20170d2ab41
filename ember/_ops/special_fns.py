"""torch.special functions that exist only there (public through ember.special): entr,
erfcx, i0e, i1, i1e, ndtr, log_ndtr, ndtri, xlog1py, zeta, gammainc, gammaincc."""
from __future__ import annotations

import math

from ember._ops._elementwise import _with_out
from ember._ops._pointwise import COMPLEX, LOW, NOT_FLOAT, Pointwise, binary, unary
from ember._ops._registry import ALL
from ember._tensor import Tensor

__all__ = ["entr", "erfcx", "i0e", "i1", "i1e", "ndtr", "log_ndtr", "ndtri", "xlog1py",
           "zeta", "gammainc", "gammaincc", "round"]
_SQRT_2PI = math.sqrt(2 * math.pi)


class SpecialEntrBackward0(Pointwise):
    """-x log x (0 at 0, -inf below)."""

    kernel, refuse = "entr", COMPLEX
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * -(1 + x.log())


class SpecialErfcxBackward0(Pointwise):
    """exp(x**2) erfc(x)."""

    kernel, refuse = "erfcx", COMPLEX | LOW
    save_inputs = (0,)
    save_outputs = (0,)

    def backward(self, g):
        x, y = self.saved
        return (2.0 * x * y - 2.0 / math.sqrt(math.pi)) * g


class SpecialI0EBackward0(Pointwise):
    """exp(-|x|) i0(x)."""

    kernel, refuse = "i0e", COMPLEX
    save_inputs = (0,)
    save_outputs = (0,)

    def backward(self, g):
        x, y = self.saved
        return g * (i1e(x) - x.sgn() * y)


def _tiny_safe(x):
    """(|x| > eps mask, x with the tiny elements replaced by eps): i1's derivative at 0."""
    from ember._dtype import finfo
    from ember._ops.where import where
    eps = finfo(x.dtype).eps
    big = x.abs() > eps
    return big, where(big, x, eps)


class SpecialI1Backward0(Pointwise):
    """The modified Bessel function of the first kind, order 1."""

    kernel, refuse = "i1", COMPLEX
    save_inputs = (0,)
    save_outputs = (0,)

    def backward(self, g):
        from ember._ops.where import where
        x, y = self.saved
        big, safe = _tiny_safe(x)
        return g * where(big, safe.i0() - y * safe.reciprocal(), 0.5)


class SpecialI1EBackward0(Pointwise):
    """exp(-|x|) i1(x)."""

    kernel, refuse = "i1e", COMPLEX
    save_inputs = (0,)
    save_outputs = (0,)

    def backward(self, g):
        from ember._ops.where import where
        x, y = self.saved
        big, safe = _tiny_safe(x)
        return g * where(big, i0e(safe) - y * (safe.sgn() + safe.reciprocal()), 0.5)


class MulBackward1(Pointwise):
    """The standard normal CDF; torch builds it as (1 + erf(x / sqrt 2)) * 0.5, whose last
    node is a multiplication by a number."""

    kernel, cpu, refuse = "ndtr", "erf_vml_cpu", COMPLEX
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * (x * x * -0.5).exp() / _SQRT_2PI


class SpecialLogNdtrBackward0(Pointwise):
    kernel, refuse = "log_ndtr", COMPLEX | LOW
    save_inputs = (0,)
    save_outputs = (0,)

    def backward(self, g):
        x, y = self.saved
        return g / _SQRT_2PI * (-(y + x * x / 2)).exp()


class SpecialNdtriBackward0(Pointwise):
    """The inverse of the standard normal CDF."""

    kernel, refuse = "ndtri", COMPLEX | LOW
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return g * _SQRT_2PI * (y * y / 2).exp()


class SpecialXlog1PyBackward0(Pointwise):
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""

    kernel, refuse = "xlog1py", COMPLEX
    save_inputs = (0, 1)

    def backward(self, g):
        x, y = self.saved
        need_x, need_y = self.needs_input_grad
        return (g * xlog1py(x != 0, y) if need_x else None), \
            (g * x / (y + 1) if need_y else None)


class SpecialXlog1PyBackward1(SpecialXlog1PyBackward0):
    """A Python number as `input`."""


class SpecialXlog1PyBackward2(SpecialXlog1PyBackward0):
    """A Python number as `other`."""


class SpecialZetaBackward0(Pointwise):
    """The Hurwitz zeta function sum_k (k + other) ** -input."""

    kernel, refuse = "zeta", COMPLEX | LOW
    save_inputs = (0, 1)

    def backward(self, g):
        x, q = self.saved
        need_x, need_q = self.needs_input_grad
        if need_x:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, g * -x * zeta(x + 1.0, q)


class SpecialZetaBackward1(SpecialZetaBackward0):
    """A Python number as `input`."""


class SpecialZetaBackward2(SpecialZetaBackward0):
    """A Python number as `other`."""


class IgammaBackward0(Pointwise):
    """The regularized lower incomplete gamma function P(input, other)."""

    promote, kernel, cpu, refuse = ALL, "gammainc", "igamma_cpu", NOT_FLOAT
    sign = 1.0
    save_inputs = (0, 1)

    def backward(self, g):
        a, x = self.saved
        if self.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{self.cpu[:-4]}: input' is not "
                                      "implemented.")
        return None, self.sign * g * ((a - 1) * x.log() - x - a.lgamma()).exp()


class IgammacBackward0(IgammaBackward0):
    """The regularized upper incomplete gamma function Q(input, other)."""

    kernel, cpu = "gammaincc", "igammac_cpu"
    sign = -1.0


entr = unary(SpecialEntrBackward0, "entr")[0]
erfcx = unary(SpecialErfcxBackward0, "erfcx")[0]
i0e = unary(SpecialI0EBackward0, "i0e")[0]
i1 = unary(SpecialI1Backward0, "i1")[0]
i1e = unary(SpecialI1EBackward0, "i1e")[0]
ndtr = unary(MulBackward1, "ndtr")[0]
log_ndtr = unary(SpecialLogNdtrBackward0, "log_ndtr")[0]
ndtri = unary(SpecialNdtriBackward0, "ndtri")[0]


def _by_scalars(classes):
    """The node class by which operand is a Python number (tensor/tensor, scalar first,
    scalar second)."""
    def pick(input, other):
        if not isinstance(input, Tensor):
            return classes[1]
        return classes[0] if isinstance(other, Tensor) else classes[2]
    return pick


_XLOG1PY = _by_scalars((SpecialXlog1PyBackward0, SpecialXlog1PyBackward1,
                        SpecialXlog1PyBackward2))
_ZETA = _by_scalars((SpecialZetaBackward0, SpecialZetaBackward1, SpecialZetaBackward2))


def xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, 0 where input is 0 and other is not NaN."""
    return _with_out(binary(_XLOG1PY(input, other), input, other), out)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function of `input` (x) and `other` (q)."""
    return _with_out(binary(_ZETA(input, other), input, other), out)


def _tensors_only(name):
    def check(input, other):
        for arg, position, v in (("input", 1, input), ("other", 2, other)):
            if not isinstance(v, Tensor):
                raise TypeError(f"special_{name}(): argument '{arg}' (position {position}) "
                                f"must be Tensor, not {type(v).__name__}")
    return check


def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other)."""
    _tensors_only("gammainc")(input, other)
    return _with_out(binary(IgammaBackward0, input, other), out)


def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P."""
    _tensors_only("gammaincc")(input, other)
    return _with_out(binary(IgammacBackward0, input, other), out)


def round(input, *, decimals=0, out=None):
    """torch.special.round: round half to even to `decimals` places (always the decimals
    overload, so its node is RoundBackward1)."""
    from ember._ops.rounding import round as round_half_even
    return round_half_even(input, decimals=decimals, out=out)
