"""Reductions, scans and statistics beyond the op table: node names, namedtuple fields,
out=, torch's errors and warnings, gradient conventions at ties, and shape/dim fuzzing."""
from __future__ import annotations

import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from parity import assert_same, ember, pair, same_error, torch, torch_name


def both(arr, requires_grad=False):
    return pair(np.asarray(arr), requires_grad)


def run(fn, arr, requires_grad=False):
    e, t = both(arr, requires_grad)
    return fn(ember, e), fn(torch, t)


X = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 5.0, 1.0, 1.0], [4.0, 4.0, 4.0, 2.0]])

# --- graph node names -------------------------------------------------------------------
NODES = {
    "sum": lambda L, x: x.sum(), "sum_dim": lambda L, x: x.sum(0),
    "nansum": lambda L, x: x.nansum(1), "prod": lambda L, x: x.prod(),
    "prod_dim": lambda L, x: x.prod(1), "mean": lambda L, x: x.mean(),
    "nanmean": lambda L, x: x.nanmean(0), "var": lambda L, x: x.var(1),
    "std": lambda L, x: x.std(), "var_mean": lambda L, x: L.var_mean(x, 1),
    "std_mean": lambda L, x: L.std_mean(x), "median": lambda L, x: x.median(),
    "median_dim": lambda L, x: x.median(1), "nanmedian": lambda L, x: x.nanmedian(),
    "nanmedian_dim": lambda L, x: x.nanmedian(0), "mode": lambda L, x: x.mode(),
    "kthvalue": lambda L, x: x.kthvalue(2), "quantile": lambda L, x: x.quantile(0.3),
    "quantile_dim": lambda L, x: x.quantile(L.tensor([0.2, 0.9], dtype=x.dtype), dim=1),
    "max": lambda L, x: x.max(), "max_dim": lambda L, x: x.max(1), "min": lambda L, x: x.min(),
    "min_dim": lambda L, x: x.min(0), "amax": lambda L, x: x.amax(1),
    "amin": lambda L, x: x.amin(), "aminmax": lambda L, x: L.aminmax(x),
    "logsumexp": lambda L, x: x.logsumexp(1), "norm": lambda L, x: x.norm(),
    "norm_p": lambda L, x: x.norm(3, 1), "dist": lambda L, x: L.dist(x, x * 2),
    "renorm": lambda L, x: x.renorm(2, 0, 1.0), "cumsum": lambda L, x: x.cumsum(1),
    "cumprod": lambda L, x: x.cumprod(0), "cummax": lambda L, x: x.cummax(1),
    "cummin": lambda L, x: x.cummin(0), "logcumsumexp": lambda L, x: x.logcumsumexp(1),
    "diff": lambda L, x: x.diff(), "diff_append": lambda L, x: x.diff(append=x[:, :1]),
    "gradient": lambda L, x: L.gradient(x), "trapezoid": lambda L, x: L.trapezoid(x),
    "trapezoid_x": lambda L, x: L.trapezoid(x, x[0]), "trapz": lambda L, x: L.trapz(x),
    "cumulative_trapezoid": lambda L, x: L.cumulative_trapezoid(x),
    "cumulative_trapezoid_x": lambda L, x: L.cumulative_trapezoid(x, x[1]),
    "cov": lambda L, x: L.cov(x), "corrcoef": lambda L, x: L.corrcoef(x),
    "sort": lambda L, x: x.sort(1), "msort": lambda L, x: x.msort(),
    "topk": lambda L, x: x.topk(2),
}


@pytest.mark.parametrize("name", sorted(NODES))
def test_grad_fn_names(name):
    fn = NODES[name]
    got, want = run(fn, X, requires_grad=True)
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    for g, w in zip(got, want):
        gn = type(g.grad_fn).__name__ if g.grad_fn is not None else None
        wn = type(w.grad_fn).__name__ if w.grad_fn is not None else None
        assert gn == wn, (name, gn, wn)


