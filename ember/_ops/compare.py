"""Comparisons, bitwise and logical ops: eq, lt, ..., bitwise_and, shifts, logical_*."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._elementwise import Elementwise, binary, binary_op, unary
from ember._ops._registry import ALL
from ember._tensor import Tensor

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
           "less_equal", "not_equal", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "logical_and",
           "logical_or", "logical_xor", "logical_not"]


class _Compare(Elementwise):
    promote = ALL
    out_dtype = D.bool


class EqBackward0(_Compare):
    xp_name = "equal"


class NeBackward0(_Compare):
    xp_name = "not_equal"


class LtBackward0(_Compare):
    xp_name = "less"


class LeBackward0(_Compare):
    xp_name = "less_equal"


class GtBackward0(_Compare):
    xp_name = "greater"


class GeBackward0(_Compare):
    xp_name = "greater_equal"


class _Bitwise(Elementwise):
    promote = ALL
    int_only = True


class BitwiseAnd(_Bitwise):
    xp_name = "bitwise_and"


class BitwiseOr(_Bitwise):
    xp_name = "bitwise_or"


class BitwiseXor(_Bitwise):
    xp_name = "bitwise_xor"


class BitwiseNot(_Bitwise):
    xp_name = "invert"


class LeftShift(_Bitwise):
    xp_name = "left_shift"


class RightShift(_Bitwise):
    xp_name = "right_shift"


class _Logical(Elementwise):
    promote = None
    out_dtype = D.bool

    def forward(self, be, *arrays):
        return getattr(be.xp, self.xp_name)(*arrays)


class LogicalAnd(_Logical):
    xp_name = "logical_and"


class LogicalOr(_Logical):
    xp_name = "logical_or"


class LogicalXor(_Logical):
    xp_name = "logical_xor"


class LogicalNot(_Logical):
    xp_name = "logical_not"


eq, eq_ = binary(EqBackward0, "eq")
ne, ne_ = binary(NeBackward0, "ne")
lt, lt_ = binary(LtBackward0, "lt")
le, le_ = binary(LeBackward0, "le")
gt, gt_ = binary(GtBackward0, "gt")
ge, ge_ = binary(GeBackward0, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
bitwise_and, bitwise_and_ = binary(BitwiseAnd, "bitwise_and")
bitwise_or, bitwise_or_ = binary(BitwiseOr, "bitwise_or")
bitwise_xor, bitwise_xor_ = binary(BitwiseXor, "bitwise_xor")
bitwise_not, bitwise_not_ = unary(BitwiseNot, "bitwise_not")
bitwise_left_shift, bitwise_left_shift_ = binary(LeftShift, "bitwise_left_shift")
bitwise_right_shift, bitwise_right_shift_ = binary(RightShift, "bitwise_right_shift")
logical_and, logical_and_ = binary(LogicalAnd, "logical_and")
logical_or, logical_or_ = binary(LogicalOr, "logical_or")
logical_xor, logical_xor_ = binary(LogicalXor, "logical_xor")
logical_not, logical_not_ = unary(LogicalNot, "logical_not")


def _cmp_operator(cls):
    def op(self, other):
        if not isinstance(other, (Tensor, int, float, bool, complex)):
            return NotImplemented
        return binary_op(cls, self, other)
    return op


def _reflected(cls):
    def op(self, other):
        if not isinstance(other, (Tensor, int, float, bool, complex)):
            return NotImplemented
        return binary_op(cls, other, self)
    return op


OPERATORS = {
    "__eq__": _cmp_operator(EqBackward0), "__ne__": _cmp_operator(NeBackward0),
    "__lt__": _cmp_operator(LtBackward0), "__le__": _cmp_operator(LeBackward0),
    "__gt__": _cmp_operator(GtBackward0), "__ge__": _cmp_operator(GeBackward0),
    "__and__": bitwise_and, "__rand__": _reflected(BitwiseAnd), "__iand__": bitwise_and_,
    "__or__": bitwise_or, "__ror__": _reflected(BitwiseOr), "__ior__": bitwise_or_,
    "__xor__": bitwise_xor, "__rxor__": _reflected(BitwiseXor), "__ixor__": bitwise_xor_,
    "__lshift__": bitwise_left_shift, "__rlshift__": _reflected(LeftShift),
    "__ilshift__": bitwise_left_shift_,
    "__rshift__": bitwise_right_shift, "__rrshift__": _reflected(RightShift),
    "__irshift__": bitwise_right_shift_,
    "__invert__": bitwise_not,
}

METHODS = {name: globals()[name] for name in __all__}
METHODS.update({name + "_": globals()[name + "_"] for name in
                ("eq", "ne", "lt", "le", "gt", "ge", "bitwise_and", "bitwise_or",
                 "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
                 "logical_and", "logical_or", "logical_xor", "logical_not")})
METHODS.update(greater_=gt_, greater_equal_=ge_, less_=lt_, less_equal_=le_,
               not_equal_=ne_)
