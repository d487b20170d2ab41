"""Argument parsing for nn.Module.to (torch._C._nn._parse_to)."""
from __future__ import annotations

from ember import _dtype as D
from ember._device import device as Device
from ember._layout import memory_format as MemoryFormat
from ember._tensor import Tensor

_SIGNATURES = (
    " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, "
    "bool copy = False, *, torch.memory_format memory_format = None)\n"
    " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n")


def _type_name(value):
    if isinstance(value, Tensor):
        return "Tensor"
    if isinstance(value, D.dtype):
        return "ember.dtype"
    if isinstance(value, Device):
        return "ember.device"
    return type(value).__name__


def _invalid(args, kwargs):
    pos = [_type_name(a) for a in args]
    kw = [f"{k}={_type_name(v)}" for k, v in kwargs.items()]
    got = ", ".join(pos + kw) if pos else "".join(k + ", " for k in kw)
    return TypeError(f"to() received an invalid combination of arguments - got ({got}), but "
                     "expected one of:\n" + _SIGNATURES)


def _is_device(value):
    return value is None or isinstance(value, (str, Device)) or (
        isinstance(value, int) and not isinstance(value, bool))


def _match(args, kwargs):
    """The overload's named arguments, or None when no overload takes these arguments."""
    first = args[0] if args else None
    if "tensor" in kwargs or isinstance(first, Tensor):
        names = ("tensor", "non_blocking", "copy")
    elif isinstance(first, D.dtype):
        names = ("dtype", "non_blocking", "copy")
    else:
        names = ("device", "dtype", "non_blocking", "copy")
    if len(args) > len(names):
        return None
    bound = dict(zip(names, args))
    for k, v in kwargs.items():
        if k in bound or (k not in names and k != "memory_format"):
            return None
        bound[k] = v
    checks = {"tensor": lambda v: isinstance(v, Tensor), "device": _is_device,
              "dtype": lambda v: v is None or isinstance(v, D.dtype),
              "non_blocking": lambda v: isinstance(v, bool),
              "copy": lambda v: isinstance(v, bool),
              "memory_format": lambda v: v is None or isinstance(v, MemoryFormat)}
    if not all(checks[k](v) for k, v in bound.items()):
        return None
    return bound


def parse_module_to(args, kwargs):
    """(device, dtype, non_blocking, memory_format) from Module.to's overloads."""
    bound = _match(args, kwargs)
    if bound is None:
        raise _invalid(args, kwargs)
    if bound.get("copy"):
        raise RuntimeError(".to() does not accept copy argument")
    if "tensor" in bound:
        device, dtype = bound["tensor"].device, bound["tensor"].dtype
    else:
        device, dtype = bound.get("device"), bound.get("dtype")
        if device is not None:
            device = Device(device)
    return device, dtype, bound.get("non_blocking", False), bound.get("memory_format")
