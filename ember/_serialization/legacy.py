"""Reading torch's legacy (pre-1.6) checkpoint format: a sequence of pickles, then the raw
storages, each preceded by its element count."""
from __future__ import annotations

import pickle
import struct

MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
PROTOCOL_VERSION = 1001


def is_legacy(f):
    """Whether file object `f` (at its start) holds the legacy format; rewinds it."""
    start = f.tell()
    try:
        return pickle.load(f) == MAGIC_NUMBER
    except Exception:   # not a pickle at all: not this format
        return False
    finally:
        f.seek(start)


def load_legacy(f, make_unpickler, new_storage):
    """Read a legacy checkpoint from `f`.

    `make_unpickler(file, persistent_load)` gives the (restricted) unpickler;
    `new_storage(dtype, numel, location)` allocates a storage whose bytes are filled here.
    """
    if pickle.load(f) != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    if pickle.load(f) != PROTOCOL_VERSION:
        raise RuntimeError("Invalid protocol version")
    sys_info = pickle.load(f)
    if not sys_info.get("little_endian", True):
        raise RuntimeError("ember can't read big-endian legacy checkpoints")
    storages = {}

    def persistent_load(pid):
        kind = pid[0]
        if kind != "storage":
            raise RuntimeError(f"Unknown saved id type: {kind}")
        _, storage_type, key, location, numel, view_metadata = pid
        if key not in storages:
            storages[key] = new_storage(storage_type.dtype, numel, location)
        if view_metadata is not None:
            raise RuntimeError("ember can't read legacy checkpoints with storage views")
        return storages[key]

    result = make_unpickler(f, persistent_load).load()
    keys = make_unpickler(f, persistent_load).load()
    for key in keys:
        storage = storages[key]
        (numel,) = struct.unpack("<q", f.read(8))
        nbytes = numel * storage.dtype.itemsize
        data = f.read(nbytes)
        if len(data) != nbytes:
            raise RuntimeError("unexpected EOF, expected more bytes. The file might be "
                               "corrupted.")
        storage.fill(data)
    return result
