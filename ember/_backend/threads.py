"""Thread pools of the array libraries (torch.set_num_threads / get_num_threads)."""
from __future__ import annotations

import os

from threadpoolctl import threadpool_info, threadpool_limits

_STATE = {"limit": None, "interop": 1}


def get_num_threads() -> int:
    if _STATE["limit"] is not None:
        return _STATE["limit"]
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts) if counts else (os.cpu_count() or 1)


def set_num_threads(n: int) -> None:
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    threadpool_limits(limits=n, user_api="blas")
    _STATE["limit"] = n


def get_num_interop_threads() -> int:
    return _STATE["interop"]


def set_num_interop_threads(n: int) -> None:
    if n <= 0:
        raise RuntimeError("Expected positive number of threads")
    _STATE["interop"] = n
