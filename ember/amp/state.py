"""torch.* functions that read and set the autocast state directly (torch.is_autocast_enabled,
torch.set_autocast_dtype, the deprecated per-device forms, ...)."""
from __future__ import annotations

import warnings

from ember.amp.autocast_mode import STATE

__all__ = ["is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache"]


def is_autocast_enabled(device_type=None) -> bool:
    """Whether autocast is on for `device_type` (CUDA when not given, as in torch)."""
    return STATE.enabled.get(device_type or "cuda", False)


def set_autocast_enabled(device_type, enabled=None) -> None:
    if enabled is None:                 # the old one-argument form sets CUDA's
        device_type, enabled = "cuda", device_type
    STATE.set_enabled(device_type, enabled)


def get_autocast_dtype(device_type):
    return STATE.dtype[device_type]


def set_autocast_dtype(device_type, dtype) -> None:
    STATE.dtype[device_type] = dtype


def is_autocast_cache_enabled() -> bool:
    return STATE.cache_enabled


def set_autocast_cache_enabled(enabled) -> None:
    STATE.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Nothing is cached: ember casts weights on each use."""


def _deprecated_forms():
    """is_autocast_cpu_enabled, set_autocast_xla_dtype, ...: the per-device names torch keeps
    with a DeprecationWarning pointing at the device_type forms."""
    forms = {}
    for dev, name in (("cpu", "cpu"), ("cuda", "gpu"), ("ipu", "ipu"), ("xla", "xla")):
        def is_enabled(dev=dev, name=name):
            warnings.warn(f"torch.is_autocast_{name}_enabled() is deprecated. Please use "
                          f"torch.is_autocast_enabled('{dev}') instead.", DeprecationWarning,
                          stacklevel=2)
            return is_autocast_enabled(dev)

        def set_enabled(enabled, dev=dev, name=name):
            warnings.warn(f"torch.set_autocast_{name}_enabled(enabled) is deprecated. Please "
                          f"use torch.set_autocast_enabled('{dev}', enabled) instead.",
                          DeprecationWarning, stacklevel=2)
            set_autocast_enabled(dev, enabled)

        def get_dtype(dev=dev, name=name):
            warnings.warn(f"torch.get_autocast_{name}_dtype() is deprecated. Please use "
                          f"torch.get_autocast_dtype('{dev}') instead.", DeprecationWarning,
                          stacklevel=2)
            return get_autocast_dtype(dev)

        def set_dtype(dtype, dev=dev, name=name):
            warnings.warn(f"torch.set_autocast_{name}_dtype(dtype) is deprecated. Please use "
                          f"torch.set_autocast_dtype('{dev}', dtype) instead.",
                          DeprecationWarning, stacklevel=2)
            set_autocast_dtype(dev, dtype)
        forms.update({f"is_autocast_{name}_enabled": is_enabled,
                      f"set_autocast_{name}_enabled": set_enabled,
                      f"get_autocast_{name}_dtype": get_dtype,
                      f"set_autocast_{name}_dtype": set_dtype})
    for fname, fn in forms.items():
        fn.__name__ = fn.__qualname__ = fname
    return forms


_FORMS = _deprecated_forms()
globals().update(_FORMS)
__all__ += [n for n in _FORMS if n not in ("is_autocast_gpu_enabled", "set_autocast_gpu_enabled")]
