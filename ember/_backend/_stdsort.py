"""Replays of the selection and sorting algorithms behind torch's CPU kernels.

torch's topk (libstdc++ ``std::nth_element`` / ``std::sort`` / ``std::partial_sort``), mode
(``std::sort`` on (value, index) pairs) and kthvalue (its own quickselect) leave equal
elements in an order that only the algorithm itself defines. These functions replay the
algorithms on one row so that the indices of ties match torch's. Each partition step is
vectorised: in a Hoare partition the k-th element that stops the left scan is swapped with
the k-th element that stops the right scan for as long as the two have not crossed, so the
whole pass is computed from the stopping positions in the untouched row.

A row is ``(vals, idx)``, both 1-D arrays permuted in place together; ``less(a, b)`` is the
comparator, elementwise over arrays.
"""
from __future__ import annotations

import numpy as np

_THRESHOLD = 16      # libstdc++'s _S_threshold: shorter segments go to insertion sort


def _swap(vals, idx, i, j):
    vals[[i, j]] = vals[[j, i]]
    idx[[i, j]] = idx[[j, i]]


def _swap_many(vals, idx, left, right):
    vals[left], vals[right] = vals[right], vals[left].copy()
    idx[left], idx[right] = idx[right], idx[left].copy()


def _lt(less, a, b):
    return bool(less(a, b))


# --- libstdc++ ----------------------------------------------------------------------------
def _move_median_to_first(vals, idx, result, a, b, c, less):
    va, vb, vc = vals[a], vals[b], vals[c]
    if _lt(less, va, vb):
        if _lt(less, vb, vc):
            _swap(vals, idx, result, b)
        elif _lt(less, va, vc):
            _swap(vals, idx, result, c)
        else:
            _swap(vals, idx, result, a)
    elif _lt(less, va, vc):
        _swap(vals, idx, result, a)
    elif _lt(less, vb, vc):
        _swap(vals, idx, result, c)
    else:
        _swap(vals, idx, result, b)


def _unguarded_partition(vals, idx, first, last, pivot, less):
    """libstdc++'s __unguarded_partition of [first, last) around vals[pivot]; the cut."""
    piv = vals[pivot]
    seg = vals[first:last]
    left = np.flatnonzero(~less(seg, piv)) + first
    right = (np.flatnonzero(~less(piv, seg)) + first)[::-1]
    n = min(len(left), len(right))
    m = int(np.count_nonzero(left[:n] < right[:n]))
    cut = int(left[m]) if m < len(left) else None
    if m:
        cut = int(right[m - 1]) if cut is None else min(cut, int(right[m - 1]))
        _swap_many(vals, idx, left[:m], right[:m])
    return cut


def _partition_pivot(vals, idx, first, last, less):
    mid = first + (last - first) // 2
    _move_median_to_first(vals, idx, first, first + 1, mid, last - 1, less)
    return _unguarded_partition(vals, idx, first + 1, last, first, less)


