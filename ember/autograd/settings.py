"""Engine settings torch exposes in torch.autograd: multithreaded backward, view replay and
the gradient-layout policy. ember's engine runs backward on the calling thread and always
lays accumulated gradients out like their parameters, so these record the setting (and
report it back) without changing how backward runs."""
from __future__ import annotations

from ember.autograd.grad_mode import _Mode

__all__ = ["is_multithreading_enabled", "set_multithreading_enabled",
           "is_view_replay_enabled", "enforce_grad_layout_policy", "is_tensor_like",
           "kineto_available"]

_SETTINGS = {"multithreading": True, "view_replay": False, "grad_layout": True}


def is_multithreading_enabled() -> bool:
    return _SETTINGS["multithreading"]


def is_view_replay_enabled() -> bool:
    return _SETTINGS["view_replay"]


def kineto_available() -> bool:
    """torch's profiler backend; ember's profiler has none."""
    return False


def is_tensor_like(inp) -> bool:
    """True for Tensors and for objects whose type defines ``__torch_function__``."""
    from ember._tensor import Tensor
    return type(inp) is Tensor or hasattr(type(inp), "__torch_function__")


class _Setting(_Mode):
    """Sets one engine setting for a block (or a decorated function), then restores it."""

    key = ""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.prev = _SETTINGS[self.key]

    def __enter__(self):
        self.prev = _SETTINGS[self.key]
        _SETTINGS[self.key] = self.mode

    def __exit__(self, *exc):
        _SETTINGS[self.key] = self.prev

    def clone(self):
        return type(self)(self.mode)


class set_multithreading_enabled(_Setting):
    key = "multithreading"


class _force_original_view_tracking(_Setting):
    key = "view_replay"


class enforce_grad_layout_policy(_Setting):
    key = "grad_layout"
