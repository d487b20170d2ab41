"""Elementwise tests and closeness: isnan, isinf, isposinf, isneginf, isfinite, isreal,
isclose, and the whole-tensor answers allclose and equal."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._pointwise import COMPLEX, Pointwise, unary
from ember._ops._registry import Op, _device_error, apply
from ember._tensor import Tensor

__all__ = ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "isclose",
           "allclose", "equal"]


class _Test(Pointwise):
    """A bool-valued test of each element (integer and bool inputs are never NaN or inf)."""

    promote = None
    out_dtype = D.bool


class IsNan(_Test):
    kernel = "isnan"


class IsInf(_Test):
    kernel = "isinf"


class IsFinite(_Test):
    kernel = "isfinite"


class IsReal(_Test):
    kernel = "isreal"


class _Signed(_Test):
    def check(self, dt):
        if dt in COMPLEX:
            raise RuntimeError(f"{self.kernel} does not support complex inputs.")


class IsPosInf(_Signed):
    kernel = "isposinf"


class IsNegInf(_Signed):
    kernel = "isneginf"


def _no_out(fn):
    def test(input):
        return fn(input)
    test.__name__, test.__doc__ = fn.__name__, fn.__doc__
    return test


isnan = _no_out(unary(IsNan, "isnan")[0])
isinf = _no_out(unary(IsInf, "isinf")[0])
isfinite = _no_out(unary(IsFinite, "isfinite")[0])
isreal = _no_out(unary(IsReal, "isreal")[0])
isposinf = unary(IsPosInf, "isposinf")[0]
isneginf = unary(IsNegInf, "isneginf")[0]


class IsClose(Op):
    def forward(self, be, a, b, *, rtol, atol, equal_nan):
        float_dt = be.np_dtype(D.get_default_dtype())
        return be.isclose(a, b, rtol, atol, equal_nan, float_dt)


def _check_close(input, other, rtol, atol):
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{D.type_name(input.dtype)} did not match "
                           f"{D.type_name(other.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``input == other`` or ``|input - other| <= atol + rtol * |other|``
    (both finite); NaNs compare equal only with `equal_nan`. Dtypes must match."""
    _check_close(input, other, rtol, atol)
    return apply(IsClose, (input, other), rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element is close (see `isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other) -> bool:
    """True if both tensors have the same shape and equal elements (NaN is unequal)."""
    if input._be is not other._be:
        raise _device_error(input, other)
    return input._be.equal(input._arr, other._arr)
