"""Counting: histc, histogram, histogramdd, bincount (none is differentiable)."""
from __future__ import annotations

import builtins
import math

from ember import _dtype as D
from ember import return_types
from ember._ops._index_grad import constant
from ember._ops._registry import write_out
from ember._tensor import Tensor

__all__ = ["histc", "histogram", "histogramdd", "bincount"]
FUNCTIONS_ONLY = frozenset({"histogramdd"})


def _num(v):
    """A double as C++ streams print it (1, 0.5, inf, nan)."""
    return f"{v:g}"


def _bins_positive(bins):
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Counts in `bins` equal-width bins over [min, max] (the data's range when min == max);
    values outside are ignored."""
    if input.dtype.category == D.COMPLEX:
        raise NotImplementedError(f"\"aminmax_cpu\" not implemented for "
                                  f"'{D.type_name(input.dtype)}'")
    if input.dtype.category < D.FLOAT:
        kernel = "linspace_cpu" if input.dtype is D.bool else "histogram_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{D.type_name(input.dtype)}'")
    _bins_positive(bins)
    be = input._be
    lo, hi = float(min), float(max)
    if lo == hi and input._arr.size:
        lo, hi = be.finite_min_max(input._arr)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_num(lo)}, {_num(hi)}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    edges = be.linspace(lo, hi, bins + 1, input.dtype)
    result = constant(be.histc_bins(input._arr, bins, edges[0], edges[-1]), be)
    return result if out is None else write_out(result, out)


def _outer_edges(x_arr, be, n, range):
    """torch's select_outer_bin_edges: (lefts, rights) per dim of the (M, N) input."""
    if range is not None:
        if len(range) != 2 * n:
            raise RuntimeError(f"torch.histogramdd: for a {n}-dimensional histogram range "
                               f"should have {2 * n} elements, but got {len(range)}")
        pairs = [(float(range[2 * d]), float(range[2 * d + 1])) for d in builtins.range(n)]
    elif x_arr.size:
        pairs = [be.finite_min_max(x_arr[:, d]) for d in builtins.range(n)]
    else:
        pairs = [(0.0, 1.0)] * n
    out = []
    for d, (lo, hi) in enumerate(pairs):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{_num(lo)}, "
                               f"{_num(hi)}] is not finite")
        if lo > hi:
            raise RuntimeError("torch.histogramdd: min should not exceed max, but got min "
                               f"{_num(lo)} max {_num(hi)} for dimension {d}")
        out.append((lo - 0.5, hi + 0.5) if lo == hi else (lo, hi))
    return out



def _check_input(input, name):
    if input.dtype not in (D.float32, D.float64):
        raise NotImplementedError(f"\"{name}\" not implemented for "
                                  f"'{D.type_name(input.dtype)}'")


def _check_edges(input, edges):
    for d, e in enumerate(edges):
        if e.dtype is not input.dtype:
            raise RuntimeError(
                "torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                f"but got input with dtype {_c_type(input.dtype)} and bins for dimension {d} "
                f"with dtype {_c_type(e.dtype)}")
        if e._arr.ndim != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {e._arr.ndim} dimensions in the bins tensor for dimension "
                               f"{d}")
        if e._arr.size == 0:
            raise RuntimeError("torch.histogramdd: bins tensor should have at least 1 element, "
                               f"but got 0 elements in the bins tensor for dimension {d}")


def _c_type(d):
    from ember._tensor import _c_name
    return _c_name(d)


def _check_weight(input2d, weight):
    if weight is None:
        return
    if weight.dtype is not input2d.dtype:
        raise RuntimeError(
            "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
            f"should have the same dtype, but got input({D.type_name(input2d.dtype)}), and "
            f"weight({D.type_name(weight.dtype)})")
    want = tuple(input2d._arr.shape[:-1])
    got = tuple(weight._arr.shape) or (1,)
    if got != want:
        raise RuntimeError(
            "torch.histogramdd: if weight tensor is provided it should have the same shape as "
            "the input tensor excluding its innermost dimension, but got input with shape "
            f"{list(input2d._arr.shape)} and weight with shape {list(weight._arr.shape)}")


def _histdd(x2, bins, range, weight, density):
    """(hist, edges) of the (M, N) tensor `x2`; `bins` is a list of ints or of edge tensors."""
    be, n = x2._be, x2._arr.shape[-1]
    if bins and not isinstance(bins[0], Tensor):
        for b in bins:
            _bins_positive(b)
        outer = _outer_edges(x2._arr, be, n, range)
        edges = [constant(be.linspace(lo, hi, b + 1, x2.dtype), be)
                 for (lo, hi), b in zip(outer, bins)]
    else:
        edges = list(bins)
        _check_edges(x2, edges)
    _check_weight(x2, weight)
    hist = be.histogramdd(x2._arr, [e._arr for e in edges],
                          None if weight is None else weight._arr, density)
    return constant(hist, be), edges


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or weights, or densities) of `input`'s elements in `bins`
    equal bins over `range` (the data's range by default) or between given edges."""
    _check_input(input, "histogramdd")
    x2 = input.reshape(-1, 1)
    w = None if weight is None else weight.reshape(-1)
    if weight is not None and weight._arr.size != x2._arr.shape[0]:
        _check_weight(x2, weight)
    spec = [bins] if isinstance(bins, Tensor) else [int(bins)]
    hist, edges = _histdd(x2.detach(), spec, range, w, density)
    hist, edge = hist, edges[0]
    if out is not None:
        hist, edge = write_out(hist, out[0]), write_out(edge, out[1])
    return return_types.histogram((hist, edge))


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """(hist, bin_edges) of the points in `input`'s last dim, over an N-dimensional grid."""
    _check_input(input, "histogramdd")
    if input._arr.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    n = input._arr.shape[-1]
    if isinstance(bins, int):
        bins = [bins] * n
    bins = list(bins)
    if len(bins) != n:
        if bins and isinstance(bins[0], Tensor):
            raise RuntimeError(f"torch.histogramdd: expected {n} sequences of bin edges for a "
                               f"{n}-dimensional histogram but got {len(bins)}")
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    x2 = input.detach().reshape(-1, n)
    w = None if weight is None else weight.detach().reshape(-1)
    if weight is not None and tuple(weight._arr.shape) != tuple(input._arr.shape[:-1]):
        _check_weight(input, weight)
    hist, edges = _histdd(x2, bins, range, w, density)
    return return_types.histogramdd((hist, tuple(edges)))


def bincount(input, weights=None, minlength=0):
    """Occurrences of each value of the 1-D non-negative integer `input` (summed `weights`)."""
    if input.dtype.category != D.INT:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{D.type_name(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input._arr.ndim != 1 or (input._arr.size and bool((input < 0).any())):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights._arr.ndim != 1 or
                                weights._arr.shape[0] != input._arr.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    be = input._be
    w = None if weights is None else weights._arr
    return constant(be.bincount(input._arr, w, minlength), be)
