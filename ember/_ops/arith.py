"""Arithmetic: add, sub, mul, div, floor_divide, remainder, pow, neg and their operators."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._elementwise import (Elementwise, _with_out, binary_inplace, binary_op,
                                     unary, unary_inplace, unary_op)
from ember._ops._registry import ALL, FLOAT, apply, apply_inplace
from ember._tensor import Tensor
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
           "floor_divide", "remainder", "pow", "neg", "negative", "rsub", "reciprocal",
           "square"]


class AddBackward0(Elementwise):
    promote = ALL
    xp_name = "add"

    def forward(self, be, x, y, *, alpha=1):
        self.alpha = alpha
        return be.xp.add(x, y if alpha == 1 else be.xp.multiply(y, alpha))

    def backward(self, g):
        alpha = self.__dict__.get("alpha", 1)
        return g, (g if alpha == 1 else g * alpha)


class SubBackward0(AddBackward0):
    xp_name = "subtract"

    def forward(self, be, x, y, *, alpha=1):
        self.alpha = alpha
        return be.xp.subtract(x, y if alpha == 1 else be.xp.multiply(y, alpha))

    def backward(self, g):
        alpha = self.__dict__.get("alpha", 1)
        return g, (-g if alpha == 1 else g * -alpha)


class RsubBackward1(Elementwise):
    """``other - alpha * input`` with a scalar `other` (``2 - x``)."""

    promote = ALL

    def forward(self, be, x, y, *, alpha=1):
        self.alpha = alpha
        return be.xp.subtract(y, x if alpha == 1 else be.xp.multiply(x, alpha))

    def backward(self, g):
        return g * -self.alpha, None


class MulBackward0(Elementwise):
    promote = ALL
    xp_name = "multiply"
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (g * _conj(b) if need_a else None), (g * _conj(a) if need_b else None)


class DivBackward0(Elementwise):
    promote = FLOAT
    xp_name = "true_divide"
    save_inputs = (0, 1)
    saved_for = {0: (1,)}

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        ga = g / _conj(b) if need_a else None
        gb = -g * _conj(a) / _conj(b * b) if need_b else None
        return ga, gb


class DivBackward2(Elementwise):
    """Rounded division: zero gradient almost everywhere (torch's choice)."""

    promote = ALL

    def forward(self, be, x, y, *, rounding_mode):
        if be.is_integer(x) and _nonempty(x, y) and be.any_zero(y):
            raise RuntimeError("ZeroDivisionError")
        if rounding_mode == "floor":
            return be.xp.floor_divide(x, y)
        return be.trunc_divide(x, y)

    def backward(self, g):
        return g * 0, (g * 0 if self.needs_input_grad[1] else None)


class FloorDivide(Elementwise):
    promote = ALL
    xp_name = "floor_divide"

    def forward(self, be, x, y):
        if be.is_integer(x) and _nonempty(x, y) and be.any_zero(y):
            raise RuntimeError("ZeroDivisionError")
        return be.xp.floor_divide(x, y)

    def backward(self, g):
        raise RuntimeError("the derivative for 'floor_divide' is not implemented.")


# NOTE(torch): floor_divide records a node whose class is literally named "NotImplemented"
FloorDivide.__name__ = FloorDivide.__qualname__ = "NotImplemented"


def _nonempty(x, y):
    """Whether an op on arrays/scalars `x`, `y` has any element to compute."""
    return getattr(x, "size", 1) != 0 and getattr(y, "size", 1) != 0


class RemainderBackward0(Elementwise):
    promote = ALL
    xp_name = "remainder"
    save_inputs = (0, 1)

    def forward(self, be, x, y):
        if be.dtype_of(x) is D.bool:
            raise NotImplementedError("\"remainder_cpu\" not implemented for 'Bool'")
        if be.is_integer(x) and _nonempty(x, y) and be.any_zero(y):
            raise RuntimeError("ZeroDivisionError")
        return be.xp.remainder(x, y)

    def backward(self, g):
        a, b = self.saved
        gb = -g * div(a, b, rounding_mode="floor") if self.needs_input_grad[1] else None
        return g, gb


class PowBackward0(Elementwise):
    """``input ** exponent`` with a scalar exponent."""

    promote = ALL
    save_inputs = (0, 1)

    def forward(self, be, x, e):
        return be.power(x, e)

    def backward(self, g):
        x, e = self.saved
        if e == 0:
            return g * 0, None
        return g * e * x.pow(e - 1).conj(), None


class PowBackward1(Elementwise):
    """``input ** exponent`` with both tensors."""

    promote = ALL
    save_inputs = (0, 1)
    save_outputs = (0,)

    def forward(self, be, x, e):
        if be.dtype_of(x) is D.bool:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        return be.power(x, e)

    def backward(self, g):
        x, e, result = self.saved
        need_x, need_e = self.needs_input_grad
        gx = ge = None
        if need_x:
            gx = (g * (e * x.pow(e - 1)).conj()).masked_fill(e == 0, 0)
        if need_e:
            logx = x.log()
            ge = g * (result * logx.masked_fill((x == 0) & (e >= 0), 0)).conj()
        return gx, ge


class PowBackward2(Elementwise):
    """``self ** exponent`` with a scalar base."""

    promote = ALL
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, base, e):
        return be.power(base, e)

    def backward(self, g):
        base, result = self.saved
        import math
        if base == 0:
            return None, g * 0
        return None, g * (result * math.log(base)).conj()