# --- namedtuples ------------------------------------------------------------------------
@pytest.mark.parametrize("call,fields", [
    (lambda L, x: x.max(1), ("values", "indices")),
    (lambda L, x: x.min(0, keepdim=True), ("values", "indices")),
    (lambda L, x: x.median(1), ("values", "indices")),
    (lambda L, x: x.nanmedian(0), ("values", "indices")),
    (lambda L, x: x.mode(1), ("values", "indices")),
    (lambda L, x: x.kthvalue(2, 0), ("values", "indices")),
    (lambda L, x: x.sort(1), ("values", "indices")),
    (lambda L, x: x.topk(2), ("values", "indices")),
    (lambda L, x: x.cummax(1), ("values", "indices")),
    (lambda L, x: x.cummin(0), ("values", "indices")),
    (lambda L, x: L.aminmax(x, dim=1), ("min", "max")),
    (lambda L, x: L.histogram(x.flatten(), 3), ("hist", "bin_edges")),
])
def test_namedtuple_fields(call, fields):
    got, want = run(call, X)
    assert type(got).__name__ == type(want).__name__
    for f in fields:
        assert_same(getattr(got, f), getattr(want, f))
    assert torch_name(repr(got)) == repr(want)


def test_histogramdd_edges_tuple():
    pts = np.random.default_rng(0).uniform(-1, 1, (20, 2))
    got, want = run(lambda L, x: L.histogramdd(x, [3, 4], density=True), pts)
    assert type(got.bin_edges) is tuple and len(got.bin_edges) == 2
    assert_same(got.hist, want.hist)
    for e, t in zip(got.bin_edges, want.bin_edges):
        assert_same(e, t)


# --- out= -------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda L, x, o: L.sum(x, 1, out=o), lambda L, x, o: L.prod(x, 0, out=o),
    lambda L, x, o: L.nansum(x, out=o), lambda L, x, o: L.amax(x, 1, out=o),
    lambda L, x, o: L.cumsum(x, 1, out=o), lambda L, x, o: L.std(x, 0, out=o),
    lambda L, x, o: L.quantile(x, 0.5, 1, out=o), lambda L, x, o: L.nanquantile(x, 0.5, out=o),
    lambda L, x, o: L.logcumsumexp(x, 0, out=o), lambda L, x, o: L.msort(x, out=o),
])
def test_out(call):
    e, t = both(X)
    eo, to = ember.empty(0, dtype=ember.float64), torch.empty(0, dtype=torch.float64)
    got, want = call(ember, e, eo), call(torch, t, to)
    assert got is eo
    assert_same(eo, to)
    assert_same(got, want)


@pytest.mark.parametrize("call", [
    lambda L, x, o: L.max(x, 1, out=o), lambda L, x, o: L.sort(x, 0, out=o),
    lambda L, x, o: L.topk(x, 2, out=o), lambda L, x, o: L.cummin(x, 1, out=o),
    lambda L, x, o: L.kthvalue(x, 2, 1, out=o), lambda L, x, o: L.aminmax(x, dim=0, out=o),
])
def test_out_pairs(call):
    e, t = both(X)
    eo = (ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int64))
    to = (torch.empty(0, dtype=torch.float64), torch.empty(0, dtype=torch.int64))
    if "aminmax" in repr(call.__code__.co_names):
        eo = (eo[0], ember.empty(0, dtype=ember.float64))
        to = (to[0], torch.empty(0, dtype=torch.float64))
    got, want = call(ember, e, eo), call(torch, t, to)
    assert got[0] is eo[0] and got[1] is eo[1]
    assert_same(tuple(got), tuple(want))


