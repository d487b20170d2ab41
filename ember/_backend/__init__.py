"""The only package that imports NumPy, SciPy or CuPy (DESIGN.md §2).

`backend_for(device)` returns the Backend serving that device: its array namespace `xp`
and the few kernels that need more than array calls. CuPy is imported only when a CUDA
device is first used, so `import ember` works without it.
"""
from __future__ import annotations

from ember._backend.numpy_backend import BACKEND as CPU_BACKEND

__all__ = ["CPU_BACKEND", "backend_for", "cuda_device_count", "cuda_runtime"]

_BACKENDS = {CPU_BACKEND.device: CPU_BACKEND}


def backend_for(device):
    """The Backend of `device` (an ember.device)."""
    be = _BACKENDS.get(device)
    if be is not None:
        return be
    if device.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    raise RuntimeError(f"ember has no backend for device type {device.type}")


def cuda_device_count() -> int:
    """GPUs a CUDA backend can serve (0: this build of ember has no CUDA backend)."""
    return 0


def cuda_runtime():
    """The CUDA backend's runtime (device, memory, stream and RNG queries)."""
    raise AssertionError("Torch not compiled with CUDA enabled")
