"""Op table entries for reductions, scans and statistics: nansum, prod, nanmean, var/std,
median/mode/quantile, max/min/amax/aminmax/arg*, all/any/count_nonzero, logsumexp, norms,
cumulative ops, diff/gradient/trapezoid, histograms, cov/corrcoef.

Samples carry ties (small integer values), NaNs where the op treats them specially, zero-dim
and empty tensors; the generic tests add non-contiguous copies."""
from __future__ import annotations

import numpy as np

from opdb import ALL, ALL_FLOATS, FLOATS, INTS, REAL, OpInfo, Sample, values
from opdb import op as _op

OPS: list[OpInfo] = []
REAL_NB = ALL_FLOATS + INTS                      # real, no bool
FC = ALL_FLOATS + ("complex64", "complex128")     # floating and complex


def _add(*infos):
    OPS.extend(infos)


def ties(dtype, shape, rng, low=-2, high=3):
    """Small integers (many ties) in `dtype`."""
    if dtype == "bool":
        return np.asarray(rng.integers(0, 2, shape).astype(bool))
    lo = 0 if dtype == "uint8" else low
    arr = np.asarray(rng.integers(lo, high, shape))
    if dtype == "bfloat16":
        import ml_dtypes
        return arr.astype(np.float32).astype(ml_dtypes.bfloat16)
    if dtype.startswith("complex"):
        return np.asarray(arr + 1j * rng.integers(lo, high, shape)).astype(dtype)
    return arr.astype(dtype)


def with_nan(arr, rng, frac=0.2):
    """`arr` with some NaNs when it is floating."""
    if arr.dtype.kind != "f" and arr.dtype.name != "bfloat16":
        return arr
    arr = arr.copy()
    arr[rng.random(arr.shape) < frac] = np.nan
    return arr


def dim_samples(make, extra=()):
    """Samples of a reduction over dims: all, one, negative keepdim, a tuple, 0-dim, empty."""
    def samples(dtype, rng):
        a = make(dtype, (3, 4, 5), rng)
        out = [Sample((a,)), Sample((a, 1)), Sample((a, -1), {"keepdim": True}),
               Sample((a, (0, 2))), Sample((make(dtype, (), rng),)),
               Sample((make(dtype, (0, 4), rng), 1)), Sample((make(dtype, (2, 0), rng),))]
        return out + [Sample((a,) + args, kw) for args, kw in extra]
    return samples


def one_dim_samples(make, empty=True, zero_dim=True, dims=(1, -1)):
    """Samples of an op over one int dim (sort, cumsum, max(dim)...)."""
    def samples(dtype, rng):
        a = make(dtype, (3, 6), rng)
        out = [Sample((a, dims[0])), Sample((make(dtype, (2, 3, 4), rng), dims[1]))]
        if zero_dim:
            out.append(Sample((make(dtype, (), rng), 0)))
        if empty:
            out.append(Sample((make(dtype, (0, 4), rng), 1)))
        return out
    return samples


def _ties(d, s, r):
    return ties(d, s, r)


def _nan_ties(d, s, r):
    return with_nan(ties(d, s, r), r)


def _rand(d, s, r):
    return values(d, s, r)


def _nan_rand(d, s, r):
    return with_nan(values(d, s, r), r)


# --- sums, products, means --------------------------------------------------------------
_add(
    OpInfo("nansum", _op("nansum"), dim_samples(_nan_rand), dtypes=REAL, rtol=1e-4),
    OpInfo("nansum_dtype", lambda lib, a: lib.nansum(a, 0, dtype=lib.float64),
           lambda d, r: [Sample((_nan_rand(d, (3, 4), r),))], dtypes=FLOATS + INTS),
    OpInfo("prod", _op("prod"), lambda d, r: [
        Sample((ties(d, (2, 3), r, -2, 3),)), Sample((values(d, (3, 4), r, 0.5, 1.5), 1)),
        Sample((ties(d, (3, 4), r, -1, 3), -1, True)), Sample((values(d, (), r),)),
        Sample((values(d, (), r), 0)), Sample((values(d, (0, 3), r),)),
        Sample((values(d, (0, 3), r), 1))], dtypes=ALL, rtol=1e-4),
    OpInfo("prod_zeros", lambda lib, a: a.prod(0), lambda d, r: [
        Sample((np.array([[0., 2, 3], [0, 0, 2], [1, 2, 0], [2, 3, 4]], d).T,))],
        dtypes=FLOATS),
    OpInfo("prod_full_zeros", lambda lib, a: a.prod(), lambda d, r: [
        Sample((np.array([0., 2, 3], d),)), Sample((np.array([0., 0, 3], d),))],
        dtypes=FLOATS),
    OpInfo("prod_dtype", lambda lib, a: lib.prod(a, 1, dtype=lib.float64),
           lambda d, r: [Sample((ties(d, (3, 4), r),))], dtypes=FLOATS + INTS + ("bool",)),
    OpInfo("nanmean", _op("nanmean"), dim_samples(_nan_rand), dtypes=REAL, rtol=1e-4),
)

