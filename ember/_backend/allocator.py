"""Host memory behaviour for NumPy's large temporaries.

With glibc's defaults, arrays of a few MB are served by fresh mmap'd pages and handed back
to the OS on free, so every training step page-faults its temporaries in again (a layer
norm step spends most of its time there). Like torch's caching allocator, keep freed
blocks in the process instead: raise the mmap threshold to 32 MiB and the heap-trim
threshold to 1 GiB. Set EMBER_SYSTEM_MALLOC=1 to keep the C library's defaults.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Apply the thresholds; False where the C library is not glibc (or it is disabled)."""
    if os.environ.get("EMBER_SYSTEM_MALLOC") == "1":
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20)) and bool(mallopt(_M_TRIM_THRESHOLD,
                                                                       1 << 30))
