"""Distinct values: unique, unique_consecutive (not differentiable).

Differences from PyTorch: none known; torch's CPU unique returns sorted values even with
``sorted=False``, and so does ember. Every NaN counts as distinct, as in torch.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._index_grad import constant

__all__ = ["unique", "unique_consecutive"]


def _check(input, name):
    if input.dtype.category == D.COMPLEX:
        raise NotImplementedError(f"\"{name}\" not implemented for "
                                  f"'{D.type_name(input.dtype)}'")


def _result(be, values, inverse, counts, return_inverse, return_counts):
    out = (constant(values, be),)
    if return_inverse:
        out += (constant(inverse, be),)
    if return_counts:
        out += (constant(counts, be),)
    return out[0] if len(out) == 1 else out


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along `dim`) in ascending order; optionally the index
    of each input element among them and how often each occurs."""
    _check(input, "unique" if dim is None else "unique_dim")
    be = input._be
    if dim is None:
        values, inverse, counts = be.unique_sorted(input._arr, return_inverse, return_counts)
    else:
        d = wrap_dim(dim, input._arr.ndim)
        values, inverse, counts = be.unique_dim(input._arr, d, False)
    return _result(be, values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """`input` with each run of equal consecutive elements (or slices) collapsed to one."""
    _check(input, "unique_consecutive" if dim is None else "unique_dim_consecutive")
    be = input._be
    if dim is None:
        values, inverse, counts = be.unique_consecutive(input._arr, return_inverse,
                                                        return_counts)
    else:
        d = wrap_dim(dim, input._arr.ndim)
        values, inverse, counts = be.unique_dim(input._arr, d, True)
    return _result(be, values, inverse, counts, return_inverse, return_counts)
