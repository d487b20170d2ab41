"""Loss reduction arguments (torch.nn._reduction): the string names, their enum values
(0 none, 1 mean, 2 sum) and the legacy ``size_average`` / ``reduce`` flags."""
from __future__ import annotations

import warnings


def get_enum(reduction: str) -> int:
    """0, 1 or 2 for 'none', 'mean' (or the deprecated 'elementwise_mean') and 'sum'."""
    if reduction == "none":
        return 0
    if reduction == "mean":
        return 1
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=2)
        return 1
    if reduction == "sum":
        return 2
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_get_string(size_average, reduce, emit_warning=True) -> str:
    """The reduction named by the deprecated flags (None counts as True), with torch's
    deprecation warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ("mean" if size_average else "sum") if reduce else "none"
    if emit_warning:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=2)
    return ret


def legacy_get_enum(size_average, reduce, emit_warning=True) -> int:
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
