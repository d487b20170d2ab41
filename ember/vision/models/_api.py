"""The model registry (list_models, get_model) and the weights arguments of the builders.

Differences from torchvision: pretrained weights cannot be downloaded here. The ``*_Weights``
enums name torchvision's checkpoints so that code mentioning them still imports, but a builder
given anything but ``weights=None`` (or ``pretrained=True``) raises NotImplementedError;
load a state_dict saved by torch with ``model.load_state_dict(ember.load(path))`` instead.
"""
from __future__ import annotations

import enum
import fnmatch
import functools
import warnings

__all__ = ["WeightsEnum", "get_model", "get_model_builder", "get_model_weights", "get_weight",
           "list_models"]

BUILTIN_MODELS = {}


class WeightsEnum(enum.Enum):
    """The names of a model's pretrained checkpoints (member values are the names)."""

    @classmethod
    def verify(cls, obj):
        """``obj`` as a member of this enum: None stays None, strings are looked up by name."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            try:
                return cls[obj.replace(cls.__name__ + ".", "")]
            except KeyError:
                raise ValueError(f"Invalid weight name provided: '{obj}'.") from None
        raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                        f"{obj.__class__.__name__}.")

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"


def weights_enum(name, versions=("IMAGENET1K_V1",), default=None):
    """A WeightsEnum subclass with the given members and DEFAULT (an alias, as in torchvision)."""
    members = {v: v for v in versions}
    members["DEFAULT"] = default or versions[-1]
    return WeightsEnum(name, members, module=__name__)


def _ovewrite_named_param(kwargs, param, new_value):
    # NOTE(torch): torchvision's spelling, kept so tracebacks read the same
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got "
                             f"{kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def builder(weights_cls):
    """Register a model builder and give it torchvision's weights handling.

    The legacy ``pretrained=False`` is accepted (with torchvision's deprecation warning);
    ``pretrained=True`` or any ``weights`` other than None raise NotImplementedError.
    """
    def wrap(fn):
        @functools.wraps(fn)
        def build(*, weights=None, progress=True, **kwargs):
            if "pretrained" in kwargs:
                warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be "
                              "removed in the future, please use 'weights' instead.")
                if kwargs.pop("pretrained"):
                    weights = weights_cls.DEFAULT
            weights = weights_cls.verify(weights)
            if weights is not None:
                raise NotImplementedError(
                    f"{fn.__name__}(weights={weights!r}): ember.vision cannot download "
                    "pretrained weights; build the model with weights=None and load a "
                    "checkpoint saved by torch with model.load_state_dict(ember.load(path))")
            return fn(weights=None, progress=progress, **kwargs)
        build.weights_enum = weights_cls
        BUILTIN_MODELS[fn.__name__] = build
        return build
    return wrap


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models, optionally from one module and filtered by
    fnmatch patterns (``include`` keeps the union of its matches, ``exclude`` drops)."""
    names = {k for k, v in BUILTIN_MODELS.items()
             if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        patterns = [include] if isinstance(include, str) else include
        names = {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}
    if exclude:
        patterns = [exclude] if isinstance(exclude, str) else exclude
        names = {n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)}
    return sorted(names)


def get_model_builder(name):
    """The builder function registered under ``name`` (case-insensitive)."""
    try:
        return BUILTIN_MODELS[name.lower()]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """``get_model_builder(name)(**config)``."""
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The WeightsEnum class of a builder (given as a function or a registered name)."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    return fn.weights_enum


def get_weight(name):
    """A weights member by its full name, e.g. ``"ResNet50_Weights.IMAGENET1K_V1"``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    for fn in BUILTIN_MODELS.values():
        if fn.weights_enum.__name__ == enum_name:
            return fn.weights_enum[value_name]
    raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be "
                     "retrieved.")
