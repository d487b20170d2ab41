"""The data.pkl writer: ember objects pickle as the torch globals torch's loader expects.

Tensors become ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, OrderedDict())``, Parameters ``_rebuild_parameter(tensor, requires_grad,
OrderedDict())``, storages persistent ids ``('storage', torch.FloatStorage, key, 'cpu',
numel)`` (one key per storage, so views stay views), and dtypes, devices and Sizes their
torch names. The pure-Python pickler is used because it can write a GLOBAL for a name
that is not importable here (real torch is never imported).
"""
from __future__ import annotations

import collections
import pickle

from ember import _dtype as D
from ember._device import device as Device
from ember._layout import layout
from ember._size import Size
from ember._tensor import Tensor, user_attrs

STORAGE_NAMES = {d: f"{d._legacy}Storage" for d in D.ALL}


class TorchGlobal:
    """A reference to ``module.name`` in torch, pickled as a GLOBAL opcode."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):      # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is a name in a checkpoint, not a function")


_REBUILD_TENSOR = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
_REBUILD_PARAMETER_STATE = TorchGlobal("torch._utils", "_rebuild_parameter_with_state")
_SIZE = TorchGlobal("torch", "Size")
_DEVICE = TorchGlobal("torch", "device")


class StorageRef:
    """A storage to be written as ``data/<key>``."""

    __slots__ = ("root", "be", "dtype")

    def __init__(self, root, be, dtype):
        self.root, self.be, self.dtype = root, be, dtype


class CheckpointPickler(pickle._Pickler):
    """Pickles with torch's globals; collects the storages it references, in order."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}          # id(root) -> (key, StorageRef)
        self._globals = {}          # (module, name) -> the one TorchGlobal memoized for it

    def persistent_id(self, obj):
        if type(obj) is not StorageRef:
            return None
        entry = self.storages.get(id(obj.root))
        if entry is None:
            entry = self.storages[id(obj.root)] = (str(len(self.storages)), obj)
        key = entry[0]
        location = str(obj.be.device) if obj.be.device.type != "cpu" else "cpu"
        return ("storage", TorchGlobal("torch", STORAGE_NAMES[obj.dtype]), key, location,
                obj.root.size)

    def save(self, obj, save_persistent_id=True):
        if type(obj) is TorchGlobal:
            return self._save_torch_global(obj.module, obj.name)
        if type(obj) is D.dtype:
            return self._save_torch_global("torch", obj._name)
        if isinstance(obj, layout):
            return self._save_torch_global("torch", obj._name)
        return super().save(obj, save_persistent_id)

    def _save_torch_global(self, module, name):
        ref = self._globals.setdefault((module, name), TorchGlobal(module, name))
        seen = self.memo.get(id(ref))
        if seen is not None:
            self.write(self.get(seen[0]))
            return
        self.write(pickle.GLOBAL + module.encode() + b"\n" + name.encode() + b"\n")
        self.memoize(ref)

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return _reduce_tensor(obj)
        t = type(obj)
        if t is Size:
            return (_SIZE, (tuple(obj),))
        if t is Device:
            return (_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented


def _plain(t):
    root = t._root_array()
    args = (StorageRef(root, t._be, t.dtype), t.storage_offset(), tuple(t._arr.shape),
            t.stride(), t._requires_grad, collections.OrderedDict())
    return (_REBUILD_TENSOR, args)


def _parameter_type():
    try:
        from ember.nn.parameter import Parameter
    except ImportError:         # ember.nn not importable: no Parameters can exist
        return ()
    return Parameter


def _reduce_tensor(t):
    if isinstance(t, _parameter_type()):
        inner = t.detach()          # a plain Tensor: pickled (by REDUCE) as _rebuild_tensor_v2
        state = user_attrs(t)
        if state:
            return (_REBUILD_PARAMETER_STATE, (inner, t._requires_grad,
                                               collections.OrderedDict(), state))
        return (_REBUILD_PARAMETER, (inner, t._requires_grad, collections.OrderedDict()))
    if t._grad_fn is not None:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, "
                           "since autograd does not support crossing process boundaries.  If "
                           "you just want to transfer the data, call detach() on the tensor "
                           "before serializing (e.g., putting it on the queue).")
    return _plain(t)


def dumps(obj, protocol=2):
    """(pickle bytes, [(key, StorageRef), ...]) for `obj`."""
    import io
    buf = io.BytesIO()
    p = CheckpointPickler(buf, protocol)
    p.dump(obj)
    return buf.getvalue(), list(p.storages.values())
