"""What the pointwise families share: table kernels that refuse the dtypes torch's kernels
refuse, binary ops with their own forward, in-place ops that keep the overwritten input for
backward, and the public-function factories (``out=``, tensor-only operands).

A `Pointwise` op names its backend table kernel (``kernel``) and the dtypes torch refuses
(``refuse``, reported with torch's kernel name ``cpu``); the forward checks the compute
dtype and runs ``be.pointwise(kernel, *arrays)``.
"""
from __future__ import annotations

from functools import partial

from ember import _dtype as D
from ember._ops._elementwise import (_FAST, Elementwise, _arrays, _run2, _with_out, as_operand,
                                     promote2, unary_op)
from ember._ops._registry import FLOAT, check_inplace, original_self, record, unwrap, write_into
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE as GRAD

BOOL = frozenset({D.bool})
INTS = frozenset({D.uint8, D.int8, D.int16, D.int32, D.int64})
COMPLEX = frozenset({D.complex64, D.complex128})
LOW = frozenset({D.float16, D.bfloat16})
NOT_FLOAT = BOOL | INTS | COMPLEX


def not_implemented(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D.type_name(dt)}'")


def operand_dtype(be, arrays):
    """The dtype an elementwise forward computes in (its first array operand's)."""
    for a in arrays:
        if hasattr(a, "dtype"):
            return be.dtype_of(a)
    return None


class Pointwise(Elementwise):
    """A backend table kernel; integer and bool inputs compute in the default float dtype
    unless ``promote`` says otherwise."""

    promote = FLOAT
    kernel = ""
    cpu = None             # torch's kernel name in "not implemented for" errors
    refuse = frozenset()
    guarded = False        # set for classes that refuse dtypes or override check()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.guarded = bool(cls.refuse) or cls.check is not Pointwise.check

    def forward(self, be, *arrays):
        if self.guarded:
            self.check(operand_dtype(be, arrays))
        return be.pointwise(self.kernel, *arrays)

    def check(self, dt):
        if dt in self.refuse:
            raise not_implemented(self.cpu or f"{self.kernel}_cpu", dt)


def binary(cls, a, b):
    """Run binary op `cls` (its own forward) on tensors / Python numbers `a`, `b` with
    torch's promotion, recording the graph when needed."""
    if type(b) not in _FAST:
        b = as_operand(b)
    if type(a) not in _FAST:
        a = as_operand(a)
    dt = promote2(cls, a, b)
    be, x, y = _arrays(a, b, dt)
    op = Elementwise.__new__(cls)
    result = _run2(partial(op.forward, be), x, y, dt)
    out = _wrap(result, cls.out_dtype or be.dtype_of(result), be)
    if GRAD.grad:
        if (isinstance(a, Tensor) and a._requires_grad) or \
                (isinstance(b, Tensor) and b._requires_grad):
            record(op, (a, b), (out,))
    elif GRAD.inference:
        out._inference = True
    return out


def inplace(cls, inputs, **options):
    """Run op `cls` writing into ``inputs[0]``. Its backward reads the input it overwrites
    from a copy taken before the write (torch's ``original_self``, differentiable), so the
    gradient is the one of the out-of-place op."""
    from ember._ops.inplace import record_inplace
    self = inputs[0]
    check_inplace(self)
    original = original_self(cls, inputs)
    be, arrays, _ = unwrap(inputs, cls.promote)
    op = Elementwise.__new__(cls)
    write_into(self, op.forward(be, *arrays, **options), be, cls.casts_freely)
    if GRAD.grad and any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
        record_inplace(op, inputs, self, original)
    else:
        self._bump_version()
    return self


def binary_(cls, self, other):
    """``self.op_(other)`` for binary op `cls`."""
    return inplace(cls, (self, as_operand(other)))


def unary(cls, name):
    """(function with ``out=``, in-place method) of unary op `cls`."""
    def fn(input, *, out=None):
        return _with_out(unary_op(cls, input), out)

    def fn_(self):
        return inplace(cls, (self,))

    fn.__name__, fn_.__name__ = name, name + "_"
    fn.__doc__ = cls.__doc__
    return fn, fn_


def _not_tensor(name, arg, position, value):
    return TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{type(value).__name__}")


def tensor_binary(cls, name, arg="other"):
    """(function, method, in-place method) of a binary op that takes tensors only, as
    torch's bindings do (a Python number is a TypeError)."""
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            raise _not_tensor(name, "input", 1, input)
        if not isinstance(other, Tensor):
            raise _not_tensor(name, arg, 2, other)
        return _with_out(binary(cls, input, other), out)

    def method(self, other):
        if not isinstance(other, Tensor):
            raise _not_tensor(name, arg, 1, other)
        return binary(cls, self, other)

    def fn_(self, other):
        if not isinstance(other, Tensor):
            raise _not_tensor(name + "_", arg, 1, other)
        return binary_(cls, self, other)

    fn.__name__, method.__name__, fn_.__name__ = name, name, name + "_"
    fn.__doc__ = cls.__doc__
    return fn, method, fn_

