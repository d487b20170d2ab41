"""NumPy kernels behind sorting and selection: sort, topk, kthvalue, median, mode, searchsorted,
isin and unique (CPU backend)."""
from __future__ import annotations

import ml_dtypes
import numpy as np

from ember._backend import _stdsort as S

_LOW = (np.dtype(ml_dtypes.bfloat16), np.dtype(np.float16))


def _work(x):
    """`x` in a dtype NumPy orders natively (half and bfloat16 widen exactly to float32)."""
    return x.astype(np.float32) if x.dtype in _LOW else x


def _rows(x, dim):
    """`x` with `dim` moved last and flattened to (rows, n), and the moved shape."""
    moved = np.moveaxis(x, dim, -1)
    return moved.reshape(-1, moved.shape[-1]), moved.shape


def _unrows(a, moved_shape, dim, n=None):
    shape = moved_shape[:-1] + ((moved_shape[-1] if n is None else n),)
    return np.moveaxis(a.reshape(shape), -1, dim)


def order_key(x, descending=False):
    """int64 keys in torch's sort order: NaN after everything, -0.0 equal to 0.0."""
    if x.dtype.kind == "f" or x.dtype in _LOW:
        f = np.asarray(x, np.float64) + 0.0
        bits = np.where(np.isnan(f), np.nan, f).view(np.int64)
        key = np.where(bits < 0, bits ^ np.int64(0x7FFFFFFFFFFFFFFF), bits)
    else:
        key = np.asarray(x, np.int64)
    return ~key if descending else key


def _greater(a, b):
    """torch's NaN-aware `>`: NaN above every number."""
    return (np.isnan(a) & ~np.isnan(b)) | (a > b)


def _less(a, b):
    return (~np.isnan(a) & np.isnan(b)) | (a < b)


def _comparators(work, largest):
    if work.dtype.kind == "f":
        return _greater if largest else _less
    return np.greater if largest else np.less


def _take(a, idx, axis):
    return a[idx] if a.ndim == 1 else np.take_along_axis(a, idx, axis)


def stable_argsort(a, descending, axis=-1):
    """Stable argsort along `axis` (NaN last, or first when descending); equal elements keep
    their input order. NumPy's fast unstable sort runs first; only runs of equal values are
    then put back in index order (all of them by a stable sort when ties abound)."""
    order = np.argsort(a, axis=axis)
    if descending:
        order = np.flip(order, axis).copy()
    s = _take(a, order, axis)
    lo, hi = [slice(None)] * a.ndim, [slice(None)] * a.ndim
    lo[axis], hi[axis] = slice(None, -1), slice(1, None)
    lo, hi = s[tuple(lo)], s[tuple(hi)]
    same = hi == lo
    if s.dtype.kind == "f":
        same |= np.isnan(hi) & np.isnan(lo)
    if not same.any():
        return order
    if axis not in (-1, a.ndim - 1):
        moved = stable_argsort(np.moveaxis(a, axis, -1), descending)
        return np.moveaxis(moved, -1, axis)
    tied = np.zeros(s.shape, bool)
    tied[..., 1:] = same
    tied[..., :-1] |= same
    if np.count_nonzero(tied) * 4 > tied.size:
        return _stable_argsort_dense(a, descending)
    starts = np.ones(s.shape, bool)
    starts[..., 1:] = ~same
    run = np.cumsum(starts.reshape(-1)).reshape(s.shape)
    sub = order[tied]
    order[tied] = sub[np.lexsort((sub, run[tied]))]
    return order


