"""Legacy tensor types: FloatTensor-style constructors, ``Tensor.type()`` strings,
``set_default_tensor_type``."""
from __future__ import annotations

import warnings

from ember import _dtype as D

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor",
           "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor",
           "set_default_tensor_type"]


def legacy_type_name(dtype, be) -> str:
    """'ember.FloatTensor', or 'ember.cuda.FloatTensor' on a CUDA device."""
    where = "ember.cuda." if be.device.type == "cuda" else "ember."
    return f"{where}{dtype._legacy}Tensor"


def _from_type_string(s):
    for prefix in ("ember.cuda.", "torch.cuda.", "ember.", "torch."):
        if s.startswith(prefix) and s.endswith("Tensor"):
            d = D.BY_LEGACY.get(s[len(prefix):-len("Tensor")])
            if d is not None:
                return d, "cuda" in prefix
    raise ValueError(f"invalid type: '{s}'")


def convert_type(t, dtype):
    """Tensor.type(dtype): a copy converted to a dtype, legacy class or type string."""
    cuda = False
    if isinstance(dtype, str):
        dtype, cuda = _from_type_string(dtype)
    elif isinstance(dtype, _LegacyMeta):
        dtype = dtype.dtype
    if cuda:
        t = t.cuda()
    return t if dtype is t.dtype else t.to(dtype)


def legacy_new(dtype, *args, **kwargs):
    """torch.Tensor(...) / torch.FloatTensor(...): a size, data, a storage or a tensor."""
    from ember._ops.creation import _factory, tensor
    from ember._storage import TypedStorage, UntypedStorage
    from ember._size import Size
    from ember._tensor import Tensor
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)}, "
                        f"{', '.join(k + '=' + type(v).__name__ for k, v in kwargs.items())})")
    if not args:
        return _factory((0,), dtype, device, False, None, "new")
    if len(args) == 1:
        a = args[0]
        if isinstance(a, Tensor):
            if a.dtype is not dtype:
                raise TypeError(f"expected {D.type_name(dtype)} tensor (got "
                                f"{D.type_name(a.dtype)} tensor)")
            return a.detach()
        if isinstance(a, (TypedStorage, UntypedStorage)):
            return a._as_tensor(dtype)
        if isinstance(a, (float, complex)):
            raise TypeError(f"new(): data must be a sequence (got {type(a).__name__})")
        if not isinstance(a, (int, Size)):
            return tensor(a, dtype=dtype, device=device)
    return _factory(args, dtype, device, False, None, "new")


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        from ember._tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and \
            obj.device.type == "cpu"

    def __repr__(cls):
        return f"<class 'ember.{cls.__name__}'>"


def _legacy_class(dtype):
    def __new__(cls, *args, **kwargs):
        return legacy_new(dtype, *args, **kwargs)
    return _LegacyMeta(f"{dtype._legacy}Tensor", (), {"__new__": __new__, "dtype": dtype,
                                                        "__module__": "ember"})


FloatTensor = _legacy_class(D.float32)
DoubleTensor = _legacy_class(D.float64)
HalfTensor = _legacy_class(D.float16)
BFloat16Tensor = _legacy_class(D.bfloat16)
ByteTensor = _legacy_class(D.uint8)
CharTensor = _legacy_class(D.int8)
ShortTensor = _legacy_class(D.int16)
IntTensor = _legacy_class(D.int32)
LongTensor = _legacy_class(D.int64)
BoolTensor = _legacy_class(D.bool)


def set_default_tensor_type(t):
    """Deprecated: set the default dtype from a legacy type or its name."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    dtype = _from_type_string(t)[0] if isinstance(t, str) else t.dtype
    D.set_default_dtype(dtype)