OUT_DTYPE_ERRORS = [
    lambda L, x: L.amax(x, 1, out=L.empty(0)),
    lambda L, x: L.max(x, 1, out=(L.empty(0), L.empty(0, dtype=L.int64))),
    lambda L, x: L.sort(x, 1, out=(L.empty(0, dtype=L.float64), L.empty(0, dtype=L.int32))),
    lambda L, x: L.topk(x, 1, out=(L.empty(0), L.empty(0, dtype=L.int64))),
    lambda L, x: L.aminmax(x, dim=1, out=(L.empty(0, dtype=L.float64), L.empty(0))),
    lambda L, x: L.median(x, 1, out=(L.empty(0), L.empty(0, dtype=L.int64))),
    lambda L, x: L.median(x, 1, out=(L.empty(0, dtype=L.float64), L.empty(0, dtype=L.int32))),
    lambda L, x: L.mode(x, 1, out=(L.empty(0, dtype=L.float64), L.empty(0, dtype=L.int32))),
    lambda L, x: L.kthvalue(x, 1, 1, out=(L.empty(0), L.empty(0, dtype=L.int64))),
    lambda L, x: L.cummin(x, 1, out=(L.empty(0, dtype=L.float64), L.empty(0, dtype=L.int32))),
    lambda L, x: L.logcumsumexp(x, 1, out=L.empty(0)), lambda L, x: L.msort(x, out=L.empty(0)),
    lambda L, x: L.quantile(x, 0.5, out=L.empty(0)),
    lambda L, x: L.var(x, 1, out=L.empty(0, dtype=L.int64)),
]


@pytest.mark.parametrize("call", OUT_DTYPE_ERRORS)
def test_out_dtype_errors(call):
    e, t = both(X)
    same_error(lambda: call(ember, e), lambda: call(torch, t), prefix_len=80)


def test_out_dtype_decides_computation():
    for call in (lambda L, x, o: L.sum(x, 1, out=o), lambda L, x, o: L.cumsum(x, 0, out=o),
                 lambda L, x, o: L.prod(x, 1, out=o), lambda L, x, o: L.cumprod(x, 1, out=o)):
        e, t = both(X + 0.6)
        eo, to = ember.empty(0, dtype=ember.int64), torch.empty(0, dtype=torch.int64)
        call(ember, e, eo)
        call(torch, t, to)
        assert_same(eo, to)


def test_out_refuses_grad():
    e = ember.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        ember.cumsum(e, 0, out=ember.empty(0, dtype=ember.float64))