class NegBackward0(Elementwise):
    xp_name = "negative"

    def forward(self, be, x):
        if be.dtype_of(x) is D.bool:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return be.xp.negative(x)

    def backward(self, g):
        return -g


class ReciprocalBackward0(Elementwise):
    promote = FLOAT
    xp_name = "reciprocal"
    save_outputs = (0,)

    def forward(self, be, x):
        return be.xp.divide(1, x)

    def backward(self, g):
        (y,) = self.saved
        return -g * (y * y).conj()


def _conj(t):
    return t.conj() if isinstance(t, Tensor) and t.dtype.is_complex else \
        (t.conjugate() if isinstance(t, complex) else t)


_WIDE = frozenset((D.float32, D.float64))


def _check_alpha(input, other, alpha):
    if alpha != 1 and isinstance(alpha, float) and \
            D.result_dtype((input, other)).category < D.FLOAT:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def _bool_sub(input, other):
    a_bool = getattr(input, "dtype", None) is D.bool or isinstance(input, bool)
    b_bool = getattr(other, "dtype", None) is D.bool or isinstance(other, bool)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion."""
    if alpha == 1:
        return _with_out(binary_op(AddBackward0, input, other), out)
    _check_alpha(input, other, alpha)
    return _with_out(apply(AddBackward0, (input, other), alpha=alpha), out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    _bool_sub(input, other)
    if alpha == 1:
        return _with_out(binary_op(SubBackward0, input, other), out)
    _check_alpha(input, other, alpha)
    return _with_out(apply(SubBackward0, (input, other), alpha=alpha), out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    _bool_sub(input, other)
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    return apply(RsubBackward1, (input, other), alpha=alpha)


def add_(self, other, *, alpha=1):
    if alpha == 1:
        return binary_inplace(AddBackward0, self, other)
    _check_alpha(self, other, alpha)
    if isinstance(other, Tensor) and other.dtype is self.dtype and self.dtype in _WIDE and \
            not (GRAD.grad and (self._requires_grad or other._requires_grad)):
        # the optimizers' hot path (p.add_(buf, alpha=-lr)): scale, then add in place
        return binary_inplace(AddBackward0, self, binary_op(MulBackward0, other, alpha))
    return apply_inplace(AddBackward0, (self, other), alpha=alpha)


def sub_(self, other, *, alpha=1):
    _bool_sub(self, other)
    if alpha == 1:
        return binary_inplace(SubBackward0, self, other)
    _check_alpha(self, other, alpha)
    return apply_inplace(SubBackward0, (self, other), alpha=alpha)


def mul(input, other, *, out=None):
    """Elementwise product."""
    return _with_out(binary_op(MulBackward0, input, other), out)


multiply = mul


def mul_(self, other):
    return binary_inplace(MulBackward0, self, other)


def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give the default float dtype), or rounded with
    ``rounding_mode`` 'trunc' or 'floor'."""
    if rounding_mode is None:
        return _with_out(binary_op(DivBackward0, input, other), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    return _with_out(apply(DivBackward2, (input, other), rounding_mode=rounding_mode), out)


divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return binary_inplace(DivBackward0, self, other)
    return apply_inplace(DivBackward2, (self, other), rounding_mode=rounding_mode)


def floor_divide(input, other, *, out=None):
    """Division rounded toward negative infinity."""
    return _with_out(apply(FloorDivide, (input, other)), out)


def floor_divide_(self, other):
    return apply_inplace(FloorDivide, (self, other))


def remainder(input, other, *, out=None):
    """Python's modulus: the result has the sign of the divisor."""
    if not isinstance(input, Tensor):
        input = _scalar_tensor_like(input, other)
    return _with_out(apply(RemainderBackward0, (input, other)), out)


def remainder_(self, other):
    return apply_inplace(RemainderBackward0, (self, other))


def _scalar_tensor_like(value, like):
    from ember._ops.creation import full
    return full((), value, device=like.device)


def _pow_cls(input, exponent):
    if isinstance(input, Tensor):
        return PowBackward1 if isinstance(exponent, Tensor) else PowBackward0
    return PowBackward2


def _check_int_pow(input, exponent):
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor) and \
            input.dtype.category <= D.INT and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a Python scalar."""
    _check_int_pow(input, exponent)
    return _with_out(apply(_pow_cls(input, exponent), (input, exponent)), out)


def pow_(self, exponent):
    _check_int_pow(self, exponent)
    return apply_inplace(_pow_cls(self, exponent), (self, exponent))


def reciprocal(input, *, out=None):
    return _with_out(unary_op(ReciprocalBackward0, input), out)


def reciprocal_(self):
    return unary_inplace(ReciprocalBackward0, self)


neg, neg_ = unary(NegBackward0, "neg")
negative, negative_ = neg, neg_


def square(input, *, out=None):
    return pow(input, 2, out=out)


def square_(self):
    return pow_(self, 2)


def _rtruediv(self, other):
    return reciprocal(self) * other


def _rfloordiv(self, other):
    return floor_divide(_scalar_tensor_like(other, self), self)


def _rpow(self, other):
    return pow(other, self)


def _rmod(self, other):
    return remainder(_scalar_tensor_like(other, self), self)


OPERATORS = {
    "__add__": add, "__radd__": add, "__iadd__": add_,
    "__sub__": sub, "__rsub__": rsub, "__isub__": sub_,
    "__mul__": mul, "__rmul__": mul, "__imul__": mul_,
    "__truediv__": div, "__rtruediv__": _rtruediv, "__itruediv__": div_,
    "__floordiv__": floor_divide, "__rfloordiv__": _rfloordiv, "__ifloordiv__": floor_divide_,
    "__mod__": remainder, "__rmod__": _rmod, "__imod__": remainder_,
    "__pow__": pow, "__rpow__": _rpow, "__ipow__": pow_,
    "__neg__": neg,
}

METHODS = {
    "add": add, "add_": add_, "sub": sub, "sub_": sub_, "subtract": sub,
    "subtract_": sub_, "mul": mul, "mul_": mul_, "multiply": mul, "multiply_": mul_,
    "div": div, "div_": div_, "divide": div, "divide_": div_, "true_divide": true_divide,
    "true_divide_": div_, "floor_divide": floor_divide, "floor_divide_": floor_divide_,
    "remainder": remainder, "remainder_": remainder_, "pow": pow, "pow_": pow_,
    "neg": neg, "neg_": neg_, "negative": neg, "negative_": neg_, "reciprocal": reciprocal,
    "reciprocal_": reciprocal_, "square": square, "square_": square_,
}
