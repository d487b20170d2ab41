"""Op table entries for gather/scatter, the index_* ops, take/put and masked selection.

Index inputs are int64 arrays (they stay plain tensors in the gradient tests); duplicate
indices appear where the op's result does not depend on their order.
"""
from __future__ import annotations

import numpy as np

from opdb import ALL, FLOATS, OpInfo, Sample, values

OPS: list[OpInfo] = []
NUMERIC = tuple(d for d in ALL if d != "bool")
# variants of an op already covered for every dtype: a few dtypes keep the suite fast
FEW = ("float32", "float64", "int64", "bool")
# reductions: one dtype of each kind plus the low-precision floats
SOME = ("float16", "bfloat16", "float32", "float64", "complex64", "int64", "uint8", "bool")


def _add(*infos):
    OPS.extend(infos)


def _idx(*rows):
    return np.array(rows, dtype=np.int64)


def _gather_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx([0, 3, 1], [2, 2, 0])), {"dim": 1}),
            Sample((x, _idx([2, 0, 1, 1], [0, 0, 2, 1], [1, 2, 0, 0])), {"dim": 0}),
            Sample((x, _idx([1], [3])), {"dim": -1}),
            Sample((values(dtype, (), rng), np.array(0)), {"dim": 0}),
            Sample((values(dtype, (2, 3, 4), rng), rng.integers(0, 3, (2, 2, 4))), {"dim": 1}),
            Sample((x, np.zeros((0, 2), np.int64)), {"dim": 0})]


def _scatter_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx([0, 2, 1, 0], [2, 1, 0, 2]), values(dtype, (2, 4), rng)),
                   {"dim": 0}),
            Sample((x, _idx([3, 1], [0, 2], [1, 0]), values(dtype, (3, 2), rng)), {"dim": 1}),
            Sample((values(dtype, (2, 3, 4), rng), rng.permutation(3)[None, :, None].repeat(
                2, 0).repeat(2, 2), values(dtype, (2, 3, 2), rng)), {"dim": 1}),
            Sample((values(dtype, (), rng), np.array(0), values(dtype, (), rng)), {"dim": 0})]


def _dup_samples(dtype, rng):
    """Duplicate targets: scatter keeps the last value along dim."""
    x = values(dtype, (4,), rng)
    return [Sample((x, _idx(0, 0, 2, 0, 2), values(dtype, (5,), rng)), {"dim": 0}),
            Sample((values(dtype, (2, 3), rng), _idx([1, 1, 1], [0, 2, 0]),
                    values(dtype, (2, 3), rng)), {"dim": 1})]


def _scatter_value_samples(dtype, rng):
    return [Sample((values(dtype, (3, 4), rng), _idx([0, 2], [1, 1])), {"dim": 1}),
            Sample((values(dtype, (3, 4), rng), _idx([2, 0, 1, 0])), {"dim": 0})]


def _src_samples(dtype, rng):
    """src of index's shape (the gradient of a larger src is an error in torch)."""
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx([0, 2, 1, 0], [2, 2, 0, 0], [1, 2, 2, 0]),
                    values(dtype, (3, 4), rng)), {"dim": 0}),
            Sample((x, _idx([3, 3], [0, 0], [1, 3]), values(dtype, (3, 2), rng)), {"dim": 1}),
            Sample((values(dtype, (6,), rng), _idx(0, 1, 0, 1, 2, 1, 5, 5),
                    values(dtype, (8,), rng)), {"dim": 0})]


def _big_src_samples(dtype, rng):
    """src larger than index: only its leading part is read."""
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx([3, 3], [0, 0], [1, 3]), values(dtype, (3, 3), rng)), {"dim": 1}),
            Sample((x, _idx([1, 0, 2]), values(dtype, (2, 4), rng)), {"dim": 0})]


