"""Sorting and searching beyond the op table: torch's order of equal elements, searchsorted's
variants, unique's inverse and counts, and torch's errors."""
from __future__ import annotations

import numpy as np
import pytest

from parity import assert_same, ember, pair, same_error, torch


def run(fn, *arrays):
    es, ts = zip(*(pair(np.asarray(a)) for a in arrays))
    return fn(ember, *es), fn(torch, *ts)


def check(fn, *arrays):
    got, want = run(fn, *arrays)
    if isinstance(want, tuple):
        got, want = tuple(got), tuple(want)
    assert_same(got, want)


RNG = np.random.default_rng(7)


@pytest.mark.parametrize("n", [1, 5, 16, 17, 64, 300])
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool", "float16"])
def test_stable_sort_ties(n, dtype):
    a = RNG.integers(0, 3, (3, n)).astype(dtype)
    for descending in (False, True):
        check(lambda L, x: x.sort(dim=1, descending=descending, stable=True), a)
        check(lambda L, x: L.argsort(x, dim=0, descending=descending, stable=True), a)


@pytest.mark.parametrize("n", [2, 9, 16])
def test_default_sort_ties_short_rows(n):
    """Up to 16 elements torch's default (unstable) sort is an insertion sort: stable."""
    a = RNG.integers(0, 3, (4, n)).astype(np.float64)
    a[RNG.random(a.shape) < 0.2] = np.nan
    check(lambda L, x: x.sort(1), a)
    check(lambda L, x: x.sort(1, True), a)
    check(lambda L, x: x.argsort(0, descending=True), a)


@pytest.mark.parametrize("k,n", [(1, 300), (4, 300), (5, 300), (40, 300), (7, 12), (12, 12)])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("sorted_", [True, False])
def test_topk_ties(k, n, largest, sorted_):
    a = RNG.integers(0, 4, (3, n)).astype(np.float32)
    a[RNG.random(a.shape) < 0.1] = np.nan
    check(lambda L, x: x.topk(k, 1, largest, sorted_), a)


@pytest.mark.parametrize("n", [3, 16, 40, 257])
def test_kthvalue_and_mode_ties(n):
    a = RNG.integers(0, 3, (4, n)).astype(np.int32)
    for k in sorted({1, (n + 1) // 2, n}):
        check(lambda L, x: x.kthvalue(k, 1), a)
    check(lambda L, x: x.mode(1), a)
    check(lambda L, x: x.median(1), a)


def test_errors():
    c = np.ones(3, np.complex64)
    cases = [
        (lambda L: L.tensor(c).sort()), (lambda L: L.tensor(c).argsort()),
        (lambda L: L.tensor(c).topk(1)), (lambda L: L.ones(3, dtype=L.bool).topk(1)),
        (lambda L: L.ones(3).topk(4)), (lambda L: L.tensor(3.0).topk(2)),
        (lambda L: L.ones(2, 3).sort(2)),
        (lambda L: L.searchsorted(L.tensor([[1, 2, 3]]), L.tensor(2))),
        (lambda L: L.searchsorted(L.tensor([[1, 2], [3, 4]]), L.tensor([[2]]))),
        (lambda L: L.searchsorted(L.tensor([1, 2]), L.tensor([2]), side="middle")),
        (lambda L: L.searchsorted(L.tensor([1, 2]), L.tensor([2]), side="left", right=True)),
        (lambda L: L.searchsorted(L.tensor([3, 1]), L.tensor([2]), sorter=L.tensor([0, 2]))),
        (lambda L: L.searchsorted(L.tensor([3, 1]), L.tensor([2]),
                                  sorter=L.tensor([0, 1], dtype=L.int32))),
        (lambda L: L.searchsorted(L.tensor(1), L.tensor([2]))),
        (lambda L: L.searchsorted(L.tensor([True]), L.tensor([True]))),
        (lambda L: L.bucketize(L.tensor([1]), L.tensor([[1, 2]]))),
        (lambda L: L.isin(L.tensor([True]), L.tensor([True]))),
        (lambda L: L.isin(L.tensor([1.0]), L.tensor(c))),
        (lambda L: L.unique(L.tensor(c))), (lambda L: L.unique(L.ones(2, 3), dim=2)),
    ]
    for call in cases:
        same_error(lambda: call(ember), lambda: call(torch), prefix_len=60)


def test_searchsorted_variants():
    seq = np.array([1, 3, 3, 5, 7])
    vals = np.array([[0, 3, 4], [7, 8, 3]])
    check(lambda L, s, v: L.searchsorted(s, v), seq, vals)
    check(lambda L, s, v: L.searchsorted(s, v, right=True, out_int32=True), seq, vals)
    check(lambda L, s, v: L.searchsorted(s, v, side="left"), seq, vals)
    check(lambda L, s: L.searchsorted(s, 3), seq)
    check(lambda L, s: L.searchsorted(s, 3.5), seq)
    batch = np.array([[1.0, 2.0, 2.0], [0.5, 4.0, 9.0]])
    check(lambda L, s, v: L.searchsorted(s, v, right=True), batch, np.array([[2.0], [4.0]]))
    shuffled = np.array([5.0, 1.0, 3.0])
    check(lambda L, s, v, o: L.searchsorted(s, v, sorter=o), shuffled, np.array([2.0, 5.0]),
          np.array([1, 2, 0]))
    check(lambda L, v, b: L.bucketize(v, b, right=True), vals, seq)
    check(lambda L, b: L.bucketize(4, b), seq)


def test_searchsorted_out():
    e_out, t_out = ember.empty(0, dtype=ember.int64), torch.empty(0, dtype=torch.int64)
    ember.searchsorted(ember.tensor([1, 2, 3]), ember.tensor([2, 9]), out=e_out)
    torch.searchsorted(torch.tensor([1, 2, 3]), torch.tensor([2, 9]), out=t_out)
    assert_same(e_out, t_out)


def test_isin():
    a = np.array([[1, 2, 3], [4, 5, 6]])
    check(lambda L, x, y: L.isin(x, y), a, np.array([2, 6, 9]))
    check(lambda L, x, y: L.isin(x, y, invert=True), a, np.array([2.0, 6.5]))
    check(lambda L, x, y: L.isin(x, y, assume_unique=True), a, np.array([1, 5]))
    check(lambda L, y: L.isin(2, y), np.array([2, 3]))


def test_unique():
    a = np.array([[3.0, 1.0, np.nan, 3.0], [np.nan, 1.0, 2.0, 0.0]])
    check(lambda L, x: L.unique(x, return_inverse=True, return_counts=True), a)
    check(lambda L, x: x.unique(sorted=False, return_counts=True), a)
    long = np.where(RNG.random(40) < 0.3, np.nan, RNG.integers(0, 5, 40).astype(float))
    check(lambda L, x: L.unique(x, return_inverse=True, return_counts=True), long)
    rows = np.array([[1, 2], [0, 9], [1, 2], [0, 1]])
    for d in (0, 1, -1):
        check(lambda L, x: L.unique(x, dim=d, return_inverse=True, return_counts=True), rows)
        check(lambda L, x: L.unique_consecutive(x, dim=d, return_inverse=True,
                                                return_counts=True), rows)
    check(lambda L, x: L.unique_consecutive(x, return_inverse=True), np.array([1, 1, 2, 1, 1]))
    check(lambda L, x: L.unique(x, return_inverse=True), np.array(4))
    check(lambda L, x: L.unique(x, dim=1, return_inverse=True, return_counts=True),
          np.ones((2, 0)))
