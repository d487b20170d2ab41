"""ember.cpu.amp (torch.cpu.amp): the deprecated CPU-only spellings of ember.amp."""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember.amp import autocast as _autocast

__all__ = ["autocast"]


class autocast(_autocast):
    """``ember.amp.autocast("cpu", ...)`` under its old name."""

    def __init__(self, enabled=True, dtype=D.bfloat16, cache_enabled=True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