# --- spread -----------------------------------------------------------------------------
_VAR = dim_samples(_rand, extra=(((1,), {"correction": 0}), ((), {"correction": 2}),
                                 ((1, False), {}), ((0,), {"correction": 2.5}),
                                 ((True,), {}), ((), {"unbiased": False})))
for _name in ("var", "std"):
    _add(OpInfo(_name, _op(_name), _VAR, dtypes=FC + INTS, rtol=1e-4))
for _name in ("var_mean", "std_mean"):
    _add(OpInfo(_name, _op(_name), dim_samples(_rand, extra=(((1,), {"correction": 0}),)),
                dtypes=FC + INTS, rtol=1e-4))
_add(
    OpInfo("var_small", lambda lib, a: a.var(0), lambda d, r: [Sample((values(d, (1, 3), r),)),
                                                                Sample((values(d, (2, 3), r),))],
           dtypes=FLOATS),
)

# --- order statistics -------------------------------------------------------------------
_add(
    OpInfo("median", _op("median"), lambda d, r: [
        Sample((_nan_ties(d, (3, 5), r),)), Sample((ties(d, (4,), r),)),
        Sample((values(d, (), r),)), Sample((ties(d, (3, 6), r), 1)),
        Sample((ties(d, (7,), r), 0)),
        Sample((_nan_ties(d, (3, 5), r), 0, True)), Sample((values(d, (), r), 0)),
        Sample((values(d, (0, 4), r), 1))], dtypes=REAL, rtol=1e-4),
    OpInfo("nanmedian", _op("nanmedian"), lambda d, r: [
        Sample((_nan_ties(d, (3, 5), r),)), Sample((_nan_ties(d, (4, 6), r), 1)),
        Sample((np.full((2, 3), np.nan, "float64").astype(d) if d in ALL_FLOATS
                else ties(d, (2, 3), r), 1)), Sample((values(d, (), r), -1))],
           dtypes=REAL, rtol=1e-4),
    OpInfo("mode", _op("mode"), lambda d, r: [
        Sample((ties(d, (3, 7), r),)), Sample((ties(d, (2, 20), r, 0, 3), 1, True)),
        Sample((ties(d, (9,), r),)),
        Sample((_nan_ties(d, (3, 6), r), 0)), Sample((values(d, (), r),)),
        Sample((values(d, (0, 3), r),))], dtypes=REAL, rtol=1e-4),
    OpInfo("kthvalue", lambda lib, a, *args, **kw: a.kthvalue(*args, **kw), lambda d, r: [
        Sample((ties(d, (3, 7), r), 3)), Sample((ties(d, (4, 30), r), 10, 1, True)),
        Sample((ties(d, (9,), r), 4)),
        Sample((_nan_ties(d, (3, 6), r), 2, 0)), Sample((values(d, (), r), 1))],
        dtypes=REAL_NB, rtol=1e-4),
)


def _q_samples(dtype, rng):
    a = values(dtype, (3, 5), rng)
    t = ties(dtype, (4, 6), rng)
    q = np.array([0.0, 0.25, 0.5, 0.9, 1.0], dtype)
    out = [Sample((a, 0.3)), Sample((t, 0.5, 1)), Sample((a, q, 0, True)), Sample((t, q)),
           Sample((with_nan(a, rng), 0.4, 1)), Sample((values(dtype, (), rng), 0.2)),
           Sample((a, np.array(0.7, dtype), -1))]
    for mode in ("lower", "higher", "nearest", "midpoint"):
        out.append(Sample((t, q, 1), {"interpolation": mode}))
    return out


