"""NumPy kernels of the connectionist temporal classification loss (CPU backend).

The forward-backward recursions of Graves et al. (2006) run in log space over the extended
label sequence (blank, l1, blank, l2, ..., blank): one step per time frame, each step
vectorised over the batch and all label positions. Positions past a sample's extended length
hold -inf, so samples of different lengths share one recursion. Everything is computed in
float64 and the results cast to the input's dtype.
"""
from __future__ import annotations

import numpy as np

_NEG_INF = -np.inf


def _lse(*terms):
    """Elementwise log(sum(exp(terms))), -inf where every term is -inf."""
    m = terms[0]
    for t in terms[1:]:
        m = np.maximum(m, t)
    m = np.where(m == _NEG_INF, 0.0, m)
    total = np.exp(terms[0] - m)
    for t in terms[1:]:
        total += np.exp(t - m)
    return np.log(total) + m


def _shift(a, k):
    """`a` moved k places right (k > 0) or left (k < 0) along the last axis, -inf filled."""
    out = np.full_like(a, _NEG_INF)
    if k > 0:
        out[:, k:] = a[:, :-k]
    else:
        out[:, :k] = a[:, -k:]
    return out


def _extended(targets, target_lengths, blank):
    """(labels, skip, valid) of the extended sequences: labels (N, L) with blanks at even
    positions; skip marks positions reachable from two places back (label differs from the
    one two places before); valid marks positions inside each sample's 2 * length + 1."""
    n, s = targets.shape
    labels = np.full((n, 2 * s + 1), blank, np.int64)
    labels[:, 1::2] = targets
    pos = np.arange(2 * s + 1)
    valid = pos[None, :] < (2 * target_lengths + 1)[:, None]
    labels = np.where(valid, labels, blank)
    skip = np.zeros(labels.shape, bool)
    skip[:, 2:] = labels[:, 2:] != labels[:, :-2]
    return labels, skip, valid


class NumpyCTC:
    """CTC loss kernels mixed into the NumPy backend."""

    @staticmethod
    def ctc_pad_targets(targets, target_lengths):
        """(N, max length) targets from torch's concatenated 1-D layout."""
        longest = int(target_lengths.max()) if target_lengths.size else 0
        starts = np.cumsum(target_lengths) - target_lengths
        index = starts[:, None] + np.arange(longest)[None, :]
        inside = np.arange(longest)[None, :] < target_lengths[:, None]
        return np.where(inside, targets[np.where(inside, index, 0)], 0)

    @staticmethod
    def ctc_loss(lp, targets, input_lengths, target_lengths, blank):
        """(negative log likelihood per sample in lp's dtype, context for the gradient) of
        log_probs `lp` (T, N, C) and padded `targets` (N, S) (values past a sample's length
        are ignored)."""
        t_max, n = lp.shape[:2]
        labels, skip, valid = _extended(targets[:, :int(target_lengths.max(initial=0))],
                                        target_lengths, blank)
        lp64 = lp.astype(np.float64)
        lpp = np.where(valid[None], np.take_along_axis(lp64, labels[None], 2), _NEG_INF)
        alpha = np.full(lpp.shape, _NEG_INF)
        alpha[0, :, :2] = lpp[0, :, :2]
        for t in range(1, t_max):
            prev = alpha[t - 1]
            alpha[t] = _lse(prev, _shift(prev, 1), np.where(skip, _shift(prev, 2), _NEG_INF)) \
                + lpp[t]
        rows = np.arange(n)
        last = alpha[np.maximum(input_lengths - 1, 0), rows]
        end = 2 * target_lengths
        ll = _lse(last[rows, end], np.where(end > 0, last[rows, np.maximum(end - 1, 0)],
                                            _NEG_INF))
        ll = np.where(input_lengths == 0, np.where(target_lengths == 0, 0.0, _NEG_INF), ll)
        nll = -ll
        ctx = (labels, skip, lpp, alpha, nll, input_lengths, target_lengths)
        return nll.astype(lp.dtype), ctx

    @staticmethod
    def ctc_loss_backward(g, lp, ctx, zero_infinity):
        """Gradient w.r.t. `lp` as torch defines it: exp(lp) - exp(log sum over the label
        positions of class c of alpha * beta + nll - lp), times the sample's incoming
        gradient `g`; zero past each input length and, with `zero_infinity`, for samples of
        infinite loss. The exp(lp) term assumes `lp` came from log_softmax, as torch does."""
        labels, skip, lpp, alpha, nll, input_lengths, target_lengths = ctx
        t_max, n, c = lp.shape
        beta = NumpyCTC._ctc_beta(lpp, skip, input_lengths, target_lengths)
        log_ab = alpha + beta
        # NOTE(torch): at a sample's last frame torch assigns the last label's alpha * beta
        # over the last blank's instead of adding them, which differs when a target holds the
        # blank label itself; the dropped term is dropped here too.
        rows = np.arange(n)
        last_label = labels[rows, np.maximum(2 * target_lengths - 1, 0)]
        clash = rows[(target_lengths > 0) & (last_label == labels[:, 0]) & (input_lengths > 0)]
        log_ab[input_lengths[clash] - 1, clash, 2 * target_lengths[clash]] = _NEG_INF
        m = log_ab.max(axis=2, initial=_NEG_INF, keepdims=True)
        m = np.where(m == _NEG_INF, 0.0, m)
        flat = (np.arange(t_max * n).reshape(t_max, n, 1) * c + labels[None]).ravel()
        acc = np.bincount(flat, np.exp(log_ab - m).ravel(), t_max * n * c)
        lcab = np.log(acc.reshape(t_max, n, c)) + m
        lp64 = lp.astype(np.float64)
        grad = (np.exp(lp64) - np.exp(lcab + nll[None, :, None] - lp64)) \
            * g.astype(np.float64)[None, :, None]
        keep = np.arange(t_max)[:, None] < input_lengths[None, :]
        if zero_infinity:
            keep = keep & (nll != np.inf)[None, :]
        return np.where(keep[:, :, None], grad, 0.0).astype(lp.dtype)

    @staticmethod
    def _ctc_beta(lpp, skip, input_lengths, target_lengths):
        """log beta (T, N, L): the backward recursion, started at each sample's last frame
        from its last blank and last label."""
        t_max, n, width = lpp.shape
        rows = np.arange(n)
        end = 2 * target_lengths
        has_label = target_lengths > 0
        skip_ahead = np.zeros_like(skip)
        skip_ahead[:, :-2] = skip[:, 2:]
        beta = np.full(lpp.shape, _NEG_INF)
        for t in range(t_max - 1, -1, -1):
            if t < t_max - 1:
                nxt = beta[t + 1]
                beta[t] = _lse(nxt, _shift(nxt, -1),
                               np.where(skip_ahead, _shift(nxt, -2), _NEG_INF)) + lpp[t]
            start = rows[input_lengths - 1 == t]
            if start.size:
                beta[t, start] = _NEG_INF
                beta[t, start, end[start]] = lpp[t, start, end[start]]
                lab = start[has_label[start]]
                beta[t, lab, end[lab] - 1] = lpp[t, lab, end[lab] - 1]
        return beta