# --- errors and warnings ----------------------------------------------------------------
EMPTY = np.zeros((0, 3))
ERRORS = [
    (lambda L: L.tensor(EMPTY).max()), (lambda L: L.tensor(EMPTY).max(0)),
    (lambda L: L.tensor(EMPTY).amin()), (lambda L: L.tensor(EMPTY).amax((0, 1))),
    (lambda L: L.tensor(EMPTY).argmax()), (lambda L: L.tensor(EMPTY).argmin(0)),
    (lambda L: L.aminmax(L.tensor(EMPTY))), (lambda L: L.aminmax(L.tensor(EMPTY), dim=0)),
    (lambda L: L.tensor(EMPTY).median(0)), (lambda L: L.tensor(EMPTY).mode(0)),
    (lambda L: L.tensor(EMPTY).kthvalue(1, 0)), (lambda L: L.ones(3).kthvalue(4)),
    (lambda L: L.ones(3).kthvalue(0)), (lambda L: L.ones(3).topk(4)),
    (lambda L: L.ones(3).topk(-1)), (lambda L: L.tensor(EMPTY).quantile(0.5)),
    (lambda L: L.ones(3).quantile(1.5)), (lambda L: L.ones(3).quantile(L.ones(1, 1))),
    (lambda L: L.ones(3).quantile(L.ones(1, dtype=L.float64))),
    (lambda L: L.ones(3).quantile(L.tensor([1.5]))),
    (lambda L: L.ones(3).quantile(0.5, interpolation="cubic")),
    (lambda L: L.ones(3, dtype=L.int64).quantile(0.5)),
    (lambda L: L.ones(3, dtype=L.int64).mean()), (lambda L: L.ones(3, dtype=L.int64).nanmean()),
    (lambda L: L.ones(3, dtype=L.int64).var()), (lambda L: L.var_mean(L.ones(3, dtype=L.int8))),
    (lambda L: L.ones(3, dtype=L.complex64).nansum()),
    (lambda L: L.ones(3, dtype=L.complex64).max()), (lambda L: L.ones(3, dtype=L.complex64).max(0)),
    (lambda L: L.ones(3, dtype=L.complex64).amax()), (lambda L: L.ones(3, dtype=L.bool).argmax()),
    (lambda L: L.ones(3, dtype=L.complex64).argmin()),
    (lambda L: L.ones(3, dtype=L.bool).median()), (lambda L: L.ones(3, dtype=L.bool).median(0)),
    (lambda L: L.ones(3, dtype=L.complex64).mode()),
    (lambda L: L.ones(3, dtype=L.bool).kthvalue(1)),
    (lambda L: L.ones(3, dtype=L.int64).logcumsumexp(0)),
    (lambda L: L.ones(3, dtype=L.complex64).cummax(0)),
    (lambda L: L.ones(2, 3).sum(2)), (lambda L: L.ones(2, 3).amax((0, 0))),
    (lambda L: L.ones(2, 3).cumsum(2)), (lambda L: L.tensor(2.0).max(1)),
    (lambda L: L.ones(3).norm(dim=1)), (lambda L: L.ones(3, dtype=L.int64).norm()),
    (lambda L: L.tensor(EMPTY).norm(float("inf"))),
    (lambda L: L.tensor(EMPTY).norm(float("inf"), dim=0)),
    (lambda L: L.dist(L.ones(3, dtype=L.int64), L.ones(3, dtype=L.int64))),
    (lambda L: L.ones(3).renorm(2, 0, 1.0)), (lambda L: L.ones(2, 3).renorm(0, 0, 1.0)),
    (lambda L: L.ones(2, 3).renorm(2, 0, -1.0)),
    (lambda L: L.diff(L.tensor(1.0))), (lambda L: L.diff(L.ones(3), n=-1)),
    (lambda L: L.diff(L.ones(2, 3), dim=0, prepend=L.ones(1, 2))),
    (lambda L: L.diff(L.ones(3), prepend=L.ones(2, 2))),
    (lambda L: L.gradient(L.ones(3, dtype=L.uint8))),
    (lambda L: L.gradient(L.ones(2), edge_order=2)),
    (lambda L: L.gradient(L.ones(3), edge_order=3)),
    (lambda L: L.gradient(L.ones(3, 3), spacing=[1.0])),
    (lambda L: L.gradient(L.ones(3, 3), spacing=[1.0], dim=(0, 1))),
    (lambda L: L.trapezoid(L.ones(3, dtype=L.bool))),
    (lambda L: L.trapezoid(L.ones(3), L.ones(4))),
    (lambda L: L.cumulative_trapezoid(L.ones(3, dtype=L.bool))),
    (lambda L: L.histc(L.ones(3, dtype=L.int64))), (lambda L: L.histc(L.ones(3), bins=0)),
    (lambda L: L.histc(L.ones(3), min=3, max=1)),
    (lambda L: L.histc(L.tensor([1.0, float("inf")]))),
    (lambda L: L.histogram(L.ones(3), bins=0)),
    (lambda L: L.histogram(L.ones(3), range=(3.0, 1.0))),
    (lambda L: L.histogram(L.ones(3), bins=L.ones(2, dtype=L.float64))),
    (lambda L: L.histogram(L.ones(3, dtype=L.float16))),
    (lambda L: L.histogram(L.ones(3), weight=L.ones(4))),
    (lambda L: L.histogramdd(L.ones(3), bins=[2])),
    (lambda L: L.histogramdd(L.ones(3, 2), bins=[2, 2, 2])),
    (lambda L: L.bincount(L.tensor([-1]))), (lambda L: L.bincount(L.ones(2, 2, dtype=L.int64))),
    (lambda L: L.bincount(L.ones(3))), (lambda L: L.bincount(L.tensor([1, 2]), minlength=-1)),
    (lambda L: L.bincount(L.tensor([1, 2]), weights=L.ones(3))),
    (lambda L: L.cov(L.ones(2, 2, 2))), (lambda L: L.cov(L.ones(2, 3, dtype=L.bool))),
    (lambda L: L.cov(L.ones(2, 3), fweights=L.ones(3))),
    (lambda L: L.cov(L.ones(2, 3), fweights=L.tensor([1, -1, 1]))),
    (lambda L: L.cov(L.ones(2, 3), aweights=L.ones(2))),
    (lambda L: L.cov(L.ones(2, 3), aweights=L.zeros(3))),
    (lambda L: L.corrcoef(L.ones(2, 2, 2))),
]