def _stable_argsort_dense(a, descending):
    if not descending:
        return np.argsort(a, axis=-1, kind="stable")
    n = a.shape[-1]
    order = np.argsort(a[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    return (n - 1) - order


def _ambiguous(sorted_keys, k):
    """Rows whose first k entries (of keys sorted ascending) touch a tie."""
    head = sorted_keys[:, :k + 1]
    return np.flatnonzero((head[:, 1:] == head[:, :-1]).any(axis=1))


class NumpySort:
    """Sorting and selection kernels mixed into the NumPy backend."""

    @staticmethod
    def sort(x, dim, descending):
        """Stable sort along `dim`: (values, int64 indices)."""
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        idx = stable_argsort(_work(x), descending, dim)
        return _take(x, idx, dim), idx

    @staticmethod
    def topk(x, k, dim, largest, sorted_):
        """The k largest (smallest) along `dim`, in torch's order for equal elements."""
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        rows, shape = _rows(_work(x), dim)
        idx = np.empty((rows.shape[0], k), np.int64)
        if k and rows.shape[0]:
            cand = _topk_candidates(rows, k, largest)
            ck = order_key(np.take_along_axis(rows, cand, 1), descending=largest)
            order = np.argsort(ck, axis=1, kind="stable")
            idx[:] = np.take_along_axis(cand, order, 1)[:, :k]
            redo = range(rows.shape[0]) if not sorted_ else \
                _ambiguous(np.take_along_axis(ck, order, 1), k)
            for r in redo:
                idx[r] = _topk_row(rows[r], k, largest, sorted_)
        idx = _unrows(idx, shape, dim, k)
        return np.take_along_axis(x, idx, axis=dim), idx

    @staticmethod
    def kthvalue(x, k, dim, keepdim):
        """The k-th smallest along `dim` and its index, as torch's quickselect picks it."""
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        rows, shape = _rows(_work(x), dim)
        keys = order_key(rows)
        part = np.partition(keys, k - 1, axis=1)[:, k - 1:k]
        hit = keys == part
        idx = np.argmax(hit, axis=1)
        for r in np.flatnonzero(hit.sum(axis=1) > 1):
            vals, order = rows[r].copy(), np.arange(rows.shape[1])
            S.quick_select(vals, order, k - 1, _comparators(vals, True))
            idx[r] = order[k - 1]
        return _take_reduced(x, idx, shape, dim, keepdim)

    @staticmethod
    def median_dim(x, dim, keepdim, ignore_nan):
        """torch's lower median along `dim` and its index: the element at rank (n-1)//2 when
        ties are ordered by position; a NaN (the first) wins unless `ignore_nan`."""
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        rows, shape = _rows(_work(x), dim)
        order = stable_argsort(rows, False)
        nan = np.isnan(rows) if rows.dtype.kind == "f" else np.zeros(rows.shape, bool)
        count = rows.shape[1] - (nan.sum(axis=1) if ignore_nan else np.zeros(len(rows), int))
        nth = np.maximum(count - 1, 0) // 2
        idx = np.take_along_axis(order, nth[:, None], 1)[:, 0]
        if not ignore_nan:
            has = nan.any(axis=1)
            idx = np.where(has, np.argmax(nan, axis=1), idx)
        return _take_reduced(x, idx, shape, dim, keepdim)

    @staticmethod
    def median_all(x, ignore_nan):
        """Lower median of all elements (NaN if any is NaN, unless `ignore_nan`)."""
        flat = _work(x).reshape(-1)
        if flat.dtype.kind == "f":
            nan = np.isnan(flat)
            if nan.any() and not ignore_nan:
                return np.full((), np.nan, x.dtype)
            flat = flat[~nan]
        if flat.size == 0:
            return np.full((), np.nan, x.dtype)
        nth = (flat.size - 1) // 2
        return np.asarray(np.partition(flat, nth)[nth]).astype(x.dtype)

    @staticmethod
    def mode(x, dim, keepdim):
        """Most frequent value along `dim` (the smallest among equally frequent ones) and the
        index torch's std::sort of (value, index) pairs leaves last in its run."""
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        rows, shape = _rows(_work(x), dim)
        value = _mode_values(rows)
        n = rows.shape[1]
        hit = rows == value[:, None]
        idx = (n - 1) - np.argmax(hit[:, ::-1], axis=1)
        nan = np.isnan(rows).any(axis=1) if rows.dtype.kind == "f" else np.zeros(len(rows), bool)
        for r in np.flatnonzero(nan | (n > S._THRESHOLD)):
            value[r], idx[r] = _mode_row(rows[r], None if nan[r] else value[r])
        return _take_reduced(x, idx, shape, dim, keepdim)

    @staticmethod
    def searchsorted(seq, values, right, sorter):
        """Insertion points of `values` in the sorted last dim of `seq` (batched rows)."""
        if sorter is not None:
            seq = np.take_along_axis(seq, sorter, axis=-1)
        side = "right" if right else "left"
        if seq.ndim == 1:
            return np.searchsorted(order_key(seq), order_key(values), side=side)
        # one search over all rows: dense ranks of every key, each row shifted past the last
        keys = order_key(np.concatenate([seq.reshape(-1), values.reshape(-1)]))
        _, rank = np.unique(keys, return_inverse=True)
        span = int(rank.max(initial=0)) + 1
        lead = seq.size // seq.shape[-1] if seq.shape[-1] else int(np.prod(seq.shape[:-1]))
        shift = np.arange(lead)[:, None] * span
        b = rank[:seq.size].reshape(lead, -1) + shift
        v = rank[seq.size:].reshape(lead, -1) + shift
        pos = np.searchsorted(b.reshape(-1), v.reshape(-1), side=side).reshape(lead, -1)
        return (pos - np.arange(lead)[:, None] * seq.shape[-1]).reshape(values.shape)

    @staticmethod
    def sort_sources(x, dim, ranks):
        """Positions along `dim` (flattened when None) of the elements at sorted `ranks`
        (shape (Q,) + other dims + (k,)) in the order torch's sort() leaves them: stable,
        except that rows longer than 16 whose picked elements have equal neighbours are
        replayed through std::sort."""
        src = _work(x.reshape(-1) if dim is None else np.moveaxis(x, dim, -1))
        rows = src.reshape(-1, src.shape[-1])
        order = stable_argsort(rows, False)
        n = rows.shape[1]
        picked = ranks.reshape(ranks.shape[0], rows.shape[0], -1)
        if n > S._THRESHOLD:
            keys = order_key(np.take_along_axis(rows, order, 1))
            tie = np.zeros((rows.shape[0], n + 1), bool)
            tie[:, 1:-1] = keys[:, 1:] == keys[:, :-1]
            hit = np.take_along_axis(tie[None], picked, 2) | \
                np.take_along_axis(tie[None], picked + 1, 2)
            for r in np.flatnonzero(hit.any(axis=(0, 2))):
                order[r] = _std_order(rows[r])
        return np.take_along_axis(order[None], picked, 2).reshape(ranks.shape)

    @staticmethod
    def isin(elements, test, invert):
        return np.asarray(np.isin(elements, test, invert=invert))

    @staticmethod
    def unique_sorted(x, return_inverse, return_counts):
        """Sorted distinct values (NaNs each distinct), inverse indices and counts."""
        flat = x.reshape(-1)
        work = _work(flat)
        if work.dtype.kind in "iub" and work.size:
            counted = _unique_by_counting(work)
            if counted is not None:
                values, inverse, counts = counted
                return values.astype(x.dtype), inverse.reshape(x.shape), counts
        # ints: equal elements are indistinguishable, so any sort will do
        order = stable_argsort(work, False) if work.dtype.kind == "f" else np.argsort(work)
        if work.dtype.kind == "f" and work.size > S._THRESHOLD and \
                np.count_nonzero(np.isnan(work)) > 1:
            # NaNs stay distinct: their order is the one torch's std::sort leaves
            order = _std_order(work, nan_only=True)
        s = flat[order]
        keys = order_key(s)
        start = np.ones(s.size, bool)
        start[1:] = keys[1:] != keys[:-1]
        if s.dtype.kind == "f" or s.dtype in _LOW:
            start |= np.isnan(_work(s))
        values = s[start]
        group = np.cumsum(start) - 1
        inverse = np.empty(s.size, np.int64)
        inverse[order] = group
        counts = np.diff(np.append(np.flatnonzero(start), s.size))
        return values, inverse.reshape(x.shape), counts.astype(np.int64)

    @staticmethod
    def unique_dim(x, dim, consecutive):
        """Distinct slices along `dim` (sorted lexicographically unless `consecutive`):
        (slices, inverse, counts)."""
        moved = np.moveaxis(x, dim, 0)
        n = moved.shape[0]
        flat = moved.reshape(n, int(np.prod(moved.shape[1:])))
        if consecutive or flat.shape[1] == 0:
            order = np.arange(n)
        else:
            order = np.lexsort(order_key(_work(flat)).T[::-1])
        s = flat[order]
        start = np.ones(n, bool)
        if n:
            start[1:] = (s[1:] != s[:-1]).any(axis=1) if flat.shape[1] else False
        group = np.cumsum(start) - 1
        inverse = np.empty(n, np.int64)
        inverse[order] = group
        counts = np.diff(np.append(np.flatnonzero(start), n)).astype(np.int64)
        out = np.moveaxis(moved[order][start], 0, dim)
        return np.ascontiguousarray(out), inverse, counts

    @staticmethod
    def unique_consecutive(x, return_inverse, return_counts):
        flat = x.reshape(-1)
        start = np.ones(flat.size, bool)
        start[1:] = flat[1:] != flat[:-1]
        inverse = (np.cumsum(start) - 1).reshape(x.shape)
        counts = np.diff(np.append(np.flatnonzero(start), flat.size)).astype(np.int64)
        return flat[start], inverse, counts


def _unique_by_counting(flat):
    """unique of integers through a count per value, when their range is small enough."""
    lo, hi = int(flat.min()), int(flat.max())
    span = hi - lo + 1
    if span > 4 * flat.size + 65536:
        return None
    offset = flat.astype(np.int64) - lo
    counts = np.bincount(offset, minlength=span)
    present = counts > 0
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present) + lo, rank[offset], counts[present]


def _take_reduced(x, idx, shape, dim, keepdim):
    """(values, indices) of per-row picks `idx` over `x`'s `dim`."""
    idx = np.moveaxis(idx.reshape(shape[:-1] + (1,)), -1, dim)
    values = np.take_along_axis(x, idx, axis=dim)
    if not keepdim:
        idx, values = idx.squeeze(dim), values.squeeze(dim)
    return values, idx.copy()


def _topk_candidates(rows, k, largest):
    """Per row, the positions of the k + 1 elements that come first (all when k >= n)."""
    n = rows.shape[1]
    if k >= n:
        return np.broadcast_to(np.arange(n), rows.shape)
    if rows.dtype.kind == "f" and np.isnan(rows).any():
        return np.argpartition(order_key(rows, descending=largest), k, axis=1)[:, :k + 1]
    if largest:
        return np.argpartition(rows, n - k - 1, axis=1)[:, n - k - 1:]
    return np.argpartition(rows, k, axis=1)[:, :k + 1]


def _topk_row(vals, k, largest, sorted_):
    """Indices of torch's topk on one row (std::partial_sort or nth_element + std::sort)."""
    vals = vals.copy()
    idx = np.arange(vals.size)
    less = _comparators(vals, largest)
    n = vals.size
    if k * 64 <= n:
        S.partial_sort(vals, idx, 0, k, n, less)
    else:
        def rank(v):
            return order_key(v, descending=largest)
        S.nth_element(vals, idx, 0, k - 1, n, less, rank)
        if sorted_:
            S.std_sort(vals, idx, 0, k - 1, less, rank)
    return idx[:k]


def _mode_values(rows):
    """Per row, the smallest of the most frequent values (NaNs never equal each other)."""
    s = np.sort(rows, axis=1)
    r, n = s.shape
    start = np.ones(s.shape, bool)
    start[:, 1:] = s[:, 1:] != s[:, :-1]
    run = np.cumsum(start.reshape(-1)) - 1
    counts = np.bincount(run, minlength=run[-1] + 1 if run.size else 0)
    per_pos = counts[run].reshape(r, n)
    best = np.argmax(np.where(start, per_pos, 0), axis=1)
    return s[np.arange(r), best]


def _mode_row(row, value):
    """(value, index) of torch's mode on one row, replaying its std::sort; `value` (the mode,
    when already known) lets the replay skip segments that cannot hold it."""
    vals = row.copy()
    idx = np.arange(vals.size)
    if value is None:          # NaNs: `<` is no ordering, so replay element by element
        S.std_sort(vals, idx, 0, vals.size, np.less)
        end = np.ones(vals.size, bool)
        end[:-1] = vals[:-1] != vals[1:]
        stops = np.flatnonzero(end)
        runs = np.diff(np.concatenate([[-1], stops]))
        last = stops[np.argmax(runs)]
        return vals[last], idx[last]

    def skip(lo, hi):
        return not (vals[lo:hi] == value).any()

    S.std_sort(vals, idx, 0, vals.size, np.less, order_key, skip)
    return value, idx[np.flatnonzero(vals == value)[-1]]


def _std_order(row, nan_only=False):
    """The permutation torch's std::sort (NaN-aware ascending) makes of `row`; with
    `nan_only` only the order of the NaNs is exact."""
    vals = row.copy()
    idx = np.arange(vals.size)
    less = _comparators(vals, False)
    skip = None
    if nan_only:
        def skip(lo, hi):
            return not np.isnan(vals[lo:hi]).any()
    S.std_sort(vals, idx, 0, vals.size, less, order_key, skip)
    return idx
