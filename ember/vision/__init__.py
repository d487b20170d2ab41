"""torchvision's API on ember: ``transforms``, ``datasets``, ``utils`` (and ``models``).

Imported on demand (``import ember.vision`` or, through the alias hook, ``import
torchvision``); ``import ember`` never pulls it in. The submodules load lazily on first
attribute access, so a missing optional dependency of one (Pillow) does not break the others.

Differences from torchvision: no ``io``/``ops`` C++ kernels and no video backends.
"""
from __future__ import annotations

import importlib

__version__ = "0.28.0"

_SUBMODULES = ("datasets", "models", "ops", "transforms", "utils")
_image_backend = "PIL"


def set_image_backend(backend):
    """Choose the image loader used by ``datasets.folder.default_loader`` ('PIL'/'accimage')."""
    global _image_backend
    if backend not in ["PIL", "accimage"]:
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    _image_backend = backend


def get_image_backend():
    """The name of the image loading package ('PIL' unless changed)."""
    return _image_backend


def get_video_backend():
    """Always 'pyav', as in torchvision (video decoding is not implemented here)."""
    return "pyav"


def disable_beta_transforms_warning():
    """Does nothing; kept because torchvision still exposes it."""


def __getattr__(name):
    if name in _SUBMODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
