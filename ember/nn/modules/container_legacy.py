"""nn.Container (deprecated), nn.DataParallel on a machine without CUDA devices, and
nn.factory_kwargs."""
from __future__ import annotations

import warnings

from ember.nn.modules.module import Module

__all__ = ["Container", "DataParallel"]


class Container(Module):
    """Deprecated: a Module holding the given submodules by name."""

    def __init__(self, **kwargs):
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now "
                      "implemented in `nn.Module`. Subclass that instead.", FutureWarning,
                      stacklevel=2)
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class DataParallel(Module):
    """Replicates `module` over CUDA devices and splits the batch; with no CUDA device (the
    CPU backend) it runs `module` itself, as torch does, keeping the ``module.`` prefix in
    the state_dict."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        from ember import cuda
        self.dim = dim
        self.module = module
        if not cuda.is_available():
            self.device_ids = []
            return
        self.device_ids = list(range(cuda.device_count())) if device_ids is None else \
            list(device_ids)
        self.output_device = self.device_ids[0] if output_device is None else output_device

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def factory_kwargs(kwargs):
    """The ``device``/``dtype``/``memory_format`` entries of `kwargs` (and of its
    ``factory_kwargs`` entry) as one dict for factory functions; TypeError for anything else
    or for a key given twice."""
    if kwargs is None:
        return {}
    simple = {"device", "dtype", "memory_format"}
    expected = simple | {"factory_kwargs"}
    if not kwargs.keys() <= expected:
        raise TypeError(f"unexpected kwargs {kwargs.keys() - expected}")
    out = dict(kwargs.get("factory_kwargs", {}))
    for key in simple:
        if key in kwargs:
            if key in out:
                raise TypeError(f"{key} specified twice, in **kwargs and in factory_kwargs")
            out[key] = kwargs[key]
    return out
