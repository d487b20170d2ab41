"""Copies and conversions: clone, contiguous, copy_, to, type casts, fill_, zero_."""
from __future__ import annotations

from ember import _dtype as D
from ember._device import device as Device
from ember._errors import broadcast_shapes
from ember._layout import preserve_format
from ember._ops._registry import Op, apply, apply_inplace, check_inplace
from ember._tensor import Tensor

__all__ = ["clone"]

_float, _int, _bool = float, int, bool


class CloneBackward0(Op):
    def forward(self, be, x, *, channels_last=False):
        return be.channels_last_copy(x) if channels_last else be.contiguous_copy(x)

    def backward(self, g):
        return g


def clone(input, *, memory_format=None):
    """A copy with its own storage; differentiable (grad passes through unchanged)."""
    from ember._layout import channels_last, preserve_format, contiguous_format
    if memory_format in (None, preserve_format) and input._arr.ndim == 4:
        st = input.stride()
        shape = input._arr.shape
        as_cl = st[1] == 1 and not input.is_contiguous() and shape[1] > 1
        return apply(CloneBackward0, (input,), channels_last=as_cl)
    if memory_format not in (None, preserve_format, contiguous_format, channels_last):
        raise RuntimeError(f"unsupported memory format {memory_format}")
    return apply(CloneBackward0, (input,), channels_last=memory_format is channels_last)


def contiguous(input, memory_format=None):
    """`input` itself when already contiguous in `memory_format`, else a contiguous clone."""
    from ember._layout import channels_last, contiguous_format
    fmt = contiguous_format if memory_format is None else memory_format
    if input.is_contiguous(memory_format=fmt):
        return input
    return clone(input, memory_format=channels_last if fmt is channels_last else fmt)


class ToCopyBackward0(Op):
    def forward(self, be, x, *, dtype):
        self.src_dtype = be.dtype_of(x)
        return be.cast_copy(x, dtype)

    def backward(self, g):
        return g.to(self.src_dtype) if not (g.dtype.is_complex and
                                            not self.src_dtype.is_complex) else g.real


def _parse_to(args, kwargs):
    """(device, dtype, copy, memory_format) from Tensor.to's overloads."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    memory_format = kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, (str, Device)) or (isinstance(a, _int) and not isinstance(a, _bool)):
            device = Device(a)
        elif isinstance(a, _bool):
            copy = a if dtype is not None or device is not None else copy
    return device, dtype, copy, memory_format


def to(self, *args, **kwargs):
    """This tensor on another device, dtype and/or memory format; `self` when nothing
    changes."""
    device, dtype, copy, memory_format = _parse_to(args, dict(kwargs))
    if memory_format not in (None, preserve_format) and \
            not self.is_contiguous(memory_format=memory_format):
        return to(clone(self, memory_format=memory_format), device=device, dtype=dtype)
    out = self
    if device is not None and device != self.device:
        from ember._ops.device import to_device
        out = to_device(out, device)
        copy = False
    if dtype is not None and dtype is not out.dtype:
        return apply(ToCopyBackward0, (out,), dtype=dtype)
    if copy and out is self:
        return apply(ToCopyBackward0, (self,), dtype=self.dtype)
    return out


def _caster(dt, name):
    def cast(self, memory_format=None):
        return to(self, dt)
    cast.__name__ = name
    cast.__doc__ = f"``self.to({dt!r})``."
    return cast


float = _caster(D.float32, "float")
double = _caster(D.float64, "double")
half = _caster(D.float16, "half")
bfloat16 = _caster(D.bfloat16, "bfloat16")
long = _caster(D.int64, "long")
int = _caster(D.int32, "int")
short = _caster(D.int16, "short")
char = _caster(D.int8, "char")
byte = _caster(D.uint8, "byte")
bool = _caster(D.bool, "bool")
cfloat = _caster(D.complex64, "cfloat")
cdouble = _caster(D.complex128, "cdouble")


def cpu(self, memory_format=None):
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False, memory_format=None):
    return to(self, Device("cuda", 0 if device is None else device)
              if not isinstance(device, (str, Device)) else device)


class CopyBackwards(Op):
    casts_freely = True
    def forward(self, be, dst, src):
        self.src_meta = (src.shape, be.dtype_of(src))
        return src

    def backward(self, g):
        from ember._ops.reduce import sum_to
        grad_src = None
        if self.needs_input_grad[1]:
            shape, dtype = self.src_meta
            grad_src = sum_to(g, shape).to(dtype)
        return g.new_zeros(()).expand(g.shape) if self.needs_input_grad[0] else None, grad_src


def copy_(self, src, non_blocking=False):
    """Copy `src` into `self` in place, broadcasting and converting dtype and device."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    if src._arr.shape != self._arr.shape and \
            broadcast_shapes(self._arr.shape, src._arr.shape) != self._arr.shape:
        raise RuntimeError(f"output with shape {list(self._arr.shape)} doesn't match the "
                           f"broadcast shape {list(broadcast_shapes(self._arr.shape, src.shape))}")
    if src._be is not self._be:
        from ember._ops.device import to_device
        src = to_device(src, self.device)
    check_inplace(self)
    if self.dtype.is_complex is False and src.dtype.is_complex:
        import warnings
        warnings.warn("Casting complex values to real discards the imaginary part",
                      UserWarning, stacklevel=2)
    return apply_inplace(CopyBackwards, (self, src))


class ZeroBackward0(Op):
    def forward(self, be, x):
        return be.zeros(x.shape, be.dtype_of(x))

    def backward(self, g):
        return g.new_zeros(()).expand(g.shape)


class FillBackward0(ZeroBackward0):
    def forward(self, be, x, *, value):
        return be.full(x.shape, value, be.dtype_of(x))


class FillBackward1(Op):
    def forward(self, be, x, value):
        out = be.empty(x.shape, be.dtype_of(x))
        be.copy_into(out, value)
        return out

    def backward(self, g):
        return g.new_zeros(()).expand(g.shape), g.sum()


def fill_(self, value):
    """Fill with a scalar (or a 0-dim tensor's value) in place."""
    if isinstance(value, Tensor):
        if value._arr.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._arr.ndim} dimensions.")
        return apply_inplace(FillBackward1, (self, value))
    return apply_inplace(FillBackward0, (self,), value=value)


def zero_(self):
    return apply_inplace(ZeroBackward0, (self,))


METHODS = {"copy_": copy_, "fill_": fill_, "zero_": zero_, "contiguous": contiguous, "to": to,
           "float": float, "double": double, "half": half, "bfloat16": bfloat16, "long": long,
           "int": int, "short": short, "char": char, "byte": byte, "bool": bool,
           "cfloat": cfloat, "cdouble": cdouble, "cpu": cpu, "cuda": cuda}
