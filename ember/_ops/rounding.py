"""Rounding and sign manipulation: floor, ceil, round (decimals=), trunc / fix, frac,
signbit, copysign, nextafter, fmod, heaviside, gcd / lcm, nan_to_num, positive."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops.arith import _nonempty
from ember._ops._elementwise import _with_out
from ember._ops._pointwise import (BOOL, COMPLEX, NOT_FLOAT, Pointwise, binary, binary_, inplace,
                                   not_implemented, tensor_binary, unary)
from ember._ops._registry import ALL, Op, apply
from ember._tensor import Tensor

__all__ = ["floor", "ceil", "round", "trunc", "fix", "frac", "signbit", "copysign",
           "nextafter", "fmod", "heaviside", "gcd", "lcm", "nan_to_num", "positive",
           "floor_", "ceil_", "round_", "trunc_", "fix_", "frac_", "gcd_", "lcm_",
           "nan_to_num_"]


def _zeros(g):
    from ember._ops.creation import zeros_like
    return zeros_like(g)


class _Rounding(Pointwise):
    """Integers come back unchanged; bool and complex are refused."""

    promote = None

    def check(self, dt):
        if dt is D.bool:
            raise not_implemented(f"{self.kernel}_vml_cpu", dt)
        if dt in COMPLEX:
            raise NotImplementedError(f"{self.kernel} is not supported for complex inputs")

    def backward(self, g):
        return _zeros(g)


class FloorBackward0(_Rounding):
    kernel = "floor"


class CeilBackward0(_Rounding):
    kernel = "ceil"


class TruncBackward0(_Rounding):
    kernel = "trunc"


class RoundBackward0(Op):
    """Round half to even."""

    def forward(self, be, x, *, decimals=None):
        dt = be.dtype_of(x)
        if dt is D.bool or dt in COMPLEX or (decimals is not None and dt.category == D.INT):
            raise not_implemented("round_cpu" if decimals else "round_vml_cpu", dt)
        return be.round_decimals(x, decimals or 0)

    def backward(self, g):
        return _zeros(g)


class RoundBackward1(RoundBackward0):
    """Round half to even after scaling by 10**decimals."""


class FracBackward0(Pointwise):
    """input - trunc(input)."""

    promote = None
    kernel = "frac"
    refuse = NOT_FLOAT

    def backward(self, g):
        return g


class Signbit(Pointwise):
    promote = None
    kernel = "signbit"
    out_dtype = D.bool

    def check(self, dt):
        if dt in COMPLEX:
            raise NotImplementedError("signbit is not implemented for complex tensors.")


class CopysignBackward0(Pointwise):
    """|input| with the sign of other."""

    kernel = "copysign"
    refuse = COMPLEX
    save_inputs = (0,)
    save_outputs = (0,)

    def backward(self, g):
        x, y = self.saved
        need_x, need_s = self.needs_input_grad
        gx = g * (y / x).masked_fill(x == 0, 0) if need_x else None
        return gx, (_zeros(g) if need_s else None)


class CopysignBackward1(CopysignBackward0):
    """A Python number as `other`."""


class NextafterBackward0(Pointwise):
    promote = ALL
    kernel = "nextafter"
    refuse = NOT_FLOAT

    def backward(self, g):
        return g, (_zeros(g) if self.needs_input_grad[1] else None)


class FmodBackward0(Pointwise):
    """C's fmod: the remainder has the sign of the dividend. A Python number as `other`."""

    promote = ALL
    kernel = "fmod"
    refuse = BOOL | COMPLEX
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (1,)}

    def forward(self, be, x, y):
        if be.dtype_of(x) is D.bool:
            raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
        if be.is_integer(x) and _nonempty(x, y) and be.any_zero(y):
            raise RuntimeError("ZeroDivisionError")
        return super().forward(be, x, y)

    def backward(self, g):
        x, y = self.saved
        gy = -g * x.div(y, rounding_mode="trunc") if self.needs_input_grad[1] else None
        return g, gy


class FmodBackward1(FmodBackward0):
    """A tensor `other`."""


