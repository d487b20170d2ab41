"""The data.pkl reader: torch's globals resolve to ember's objects, and with
``weights_only=True`` only torch's allow-list (plus add_safe_globals) may be referenced;
anything else raises pickle.UnpicklingError naming the global, and nothing runs."""
from __future__ import annotations

import codecs
import collections
import pickle

from ember import _dtype as D
from ember._device import device as Device
from ember._layout import (channels_last, channels_last_3d, contiguous_format,
                           preserve_format, strided)
from ember._size import Size

_SAFE_GLOBALS: list = []          # add_safe_globals: objects, or (object, "module.name")
_BLOCKED_MODULES = ("sys", "os", "posix", "nt", "subprocess")


def _storage_dtypes():
    return {f"{d._legacy}Storage": d for d in D.ALL}


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                      backward_hooks=None, metadata=None):
    """torch._utils._rebuild_tensor_v2: a tensor viewing a loaded storage."""
    from ember._tensor_pickle import _rebuild_tensor
    from ember._tensor import Tensor
    t = _rebuild_tensor(storage, storage.dtype_name, tuple(size), tuple(stride),
                        storage_offset, False, Tensor, None)
    if requires_grad:
        t.requires_grad = True
    return t


def rebuild_tensor(storage, storage_offset, size, stride):
    """torch._utils._rebuild_tensor (the legacy format's record)."""
    return rebuild_tensor_v2(storage, storage_offset, size, stride)


def rebuild_parameter(data, requires_grad, backward_hooks):
    from ember.nn.parameter import Parameter
    return Parameter(data, requires_grad)


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = rebuild_parameter(data, requires_grad, backward_hooks)
    p.__dict__.update(state)
    return p


def _get_layout(name):
    return {"torch.strided": strided}[name]


_DTYPE_NAMES = {d._name: d for d in D.ALL}
_DTYPE_NAMES.update(half=D.float16, float=D.float32, double=D.float64, cfloat=D.complex64,
                    cdouble=D.complex128, short=D.int16, int=D.int32, long=D.int64)


def _torch_globals():
    """(module, name) -> ember object, for every torch global a checkpoint may name."""
    from ember._tensor import Tensor
    table = {
        ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor"): rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): rebuild_parameter_with_state,
        ("torch.serialization", "_get_layout"): _get_layout,
        ("torch", "Size"): Size, ("torch", "device"): Device, ("torch", "Tensor"): Tensor,
        ("torch", "strided"): strided, ("torch", "contiguous_format"): contiguous_format,
        ("torch", "channels_last"): channels_last,
        ("torch", "channels_last_3d"): channels_last_3d,
        ("torch", "preserve_format"): preserve_format,
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("collections", "Counter"): collections.Counter,
        ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
        ("builtins", "bytearray"): bytearray, ("builtins", "complex"): complex,
        ("builtins", "slice"): slice, ("builtins", "range"): range,
        ("_codecs", "encode"): codecs.encode,
    }
    for name, d in _DTYPE_NAMES.items():
        table["torch", name] = d
    for name, d in _storage_dtypes().items():
        table["torch", name] = StorageType(d)
    table["torch", "UntypedStorage"] = StorageType(D.uint8)
    table["torch.storage", "UntypedStorage"] = StorageType(D.uint8)
    try:
        from ember.nn.parameter import Parameter
        table["torch.nn.parameter", "Parameter"] = Parameter
    except ImportError:
        pass
    return table


class StorageType:
    """What ``torch.FloatStorage`` means inside a checkpoint: a dtype for the raw bytes."""

    def __init__(self, dtype):
        self.dtype = dtype


def _name_of(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


def _allowed_extra(module, name):
    for entry in _SAFE_GLOBALS:
        obj, full = (entry if isinstance(entry, tuple) else (entry, _name_of(entry)))
        if full == f"{module}.{name}":
            return obj
    return None


def weights_only_error(detail):
    return pickle.UnpicklingError(
        "Weights only load failed. Re-running `ember.load` with `weights_only` set to `False` "
        "will likely succeed, but it can result in arbitrary code execution. Do it only if "
        "you got the file from a trusted source.\n\n\n" + detail + "\n\nCheck the "
        "documentation of torch.load to learn more about types accepted by default with "
        "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


class CheckpointUnpickler(pickle.Unpickler):
    """Resolves torch's names to ember's; restricted when `weights_only`."""

    def __init__(self, file, persistent_load, weights_only):
        super().__init__(file, encoding="utf-8")
        self._persistent = persistent_load
        self.weights_only = weights_only
        self.table = _torch_globals()

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        found = self.table.get((module, name))
        if found is not None:
            return found
        extra = _allowed_extra(module, name)
        if extra is not None:
            return extra
        if self.weights_only:
            root = module.split(".")[0]
            if root in _BLOCKED_MODULES:
                raise weights_only_error(f"Trying to load unsupported GLOBAL {module}.{name} "
                                         f"whose module {module} is blocked.")
            raise weights_only_error(
                f"Unsupported global: GLOBAL {module}.{name} was not an allowed global by "
                f"default. Please use `ember.serialization.add_safe_globals([{name}])` or the "
                f"`ember.serialization.safe_globals([{name}])` context manager to allowlist "
                "this global if you trust this class/function.")
        if module == "torch" or module.startswith("torch."):
            return _ember_equivalent(module, name)
        return super().find_class(module, name)


def _ember_equivalent(module, name):
    """With weights_only=False, torch.X.Y found as ember.X.Y (a pickled nn.Module...)."""
    import importlib
    target = "ember" + module[len("torch"):]
    if target.startswith("ember.torchvision"):
        target = "ember.vision" + target[len("ember.torchvision"):]
    obj = importlib.import_module(target)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def add_safe_globals(safe_globals):
    """Allow these objects (or ``(object, "module.name")`` pairs) in weights_only loads."""
    _SAFE_GLOBALS.extend(safe_globals)


def get_safe_globals():
    return list(_SAFE_GLOBALS)


def clear_safe_globals():
    _SAFE_GLOBALS.clear()


class safe_globals:
    """Context manager: the given globals are allowed inside the block only."""

    def __init__(self, safe_globals):
        self.extra = list(safe_globals)

    def __enter__(self):
        _SAFE_GLOBALS.extend(self.extra)

    def __exit__(self, *exc):
        for g in self.extra:
            _SAFE_GLOBALS.remove(g)

