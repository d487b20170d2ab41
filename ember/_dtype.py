"""dtypes, the default dtype, and torch's type-promotion rules.

Promotion follows torch, not NumPy: categories bool < integer < floating < complex; within
an op, dimensioned tensors outrank zero-dim tensors, which outrank Python scalars, and a
lower-priority operand only matters when its category is higher (DESIGN.md §5).
"""
from __future__ import annotations

import builtins

__all__ = [
    "dtype", "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "uint8", "int8", "int16", "int32", "int64", "bool", "half", "float", "double",
    "cfloat", "cdouble", "short", "int", "long", "get_default_dtype", "set_default_dtype",
    "promote_types", "result_type", "can_cast", "is_floating_point", "is_complex",
    "finfo", "iinfo",
]

# categories, ordered
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (torch.dtype): immutable, compared by identity."""

    __slots__ = ("_name", "itemsize", "category", "is_signed", "_rank", "_legacy")

    def __init__(self, name, itemsize, category, is_signed, rank, legacy):
        self._name = name
        self.itemsize = itemsize
        self.category = category
        self.is_signed = is_signed
        self._rank = rank          # order within a category (wider is higher)
        self._legacy = legacy      # name of the legacy tensor type ("Float" -> FloatTensor)

    @property
    def is_floating_point(self) -> builtins.bool:
        return self.category == FLOAT

    @property
    def is_complex(self) -> builtins.bool:
        return self.category == COMPLEX

    def to_real(self) -> "dtype":
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> "dtype":
        return {float64: complex128, complex128: complex128}.get(self, complex64)

    def __repr__(self):
        return "ember." + self._name

    def __reduce__(self):
        return self._name  # pickles as the module attribute, like torch's dtypes


float16 = dtype("float16", 2, FLOAT, True, 1, "Half")
bfloat16 = dtype("bfloat16", 2, FLOAT, True, 1, "BFloat16")
float32 = dtype("float32", 4, FLOAT, True, 2, "Float")
float64 = dtype("float64", 8, FLOAT, True, 3, "Double")
complex64 = dtype("complex64", 8, COMPLEX, True, 2, "ComplexFloat")
complex128 = dtype("complex128", 16, COMPLEX, True, 3, "ComplexDouble")
uint8 = dtype("uint8", 1, INT, False, 0, "Byte")
int8 = dtype("int8", 1, INT, True, 0, "Char")
int16 = dtype("int16", 2, INT, True, 1, "Short")
int32 = dtype("int32", 4, INT, True, 2, "Int")
int64 = dtype("int64", 8, INT, True, 3, "Long")
bool = dtype("bool", 1, BOOL, False, 0, "Bool")

half, float, double = float16, float32, float64
cfloat, cdouble = complex64, complex128
short, int, long = int16, int32, int64

ALL = (float16, bfloat16, float32, float64, complex64, complex128,
       uint8, int8, int16, int32, int64, bool)
BY_NAME = {d._name: d for d in ALL}
BY_LEGACY = {d._legacy: d for d in ALL}


def _promote_pair(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a.category != b.category:
        lo, hi = (a, b) if a.category < b.category else (b, a)
        if hi.category == COMPLEX and lo is float64:
            return complex128
        return hi
    if a.category == INT:
        if a.is_signed != b.is_signed:        # uint8 with a signed int
            signed = a if a.is_signed else b
            return int16 if signed is int8 else signed
        return a if a._rank > b._rank else b
    if a._rank == b._rank:                    # float16 with bfloat16
        return float32
    return a if a._rank > b._rank else b


_PROMOTE = {(a, b): _promote_pair(a, b) for a in ALL for b in ALL}


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both promote to (torch.promote_types)."""
    return _PROMOTE[type1, type2]


class _Defaults:
    __slots__ = ("dtype",)

    def __init__(self):
        self.dtype = float32


DEFAULTS = _Defaults()


def get_default_dtype() -> dtype:
    return DEFAULTS.dtype


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of Python floats and of floating factory functions."""
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError(
            "only floating-point types are supported as the default type")
    DEFAULTS.dtype = d


def default_complex_dtype() -> dtype:
    return complex128 if DEFAULTS.dtype is float64 else complex64


def scalar_dtype(value) -> dtype:
    """The dtype a Python scalar takes when it wins promotion."""
    t = type(value)
    if t is builtins.bool:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return DEFAULTS.dtype
    if t is builtins.complex:
        return default_complex_dtype()
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return int64
    if isinstance(value, builtins.float):
        return DEFAULTS.dtype
    if isinstance(value, builtins.complex):
        return default_complex_dtype()
    raise TypeError(f"unsupported scalar type {t.__name__}")


def _combine(higher, lower):
    """torch's combine_categories: `higher` priority operand set wins unless `lower`
    belongs to a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == COMPLEX:
        return higher
    if lower.category == COMPLEX:
        if higher.category == FLOAT:      # keep the float's precision
            return higher.to_complex()
        return lower
    if higher.category == FLOAT:
        return higher
    if higher is bool or lower.category == FLOAT:
        return _PROMOTE[higher, lower]
    return higher


def _state_add(state, d):
    return d if state is None else _PROMOTE[state, d]


def result_dtype(operands) -> dtype:
    """Promotion over tensors and Python scalars, as torch.result_type does."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim = _state_add(dim, d)
            else:
                zero = _state_add(zero, d)
        elif x is not None:
            wrapped = _state_add(wrapped, scalar_dtype(x))
    return _combine(dim, _combine(zero, wrapped))


def result_type(tensor1, tensor2) -> dtype:
    return result_dtype((tensor1, tensor2))


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether in-place/out= may write a `from_` result into `to` (torch.can_cast)."""
    if from_.category == COMPLEX and to.category != COMPLEX:
        return False
    if from_.category == FLOAT and to.category < FLOAT:
        return False
    if from_.category != BOOL and to is bool:
        return False
    return True


def is_floating_point(input) -> builtins.bool:
    return input.dtype.category == FLOAT


def is_complex(input) -> builtins.bool:
    return input.dtype.category == COMPLEX


def type_name(d: dtype) -> str:
    """torch's ScalarType name used in error messages: 'Float', 'Long', 'ComplexFloat'."""
    return d._legacy


from ember._backend.dtypes import finfo, iinfo  # noqa: E402  (needs the dtypes above)
