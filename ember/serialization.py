"""ember.save / ember.load: torch's checkpoint files (torch.serialization).

Files are torch's zip format (see ../shared/reference/NOTES.md): real torch loads what
ember saves and ember loads what torch saves, without torch installed. Saving to a path is
atomic: the bytes go to a temporary file in the same folder, are fsynced, and replace the
target in one rename, so an interrupted save never destroys the previous checkpoint.
``weights_only=True`` (the default) refuses every global outside torch's allow-list.
"""
from __future__ import annotations

import io
import os
import pickle
import tempfile
import uuid

from ember import _dtype as D
from ember._backend import CPU_BACKEND, backend_for
from ember._device import device as Device
from ember._serialization import legacy
from ember._serialization.pickler import dumps
from ember._serialization.unpickler import (CheckpointUnpickler, add_safe_globals,
                                            clear_safe_globals, get_safe_globals,
                                            safe_globals)
from ember._serialization.zipformat import ZipReader, ZipWriter

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Write `obj` to `f` (a path or a binary file object) in torch's zip format."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes only torch's zip format "
                                  "(_use_new_zipfile_serialization=False is not supported)")
    data_pkl, storages = dumps(obj, pickle_protocol)
    if _is_path(f):
        prefix = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
        _atomic_write(os.fspath(f), lambda fh: _write(fh, prefix, data_pkl, storages,
                                                      _disable_byteorder_record))
    else:
        _write(f, "archive", data_pkl, storages, _disable_byteorder_record)


def _write(fh, prefix, data_pkl, storages, no_byteorder):
    w = ZipWriter(fh, prefix)
    w.write("data.pkl", data_pkl)
    w.write(".format_version", b"1")
    w.write(".storage_alignment", b"64")
    if not no_byteorder:
        w.write("byteorder", b"little")
    for key, ref in storages:
        w.write(f"data/{key}", ref.be.to_host(ref.be.bytes_view(ref.root)))
    w.write("version", b"3\n")
    w.write(".data/serialization_id", f"{uuid.uuid4().int:040d}"[:40].encode())
    w.close()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def _atomic_write(path, write):
    """Write through `write(fileobj)` to a temporary file next to `path`, then rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class _LoadedStorage:
    """A storage read from a checkpoint: raw bytes (uint8 array) on a backend."""

    def __init__(self, raw, be, dtype):
        self.root = raw
        self.be = be
        self.dtype = dtype
        self.dtype_name = dtype._name

    def fill(self, data):
        CPU_BACKEND.copy_into(self.root, CPU_BACKEND.from_bytes(data))


def _target_device(location, map_location):
    if map_location is None:
        return Device(location)
    if isinstance(map_location, (str, Device)):
        return Device(map_location)
    if isinstance(map_location, dict):
        return Device(map_location.get(location, location))
    raise TypeError(f"map_location should be a str, device, dict or callable, got "
                    f"{type(map_location).__name__}")


def _place(raw, dtype, location, map_location):
    """The storage for `raw` bytes saved at `location`, moved as `map_location` says."""
    if callable(map_location) and not isinstance(map_location, (str, Device, dict)):
        from ember._storage import UntypedStorage
        moved = map_location(UntypedStorage._from_root(raw, CPU_BACKEND), location)
        if moved is not None:
            return _LoadedStorage(moved._bytes, moved._be, dtype)
        map_location = None
    device = _target_device(location, map_location)
    if device.type == "cuda" and not _cuda_ok():
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU.")
    be = backend_for(device if device.type != "cpu" else Device("cpu"))
    return _LoadedStorage(raw if be is CPU_BACKEND else be.from_host(raw), be, dtype)


def _cuda_ok():
    from ember import cuda
    return cuda.is_available()


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read an object saved by ember.save or torch.save (zip or legacy format)."""
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if _is_path(f):
        with open(f, "rb") as fh:
            return _load_file(fh, os.fspath(f) if mmap else None, map_location, weights_only)
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    return _load_file(f, None, map_location, weights_only)


def _load_file(fh, mmap_path, map_location, weights_only):
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    if head[:2] == b"PK":
        return _load_zip(fh, mmap_path, map_location, weights_only)
    if legacy.is_legacy(fh):
        return _load_legacy(fh, map_location, weights_only)
    raise RuntimeError("Invalid checkpoint: neither torch's zip format nor its legacy format "
                       "(the file may be truncated or not a checkpoint)")


def _load_zip(fh, mmap_path, map_location, weights_only):
    reader = ZipReader(fh)
    big = reader.has("byteorder") and reader.read("byteorder").strip() == b"big"
    loaded = {}

    def persistent_load(pid):
        if not isinstance(pid, tuple) or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel = pid[:5]
        key = str(key)
        if key in loaded:
            return loaded[key]
        dtype = storage_type.dtype
        nbytes = numel * dtype.itemsize
        if mmap_path is not None:
            offset, size = reader.data_offset(f"data/{key}")
            raw = CPU_BACKEND.memmap_bytes(mmap_path, offset, nbytes)
        else:
            data = reader.read(f"data/{key}")
            size = len(data)
            raw = CPU_BACKEND.from_bytes(data)
        if size < nbytes:
            raise RuntimeError(f"PytorchStreamReader failed reading file data/{key}: the "
                               "storage is truncated; the checkpoint is corrupted.")
        if big and dtype.itemsize > 1:
            raw = CPU_BACKEND.byteswap_bytes(raw, dtype)
        loaded[key] = _place(raw[:nbytes], dtype, location, map_location)
        return loaded[key]

    unpickler = CheckpointUnpickler(io.BytesIO(reader.read("data.pkl")), persistent_load,
                                    weights_only)
    return unpickler.load()


def _load_legacy(fh, map_location, weights_only):
    def make_unpickler(file, persistent_load):
        return CheckpointUnpickler(file, persistent_load, weights_only)

    def new_storage(dtype, numel, location):
        return _place(CPU_BACKEND.zeros((numel * dtype.itemsize,), D.uint8), dtype,
                      location, map_location)

    return legacy.load_legacy(fh, make_unpickler, new_storage)