@pytest.mark.parametrize("call", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda: call(ember), lambda: call(torch), prefix_len=60)


def test_prod_dim_must_be_int():
    same_error(lambda: ember.ones(2, 3).prod((0, 1)), lambda: torch.ones(2, 3).prod((0, 1)),
               prefix_len=50)


@pytest.mark.parametrize("name,call", [
    ("var", lambda L: L.ones(1).var()), ("std", lambda L: L.ones(2).std(0, correction=2)),
    ("var_mean", lambda L: L.var_mean(L.ones(1))), ("std_mean", lambda L: L.std_mean(L.ones(1))),
])
def test_dof_warning(name, call):
    with pytest.warns(UserWarning, match=rf"{name}\(\): degrees of freedom is <= 0"):
        got = call(ember)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = call(torch)
    assert_same(got, want)


def test_cov_dof_warning():
    with pytest.warns(UserWarning, match="cov\\(\\): degrees of freedom is <= 0"):
        ember.cov(ember.ones(1, 1))


# --- gradients at ties ------------------------------------------------------------------
TIES = np.array([[1.0, 3.0, 3.0, 1.0], [2.0, 2.0, 2.0, 2.0], [0.0, 5.0, 0.0, 5.0]])


@pytest.mark.parametrize("call", [
    lambda L, x: x.max(), lambda L, x: x.min(), lambda L, x: x.amax(1),
    lambda L, x: x.amin(), lambda L, x: L.aminmax(x, dim=0).max,
    lambda L, x: L.aminmax(x).min, lambda L, x: x.max(1).values, lambda L, x: x.min(0).values,
    lambda L, x: x.median(), lambda L, x: x.median(1).values, lambda L, x: x.mode(1).values,
    lambda L, x: x.kthvalue(2, 1).values, lambda L, x: x.sort(1).values,
    lambda L, x: x.topk(2).values, lambda L, x: x.cummax(1).values,
    lambda L, x: x.cummin(0).values, lambda L, x: x.quantile(0.5, 1),
    lambda L, x: x.nanmedian(0).values,
])
def test_tie_gradients(call):
    for data in (TIES, np.where(TIES == 5.0, np.nan, TIES)):
        e, t = both(data, True)
        ye, yt = call(ember, e), call(torch, t)
        w = np.arange(1.0, ye.numel() + 1).reshape(tuple(ye.shape))
        ge, = ember.autograd.grad((ye * ember.tensor(w)).sum(), e)
        gt, = torch.autograd.grad((yt * torch.tensor(w)).sum(), t)
        assert_same(ge, gt, check_grad_fn=False)


def test_tie_indices_long_rows():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, (6, 300)).astype(np.float32)
    a[rng.random(a.shape) < 0.05] = np.nan
    for call in (lambda L, x: x.kthvalue(100, 1), lambda L, x: x.mode(1),
                 lambda L, x: x.median(1), lambda L, x: x.nanmedian(1),
                 lambda L, x: x.topk(5, 1), lambda L, x: x.topk(50, 1, largest=False),
                 lambda L, x: x.topk(9, 1, sorted=False), lambda L, x: x.cummin(1),
                 lambda L, x: x.sort(dim=1, stable=True), lambda L, x: x.max(1)):
        got, want = run(call, a)
        assert_same(tuple(got), tuple(want))