_add(
    OpInfo("gather", lambda lib, x, i, dim: lib.gather(x, dim, i), _gather_samples),
    OpInfo("gather_method", lambda lib, x, i, dim: x.gather(dim, i), _gather_samples,
           dtypes=FEW, gradgrad=False),
    OpInfo("scatter", lambda lib, x, i, s, dim: lib.scatter(x, dim, i, s), _scatter_samples),
    OpInfo("scatter_dup", lambda lib, x, i, s, dim: x.scatter(dim, i, s), _dup_samples,
           dtypes=FEW),
    OpInfo("scatter_value", lambda lib, x, i, dim: x.scatter(dim, i, 2), _scatter_value_samples),
    OpInfo("scatter_value_kw", lambda lib, x, i, dim: lib.scatter(x, dim, i, value=-1.5),
           _scatter_value_samples, dtypes=FEW),
    OpInfo("scatter_reduce_add", lambda lib, x, i, s, dim: x.scatter(dim, i, s, reduce="add"),
           _src_samples, dtypes=SOME, grad=False, gradgrad=False),
    OpInfo("scatter_reduce_multiply",
           lambda lib, x, i, s, dim: x.scatter(dim, i, s, reduce="multiply"), _src_samples,
           dtypes=SOME, grad=False, gradgrad=False),
    OpInfo("scatter_value_reduce", lambda lib, x, i, dim: x.scatter(dim, i, 3, reduce="add"),
           _scatter_value_samples, dtypes=FLOATS + ("int64",), grad=False, gradgrad=False),
    OpInfo("scatter_add", lambda lib, x, i, s, dim: lib.scatter_add(x, dim, i, s), _src_samples,
           rtol=1e-4),
    OpInfo("scatter_big_src", lambda lib, x, i, s, dim: lib.scatter(x, dim, i, s),
           _big_src_samples, dtypes=FEW, grad=False, gradgrad=False),
    OpInfo("scatter_add_big_src", lambda lib, x, i, s, dim: x.scatter_add(dim, i, s),
           _big_src_samples, dtypes=FEW, grad=False, gradgrad=False),
    OpInfo("scatter_reduce_big_src",
           lambda lib, x, i, s, dim: x.scatter_reduce(dim, i, s, "amax", include_self=False),
           _big_src_samples, dtypes=FEW, grad=False, gradgrad=False),
)

for _red in ("sum", "prod", "mean", "amax", "amin"):
    for _inc in (True, False):
        _add(OpInfo(f"scatter_reduce_{_red}{'' if _inc else '_exclude'}",
                    lambda lib, x, i, s, dim, r=_red, inc=_inc: lib.scatter_reduce(
                        x, dim, i, s, r, include_self=inc),
                    _src_samples, dtypes=SOME, rtol=1e-4, atol=1e-5))


def _index_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx(2, 0, 2)), {"dim": 0}), Sample((x, _idx(3, 1)), {"dim": -1}),
            Sample((x, np.array(1)), {"dim": 1}), Sample((values(dtype, (), rng), _idx(0)),
                                                        {"dim": 0}),
            Sample((x, np.zeros(0, np.int64)), {"dim": 1})]


def _index_src_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx(2, 0), values(dtype, (2, 4), rng)), {"dim": 0}),
            Sample((x, _idx(3, 0, 1), values(dtype, (3, 3), rng)), {"dim": 1}),
            Sample((values(dtype, (2, 3, 4), rng), _idx(1), values(dtype, (2, 1, 4), rng)),
                   {"dim": 1}),
            Sample((values(dtype, (), rng), np.array(0), values(dtype, (), rng)), {"dim": 0})]


def _index_dup_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return _index_src_samples(dtype, rng) + [
        Sample((x, _idx(2, 0, 2, 2), values(dtype, (4, 4), rng)), {"dim": 0}),
        Sample((x, _idx(1, 1, 3), values(dtype, (3, 3), rng)), {"dim": 1})]


_add(
    OpInfo("index_select", lambda lib, x, i, dim: lib.index_select(x, dim, i), _index_samples),
    OpInfo("index_add", lambda lib, x, i, s, dim: lib.index_add(x, dim, i, s),
           _index_dup_samples, rtol=1e-4),
    OpInfo("index_add_alpha", lambda lib, x, i, s, dim: x.index_add(dim, i, s, alpha=2),
           _index_dup_samples, dtypes=FEW, rtol=1e-4),
    OpInfo("index_copy", lambda lib, x, i, s, dim: lib.index_copy(x, dim, i, s),
           _index_src_samples),
    OpInfo("index_fill", lambda lib, x, i, dim: lib.index_fill(x, dim, i, -2),
           _index_samples),
    OpInfo("index_fill_tensor", lambda lib, x, i, v: x.index_fill(1, i, v),
           lambda d, r: [Sample((values(d, (3, 4), r), _idx(0, 3, 0), values(d, (), r)))],
           dtypes=FLOATS),
)

