"""Special functions torch exposes at the top level: erf, erfc, erfinv, lgamma, digamma,
polygamma, mvlgamma, i0 and igamma / igammac (the rest of torch.special lives in
ember.special)."""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._elementwise import _with_out
from ember._ops._pointwise import (COMPLEX, Pointwise, inplace, not_implemented, tensor_binary,
                                   unary)
from ember._ops._registry import FLOAT, Op, apply
from ember._ops.special_fns import IgammaBackward0, IgammacBackward0

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "i0",
           "igamma", "igammac", "erf_", "erfc_", "i0_"]
FUNCTIONS_ONLY = frozenset({"polygamma"})
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class _Special(Pointwise):
    refuse = COMPLEX


class ErfBackward0(_Special):
    kernel, cpu = "erf", "erf_vml_cpu"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return _TWO_OVER_SQRT_PI * (-(x * x)).exp() * g


class ErfcBackward0(_Special):
    kernel, cpu = "erfc", "erfc_vml_cpu"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return -_TWO_OVER_SQRT_PI * (-(x * x)).exp() * g


class ErfinvBackward0(_Special):
    kernel, cpu = "erfinv", "erfinv_vml_cpu"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return 0.5 * math.sqrt(math.pi) * (y * y).exp() * g


class LgammaBackward0(_Special):
    kernel, cpu = "lgamma", "lgamma_vml_cpu"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * x.digamma()


class DigammaBackward0(_Special):
    kernel, cpu = "digamma", "digamma"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g * polygamma(1, x)


class I0Backward0(_Special):
    kernel, cpu = "i0", "i0_vml_cpu"
    save_inputs = (0,)

    def backward(self, g):
        from ember.special import i1
        (x,) = self.saved
        return g * i1(x)


class PolygammaBackward0(Op):
    """The n-th derivative of digamma."""

    promote = FLOAT
    save_inputs = (0,)

    def forward(self, be, x, *, n):
        dt = be.dtype_of(x)
        if dt in COMPLEX:
            raise not_implemented({0: "digamma", 1: "trigamma"}.get(n, "polygamma"), dt)
        self.n = n
        return be.pointwise("polygamma", x, n=n)

    def backward(self, g):
        (x,) = self.saved
        return g * polygamma(self.n + 1, x)


class PolygammaBackward1(PolygammaBackward0):
    """In place (``x.polygamma_(n)``)."""


class MvlgammaBackward0(Op):
    """The log of the multivariate gamma function of dimension p."""

    promote = FLOAT
    save_inputs = (0,)

    def forward(self, be, x, *, p):
        self.p = p
        return be.pointwise("mvlgamma", x, p=p)

    def backward(self, g):
        (x,) = self.saved
        total = x.digamma()
        for j in range(1, self.p):
            total = total + (x - 0.5 * j).digamma()
        return g * total


erf, erf_ = unary(ErfBackward0, "erf")
erfc, erfc_ = unary(ErfcBackward0, "erfc")
erfinv, erfinv_ = unary(ErfinvBackward0, "erfinv")
lgamma, lgamma_ = unary(LgammaBackward0, "lgamma")
digamma, digamma_ = unary(DigammaBackward0, "digamma")
i0, i0_ = unary(I0Backward0, "i0")
igamma, _igamma_method, igamma_ = tensor_binary(IgammaBackward0, "igamma")
igammac, _igammac_method, igammac_ = tensor_binary(IgammacBackward0, "igammac")


def _check_n(n):
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")


def polygamma(n, input, *, out=None):
    """The n-th derivative of the digamma function (n >= 0)."""
    _check_n(n)
    return _with_out(apply(PolygammaBackward0, (input,), n=n), out)


def _polygamma_method(self, n):
    return polygamma(n, self)


def polygamma_(self, n):
    _check_n(n)
    return inplace(PolygammaBackward1, (self,), n=n)


def _check_mvlgamma(input, p):
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input.dtype is D.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if input.dtype.is_complex:
        raise not_implemented("arange_cpu", input.dtype)


def mvlgamma(input, p, *, out=None):
    """log of the multivariate gamma function: sum_j lgamma(input - j/2) + p(p-1)/4 log pi
    over j < p (log|gamma|, so no domain check, as in torch)."""
    _check_mvlgamma(input, p)
    return _with_out(apply(MvlgammaBackward0, (input,), p=p), out)


def mvlgamma_(self, p):
    _check_mvlgamma(self, p)
    return inplace(MvlgammaBackward0, (self,), p=p)


METHODS = {"igamma": _igamma_method, "igamma_": igamma_, "igammac": _igammac_method,
           "igammac_": igammac_, "erfinv_": erfinv_, "lgamma_": lgamma_, "digamma_": digamma_,
           "polygamma": _polygamma_method, "polygamma_": polygamma_, "mvlgamma_": mvlgamma_}
