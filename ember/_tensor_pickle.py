"""Pickling and deepcopy of tensors. Tensors sharing a storage still share one after a
round trip (views stay views), as with torch. (ember.save writes torch's file format; this
is Python's own pickle protocol.)"""
from __future__ import annotations

import copy
import weakref

from ember import _dtype as D
from ember._backend import backend_for
from ember._device import device as Device
from ember._tensor import user_attrs

_STORAGES: "weakref.WeakValueDictionary[int, _Storage]" = weakref.WeakValueDictionary()


class _Storage:
    """One storage in a pickle: the same object for every tensor over the same root, so
    pickle's memo writes its bytes once and rebuilds it once."""

    __slots__ = ("root", "be", "__weakref__")

    def __init__(self, root, be):
        self.root, self.be = root, be

    def __reduce__(self):
        data = self.be.to_host(self.be.bytes_view(self.root)).tobytes()
        return (_rebuild_storage, (data, str(self.be.device)))


def _rebuild_storage(data, device):
    from ember._backend import CPU_BACKEND
    be = backend_for(Device(device))
    raw = CPU_BACKEND.from_bytes(data)
    return _Storage(raw if be is CPU_BACKEND else be.from_host(raw), be)


def _storage_of(t):
    root = t._root_array()
    s = _STORAGES.get(id(root))
    if s is None or s.root is not root:
        s = _STORAGES[id(root)] = _Storage(root, t._be)
    return s


def reduce_tensor(t):
    args = (_storage_of(t), t.dtype._name, tuple(t._arr.shape), t.stride(),
            t.storage_offset(), t._requires_grad, type(t), user_attrs(t) or None)
    return (_rebuild_tensor, args)


def _rebuild_tensor(storage, dtype_name, shape, stride, offset, requires_grad, cls, state):
    from ember._tensor import Tensor, _wrap
    dtype = D.BY_NAME[dtype_name]
    be = storage.be
    root = be.reinterpret(storage.root, dtype)
    t = _wrap(be.view(root, shape, stride, offset), dtype, be)
    t._root, t._offset = root, offset
    if cls is not Tensor:
        t = Tensor._make_subclass(cls, t, requires_grad)
    else:
        t.requires_grad = requires_grad
    if state:
        t.__dict__.update(state)
    return t


def deepcopy_tensor(t, memo):
    """A copy with its own storage (shared with other copies made under the same memo),
    the same geometry, requires_grad, grad and attributes."""
    if not t.is_leaf:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                           "the deepcopy protocol at the moment.  If you were attempting to "
                           "deepcopy a module, this may be because of a torch.nn.utils."
                           "weight_norm usage, see https://github.com/pytorch/pytorch/pull/"
                           "103001")
    if id(t) in memo:
        return memo[id(t)]
    root = t._root_array()
    key = ("ember-storage", id(root))
    new_root = memo.get(key)
    if new_root is None:
        new_root = memo[key] = t._be.contiguous_copy(root)
    new = _rebuild_tensor(_Storage(new_root, t._be), t.dtype._name, tuple(t._arr.shape),
                          t.stride(), t.storage_offset(), t._requires_grad, type(t), None)
    memo[id(t)] = new
    if t._grad is not None:
        new._grad = deepcopy_tensor(t._grad, memo)
    for k, v in user_attrs(t).items():
        setattr(new, k, copy.deepcopy(v, memo))
    return new
