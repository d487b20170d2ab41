"""torch's zip checkpoint container: stored (uncompressed) entries under one folder, each
entry's data aligned to 64 bytes by padding its local header's extra field, as torch does."""
from __future__ import annotations

import struct
import zipfile

ALIGNMENT = 64
_LOCAL_HEADER = 30
_PAD_ID = b"FB"


class ZipWriter:
    """Writes records ``<prefix>/<name>`` into a zip file object."""

    def __init__(self, fileobj, prefix):
        self.zf = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED,
                                  allowZip64=True)
        self.fp = fileobj
        self.prefix = prefix

    def write(self, name, data):
        """Store `data` (bytes-like) as record `name`, its bytes starting 64-byte aligned."""
        data = memoryview(data).cast("B")
        info = zipfile.ZipInfo(f"{self.prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        zip64 = len(data) > zipfile.ZIP64_LIMIT
        start = self.zf.fp.tell()
        used = _LOCAL_HEADER + len(info.filename.encode()) + (20 if zip64 else 0) + 4
        pad = (-(start + used)) % ALIGNMENT
        info.extra = _PAD_ID + struct.pack("<H", pad) + b"Z" * pad
        with self.zf.open(info, "w", force_zip64=zip64) as out:
            out.write(data)

    def close(self):
        self.zf.close()


class ZipReader:
    """Reads records of a torch checkpoint; finds the record folder (prefix) itself."""

    def __init__(self, fileobj):
        try:
            self.zf = zipfile.ZipFile(fileobj, "r")
        except zipfile.BadZipFile:
            raise RuntimeError(
                "PytorchStreamReader failed reading zip archive: failed finding central "
                "directory. This is an internal miniz error. If you are seeing this error, "
                "there is a high likelihood that your checkpoint file is corrupted. This can "
                "happen if the checkpoint was not saved properly, was transferred incorrectly, "
                "or was otherwise damaged.") from None
        names = self.zf.namelist()
        pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pkl:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not "
                               "found")
        self.prefix = pkl[0].split("/")[0]
        self.names = set(names)
        self.fp = fileobj

    def has(self, name):
        return f"{self.prefix}/{name}" in self.names

    def read(self, name):
        try:
            return self.zf.read(f"{self.prefix}/{name}")
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not "
                               "found") from None
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: the file is "
                               f"truncated or corrupted ({e})") from None

    def data_offset(self, name):
        """Byte offset of record `name`'s data in the file (records are stored, so it can be
        memory-mapped there)."""
        info = self.zf.getinfo(f"{self.prefix}/{name}")
        self.fp.seek(info.header_offset)
        header = self.fp.read(_LOCAL_HEADER)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + _LOCAL_HEADER + name_len + extra_len, info.file_size
