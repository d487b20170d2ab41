"""Storages: the flat buffer under tensors (UntypedStorage: bytes; TypedStorage: elements).

A storage object is a window onto a tensor's root array; two storages are the same memory
when their data_ptr() are equal, as with torch's Python storage objects.
"""
from __future__ import annotations

import warnings

from ember import _dtype as D

__all__ = ["UntypedStorage", "TypedStorage"]


class UntypedStorage:
    """A flat byte buffer on a device."""

    def __init__(self, size=0, *, device=None):
        from ember._ops.creation import backend
        be = backend(device)
        self._be = be
        self._bytes = be.zeros((size,), D.uint8) if isinstance(size, int) else \
            be.from_data(list(size), D.uint8)

    @classmethod
    def _from_root(cls, root, be):
        s = object.__new__(cls)
        s._be = be
        s._bytes = be.bytes_view(root)
        return s

    @property
    def device(self):
        return self._be.device

    def nbytes(self) -> int:
        return self._bytes.size

    size = nbytes

    def __len__(self):
        return self._bytes.size

    def data_ptr(self) -> int:
        return self._be.base_ptr(self._bytes)

    def element_size(self) -> int:
        return 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return UntypedStorage._from_root(self._bytes[i], self._be)
        return int(self._be.item(self._bytes[i]))

    def __setitem__(self, i, value):
        self._bytes[i] = value

    def tolist(self):
        return self._be.tolist(self._bytes)

    def is_shared(self) -> bool:
        return False

    def is_pinned(self, device="cuda") -> bool:
        return False

    @property
    def is_cuda(self) -> bool:
        return self._be.device.type == "cuda"

    def untyped(self):
        return self

    def _as_tensor(self, dtype):
        from ember._tensor import _wrap
        root = self._be.reinterpret(self._bytes, dtype)
        t = _wrap(root, dtype, self._be)
        t._root, t._offset = root, 0
        return t

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        return (f"{body}\n[ember.storage.UntypedStorage(device={self.device}) of size "
                f"{len(self)}]")


class TypedStorage:
    """Deprecated typed view of a storage (``tensor.storage()``)."""

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None):
        _warn()
        self.dtype = dtype or D.get_default_dtype()
        if wrap_storage is not None:
            self._untyped = wrap_storage
        else:
            n = args[0] if args and isinstance(args[0], int) else 0
            self._untyped = UntypedStorage(n * self.dtype.itemsize, device=device)
            if args and not isinstance(args[0], int):
                self._elements()[...] = list(args[0])

    @classmethod
    def _from_tensor(cls, t):
        _warn()
        s = object.__new__(cls)
        s.dtype = t.dtype
        s._untyped = t.untyped_storage()
        return s

    def _elements(self):
        return self._untyped._be.reinterpret(self._untyped._bytes, self.dtype)

    @property
    def device(self):
        return self._untyped.device

    def size(self) -> int:
        return self._untyped.nbytes() // self.dtype.itemsize

    def __len__(self):
        return self.size()

    def element_size(self) -> int:
        return self.dtype.itemsize

    def nbytes(self) -> int:
        return self._untyped.nbytes()

    def data_ptr(self) -> int:
        return self._untyped.data_ptr()

    def untyped(self):
        return self._untyped

    def tolist(self):
        return self._untyped._be.tolist(self._elements())

    def __getitem__(self, i):
        return self._untyped._be.item(self._elements()[i])

    def __setitem__(self, i, value):
        self._elements()[i] = value

    def is_shared(self) -> bool:
        return False

    def _as_tensor(self, dtype=None):
        return self._untyped._as_tensor(self.dtype)

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        return (f"{body}\n[ember.storage.TypedStorage(dtype={self.dtype!r}, "
                f"device={self.device}) of size {self.size()}]")


def _warn():
    warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                  "UntypedStorage will be the only storage class. This should only matter to "
                  "you if you are using storages directly.  To access UntypedStorage directly, "
                  "use tensor.untyped_storage() instead of tensor.storage()", UserWarning,
                  stacklevel=3)
