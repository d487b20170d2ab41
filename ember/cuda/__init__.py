"""ember.cuda (torch.cuda): device queries, memory statistics, seeding, streams.

Without a CUDA backend (no CuPy, or no GPU), it behaves exactly as a CPU-only build of
torch: queries answer False/0/empty, and calls that need a device raise torch's
AssertionError "Torch not compiled with CUDA enabled".
"""
from __future__ import annotations

from collections import OrderedDict

from ember import _backend

__all__ = ["is_available", "device_count", "current_device", "set_device", "synchronize",
           "get_device_name", "get_device_capability", "get_device_properties",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "memory_stats", "memory_summary", "mem_get_info",
           "reset_peak_memory_stats", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "initial_seed", "get_rng_state", "set_rng_state", "is_initialized", "init",
           "current_stream", "default_stream", "ipc_collect", "get_arch_list",
           "is_bf16_supported", "device", "device_of"]

_NOT_COMPILED = "Torch not compiled with CUDA enabled"
# Everything that needs a GPU goes through `_backend.cuda_runtime()`, the CUDA backend's
# runtime object; without one it raises torch's AssertionError.


def _require():
    if not is_available():
        raise AssertionError(_NOT_COMPILED)
    _backend.cuda_runtime()


def is_available() -> bool:
    return _backend.cuda_device_count() > 0


def device_count() -> int:
    return _backend.cuda_device_count()


def is_initialized() -> bool:
    return is_available()


def init() -> None:
    _require()


def current_device() -> int:
    _require()
    return _backend.cuda_runtime().current_device()


def set_device(device) -> None:
    _require()
    _backend.cuda_runtime().set_device(_index(device))


def synchronize(device=None) -> None:
    _require()
    _backend.cuda_runtime().synchronize()


def get_device_name(device=None) -> str:
    _require()
    return _backend.cuda_runtime().device_name(_index(device))


def get_device_capability(device=None):
    _require()
    return _backend.cuda_runtime().device_capability(_index(device))


def get_device_properties(device=None):
    _require()
    return _backend.cuda_runtime().device_properties(_index(device))


def empty_cache() -> None:
    if is_available():
        _backend.cuda_runtime().empty_cache()


def _stat(name, device=None):
    return _backend.cuda_runtime().memory_stat(name) if is_available() else 0


def memory_allocated(device=None) -> int:
    return _stat("allocated", device)


def max_memory_allocated(device=None) -> int:
    return _stat("max_allocated", device)


def memory_reserved(device=None) -> int:
    return _stat("reserved", device)


def max_memory_reserved(device=None) -> int:
    return _stat("max_reserved", device)


def memory_stats(device=None) -> OrderedDict:
    return _backend.cuda_runtime().memory_stats() if is_available() else OrderedDict()


def memory_summary(device=None, abbreviated=False) -> str:
    _require()
    stats = memory_stats(device)
    return "\n".join(f"{k}: {v}" for k, v in stats.items())


def mem_get_info(device=None):
    _require()
    return _backend.cuda_runtime().mem_get_info()


def reset_peak_memory_stats(device=None) -> None:
    _require()
    _backend.cuda_runtime().reset_peak()


def manual_seed(seed) -> None:
    """Seed the current GPU's generator (silently ignored without CUDA, as in torch)."""
    if is_available():
        _backend.cuda_runtime().manual_seed(int(seed), all_devices=False)


def manual_seed_all(seed) -> None:
    if is_available():
        _backend.cuda_runtime().manual_seed(int(seed), all_devices=True)


def seed() -> None:
    if is_available():
        _backend.cuda_runtime().seed()


def seed_all() -> None:
    seed()


def initial_seed() -> int:
    _require()
    return _backend.cuda_runtime().initial_seed()


def get_rng_state(device="cuda"):
    _require()
    return _backend.cuda_runtime().get_rng_state()


def set_rng_state(new_state, device="cuda") -> None:
    _require()
    _backend.cuda_runtime().set_rng_state(new_state)


def current_stream(device=None):
    _require()
    return _backend.cuda_runtime().current_stream()


default_stream = current_stream


def ipc_collect() -> None:
    _require()


def get_arch_list() -> list:
    return _backend.cuda_runtime().arch_list() if is_available() else []


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return is_available()


def _index(device):
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    from ember._device import device as Device
    d = Device(device)
    return d.index or 0


class device:
    """Context manager that changes the current CUDA device."""

    def __init__(self, device):
        self.idx = _index(device) if device is not None and is_available() else -1
        self.prev_idx = -1

    def __enter__(self):
        if not is_available():
            raise RuntimeError("PyTorch was compiled without CUDA support")
        self.prev_idx = current_device()
        set_device(self.idx)

    def __exit__(self, *exc):
        set_device(self.prev_idx)


class device_of(device):
    """Context manager: the current device becomes `obj`'s (no-op for CPU tensors)."""

    def __init__(self, obj):
        idx = obj.get_device() if obj.is_cuda else -1
        super().__init__(idx if idx >= 0 else None)
        self.cpu = idx < 0

    def __enter__(self):
        if not self.cpu:
            super().__enter__()

    def __exit__(self, *exc):
        if not self.cpu:
            super().__exit__(*exc)

    def __repr__(self):
        return f"<ember.cuda.device_of object at {hex(id(self))}>"