class HeavisideNotImplemented(Pointwise):
    """Heaviside step: 0 below zero, 1 above, `values` at zero."""

    promote = ALL
    kernel = "heaviside"

    def forward(self, be, x, values):
        if be.dtype_of(x) in COMPLEX:
            raise RuntimeError("heaviside is not yet implemented for complex tensors.")
        return be.pointwise("heaviside", x, values)

    def backward(self, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


# NOTE(torch): heaviside records a node whose class is literally named "NotImplemented"
HeavisideNotImplemented.__name__ = HeavisideNotImplemented.__qualname__ = "NotImplemented"


class _IntegerOnly(Pointwise):
    promote = ALL

    def check(self, dt):
        if dt.category != D.INT:
            raise not_implemented(f"{self.kernel}_cpu", dt)


class Gcd(_IntegerOnly):
    kernel = "gcd"


class Lcm(_IntegerOnly):
    kernel = "lcm"


class NanToNumBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, x, *, nan, posinf, neginf):
        return be.nan_to_num(x, nan, posinf, neginf)

    def backward(self, g):
        (x,) = self.saved
        return g * x.isfinite()


floor, floor_ = unary(FloorBackward0, "floor")
ceil, ceil_ = unary(CeilBackward0, "ceil")
trunc, trunc_ = unary(TruncBackward0, "trunc")
fix, fix_ = trunc, trunc_
frac, frac_ = unary(FracBackward0, "frac")
signbit = unary(Signbit, "signbit")[0]
nextafter, _nextafter_method, nextafter_ = tensor_binary(NextafterBackward0, "nextafter")
_heaviside_fns = tensor_binary(HeavisideNotImplemented, "heaviside", "values")
gcd, _gcd_method, gcd_ = tensor_binary(Gcd, "gcd")
lcm, _lcm_method, lcm_ = tensor_binary(Lcm, "lcm")


def round(input, *, decimals=None, out=None):
    """Round half to even, to `decimals` decimal places (0 by default)."""
    cls = RoundBackward0 if decimals is None else RoundBackward1
    return _with_out(apply(cls, (input,), decimals=decimals), out)


def round_(self, *, decimals=None):
    cls = RoundBackward0 if decimals is None else RoundBackward1
    return inplace(cls, (self,), decimals=decimals)


def _invalid_combination(name, input, other):
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({type(input).__name__}, {type(other).__name__}), but expected one of:")


def _scalar_other(name, cls_tensor, cls_scalar):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            raise _invalid_combination(name, input, other)
        cls = cls_tensor if isinstance(other, Tensor) else cls_scalar
        return _with_out(binary(cls, input, other), out)

    def fn_(self, other):
        cls = cls_tensor if isinstance(other, Tensor) else cls_scalar
        return binary_(cls, self, other)

    fn.__name__, fn_.__name__ = name, name + "_"
    fn.__doc__ = cls_tensor.__doc__
    return fn, fn_


copysign, copysign_ = _scalar_other("copysign", CopysignBackward0, CopysignBackward1)
fmod, fmod_ = _scalar_other("fmod", FmodBackward1, FmodBackward0)


def _same_dtype(fn):
    """heaviside refuses operands of different dtypes (after the Tensor checks)."""
    def run(input, values, **kwargs):
        if isinstance(values, Tensor) and isinstance(input, Tensor) and \
                input.dtype is not values.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        return fn(input, values, **kwargs)
    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


heaviside, _heaviside_method, heaviside_ = (_same_dtype(f) for f in _heaviside_fns)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (by default 0 and the
    dtype's largest and lowest finite values); complex parts are replaced separately."""
    return _with_out(apply(NanToNumBackward0, (input,), nan=nan, posinf=posinf,
                           neginf=neginf), out)


def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return inplace(NanToNumBackward0, (self,), nan=nan, posinf=posinf, neginf=neginf)


def positive(input):
    """`input` itself (bool tensors are refused)."""
    if input.dtype is D.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


METHODS = {"nextafter": _nextafter_method, "nextafter_": nextafter_,
           "heaviside": _heaviside_method, "heaviside_": heaviside_, "gcd": _gcd_method,
           "lcm": _lcm_method, "copysign_": copysign_, "fmod_": fmod_}
