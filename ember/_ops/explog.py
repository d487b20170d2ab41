"""Exponentials and logarithms: exp2, expm1, log2, log10, log1p, rsqrt, logaddexp(2),
xlogy, ldexp, frexp, logit and float_power."""
from __future__ import annotations

import math

from ember import _dtype as D
from ember import return_types
from ember._ops._elementwise import _with_out
from ember._ops._pointwise import (BOOL, COMPLEX, INTS, NOT_FLOAT, Pointwise, binary, binary_,
                                   inplace, not_implemented, tensor_binary, unary)
from ember._ops._registry import ALL, FLOAT, Op, apply, write_out
from ember._tensor import Tensor

__all__ = ["exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "logaddexp", "logaddexp2",
           "xlogy", "ldexp", "frexp", "logit", "float_power", "exp2_", "expm1_", "log2_",
           "log10_", "log1p_", "rsqrt_", "xlogy_", "ldexp_", "logit_"]
_LN2, _LN10 = math.log(2.0), math.log(10.0)


class Exp2Backward0(Pointwise):
    kernel = "exp2"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return g * y.conj() * _LN2


class Expm1Backward0(Pointwise):
    kernel = "expm1"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return g * (y.conj() + 1)


class Log2Backward0(Pointwise):
    kernel = "log2"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g / (x.conj() * _LN2)


class Log10Backward0(Pointwise):
    kernel = "log10"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g / (x.conj() * _LN10)


class Log1PBackward0(Pointwise):
    kernel = "log1p"
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        return g / (x + 1).conj()


class RsqrtBackward0(Pointwise):
    kernel = "rsqrt"
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        return -0.5 * g * (y * y * y).conj()


class LogaddexpBackward0(Pointwise):
    """log(exp(input) + exp(other)) without overflow."""

    promote = ALL
    kernel = "logaddexp"
    refuse = BOOL | INTS
    save_inputs = (0, 1)

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return ((g / (1 + (b - a).exp()).conj()) if need_a else None,
                (g / (1 + (a - b).exp()).conj()) if need_b else None)


class Logaddexp2Backward0(Pointwise):
    """log2(2**input + 2**other) without overflow."""

    promote = ALL
    kernel = "logaddexp2"
    refuse = NOT_FLOAT
    save_inputs = (0, 1)

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return ((g / (1 + (b - a).exp2())) if need_a else None,
                (g / (1 + (a - b).exp2())) if need_b else None)


class XlogyBackward0(Pointwise):
    """input * log(other), 0 where input is 0 (unless other is NaN)."""

    kernel = "xlogy"
    refuse = COMPLEX
    save_inputs = (0, 1)

    def backward(self, g):
        x, y = self.saved
        need_x, need_y = self.needs_input_grad
        return (g * xlogy(x != 0, y) if need_x else None), (g * x / y if need_y else None)


class XlogyBackward1(XlogyBackward0):
    """A Python number as `input`."""


class XlogyBackward2(XlogyBackward0):
    """A Python number as `other`."""


class LdexpBackward0(Pointwise):
    """input * 2**other."""

    kernel = "ldexp"
    save_inputs = (1,)
    save_outputs = (0,)

    def backward(self, g):
        e, y = self.saved
        need_x, need_e = self.needs_input_grad
        return ((g * e.exp2().conj() if need_x else None),
                (g * (y * _LN2).conj() if need_e else None))


class FrexpBackward0(Op):
    save_outputs = (1,)

    def forward(self, be, x):
        return be.frexp(x)

    def backward(self, g_mantissa, g_exponent):
        (exponent,) = self.saved
        return g_mantissa / exponent.exp2()


class LogitBackward0(Op):
    promote = FLOAT
    save_inputs = (0,)

    def forward(self, be, x, *, eps):
        dt = be.dtype_of(x)
        if dt in COMPLEX:
            raise not_implemented("logit_cpu", dt)
        self.eps = eps
        return be.pointwise("logit", x, eps=eps)

    def backward(self, g):
        from ember._ops.where import where
        (x,) = self.saved
        lo = 0.0 if self.eps is None else self.eps
        inside = (x >= lo) & (x <= 1.0 - lo)
        return where(inside, g / (x * (1.0 - x)), math.nan if self.eps is None else 0.0)


exp2, exp2_ = unary(Exp2Backward0, "exp2")
expm1, expm1_ = unary(Expm1Backward0, "expm1")
log2, log2_ = unary(Log2Backward0, "log2")
log10, log10_ = unary(Log10Backward0, "log10")
log1p, log1p_ = unary(Log1PBackward0, "log1p")
rsqrt, rsqrt_ = unary(RsqrtBackward0, "rsqrt")
logaddexp, _logaddexp_method, _ = tensor_binary(LogaddexpBackward0, "logaddexp")
logaddexp2, _logaddexp2_method, _ = tensor_binary(Logaddexp2Backward0, "logaddexp2")
ldexp, _ldexp_method, ldexp_ = tensor_binary(LdexpBackward0, "ldexp")


def _xlogy_cls(input, other):
    if not isinstance(input, Tensor):
        return XlogyBackward1
    return XlogyBackward0 if isinstance(other, Tensor) else XlogyBackward2


def xlogy(input, other, *, out=None):
    """``input * log(other)``, 0 where input is 0 and other is not NaN; either may be a
    Python number."""
    return _with_out(binary(_xlogy_cls(input, other), input, other), out)


def xlogy_(self, other):
    return binary_(_xlogy_cls(self, other), self, other)


def _float_check(input):
    if input.dtype.category != D.FLOAT:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2**exponent, |mantissa| in [0.5, 1);
    the exponent is int32."""
    _float_check(input)
    mantissa, exponent = apply(FrexpBackward0, (input,))
    if out is not None:
        write_out(mantissa, out[0])
        write_out(exponent, out[1])
        mantissa, exponent = out
    return return_types.frexp((mantissa, exponent))


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when `eps` is given."""
    return _with_out(apply(LogitBackward0, (input,), eps=eps), out)


def logit_(self, eps=None):
    return inplace(LogitBackward0, (self,), eps=eps)


def _float_power_dtype(input, exponent):
    complex_ = any(isinstance(v, complex) or (isinstance(v, Tensor) and v.dtype.is_complex)
                   for v in (input, exponent))
    return D.complex128 if complex_ else D.float64


def _in(v, dt):
    if isinstance(v, Tensor):
        return v.to(dt)
    return complex(v) if dt.is_complex else float(v)


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision (float64, or complex128)."""
    from ember._ops.arith import pow
    dt = _float_power_dtype(input, exponent)
    if out is not None and out.dtype is not dt:
        raise RuntimeError(f"the output given to float_power has dtype {D.type_name(out.dtype)}"
                           f" but the operation's result requires dtype {D.type_name(dt)}")
    return pow(_in(input, dt), _in(exponent, dt), out=out)


def float_power_(self, exponent):
    from ember._ops.arith import _pow_cls
    dt = _float_power_dtype(self, exponent)
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {D.type_name(self.dtype)}"
                           f" but the operation's result requires dtype {D.type_name(dt)}")
    exponent = _in(exponent, dt)
    return inplace(_pow_cls(self, exponent), (self, exponent))


METHODS = {"logaddexp": _logaddexp_method, "logaddexp2": _logaddexp2_method,
           "ldexp": _ldexp_method, "ldexp_": ldexp_, "float_power_": float_power_}
