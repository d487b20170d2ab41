"""Op table entries for sorting and searching: sort, argsort, msort, topk, searchsorted,
bucketize, isin, unique, unique_consecutive. Samples carry ties (torch's index order for
equal elements is compared too) and NaNs."""
from __future__ import annotations

import numpy as np

from opdb import ALL_FLOATS, INTS, REAL, OpInfo, Sample, values
from opdb import op as _op
from opdb.reductions import ties, with_nan

OPS: list[OpInfo] = []
REAL_NB = ALL_FLOATS + INTS


def _add(*infos):
    OPS.extend(infos)


def _sort_samples(dtype, rng):
    a = with_nan(ties(dtype, (3, 12), rng), rng)
    return [Sample((a,)), Sample((a, 0)), Sample((a, 1, True)),
            Sample((ties(dtype, (2, 40), rng),), {"stable": True}),
            Sample((ties(dtype, (2, 40), rng),), {"dim": -1, "descending": True,
                                                  "stable": True}),
            Sample((values(dtype, (), rng),)), Sample((values(dtype, (0, 3), rng), 1)),
            Sample((values(dtype, (2, 3, 4), rng), 1))]


def _topk_samples(dtype, rng):
    a = with_nan(ties(dtype, (3, 12), rng), rng)
    long = ties(dtype, (2, 200), rng, 0, 5)
    return [Sample((a, 3)), Sample((a, 2, 0)), Sample((a, 4, 1, False)),
            Sample((a, 5, -1, True, False)), Sample((a, 12)), Sample((a, 0)),
            Sample((long, 2)), Sample((long, 60, 1, False)), Sample((long, 7, 1, True, False)),
            Sample((values(dtype, (), rng), 1)), Sample((values(dtype, (4, 5), rng), 2))]


_add(
    OpInfo("sort", _op("sort"), _sort_samples, dtypes=REAL),
    OpInfo("argsort", lambda lib, a, *args, **kw: lib.argsort(a, *args, **kw), _sort_samples,
           dtypes=REAL, grad=False),
    OpInfo("msort", _op("msort"), lambda d, r: [Sample((ties(d, (5, 3), r),)),
                                                Sample((values(d, (4,), r),))], dtypes=REAL),
    OpInfo("topk", lambda lib, a, *args: a.topk(*args), _topk_samples, dtypes=REAL_NB),
)


def _search_samples(dtype, rng):
    seq = np.sort(ties(dtype, (10,), rng, 0, 8))
    batch = np.sort(ties(dtype, (3, 6), rng, 0, 8), axis=-1)
    v = ties(dtype, (4,), rng, 0, 9)
    return [Sample((seq, v)), Sample((seq, v), {"right": True}), Sample((seq, v),
                                                                       {"side": "right"}),
            Sample((batch, ties(dtype, (3, 4), rng, 0, 9))),
            Sample((seq, ties(dtype, (2, 3), rng, 0, 9)), {"out_int32": True}),
            Sample((seq, 3)), Sample((np.sort(values(dtype, (0,), rng)), v))]


_add(
    OpInfo("searchsorted", _op("searchsorted"), _search_samples, dtypes=REAL_NB, grad=False),
    OpInfo("searchsorted_sorter", lambda lib, s, v, o: lib.searchsorted(s, v, sorter=o),
           lambda d, r: [Sample((np.array([5, 1, 3, 3, 0], d), np.array([3, 4, 0, 6], d),
                                 np.array([4, 1, 2, 3, 0])))], dtypes=REAL_NB, grad=False),
    OpInfo("searchsorted_mixed", lambda lib, s, v: lib.searchsorted(s, v), lambda d, r: [
        Sample((np.arange(5, dtype=d), np.array([0.5, 2.0, 7.5])))], dtypes=INTS, grad=False),
    OpInfo("bucketize", lambda lib, v, b, **kw: lib.bucketize(v, b, **kw), lambda d, r: [
        Sample((ties(d, (3, 4), r, 0, 9), np.sort(ties(d, (6,), r, 0, 8)))),
        Sample((ties(d, (5,), r, 0, 9), np.sort(ties(d, (6,), r, 0, 8))),
               {"right": True, "out_int32": True}),
        Sample((4, np.sort(ties(d, (6,), r, 0, 8))))], dtypes=REAL_NB, grad=False),
    OpInfo("isin", lambda lib, a, b, **kw: lib.isin(a, b, **kw), lambda d, r: [
        Sample((ties(d, (3, 4), r), ties(d, (3,), r))),
        Sample((with_nan(ties(d, (6,), r), r), with_nan(ties(d, (4,), r), r)),
               {"invert": True}),
        Sample((ties(d, (3, 4), r), 1)), Sample((2, ties(d, (3,), r))),
        Sample((ties(d, (5,), r), ties(d, (0,), r)))], dtypes=REAL, grad=False),
)


def _unique(lib, a, *args, **kw):
    out = lib.unique(a, *args, **kw)
    return out if isinstance(out, tuple) else (out,)


def _unique_samples(dtype, rng):
    a = with_nan(ties(dtype, (4, 5), rng), rng)
    rows = ties(dtype, (6, 3), rng, 0, 2)
    rows[3] = rows[0]
    return [Sample((a,)), Sample((a,), {"return_inverse": True, "return_counts": True}),
            Sample((a, False, True)), Sample((values(dtype, (), rng),), {"return_inverse": True}),
            Sample((values(dtype, (0,), rng),), {"return_counts": True}),
            Sample((rows,), {"dim": 0, "return_inverse": True, "return_counts": True}),
            Sample((rows,), {"dim": 1, "return_inverse": True})]


def _unique_consecutive(lib, a, **kw):
    out = lib.unique_consecutive(a, **kw)
    return out if isinstance(out, tuple) else (out,)


_add(
    OpInfo("unique", _unique, _unique_samples, dtypes=REAL, grad=False),
    OpInfo("unique_consecutive", _unique_consecutive, lambda d, r: [
        Sample((ties(d, (12,), r, 0, 2),), {"return_inverse": True, "return_counts": True}),
        Sample((ties(d, (3, 4), r, 0, 2),)),
        Sample((np.repeat(ties(d, (4, 2), r), 2, axis=0),),
               {"dim": 0, "return_inverse": True, "return_counts": True})],
        dtypes=REAL, grad=False),
)