_add(
    OpInfo("quantile", _op("quantile"), _q_samples, dtypes=FLOATS),
    OpInfo("nanquantile", _op("nanquantile"), lambda d, r: [
        Sample((with_nan(values(d, (4, 6), r), r), 0.3, 1)),
        Sample((with_nan(ties(d, (4, 6), r), r, 0.4), np.array([0.1, 0.5, 1.0], d))),
        Sample((np.full((2, 3), np.nan, d), 0.5, 1))], dtypes=FLOATS),
)

# --- extrema ----------------------------------------------------------------------------
_EXT = one_dim_samples(_nan_ties)
for _name in ("max", "min"):
    _add(
        OpInfo(_name, _op(_name), lambda d, r: [
            Sample((_nan_ties(d, (3, 4), r),)), Sample((ties(d, (5,), r),)),
            Sample((values(d, (), r),))], dtypes=REAL, rtol=1e-4),
        OpInfo(_name + "_dim", _op(_name), _EXT, dtypes=REAL, rtol=1e-4),
        OpInfo(_name + "_keepdim", lambda lib, a, _n=_name: getattr(a, _n)(0, keepdim=True),
               lambda d, r: [Sample((ties(d, (4, 3), r),))], dtypes=REAL),
        OpInfo(_name + "_binary", _op(_name), lambda d, r: [
            Sample((ties(d, (3, 4), r), ties(d, (4,), r)))], dtypes=REAL),
    )
for _name in ("amax", "amin"):
    _add(OpInfo(_name, _op(_name), lambda d, r: [
        Sample((_nan_ties(d, (3, 4, 2), r),)), Sample((ties(d, (3, 4, 2), r), (0, 2))),
        Sample((ties(d, (3, 4), r), 1, True)), Sample((values(d, (), r),)),
        Sample((values(d, (0, 3), r), 1)), Sample((_nan_ties(d, (3, 4), r), -1))],
        dtypes=REAL))
_add(
    OpInfo("aminmax", lambda lib, a, **kw: lib.aminmax(a, **kw), lambda d, r: [
        Sample((ties(d, (3, 4), r),)), Sample((ties(d, (3, 4), r),), {"dim": 1}),
        Sample((_nan_ties(d, (3, 4), r),), {"dim": 0, "keepdim": True}),
        Sample((values(d, (), r),))], dtypes=REAL),
)
for _name in ("argmax", "argmin"):
    _add(OpInfo(_name, _op(_name), lambda d, r: [
        Sample((_nan_ties(d, (3, 4), r),)), Sample((ties(d, (3, 4), r), 1)),
        Sample((ties(d, (3, 4), r), 0, True)), Sample((values(d, (), r),)),
        Sample((ties(d, (3, 4), r),), {"keepdim": True}), Sample((values(d, (0, 3), r), 1))],
        dtypes=REAL, grad=False))

# --- truth and counting -----------------------------------------------------------------
for _name in ("all", "any"):
    _add(OpInfo(_name, _op(_name), dim_samples(lambda d, s, r: ties(d, s, r, 0, 2)),
                dtypes=ALL, grad=False))
_add(OpInfo("count_nonzero", _op("count_nonzero"),
            dim_samples(lambda d, s, r: ties(d, s, r, 0, 2)), dtypes=ALL, grad=False))

# --- logsumexp and norms ----------------------------------------------------------------
_add(
    OpInfo("logsumexp_reduction", _op("logsumexp"), lambda d, r: [
        Sample((values(d, (3, 4), r), 1)), Sample((values(d, (3, 4, 2), r), (0, 2), True)),
        Sample((np.array([[np.inf, 1.0], [-np.inf, -np.inf]]).astype(d)
                if d in FLOATS else ties(d, (2, 2), r), 1)),
        Sample((values(d, (0, 3), r), 0))], dtypes=FLOATS + INTS, rtol=1e-4),
)


def _norm_samples(dtype, rng):
    a = values(dtype, (3, 4), rng)
    z = a.copy()
    z[0] = 0
    return [Sample((a,)), Sample((a, 1)), Sample((a, float("inf"), 1)),
            Sample((a, float("-inf"), 0, True)), Sample((a, 3, (0, 1))), Sample((z, 0.5, 1)),
            Sample((z, 2, 1)), Sample((z, -2, 1)), Sample((a, "fro", (0, 1))),
            Sample((a, "fro", 1, True)), Sample((values(dtype, (), rng), 2))]


