"""NumPy kernels of embedding lookups (CPU backend): the dense gradient of a lookup and the
per-bag reductions of embedding_bag, by sorting and segment reductions (np.*.reduceat).
"""
from __future__ import annotations

import numpy as np

from ember._backend.numpy_index import NumpyIndex


def _segments(sorted_keys):
    """Start of every run of equal values in a sorted 1-d array."""
    first = np.ones(sorted_keys.shape, bool)
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=first[1:])
    return np.flatnonzero(first)


class NumpyEmbedding:
    """Embedding kernels mixed into the NumPy backend."""

    @staticmethod
    def embedding_backward(grad, indices, num_weights, padding_idx, scale_grad_by_freq):
        """(num_weights, D) sum of the rows of `grad` (*, D) at `indices` (*): each row scaled
        by 1 / (occurrences of its index) with `scale_grad_by_freq`, `padding_idx` skipped.
        Rows add up in input order, as torch's CPU kernel adds them."""
        d = grad.shape[-1]
        rows = grad.reshape(-1, d)
        idx = indices.reshape(-1).astype(np.intp, copy=False)
        if padding_idx >= 0:
            keep = idx != padding_idx
            rows, idx = rows[keep], idx[keep]
        if scale_grad_by_freq:
            counts = np.bincount(idx, minlength=num_weights)
            rows = rows * (1.0 / counts[idx]).astype(rows.dtype)[:, None]
        out = np.zeros((num_weights, d), grad.dtype)
        return NumpyIndex.index_add(out, 0, idx, rows, 1, inplace=True)

    @staticmethod
    def embedding_bag(weight, indices, bag, num_bags, mode, per_sample_weights, valid):
        """(output (B, D), bag sizes, argmax rows or None) of embedding_bag: the rows of
        `weight` at `indices` summed (mode 0, scaled by `per_sample_weights`), averaged
        (1) or maxed (2) per bag; `bag` is each index's bag (non-decreasing), `valid` marks
        the indices that count (not padding)."""
        d = weight.shape[1]
        idx, bag = indices[valid], bag[valid]
        sizes = np.bincount(bag, minlength=num_bags).astype(np.int64)
        out = np.zeros((num_bags, d), weight.dtype)
        if idx.size == 0:
            return out, sizes, (np.zeros((num_bags, d), np.int64) if mode == 2 else None)
        rows = weight[idx]
        if per_sample_weights is not None:
            rows = rows * per_sample_weights[valid][:, None]
        starts = _segments(bag)
        filled = bag[starts]
        if mode == 2:
            best = np.maximum.reduceat(rows, starts, axis=0)
            out[filled] = best
            # the first row reaching the maximum, as torch's strict '>' scan keeps it
            pos = np.where(rows == np.repeat(best, np.diff(np.append(starts, bag.size)),
                                             axis=0), np.arange(bag.size)[:, None], bag.size)
            argmax = np.zeros((num_bags, d), np.int64)
            argmax[filled] = idx[np.minimum.reduceat(pos, starts, axis=0)]
            return out, sizes, argmax
        out[filled] = np.add.reduceat(rows, starts, axis=0)
        if mode == 1:
            out[filled] /= sizes[filled, None].astype(out.dtype)
        return out, sizes, None