for _red in ("prod", "mean", "amax", "amin"):
    for _inc in (True, False):
        _add(OpInfo(f"index_reduce_{_red}{'' if _inc else '_exclude'}",
                    lambda lib, x, i, s, dim, r=_red, inc=_inc: lib.index_reduce(
                        x, dim, i, s, r, include_self=inc),
                    _index_dup_samples, dtypes=SOME, rtol=1e-4, atol=1e-5))


def _take_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx([0, 11, -1], [5, -12, 5]))), Sample((x, np.array(3))),
            Sample((values(dtype, (), rng), _idx(0, -1))), Sample((x, np.zeros(0, np.int64)))]


def _put_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx(0, 5, -1), values(dtype, (3,), rng))),
            Sample((x, _idx([1, 7], [10, 2]), values(dtype, (2, 2), rng))),
            Sample((values(dtype, (2, 2), rng), _idx(3), values(dtype, (1,), rng)))]


def _put_dup_samples(dtype, rng):
    return _put_samples(dtype, rng) + [
        Sample((values(dtype, (5,), rng), _idx(0, 4, 0, 0, -1), values(dtype, (5,), rng)))]


def _take_along_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, _idx([0], [3], [1])), {"dim": 1}),
            Sample((x, _idx([0, 3])), {"dim": 1}),
            Sample((x, _idx([2, 1, 0, 0])), {"dim": 0}),
            Sample((x, _idx(0, 11, 5)), {"dim": None})]


_add(
    OpInfo("take", lambda lib, x, i: lib.take(x, i), _take_samples),
    OpInfo("put", lambda lib, x, i, s: lib.put(x, i, s), _put_samples),
    OpInfo("put_accumulate", lambda lib, x, i, s: x.put(i, s, accumulate=True),
           _put_dup_samples, dtypes=SOME, rtol=1e-4),
    OpInfo("take_along_dim", lambda lib, x, i, dim: lib.take_along_dim(x, i, dim),
           _take_along_samples),
)


def _mask_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, values("bool", (3, 4), rng))), Sample((x, values("bool", (4,), rng))),
            Sample((values(dtype, (4,), rng), values("bool", (2, 4), rng))),
            Sample((values(dtype, (), rng), np.array(True)))]


def _masked_scatter_samples(dtype, rng):
    x = values(dtype, (3, 4), rng)
    return [Sample((x, values("bool", (3, 4), rng), values(dtype, (12,), rng))),
            Sample((x, values("bool", (4,), rng), values(dtype, (3, 5), rng))),
            Sample((values(dtype, (4,), rng), values("bool", (2, 4), rng),
                    values(dtype, (8,), rng)))]


def _nonzero_samples(dtype, rng):
    return [Sample((values(dtype, s, rng),)) for s in ((3, 4), (5,), (), (2, 0, 3), (2, 3, 2))] \
        + [Sample((np.zeros((2, 3), dtype=values(dtype, (), rng).dtype),))]


_add(
    OpInfo("masked_select", lambda lib, x, m: lib.masked_select(x, m), _mask_samples),
    OpInfo("masked_scatter", lambda lib, x, m, s: x.masked_scatter(m, s),
           _masked_scatter_samples),
    OpInfo("nonzero", lambda lib, x: lib.nonzero(x), _nonzero_samples, grad=False,
           gradgrad=False),
    OpInfo("nonzero_tuple", lambda lib, x: x.nonzero(as_tuple=True), _nonzero_samples,
           dtypes=FEW, grad=False, gradgrad=False),
    OpInfo("argwhere", lambda lib, x: lib.argwhere(x), _nonzero_samples, dtypes=FEW,
           grad=False, gradgrad=False),
    OpInfo("where_one_arg", lambda lib, x: lib.where(x != 0), _nonzero_samples, grad=False,
           gradgrad=False, dtypes=FEW),
)