_add(
    OpInfo("norm", lambda lib, a, *args: a.norm(*args), _norm_samples,
           dtypes=FC + INTS, rtol=1e-4),
    OpInfo("dist", lambda lib, a, b, *p: lib.dist(a, b, *p), lambda d, r: [
        Sample((values(d, (3, 4), r), values(d, (4,), r))),
        Sample((values(d, (3, 4), r), values(d, (3, 4), r), 1)),
        Sample((values(d, (3, 4), r), values(d, (3, 4), r), float("inf"))),
        Sample((values(d, (3,), r), values(d, (3,), r), 0.5))], dtypes=FC + INTS, rtol=1e-4),
    OpInfo("dist_p0", lambda lib, a, b: lib.dist(a, b, 0), lambda d, r: [
        Sample((values(d, (3,), r), values(d, (3,), r)))], dtypes=FLOATS, grad=False),
    OpInfo("renorm", lambda lib, a, *args: a.renorm(*args), lambda d, r: [
        Sample((values(d, (3, 4), r), 2, 0, 1.0)), Sample((values(d, (3, 4, 2), r), 1, 1, 2.0)),
        Sample((values(d, (3, 4), r), float("inf"), -1, 1.5))], dtypes=FC + INTS, rtol=1e-4),
)

# --- cumulative ops ---------------------------------------------------------------------
_add(
    OpInfo("cumsum", _op("cumsum"), one_dim_samples(_rand), dtypes=ALL, rtol=1e-4),
    OpInfo("cumsum_dtype", lambda lib, a: a.cumsum(0, dtype=lib.float64),
           lambda d, r: [Sample((ties(d, (4, 3), r),))], dtypes=REAL),
    OpInfo("cumprod", _op("cumprod"), one_dim_samples(lambda d, s, r: ties(d, s, r, -2, 3)),
           dtypes=ALL, rtol=1e-4),
    OpInfo("cumprod_zeros", lambda lib, a: a.cumprod(1), lambda d, r: [
        Sample((np.array([[2., 0, 3, 0, 5], [1, 2, 3, 4, 0], [0, 0, 2, 3, 1]], d),)),
        Sample((values(d, (2, 5), r),))], dtypes=FLOATS + ("complex128",)),
    OpInfo("cummax", _op("cummax"), one_dim_samples(_nan_ties), dtypes=REAL),
    OpInfo("cummin", _op("cummin"), one_dim_samples(_nan_ties), dtypes=REAL),
    OpInfo("logcumsumexp", _op("logcumsumexp"), lambda d, r: [
        Sample((values(d, (3, 5), r), 1)), Sample((values(d, (2, 3, 4), r), 0)),
        Sample((values(d, (), r), 0)), Sample((values(d, (0, 3), r), 1)),
        Sample((np.array([1.0, -np.inf, 2.0, -np.inf]).astype(d), 0))], dtypes=FC + INTS,
        rtol=1e-4),
)

# --- differences and integrals ----------------------------------------------------------
_add(
    OpInfo("diff", lambda lib, a, *args, **kw: lib.diff(a, *args, **kw), lambda d, r: [
        Sample((values(d, (3, 5), r),)), Sample((values(d, (3, 5), r), 2, 0)),
        Sample((values(d, (4,), r), 6)), Sample((values(d, (4,), r), 0)),
        Sample((values(d, (2, 3), r), 1, 1, values(d, (2, 1), r), values(d, (2, 2), r)))],
        dtypes=ALL, rtol=1e-4),
    OpInfo("gradient", lambda lib, a, *coords, **kw: lib.gradient(
        a, **({"spacing": list(coords)} if coords else {}), **kw), lambda d, r: [
        Sample((values(d, (4, 5), r),)), Sample((values(d, (4, 5), r),), {"dim": 1}),
        Sample((values(d, (4, 5), r),), {"spacing": 2.0, "edge_order": 2}),
        Sample((values(d, (4, 5), r),), {"spacing": [2, 0.5]}),
        Sample((values(d, (6,), r), np.array([0, 1, 3, 4, 7, 8.0])), {"edge_order": 2}),
        Sample((values(d, (6, 3), r), np.array([0, 1, 3, 4, 7, 8.0])), {"dim": 0})],
        # bfloat16 left out until `bfloat16 tensor * float` keeps bfloat16 (elementwise)
        dtypes=("float16", "float32", "float64") + INTS[1:] + ("complex64",), rtol=1e-4,
        low_rtol=5e-2),
    OpInfo("trapezoid", lambda lib, a, *args, **kw: lib.trapezoid(a, *args, **kw),
           lambda d, r: [
               Sample((values(d, (3, 5), r),)), Sample((values(d, (3, 5), r),), {"dx": 0.5}),
               Sample((values(d, (3, 5), r), np.sort(values("float64", (3,), r))),
                      {"dim": 0}),
               Sample((values(d, (3, 5), r), np.sort(values("float64", (5,), r)))),
               Sample((values(d, (3, 0), r),))],
           # bfloat16 left out until `bfloat16 tensor * float` keeps bfloat16 (elementwise)
           dtypes=("float16", "float32", "float64") + INTS, rtol=1e-4),
    OpInfo("trapz", lambda lib, a, **kw: lib.trapz(a, **kw), lambda d, r: [
        Sample((values(d, (3, 5), r),), {"dim": 0, "dx": 2})], dtypes=FLOATS),
    OpInfo("cumulative_trapezoid",
           lambda lib, a, *args, **kw: lib.cumulative_trapezoid(a, *args, **kw),
           lambda d, r: [
               Sample((values(d, (3, 5), r),)), Sample((values(d, (3, 5), r),), {"dx": 0.5}),
               Sample((values(d, (3, 5), r), np.sort(values("float64", (5,), r))))],
           dtypes=ALL_FLOATS + INTS, rtol=1e-4),
)

