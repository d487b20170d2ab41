"""Elementwise maximum / minimum (NaN-propagating) and fmax / fmin (NaN-ignoring), and the
fused three-operand ops lerp, addcmul and addcdiv."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._elementwise import _with_out
from ember._ops._pointwise import COMPLEX, Pointwise, inplace, not_implemented, tensor_binary
from ember._ops._registry import ALL, Op, apply
from ember._tensor import Tensor, _c_name

__all__ = ["maximum", "minimum", "fmax", "fmin", "lerp", "addcmul", "addcdiv"]


class _Extremum(Pointwise):
    promote = ALL
    save_inputs = (0, 1)

    def check(self, dt):
        if dt in COMPLEX:
            raise RuntimeError(f"{self.kernel} not implemented for complex tensors.")


class MaximumBackward0(_Extremum):
    """The larger element of each pair; NaN if either is NaN."""

    kernel = "maximum"

    def backward(self, g):
        a, b = self.saved
        shared = g.where(a != b, g / 2)
        need_a, need_b = self.needs_input_grad
        return (shared.masked_fill(a < b, 0) if need_a else None,
                shared.masked_fill(a > b, 0) if need_b else None)


class MinimumBackward0(_Extremum):
    """The smaller element of each pair; NaN if either is NaN."""

    kernel = "minimum"

    def backward(self, g):
        a, b = self.saved
        shared = g.where(a != b, g / 2)
        need_a, need_b = self.needs_input_grad
        return (shared.masked_fill(a > b, 0) if need_a else None,
                shared.masked_fill(a < b, 0) if need_b else None)


class FmaxBackward0(_Extremum):
    """The larger element of each pair, ignoring a NaN (NaN only if both are)."""

    kernel = "fmax"

    def backward(self, g):
        a, b = self.saved
        a_wins = (a >= b).logical_or(b.isnan())
        need_a, need_b = self.needs_input_grad
        return (g.masked_fill(a_wins.logical_not(), 0) if need_a else None,
                g.masked_fill(a_wins, 0) if need_b else None)


class FminBackward0(_Extremum):
    """The smaller element of each pair, ignoring a NaN (NaN only if both are)."""

    kernel = "fmin"

    def backward(self, g):
        a, b = self.saved
        a_wins = (a <= b).logical_or(b.isnan())
        need_a, need_b = self.needs_input_grad
        return (g.masked_fill(a_wins.logical_not(), 0) if need_a else None,
                g.masked_fill(a_wins, 0) if need_b else None)


maximum, _maximum_method, _ = tensor_binary(MaximumBackward0, "maximum")
minimum, _minimum_method, _ = tensor_binary(MinimumBackward0, "minimum")
fmax, _fmax_method, _ = tensor_binary(FmaxBackward0, "fmax")
fmin, _fmin_method, _ = tensor_binary(FminBackward0, "fmin")


# --- lerp -------------------------------------------------------------------------------
class LerpBackward0(Op):
    """input + weight * (end - input), with a Python number as weight."""

    def forward(self, be, x, end, *, weight):
        _check_lerp_dtype(be.dtype_of(x), "lerp_kernel_scalar")
        self.weight = weight
        return be.pointwise("lerp", x, end, weight)

    def backward(self, g):
        w = self.weight
        wc = w.conjugate() if isinstance(w, complex) else w
        need_x, need_end = self.needs_input_grad
        return (g * (1 - wc) if need_x else None), (g * wc if need_end else None)


class LerpBackward1(Op):
    """input + weight * (end - input), with a tensor weight."""

    save_inputs = (0, 1, 2)

    def forward(self, be, x, end, weight):
        _check_lerp_dtype(be.dtype_of(x), "lerp_kernel_tensor")
        return be.pointwise("lerp", x, end, weight)

    def backward(self, g):
        x, end, w = self.saved
        need_x, need_end, need_w = self.needs_input_grad
        return (g * (1 - w).conj() if need_x else None, g * w.conj() if need_end else None,
                g * (end - x).conj() if need_w else None)


def _check_lerp_dtype(dt, kernel):
    if dt.category < D.FLOAT:
        raise not_implemented(kernel, dt)


def _check_lerp(input, end, weight):
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {_c_name(input.dtype)} for `{name}` but got "
                               f"dtype {_c_name(t.dtype)}")


def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)``; `weight` is a number or a
    tensor of input's dtype (all three broadcast)."""
    _check_lerp(input, end, weight)
    if isinstance(weight, Tensor):
        return _with_out(apply(LerpBackward1, (input, end, weight)), out)
    return _with_out(apply(LerpBackward0, (input, end), weight=weight), out)


def lerp_(self, end, weight):
    _check_lerp(self, end, weight)
    if isinstance(weight, Tensor):
        return inplace(LerpBackward1, (self, end, weight))
    return inplace(LerpBackward0, (self, end), weight=weight)


# --- addcmul / addcdiv ------------------------------------------------------------------
class AddcmulBackward0(Op):
    """input + value * tensor1 * tensor2."""

    promote = ALL
    save_inputs = (1, 2)
    saved_for = {1: (2,), 2: (1,)}

    def forward(self, be, x, t1, t2, *, value):
        if be.dtype_of(x) is D.bool:
            raise not_implemented("addcmul_cpu_out", D.bool)
        self.value = value
        return be.pointwise("addcmul", x, t1, t2, value=value)

    def backward(self, g):
        t1, t2 = self.saved
        v = self.value
        _, need_1, need_2 = self.needs_input_grad
        return (g, g * (t2 * v).conj() if need_1 else None,
                g * (t1 * v).conj() if need_2 else None)


class AddcdivBackward0(Op):
    """input + value * tensor1 / tensor2."""

    promote = ALL
    save_inputs = (1, 2)
    saved_for = {1: (2,), 2: (1, 2)}

    def forward(self, be, x, t1, t2, *, value):
        self.value = value
        return be.pointwise("addcdiv", x, t1, t2, value=value)

    def backward(self, g):
        t1, t2 = self.saved
        v = self.value
        _, need_1, need_2 = self.needs_input_grad
        return (g, g * (v / t2).conj() if need_1 else None,
                -g * (v * t1 / (t2 * t2)).conj() if need_2 else None)


_ADDCDIV_INT = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
    "tensor2), for all dtypes.")


def _check_addcdiv(tensor1, tensor2):
    if tensor1.dtype.category <= D.INT and tensor2.dtype.category <= D.INT:
        raise RuntimeError(_ADDCDIV_INT)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2`` (broadcast, promoted)."""
    return _with_out(apply(AddcmulBackward0, (input, tensor1, tensor2), value=value), out)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return inplace(AddcmulBackward0, (self, tensor1, tensor2), value=value)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2`` (integer tensor1 and tensor2 are refused)."""
    _check_addcdiv(tensor1, tensor2)
    return _with_out(apply(AddcdivBackward0, (input, tensor1, tensor2), value=value), out)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    _check_addcdiv(tensor1, tensor2)
    return inplace(AddcdivBackward0, (self, tensor1, tensor2), value=value)


METHODS = {"maximum": _maximum_method, "minimum": _minimum_method, "fmax": _fmax_method,
           "fmin": _fmin_method, "lerp_": lerp_, "addcmul_": addcmul_, "addcdiv_": addcdiv_}