def test_norm_inf_ties():
    e, t = both(TIES, True)
    ge, = ember.autograd.grad(e.norm(float("inf"), 1).sum(), e)
    gt, = torch.autograd.grad(t.norm(float("inf"), 1).sum(), t)
    assert_same(ge, gt, check_grad_fn=False)


def test_median_out_needs_dim():
    same_error(lambda: ember.median(ember.ones(3), out=ember.empty(0)),
               lambda: torch.median(torch.ones(3), out=torch.empty(0)))


def test_cumprod_zero_second_order():
    x = np.array([[2.0, 0.0, 3.0, 0.0, 5.0], [1.0, 2.0, 0.0, 4.0, 3.0]])
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        g, = lib.autograd.grad((t.cumprod(1) * lib.arange(5.0)).sum(), t, create_graph=True)
        gg, = lib.autograd.grad((g * lib.arange(10.0).reshape(2, 5)).sum(), t)
        if lib is ember:
            got = (g.detach().numpy(), gg.numpy())
        else:
            np.testing.assert_allclose(got[0], g.detach().numpy())
            np.testing.assert_allclose(got[1], gg.numpy())


# --- dtypes -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["int8", "int32", "uint8", "bool"])
def test_integer_accumulation(name):
    a = np.array([[100, 120, 3], [7, 100, 1]]).astype(name)
    for call in (lambda L, x: x.sum(), lambda L, x: x.prod(), lambda L, x: x.cumsum(1),
                 lambda L, x: x.cumprod(0), lambda L, x: x.nansum(0),
                 lambda L, x: x.cumsum(0, dtype=L.float16), lambda L, x: x.all(1),
                 lambda L, x: x.any(), lambda L, x: x.count_nonzero(0)):
        got, want = run(call, a)
        assert_same(got, want)


def test_all_any_empty_dim_list():
    for call in (lambda L, x: x.all(dim=()), lambda L, x: x.any([]),
                 lambda L, x: x.count_nonzero(()), lambda L, x: x.sum(())):
        got, want = run(call, X)
        assert_same(got, want)


def test_cumsum_inplace():
    got, want = run(lambda L, x: x.clone().cumsum_(1), X)
    assert_same(got, want)


# --- fuzzing shapes and dims ------------------------------------------------------------
@st.composite
def tensor_and_dim(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    arr = np.random.default_rng(draw(st.integers(0, 2 ** 16))).integers(-3, 4, shape)
    arr = arr.astype(draw(st.sampled_from(["float32", "float64", "int64", "int16"])))
    ndim = max(len(shape), 1)
    dims = draw(st.lists(st.integers(-ndim, ndim - 1), unique=True, max_size=ndim))
    if len(shape) == 0:
        dims = [d for d in dims if d in (0, -1)]
    return arr, dims, draw(st.booleans())


def _fuzz(call, arr):
    e, t = both(arr)
    try:
        want = call(torch, t)
    except Exception as exc:
        with pytest.raises(type(exc)):
            call(ember, e)
        return
    assert_same(call(ember, e), want, rtol=1e-4)


@settings(max_examples=100, deadline=None)
@given(tensor_and_dim())
def test_fuzz_sum_amax(case):
    arr, dims, keepdim = case
    _fuzz(lambda L, x: x.sum(dims, keepdim), arr)
    _fuzz(lambda L, x: x.amax(dims, keepdim), arr)


@settings(max_examples=100, deadline=None)
@given(tensor_and_dim())
def test_fuzz_cumsum_sort(case):
    arr, dims, descending = case
    dim = dims[0] if dims else 0
    _fuzz(lambda L, x: x.cumsum(dim), arr)
    _fuzz(lambda L, x: tuple(x.sort(dim=dim, descending=descending, stable=True)), arr)