# --- histograms -------------------------------------------------------------------------
_add(
    OpInfo("histc", lambda lib, a, *args: lib.histc(a, *args), lambda d, r: [
        Sample((values(d, (20,), r),)), Sample((values(d, (4, 5), r), 7, -1.0, 2.0)),
        Sample((ties(d, (30,), r), 5)), Sample((np.zeros(3, d), 4)),
        Sample((values(d, (0,), r), 3))], dtypes=ALL_FLOATS, grad=False, low_rtol=0),
    OpInfo("histogram", lambda lib, a, bins=100, w=None, **kw: tuple(
        lib.histogram(a, bins, weight=w, **kw)), lambda d, r: [
            Sample((values(d, (20,), r),)),
            Sample((values(d, (4, 5), r), 7), {"range": (-1.0, 2.0)}),
            Sample((ties(d, (30,), r), 5), {"density": True}),
            Sample((ties(d, (30,), r), np.array([-2.0, -1, 0.5, 2], d))),
            Sample((values(d, (6,), r), 3, values(d, (6,), r)))],
           dtypes=FLOATS, grad=False),
    OpInfo("histogramdd", lambda lib, a, *args, **kw: lib.histogramdd(a, *args, **kw)[0],
           lambda d, r: [
               Sample((values(d, (10, 2), r), [3, 4])),
               Sample((values(d, (10, 2), r), 3), {"density": True}),
               Sample((values(d, (10, 3), r), [2, 2, 3]),
                      {"range": [-1.0, 1.0, -2.0, 2.0, 0.0, 3.0]})],
           dtypes=FLOATS, grad=False),
    OpInfo("bincount", lambda lib, a, *args, **kw: lib.bincount(a, *args, **kw), lambda d, r: [
        Sample((ties(d, (20,), r, 0, 6),)), Sample((ties(d, (5,), r, 0, 3), None, 6)),
        Sample((ties(d, (0,), r, 0, 3),)),
        Sample((ties(d, (8,), r, 0, 4), values("float32", (8,), r)))],
        dtypes=INTS, grad=False),
)

# --- covariance -------------------------------------------------------------------------
_add(
    OpInfo("cov", lambda lib, a, fw=None, aw=None, **kw: lib.cov(a, fweights=fw, aweights=aw,
                                                                 **kw), lambda d, r: [
        Sample((values(d, (3, 5), r),)), Sample((values(d, (5,), r),)),
        Sample((values(d, (3, 5), r),), {"correction": 0}),
        Sample((values(d, (2, 4), r), ties("int64", (4,), r, 0, 3),
                values("float64", (4,), r, 0.1, 2))),
        Sample((values(d, (2, 1), r),))] + ([] if d.startswith("complex") else [
            # NOTE: complex x / 0 follows ember's division (inf+nanj), not torch's (inf-infj)
            Sample((values(d, (2, 4), r), None, values("float64", (4,), r, 0.1, 2)),
                   {"correction": 3})]), dtypes=FC + INTS, rtol=1e-4),
    OpInfo("corrcoef", _op("corrcoef"), lambda d, r: [
        Sample((values(d, (3, 5), r),)), Sample((values(d, (5,), r),))],
        dtypes=ALL_FLOATS + INTS + ("complex128",), rtol=1e-4),
)
