"""Moving a worker's batch to the main process.

A batch is pickled in the worker (so a pickling error becomes the worker's exception, not a
lost batch). Tensor storages of at least ``SHM_MIN_BYTES`` are not copied into the pickle:
each is written once to a file in ``/dev/shm`` (tmpfs, i.e. memory) that the main process
maps copy-on-write and unlinks at once, which is several times faster than sending the
bytes through the queue's pipe. Views that share a storage still share it afterwards; of a
large storage that they use less than half of (samples sliced out of a dataset tensor),
only the used bytes are sent.
Files left behind by batches that were never received (a shutdown mid-epoch, a killed
worker) are removed by ``remove_leftovers`` with the iterator's file prefix.
"""
from __future__ import annotations

import glob
import io
import itertools
import mmap
import os
import pickle
import uuid

from ember._backend import CPU_BACKEND
from ember._tensor import Tensor, user_attrs
from ember._tensor_pickle import _rebuild_tensor, _Storage

SHM_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
SHM_MIN_BYTES = 1 << 18


def new_prefix() -> str | None:
    """A file-name prefix unique to one DataLoader iterator (None: no shared memory here)."""
    if SHM_DIR is None:
        return None
    return os.path.join(SHM_DIR, f"ember-dl-{os.getpid()}-{uuid.uuid4().hex[:12]}-")


class Packed(bytes):
    """A batch pickled by ``pack``; ``unpack`` rebuilds it."""

    __slots__ = ()


def _tensors_in(obj, found):
    """Collect the tensors in nested lists, tuples and dicts (what collate_fns return)."""
    if isinstance(obj, Tensor):
        found.append(obj)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _tensors_in(item, found)
    elif isinstance(obj, dict):
        for item in obj.values():
            _tensors_in(item, found)
    return found


def _byte_span(t):
    """(first, end) bytes of ``t``'s storage that ``t`` reads (strides are never negative)."""
    item = t.element_size()
    lo = t.storage_offset() * item
    if t.numel() == 0:
        return lo, lo
    return lo, lo + item * (1 + sum((n - 1) * st for n, st in zip(t.shape, t.stride())))


def _trimmed_storages(tensors):
    """{id(root): (storage of just the used bytes, element offset of its start)} for large
    storages that the batch's tensors use less than half of (samples sliced out of a dataset
    tensor); all views of one storage keep sharing the trimmed copy."""
    spans = {}
    for t in tensors:
        if t._be is not CPU_BACKEND:
            continue
        root = t._root_array()
        lo, hi = _byte_span(t)
        item = t.element_size()
        entry = spans.setdefault(id(root), [root, item, lo, hi])
        entry[1] = item if entry[1] == item else 0  # mixed element sizes: left whole
        entry[2], entry[3] = min(entry[2], lo), max(entry[3], hi)
    trims = {}
    for key, (root, item, lo, hi) in spans.items():
        nbytes = CPU_BACKEND.nbytes(root)
        if item and nbytes >= SHM_MIN_BYTES and 2 * (hi - lo) < nbytes:
            part = CPU_BACKEND.bytes_view(root)[lo:hi]
            trims[key] = (_Storage(part, CPU_BACKEND), lo // item)
    return trims


class _Packer(pickle.Pickler):
    def __init__(self, file, prefix, counter, trims):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._prefix = prefix
        self._counter = counter
        self._trims = trims
        self.written = []

    def reducer_override(self, obj):
        if self._trims and isinstance(obj, Tensor):
            return self._reduce_trimmed(obj)
        if type(obj) is _Storage and self._prefix is not None and obj.be is CPU_BACKEND:
            return self._reduce_to_file(obj)
        return NotImplemented

    def _reduce_trimmed(self, t):
        trim = self._trims.get(id(t._root_array()))
        if trim is None:
            return NotImplemented
        storage, start = trim
        return (_rebuild_tensor, (storage, t.dtype._name, tuple(t.shape), t.stride(),
                                  t.storage_offset() - start, t.requires_grad, type(t),
                                  user_attrs(t) or None))

    def _reduce_to_file(self, storage):
        raw = storage.be.bytes_view(storage.root)
        if raw.nbytes < SHM_MIN_BYTES:
            return NotImplemented
        path = f"{self._prefix}{next(self._counter)}"
        try:
            with open(path, "xb") as f:
                f.write(memoryview(raw))
        except OSError:  # /dev/shm full or unusable: send the bytes in the pickle instead
            _unlink(path)
            return NotImplemented
        self.written.append(path)
        return (_attach, (path, raw.nbytes))


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _attach(path, nbytes):
    """The storage written to ``path``, mapped copy-on-write; the file is unlinked (the
    mapping lives on until its last tensor is freed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        mapped = mmap.mmap(fd, nbytes, access=mmap.ACCESS_COPY)
    finally:
        os.close(fd)
        _unlink(path)
    return _Storage(CPU_BACKEND.xp.frombuffer(mapped, CPU_BACKEND.xp.uint8), CPU_BACKEND)


class Packer:
    """Pickles a worker's batches, with large storages in files under ``prefix``."""

    def __init__(self, prefix, worker_id):
        self._prefix = None if prefix is None else f"{prefix}{worker_id}-"
        self._counter = itertools.count()

    def pack(self, data) -> Packed:
        buf = io.BytesIO()
        trims = _trimmed_storages(_tensors_in(data, []))
        packer = _Packer(buf, self._prefix, self._counter, trims)
        try:
            packer.dump(data)
        except BaseException:
            for path in packer.written:
                _unlink(path)
            raise
        return Packed(buf.getbuffer())


def unpack(packed: Packed):
    return pickle.loads(packed)


def remove_leftovers(prefix) -> None:
    """Unlink the files of batches under ``prefix`` that were never unpacked."""
    if prefix is not None:
        for path in glob.glob(glob.escape(prefix) + "*"):
            _unlink(path)