def _push_heap(vals, idx, first, hole, top, value, less):
    v, i = value
    parent = (hole - 1) // 2
    while hole > top and _lt(less, vals[first + parent], v):
        vals[first + hole] = vals[first + parent]
        idx[first + hole] = idx[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    vals[first + hole] = v
    idx[first + hole] = i


def _adjust_heap(vals, idx, first, hole, length, value, less):
    top = second = hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if _lt(less, vals[first + second], vals[first + second - 1]):
            second -= 1
        vals[first + hole] = vals[first + second]
        idx[first + hole] = idx[first + second]
        hole = second
    if length % 2 == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        vals[first + hole] = vals[first + second - 1]
        idx[first + hole] = idx[first + second - 1]
        hole = second - 1
    _push_heap(vals, idx, first, hole, top, value, less)


def _make_heap(vals, idx, first, last, less):
    length = last - first
    if length < 2:
        return
    for parent in range((length - 2) // 2, -1, -1):
        value = (vals[first + parent].copy(), idx[first + parent])
        _adjust_heap(vals, idx, first, parent, length, value, less)


def _pop_heap(vals, idx, first, last, result, less):
    value = (vals[result].copy(), idx[result])
    vals[result] = vals[first]
    idx[result] = idx[first]
    _adjust_heap(vals, idx, first, 0, last - first, value, less)


def _heap_select(vals, idx, first, middle, last, less):
    """Keep in [first, middle) a heap of the elements that come first under `less`.

    Elements that do not beat the current top are skipped a window at a time."""
    _make_heap(vals, idx, first, middle, less)
    i = middle
    window = 64
    while i < last:
        stop = min(last, i + window)
        hits = np.flatnonzero(less(vals[i:stop], vals[first]))
        if len(hits) == 0:
            i = stop
            window *= 2
            continue
        i += int(hits[0])
        _pop_heap(vals, idx, first, middle, i, less)
        i += 1
        window = 64


def _sort_heap(vals, idx, first, last, less):
    while last - first > 1:
        last -= 1
        _pop_heap(vals, idx, first, last, last, less)


def partial_sort(vals, idx, first, middle, last, less):
    """std::partial_sort."""
    _heap_select(vals, idx, first, middle, last, less)
    _sort_heap(vals, idx, first, middle, less)


def _stable_sort_segments(vals, idx, bounds, rank):
    """Stable sort of each [a, b) in `bounds` by `rank` (what the final insertion sort does
    when every leaf is already on the right side of all partition cuts)."""
    lo, hi = bounds[0][0], bounds[-1][1]
    seg = np.zeros(hi - lo, np.int64)
    for a, _ in bounds[1:]:
        seg[a - lo] = 1
    order = np.lexsort((rank(vals[lo:hi]), np.cumsum(seg))) + lo
    vals[lo:hi] = vals[order]
    idx[lo:hi] = idx[order]


def std_sort(vals, idx, first, last, less, rank=None, skip=None):
    """std::sort of [first, last).

    With `rank` (integer keys in `less` order, `less` a strict weak order) the final insertion
    sort is done as a stable sort of each leaf segment; without it, element by element (as
    needed when NaNs make `less` no ordering at all). Segments for which ``skip(lo, hi)``
    holds are left unsorted (their order is not needed)."""
    if last - first < 2:
        return
    leaves = []
    stack = [(first, last, 2 * int(np.log2(last - first)))]
    while stack:
        f, lst, depth = stack.pop()
        while lst - f > _THRESHOLD and not (skip and skip(f, lst)):
            if depth == 0:
                partial_sort(vals, idx, f, lst, lst, less)
                break
            depth -= 1
            cut = _partition_pivot(vals, idx, f, lst, less)
            stack.append((cut, lst, depth))
            lst = cut
        leaves.append((f, lst))
    if rank is None:
        _insertion_sort(vals, idx, first, last, less)
    else:
        leaves.sort()
        _stable_sort_segments(vals, idx, leaves, rank)


def _insertion_sort(vals, idx, first, last, less):
    """libstdc++'s __final_insertion_sort, one element at a time."""
    for i in range(first + 1, last):
        v, k = vals[i].copy(), idx[i]
        if i < first + _THRESHOLD and _lt(less, v, vals[first]):
            vals[first + 1:i + 1] = vals[first:i].copy()
            idx[first + 1:i + 1] = idx[first:i].copy()
            vals[first], idx[first] = v, k
            continue
        j = i
        while j > first and _lt(less, v, vals[j - 1]):
            vals[j], idx[j] = vals[j - 1], idx[j - 1]
            j -= 1
        vals[j], idx[j] = v, k


def nth_element(vals, idx, first, nth, last, less, rank):
    """std::nth_element (introselect)."""
    if first == last or nth == last:
        return
    depth = 2 * int(np.log2(last - first))
    while last - first > 3:
        if depth == 0:
            _heap_select(vals, idx, first, nth + 1, last, less)
            _swap(vals, idx, first, nth)
            return
        depth -= 1
        cut = _partition_pivot(vals, idx, first, last, less)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _stable_sort_segments(vals, idx, [(first, last)], rank)


# --- torch's quick_select_template (kthvalue) -------------------------------------------
def quick_select(vals, idx, k, gt):
    """torch's quickselect: afterwards vals[k] is the k-th smallest under `gt`."""
    lo, hi = 0, len(vals) - 1
    while hi > lo:
        if hi == lo + 1:
            if _lt(gt, vals[lo], vals[hi]):
                _swap(vals, idx, lo, hi)
            return
        mid = lo + (hi - lo) // 2
        _swap(vals, idx, mid, lo + 1)
        if _lt(gt, vals[lo + 1], vals[hi]):
            _swap(vals, idx, lo + 1, hi)
        if _lt(gt, vals[lo], vals[hi]):
            _swap(vals, idx, lo, hi)
        if _lt(gt, vals[lo + 1], vals[lo]):
            _swap(vals, idx, lo + 1, lo)
        i, j = _hoare(vals, idx, lo, hi, gt)
        _swap(vals, idx, lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


def _hoare(vals, idx, lo, hi, gt):
    """The partition loop of torch's quickselect around vals[lo]; its final (i, j)."""
    piv = vals[lo]
    left = np.flatnonzero(~gt(piv, vals[lo + 2:hi + 1])) + lo + 2
    right = (np.flatnonzero(~gt(vals[lo + 1:hi], piv)) + lo + 1)[::-1]
    n = min(len(left), len(right))
    m = int(np.count_nonzero(left[:n] <= right[:n]))
    lm, rm = (int(left[m - 1]), int(right[m - 1])) if m else (None, None)
    i_stops = [int(left[m])] if m < len(left) else []
    j_stops = [int(right[m])] if m < len(right) else []
    if m:
        # positions already swapped also stop the scans
        i_stops.append(rm if rm > lm else (int(right[m - 2]) if m > 1 else hi))
        j_stops.append(lm if lm < rm else (int(left[m - 2]) if m > 1 else lo + 1))
        _swap_many(vals, idx, left[:m], right[:m])
    return min(i_stops), max(j_stops)
