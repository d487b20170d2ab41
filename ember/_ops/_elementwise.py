"""Elementwise ops: the table form and the fast paths every unary and binary op shares.

An elementwise op is an `Op` subclass naming its backend function (``xp_name``) and its
backward; `unary_op`/`binary_op` run it with promotion cached per dtype combination, and
`unary`/`binary` build the public function, method, in-place method and ``out=`` support.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._backend.numpy_backend import cast, cast_scalar
from ember._errors import broadcast_error, broadcast_shapes, shape_str
from ember._ops._registry import (FLOAT, Op, _device_error, check_inplace, original_self, record,
                                  write_out)
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE as GRAD

_new = object.__new__
_PROMOTE: dict = {}
_FAST = frozenset((Tensor, int, float, bool, complex))
_HALF = frozenset((D.float16, D.bfloat16))


class Elementwise(Op):
    """``xp_name``: the backend function; ``out_dtype``: result dtype when not the compute
    dtype (comparisons give bool); ``int_only``: refuse floating inputs."""

    xp_name = ""
    out_dtype = None
    int_only = False

    def forward(self, be, *arrays):
        return getattr(be.xp, self.xp_name)(*arrays)


def _compute_dtype(cls, da, db, ka, kb):
    """Promotion of two operands; k is 0 for a dimensioned tensor, 1 zero-dim, 2 scalar."""
    def state(d, k):
        return [d if k == 0 else None, d if k == 1 else None, d if k == 2 else None]
    sa, sb = state(da, ka), state(db, kb)
    merged = [x if y is None else y if x is None else D.promote_types(x, y)
              for x, y in zip(sa, sb)]
    dt = D._combine(merged[0], D._combine(merged[1], merged[2]))
    if cls.promote is FLOAT and dt.category < D.FLOAT:
        dt = D.DEFAULTS.dtype
    if cls.int_only and dt.category > D.INT:
        raise NotImplementedError(f"\"{cls.xp_name}_cpu\" not implemented for "
                                  f"'{D.type_name(dt)}'")
    return dt


def _operand(x):
    """(dtype, kind) of a binary operand; kind 0 dimensioned, 1 zero-dim, 2 Python scalar."""
    if isinstance(x, Tensor):
        return x.dtype, (0 if x._arr.ndim else 1)
    return D.scalar_dtype(x), 2


def as_operand(x):
    """A Tensor or Python scalar: NumPy-style scalars become Python numbers."""
    if isinstance(x, (Tensor, int, float, bool, complex)):
        return x
    if hasattr(x, "item") and getattr(x, "shape", None) == ():
        return x.item()
    raise TypeError(f"unsupported operand type(s): '{type(x).__name__}'")


def promote2(cls, a, b):
    """The compute dtype of binary op `cls` on operands `a`, `b` (cached)."""
    da, ka = _operand(a)
    db, kb = _operand(b)
    key = (cls, da, db, ka, kb, D.DEFAULTS.dtype)
    dt = _PROMOTE.get(key)
    if dt is None:
        dt = _PROMOTE[key] = _compute_dtype(cls, da, db, ka, kb)
    return dt


def _arrays(a, b, dt):
    """Backend arrays (or weak Python scalars) of `a`, `b` in compute dtype `dt`."""
    if isinstance(a, Tensor):
        x = a._arr if a.dtype is dt else cast(a._arr, dt)
        be = a._be
        if isinstance(b, Tensor):
            if b._be is not be:
                raise _device_error(a, b)
            y = b._arr if b.dtype is dt else cast(b._arr, dt)
        else:
            y = b
    else:
        be = b._be
        x = a
        y = b._arr if b.dtype is dt else cast(b._arr, dt)
    return be, x, y


def _run2(fn, x, y, dt):
    try:
        return fn(x, y)
    except ValueError:
        if hasattr(x, "shape") and hasattr(y, "shape"):
            raise broadcast_error(x.shape, y.shape) from None
        raise
    except OverflowError:     # a Python int outside the dtype's range: wrap like C
        x = cast_scalar(x, dt) if not hasattr(x, "shape") else x
        y = cast_scalar(y, dt) if not hasattr(y, "shape") else y
        return fn(x, y)


def _half_with_scalar(fn, x, y, dt):
    """NOTE(torch): a float16/bfloat16 op with a Python scalar computes in float32 (the
    scalar rounded to float32, not to the half type) and rounds the result once."""
    x = cast(x, D.float32) if hasattr(x, "shape") else x
    y = cast(y, D.float32) if hasattr(y, "shape") else y
    out = _run2(fn, x, y, D.float32)
    return cast(out, dt) if out.dtype.itemsize == 4 else out


def _compute(cls, be, x, y, dt):
    fn = getattr(be.xp, cls.xp_name)
    if dt in _HALF and not (hasattr(x, "shape") and hasattr(y, "shape")):
        return _half_with_scalar(fn, x, y, dt)
    return _run2(fn, x, y, dt)


def binary_op(cls, a, b):
    """Run binary elementwise op `cls` (the fast path of `a + b` and friends)."""
    if type(b) not in _FAST:
        b = as_operand(b)
    if type(a) not in _FAST:
        a = as_operand(a)
    dt = promote2(cls, a, b)
    be, x, y = _arrays(a, b, dt)
    out = _wrap(_compute(cls, be, x, y, dt), cls.out_dtype or dt, be)
    if GRAD.grad:
        if (isinstance(a, Tensor) and a._requires_grad) or \
                (isinstance(b, Tensor) and b._requires_grad):
            record(_new(cls), (a, b), (out,))
    elif GRAD.inference:
        out._inference = True
    return out


def binary_inplace(cls, a, b):
    """``a.op_(b)``: compute in the promoted dtype, write into `a`."""
    check_inplace(a)
    b = as_operand(b)
    original = original_self(cls, (a, b))
    dt = promote2(cls, a, b)
    if cls.out_dtype is None and not D.can_cast(dt, a.dtype):
        raise RuntimeError(f"result type {D.type_name(dt)} can't be cast to the desired output "
                           f"type {D.type_name(a.dtype)}")
    be, x, y = _arrays(a, b, dt)
    fn = getattr(be.xp, cls.xp_name)
    shape = a._arr.shape
    if isinstance(b, Tensor) and b._arr.shape != shape:
        if broadcast_shapes(shape, b._arr.shape) != shape:
            raise RuntimeError(f"output with shape {shape_str(shape)} doesn't match the "
                               f"broadcast shape {shape_str(broadcast_shapes(shape, b.shape))}")
    if (cls.out_dtype or dt) is a.dtype and x is a._arr and dt not in _HALF:
        try:
            fn(x, y, out=x)
        except OverflowError:
            fn(x, cast_scalar(y, dt), out=x)
    else:
        be.copy_into(a._arr, _compute(cls, be, x, y, dt))
    _finish_inplace(cls, (a, b), a, original)
    return a


def _finish_inplace(cls, inputs, a, original):
    if GRAD.grad and any(isinstance(t, Tensor) and t._requires_grad for t in inputs):
        from ember._ops.inplace import record_inplace
        record_inplace(_new(cls), inputs, a, original)
    else:
        a._bump_version()


def unary_op(cls, x):
    """Run unary elementwise op `cls` on tensor `x`."""
    dt = x.dtype
    if cls.promote is FLOAT and dt.category < D.FLOAT:
        dt = D.DEFAULTS.dtype
    arr = x._arr if dt is x.dtype else cast(x._arr, dt)
    if cls.int_only and dt.category > D.INT:
        raise NotImplementedError(f"\"{cls.xp_name}_cpu\" not implemented for "
                                  f"'{D.type_name(dt)}'")
    be = x._be
    op = _new(cls)
    result = op.forward(be, arr)
    out = _wrap(result, cls.out_dtype or be.dtype_of(result), be)
    if GRAD.grad:
        if x._requires_grad:
            record(op, (x,), (out,))
    elif GRAD.inference:
        out._inference = True
    return out


def unary_inplace(cls, x):
    check_inplace(x)
    dt = x.dtype
    if cls.promote is FLOAT and dt.category < D.FLOAT:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{D.type_name(dt)}")
    original = original_self(cls, (x,))
    op = _new(cls)
    x._be.copy_into(x._arr, op.forward(x._be, x._arr))
    _finish_inplace(cls, (x,), x, original)
    return x


def _with_out(result, out):
    return result if out is None else write_out(result, out)


def unary(cls, name):
    """(function, in-place method) for unary op `cls` with torch's signatures."""
    def fn(input, *, out=None):
        return _with_out(unary_op(cls, input), out)

    def fn_(self):
        return unary_inplace(cls, self)

    fn.__name__, fn_.__name__ = name, name + "_"
    fn.__doc__ = cls.__doc__
    return fn, fn_


def binary(cls, name):
    """(function, in-place method) for binary op `cls` with torch's signatures."""
    def fn(input, other, *, out=None):
        return _with_out(binary_op(cls, input, other), out)

    def fn_(self, other):
        return binary_inplace(cls, self, other)

    fn.__name__, fn_.__name__ = name, name + "_"
    fn.__doc__ = cls.__doc__
    return fn, fn_
