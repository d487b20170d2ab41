"""Factory functions: tensor, as_tensor, from_numpy, zeros, ones, full, arange, eye, ..."""
from __future__ import annotations

import builtins
import math
import warnings

from ember import _dtype as D
from ember._backend import CPU_BACKEND, backend_for
from ember._device import device as Device
from ember._ops._geometry import contiguous_strides
from ember._tensor import Tensor, _wrap

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full",
           "zeros_like", "ones_like", "empty_like", "full_like", "arange", "range",
           "linspace", "logspace", "eye", "empty_strided", "scalar_tensor"]
FUNCTIONS_ONLY = frozenset(__all__)


def backend(device):
    if device is None:
        return CPU_BACKEND
    if not isinstance(device, Device):
        device = Device(device)
    return backend_for(device)


def finish(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def size_args(size, name="size"):
    """A shape from ``f(2, 3)``, ``f((2, 3))`` or ``f(Size)``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for i, s in enumerate(size):
        if type(s) is not int:
            if isinstance(s, builtins.bool) or not hasattr(s, "__index__"):
                raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                                f"{i + 1} with error \"type must be tuple of ints,but got "
                                f"{type(s).__name__}\"")
            s = s.__index__()
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(s)
    return tuple(out)


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


_KIND_DTYPE = {"b": D.bool, "i": D.int64, "u": D.int64, "f": None, "c": None}


def infer_array(data, dtype, be):
    """An array holding `data` (nested sequences / scalars / arrays) and its ember dtype."""
    if isinstance(data, Tensor):
        return be.cast_copy(data._arr, dtype or data.dtype), dtype or data.dtype
    if isinstance(data, str) or isinstance(_first_leaf(data), str):
        raise TypeError("new(): invalid data type 'str'")
    try:
        arr = be.from_data(data)
    except ValueError:
        raise ValueError(_ragged_message(data)) from None
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    kind = arr.dtype.kind
    if kind not in "biufc":
        raise TypeError(f"can't convert np.ndarray of type {arr.dtype}")
    leaf = _first_leaf(data)
    python_scalars = isinstance(leaf, (builtins.int, builtins.float, builtins.complex)) or \
        (isinstance(data, (list, tuple)) and not data)
    if python_scalars and not hasattr(leaf, "dtype"):
        inferred = _KIND_DTYPE[kind] or (D.DEFAULTS.dtype if kind == "f"
                                         else D.default_complex_dtype())
        if kind == "u" and arr.dtype.itemsize == 8:
            raise ValueError("Overflow when unpacking long long")
    else:
        inferred = be.dtype_of_np(arr.dtype)
    target = dtype or inferred
    return be.cast_copy(arr, target) if be.dtype_of_np(arr.dtype) is not target or \
        arr.base is not None else arr, target


def _ragged_message(data, dim=0):
    if not isinstance(data, (list, tuple)) or not data:
        return "setting an array element with a sequence"
    lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
    first = lengths[0]
    for n in lengths:
        if n != first:
            return f"expected sequence of length {first} at dim {dim + 1} (got {n})"
    return _ragged_message([y for x in data for y in x], dim + 1)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying `data`; dtype inferred as torch does (int64, default float...)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    be = backend(device if device is not None or not isinstance(data, Tensor)
                 else data.device)
    arr, dt = infer_array(data, dtype, be)
    return finish(_wrap(arr, dt, be), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """`data` as a tensor, sharing memory when it already is one (or a CPU array)."""
    if isinstance(data, Tensor):
        out = data
        if device is not None and Device(device) != data.device:
            out = out.to(device)
        return out if dtype is None or dtype is out.dtype else out.to(dtype)
    if CPU_BACKEND.is_host_array(data) and device is None:
        t = from_numpy(data)
        return t if dtype is None or dtype is t.dtype else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    if copy:
        return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad) \
            if not isinstance(obj, Tensor) else finish(obj.to(dtype or obj.dtype,
                                                               copy=True), requires_grad)
    return finish(as_tensor(obj, dtype, device), requires_grad)


def from_numpy(ndarray):
    """A CPU tensor sharing `ndarray`'s memory."""
    be = CPU_BACKEND
    if not be.is_host_array(ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dt = be.dtype_of_np(ndarray.dtype)
    if be.has_negative_strides(ndarray):
        raise ValueError("At least one stride in the given numpy array is negative, and "
                         "tensors with negative strides are not currently supported. (You can "
                         "probably work around this by making a copy of your array  with "
                         "array.copy().) ")
    t = _wrap(ndarray, dt, be)
    t._root, t._offset = be.span(ndarray)
    return t


def _factory(size, dtype, device, requires_grad, fill, name):
    be = backend(device)
    dt = dtype or D.DEFAULTS.dtype
    shape = size_args(size, name)
    arr = be.empty(shape, dt) if fill is None else be.full(shape, fill, dt)
    return finish(_wrap(arr, dt, be), requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _out(_factory(size, dtype, device, requires_grad, 0, "zeros"), out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _out(_factory(size, dtype, device, requires_grad, 1, "ones"), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    return _out(_factory(size, dtype, device, requires_grad, None, "empty"), out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    if dtype is None:
        dtype = D.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor)
                               else fill_value)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _out(_factory((size,) if isinstance(size, builtins.int) else tuple(size), dtype,
                         device, requires_grad, value, "full"), out)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return full((), s, dtype=dtype or D.DEFAULTS.dtype, device=device,
                requires_grad=requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given strides over a storage just large enough."""
    be = backend(device)
    dt = dtype or D.DEFAULTS.dtype
    size, stride = tuple(size), tuple(stride)
    extent = 0 if 0 in size else 1 + builtins.sum((s - 1) * st for s, st in zip(size, stride))
    root = be.empty((extent,), dt)
    t = _wrap(be.view(root, size, stride, 0), dt, be)
    t._root, t._offset = root, 0
    return finish(t, requires_grad)


def _like(input, dtype, device):
    return (dtype or input.dtype, device if device is not None else input.device)


def _like_alloc(input, dtype, device, requires_grad, fill):
    """A new tensor shaped like `input`, keeping its layout when it is a dense permutation
    (torch's preserve_format)."""
    dt, dev = _like(input, dtype, device)
    be = backend(dev)
    if input._arr.ndim > 1 and not input.is_contiguous() and _dense_permutation(input):
        arr = be.empty_like_layout(input._arr, dt)
        if fill is not None:
            be.copy_into(arr, be.full((), fill, dt))
    else:
        arr = be.empty(input._arr.shape, dt) if fill is None else \
            be.full(input._arr.shape, fill, dt)
    return finish(_wrap(arr, dt, be), requires_grad)


def _dense_permutation(t):
    shape, stride = t._arr.shape, t.stride()
    order = sorted(builtins.range(len(shape)), key=lambda d: -stride[d])
    return contiguous_strides(tuple(shape[d] for d in order)) == tuple(stride[d] for d in order)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like_alloc(input, dtype, device, requires_grad, 0)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like_alloc(input, dtype, device, requires_grad, 1)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like_alloc(input, dtype, device, requires_grad, None)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like_alloc(input, dtype, device, requires_grad, fill_value)


def _arange_dtype(*values):
    if any(isinstance(v, builtins.float) or (isinstance(v, Tensor) and v.is_floating_point())
           for v in values):
        return D.DEFAULTS.dtype
    return D.int64


def _scalar(v):
    return v.item() if isinstance(v, Tensor) else v


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from `start` to `end` (exclusive) by `step`, each computed as start + i*step."""
    if end is None:
        start, end = 0, start
    start, end, step = _scalar(start), _scalar(end), _scalar(step)
    dt = dtype or _arange_dtype(start, end, step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = builtins.max(math.ceil((end - start) / step), 0)
    be = backend(device)
    return _out(finish(_wrap(be.arange(start, step, n, dt), dt, be), requires_grad), out)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated: like arange but `end` is included, and float by default."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        start, end = 0, start
    dt = dtype or D.DEFAULTS.dtype
    n = builtins.int(math.floor((end - start) / step)) + 1
    be = backend(device)
    return _out(finish(_wrap(be.arange(start, step, builtins.max(n, 0), dt), dt, be),
                       requires_grad), out)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """`steps` evenly spaced values from `start` to `end` inclusive."""
    start, end = _scalar(start), _scalar(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = dtype or (D.default_complex_dtype() if isinstance(start, complex) or
                   isinstance(end, complex) else D.DEFAULTS.dtype)
    be = backend(device)
    return _out(finish(_wrap(be.linspace(start, end, steps, dt), dt, be), requires_grad), out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    dt = dtype or D.DEFAULTS.dtype
    be = backend(device)
    arr = be.logspace(_scalar(start), _scalar(end), steps, base, dt)
    return _out(finish(_wrap(arr, dt, be), requires_grad), out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A 2-D tensor with ones on the diagonal."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    m = n if m is None else m
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = dtype or D.DEFAULTS.dtype
    be = backend(device)
    return _out(finish(_wrap(be.eye(n, m, dt), dt, be), requires_grad), out)


def _out(result, out):
    if out is None:
        return result
    from ember._ops._registry import write_out
    return write_out(result, out)


def zeros_for(meta):
    """Zeros of (shape, dtype, backend) metadata, for the engine's missing gradients."""
    shape, dtype, be = meta
    return _wrap(be.zeros(shape, dtype), dtype, be)


def _new_like(self, dtype, device):
    return dtype or self.dtype, device if device is not None else self.device


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    dt, dev = _new_like(self, dtype, device)
    return tensor(data, dtype=dt, device=dev, requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    dt, dev = _new_like(self, dtype, device)
    return zeros(*size, dtype=dt, device=dev, requires_grad=requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    dt, dev = _new_like(self, dtype, device)
    return ones(*size, dtype=dt, device=dev, requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    dt, dev = _new_like(self, dtype, device)
    return empty(*size, dtype=dt, device=dev, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    dt, dev = _new_like(self, dtype, device)
    return full(size, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    dt, dev = _new_like(self, dtype, device)
    return empty_strided(size, stride, dtype=dt, device=dev, requires_grad=requires_grad)


METHODS = {"new_tensor": new_tensor, "new_zeros": new_zeros, "new_ones": new_ones,
           "new_empty": new_empty, "new_full": new_full,
           "new_empty_strided": new_empty_strided}
