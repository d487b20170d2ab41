"""randperm, multinomial and poisson of torch's CPU generator, bit for bit (torch 2.13).

Like _cpu_distributions.py, every function takes the CPUGenerator first and is bound to it as a
method. These samplers are sequential in torch (a shuffle, rejection sampling, a heap or quick
select for top-k); NumPy does the vectorisable parts (the shuffle entirely) and a tight Python
loop the rest.
"""
from __future__ import annotations

import math

import numpy as np

from ember._backend._cpu_distributions import exponential, uniform_double
from ember._backend._cpu_float import BF16, F32, F64, HALF, from_int64, lgamma

_SMALL_RANDPERM = (2 ** 32 - 1) // 20     # torch keeps its original shuffle below this n


def randperm(gen, n, dtype=np.int64):
    """torch.randperm(n).

    Below 2**32 / 20 torch shuffles arange(n) front to back, swapping a[i] and a[i + u32 % (n -
    i)] for i < n - 1 (vectorised by _forward_shuffle); above, it builds the permutation
    inside-out with 64-bit words, a Python loop here.
    """
    if n < _SMALL_RANDPERM:
        if n < 2:
            return from_int64(np.arange(n, dtype=np.int64), dtype)
        i = np.arange(n - 1, dtype=np.uint32)
        targets = gen.random_u32(n - 1) % (np.uint32(n) - i) + i
        return from_int64(_forward_shuffle(targets.astype(np.int64), n), dtype)
    a = list(range(n))
    zs = (gen.random_u64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
    for i, z in enumerate(zs):
        a[i] = a[z]
        a[z] = i
    return from_int64(np.array(a, dtype=np.int64), dtype)


def _forward_shuffle(targets, n):
    """arange(n) after swapping a[i] with a[targets[i]] for i = 0, 1, .., n - 2 in turn, where
    targets[i] >= i, without a loop over the swaps.

    Step i finalises position i: result[i] is what sat at targets[i] just before, which is the
    value moved there by the previous step with the same target, or targets[i] itself if there
    was none. The value step k moves to targets[k] is what sat at position k before step k: the
    value moved there by the last earlier step targeting k, or k. Sorting the steps by target
    gives both kinds of "previous step"; chains of the second kind are resolved by pointer
    jumping (a few gathers).
    """
    m = n - 1
    steps = np.arange(m, dtype=np.intp)
    if n * n < 1 << 32:                           # 32-bit keys sort and divide faster
        target, step = np.divmod(np.sort((targets * n + steps).astype(np.uint32)),
                                 np.uint32(n))
    else:
        target, step = np.divmod(np.sort(targets * n + steps), n)
    target, step = target.astype(np.intp), step.astype(np.intp)
    first = np.empty(m, bool)                     # first step of its target, in sorted order
    first[0] = True
    np.not_equal(target[1:], target[:-1], out=first[1:])
    prev = np.empty(m, np.intp)                   # previous step with the same target, or -1
    prev[0] = -1
    prev[1:] = np.where(first[1:], -1, step[:-1])
    ends = np.flatnonzero(np.append(first[1:], True))
    into = np.full(n, -1, np.intp)                # last step targeting p, before step p
    ends_at = target[ends]
    into[ends_at] = np.where(step[ends] != ends_at, step[ends], prev[ends])
    src = np.where(into[:m] >= 0, into[:m], steps)   # step k moves what step src[k] moved
    while True:
        nxt = src[src]
        if np.array_equal(nxt, src):
            break
        src = nxt
    out = np.empty(n, np.int64)
    out[step] = np.where(prev >= 0, src[prev], target)
    out[m] = src[into[m]] if into[m] >= 0 else m
    return out


# --- multinomial -------------------------------------------------------------------------------

def multinomial(gen, probs, num_samples, replacement=False):
    """torch.multinomial(probs, num_samples, replacement) for a 1-D or 2-D probs array.

    Without replacement, or for a single sample, torch draws q = Exp(1) into a tensor laid out
    like probs (memory order), and takes argmax / top-k of probs / q. With replacement it
    binary-searches each 53-bit uniform in the row's normalised running sum.
    """
    p = np.asarray(probs)
    if not 1 <= p.ndim <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if p.shape[-1] > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows = p.reshape(-1, p.shape[-1])
    if not replacement or num_samples == 1:
        if not (p.max() < np.inf and p.min() >= 0):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if p.ndim == 2 and not p.flags.c_contiguous and p.flags.f_contiguous:
            q = exponential(gen, p.shape[::-1], p.dtype).T        # empty_like keeps strides
        else:
            q = exponential(gen, p.shape, p.dtype)
        s = (p.astype(F32) / q.astype(F32)).astype(p.dtype) if p.dtype in (HALF, BF16) else p / q
        s = s.reshape(rows.shape)
        if num_samples == 1:
            idx = s.argmax(axis=1)[:, None]
        else:
            idx = np.stack([_top_k(row, num_samples) for row in s])
    else:
        idx = _sample_cumulative(gen, rows, num_samples)
    return idx.reshape(p.shape[:-1] + (num_samples,))


def _sample_cumulative(gen, rows, num_samples):
    """multinomial_with_replacement_apply, vectorised over rows and samples."""
    acc = F64 if rows.dtype == F64 else F32        # float16/bfloat16 accumulate in float
    vals = rows.astype(acc)
    cum = np.cumsum(vals, axis=1, dtype=acc)       # a sequential running sum, as torch's loop
    with np.errstate(invalid="ignore"):
        negative, infinite = ~(vals >= 0), ~np.isfinite(vals)
    bad = negative | infinite
    bad_row = bad.any(axis=1) | ~(cum[:, -1] > 0)
    if bad_row.any():                    # torch samples row by row and stops at a bad row
        r = int(bad_row.argmax())
        uniform_double(gen, r * num_samples)
        if bad[r].any():
            what = "< 0" if negative[r, bad[r].argmax()] else "= infinity or NaN"
            raise RuntimeError(
                f"invalid multinomial distribution (encountering probability entry {what})")
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    cum /= cum[:, -1:]
    cum[:, -1] = 1
    u = uniform_double(gen, rows.shape[0] * num_samples).reshape(rows.shape[0], num_samples)
    row = np.arange(rows.shape[0])[:, None]
    lo = np.zeros(u.shape, np.int64)
    hi = np.full(u.shape, rows.shape[1], np.int64)
    while (hi > lo).any():               # torch's binary search: first slot with cum >= u
        mid = lo + (hi - lo) // 2
        right = cum[row, np.minimum(mid, rows.shape[1] - 1)] < u
        active = hi > lo
        lo = np.where(active & right, mid + 1, lo)
        hi = np.where(active & ~right, mid, hi)
    return lo


def _top_k(values, k):
    """Indices of the k largest of `values` in the order torch.topk (sorted) returns them.

    Without ties near the top the order is unique and a stable sort gives it; with ties it is
    whatever libstdc++'s partial_sort or nth_element + sort leave, which _StlTopK replays.
    """
    order = np.argsort(-values.astype(F64), kind="stable")
    top = values[order[: k + 1]].astype(F64)
    if not np.isnan(values).any() and (np.diff(top) < 0).all():
        return order[:k]
    return np.array(_StlTopK(values.astype(F64).tolist()).top(k), dtype=np.int64)


def _greater(x, y):
    """topk's comparator: NaN above everything, then '>'."""
    return (x[0] != x[0] and y[0] == y[0]) or x[0] > y[0]


class _StlTopK:
    """TopKImpl.h on (value, index) pairs, with GCC's std::partial_sort / nth_element / sort."""

    def __init__(self, values):
        self.q = [(v, i) for i, v in enumerate(values)]

    def top(self, k):
        n = len(self.q)
        if k * 64 <= n:
            self.heap_select(0, k, n)
            self.sort_heap(0, k)
        else:
            self.introselect(0, k - 1, n, 2 * (n.bit_length() - 1))
            if k - 1 > 0:
                self.introsort(0, k - 1, 2 * ((k - 1).bit_length() - 1))
                self.final_insertion_sort(0, k - 1)
        return [i for _, i in self.q[:k]]

    # heaps (bits/stl_heap.h)
    def adjust_heap(self, first, hole, length, value):
        q, top, child = self.q, hole, hole
        while child < (length - 1) // 2:
            child = 2 * (child + 1)
            if _greater(q[first + child], q[first + child - 1]):
                child -= 1
            q[first + hole] = q[first + child]
            hole = child
        if length % 2 == 0 and child == (length - 2) // 2:
            child = 2 * (child + 1)
            q[first + hole] = q[first + child - 1]
            hole = child - 1
        parent = (hole - 1) // 2
        while hole > top and _greater(q[first + parent], value):
            q[first + hole] = q[first + parent]
            hole = parent
            parent = (hole - 1) // 2
        q[first + hole] = value

    def pop_heap(self, first, last, result):
        value = self.q[result]
        self.q[result] = self.q[first]
        self.adjust_heap(first, 0, last - first, value)

    def heap_select(self, first, middle, last):
        length = middle - first
        if length >= 2:
            for parent in range((length - 2) // 2, -1, -1):
                self.adjust_heap(first, parent, length, self.q[first + parent])
        for i in range(middle, last):
            if _greater(self.q[i], self.q[first]):
                self.pop_heap(first, middle, i)

    def sort_heap(self, first, last):
        while last - first > 1:
            last -= 1
            self.pop_heap(first, last, last)

    # quicksort pieces (bits/stl_algo.h)
    def partition_pivot(self, first, last):
        q, mid = self.q, first + (last - first) // 2
        a, b, c = first + 1, mid, last - 1
        if _greater(q[a], q[b]):
            pick = b if _greater(q[b], q[c]) else (c if _greater(q[a], q[c]) else a)
        else:
            pick = a if _greater(q[a], q[c]) else (c if _greater(q[b], q[c]) else b)
        q[first], q[pick] = q[pick], q[first]
        lo, hi, pivot = first + 1, last, q[first]
        while True:
            while _greater(q[lo], pivot):
                lo += 1
            hi -= 1
            while _greater(pivot, q[hi]):
                hi -= 1
            if lo >= hi:
                return lo
            q[lo], q[hi] = q[hi], q[lo]
            lo += 1

    def linear_insert(self, last):
        q, val = self.q, self.q[last]
        while _greater(val, q[last - 1]):
            q[last] = q[last - 1]
            last -= 1
        q[last] = val

    def insertion_sort(self, first, last):
        q = self.q
        for i in range(first + 1, last):
            if _greater(q[i], q[first]):
                val = q[i]
                q[first + 1: i + 1] = q[first:i]
                q[first] = val
            else:
                self.linear_insert(i)

    def introselect(self, first, nth, last, depth):
        while last - first > 3:
            if depth == 0:
                self.heap_select(first, nth + 1, last)
                self.q[first], self.q[nth] = self.q[nth], self.q[first]
                return
            depth -= 1
            cut = self.partition_pivot(first, last)
            if cut <= nth:
                first = cut
            else:
                last = cut
        self.insertion_sort(first, last)

    def introsort(self, first, last, depth):
        while last - first > 16:
            if depth == 0:
                self.heap_select(first, last, last)
                self.sort_heap(first, last)
                return
            depth -= 1
            cut = self.partition_pivot(first, last)
            self.introsort(cut, last, depth)
            last = cut

    def final_insertion_sort(self, first, last):
        if last - first > 16:
            self.insertion_sort(first, first + 16)
            for i in range(first + 16, last):
                self.linear_insert(i)
        else:
            self.insertion_sort(first, last)


# --- poisson -----------------------------------------------------------------------------------

def poisson(gen, rates):
    """torch.poisson(rates): torch's sample_poisson per element, in order.

    lambda >= 10: Hoermann's transformed rejection (two uniforms per try); 0 < lambda < 10:
    multiply uniforms until the product drops to exp(-lambda); lambda == 0: 0 with no draw.
    Rejection makes each element's consumption depend on its values, so this loops in Python.
    """
    rates = np.asarray(rates)
    out = np.empty(rates.size, np.int64)
    stream = _Uniforms(gen)
    try:
        for i, lam in enumerate(rates.astype(F64).reshape(-1).tolist()):
            if not lam >= 0:
                raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
            out[i] = _sample_poisson(lam, stream.next) if lam != 0 else 0
    finally:
        stream.close()
    return from_int64(out, rates.dtype).reshape(rates.shape)


def _sample_poisson(lam, uniform):
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            x = (2 * a / us + b) * u + lam + 0.43 if us else -math.inf
            k = math.floor(x) if abs(x) < 2.0 ** 63 else -(2 ** 63)    # as cvttsd2si
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (_log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                    <= -lam + k * loglam - lgamma(k + 1.0)):
                return k
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= uniform()
        if prod <= enlam:
            return x
        x += 1


def _log(x):
    return math.log(x) if x > 0 else -math.inf


class _Uniforms:
    """53-bit uniforms drawn ahead in chunks; close() rewinds the generator past the unused ones."""

    def __init__(self, gen):
        self.gen, self.buf, self.pos, self.size = gen, [], 0, 64

    def next(self):
        if self.pos == len(self.buf):
            self.close()
            self.mark = self.gen._save()
            self.buf, self.pos = uniform_double(self.gen, self.size).tolist(), 0
            self.size *= 2
        self.pos += 1
        return self.buf[self.pos - 1]

    def close(self):
        if self.pos < len(self.buf):
            self.gen._load(self.mark)
            self.gen.random_u64(self.pos)
        self.buf, self.pos = [], 0
