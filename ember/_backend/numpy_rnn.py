"""NumPy kernels for recurrent layers: one direction of one LSTM / GRU / Elman layer.

A layer works on the time-major packed layout: ``x`` is (N, I), the rows of step t are
``x[offsets[t]:offsets[t] + batch_sizes[t]]`` and batch sizes never increase (a padded
(T, B, I) batch is the special case N = T * B, every batch size B). The input projection of
all steps is one GEMM; the loop over time steps does one (b, P) x (P, G) GEMM and the gate
arithmetic in place. The kernel returns the workspace its backward needs, in the same row
layout as the output.
"""
from __future__ import annotations

import numpy as np
from ember._backend.numpy_math import _LOW


def _steps(batch_sizes, reverse):
    """[(row offset, batch size)] in processing order."""
    offsets = np.concatenate(([0], np.cumsum(batch_sizes[:-1]))).tolist()
    steps = list(zip(offsets, batch_sizes))
    return steps[::-1] if reverse else steps


def _sigmoid_(a):
    """In-place logistic function (faster than scipy's expit on small blocks)."""
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)


def _linear_all(x, w, b):
    out = x @ w.T
    if b is not None:
        out += b
    return out


class NumpyRnn:
    """Recurrent layer kernels mixed into the NumPy backend."""

    @staticmethod
    def rnn_layer(mode, x, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr, batch_sizes, reverse):
        """(output (N, P), h_n (B, P), c_n (B, H) or None, workspace tuple) of one layer.

        `mode` is "LSTM", "GRU", "RNN_TANH" or "RNN_RELU"; half and bfloat16 compute in
        float32 and round the results once.
        """
        low = x.dtype if x.dtype in _LOW else None
        if low is not None:
            x, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr = (
                None if a is None else a.astype(np.float32)
                for a in (x, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr))
        steps = _steps(batch_sizes, reverse)
        if mode == "LSTM":
            out = _lstm(x, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr, steps)
        elif mode == "GRU":
            out = _gru(x, w_ih, w_hh, b_ih, b_hh, h0, steps)
        else:
            out = _elman(x, w_ih, w_hh, b_ih, b_hh, h0, steps, mode == "RNN_RELU")
        if low is None:
            return out
        output, h, c, ws = out
        return (output.astype(low), h.astype(low), None if c is None else c.astype(low),
                tuple(w.astype(low) for w in ws))


def _lstm(x, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr, steps):
    """Workspace: activated gates [i, f, g, o] (N, 4H), c (N, H), h before each step (N, P),
    c before each step (N, H), and o * tanh(c) (N, H) when projecting."""
    hidden = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    gates = _linear_all(x, w_ih, b_ih)
    if b_hh is not None:
        gates += b_hh
    n, dt = x.shape[0], x.dtype
    h, c = h0.copy(), c0.copy()
    out = np.empty((n, h.shape[1]), dt)
    cs, h_prev, c_prev = np.empty((n, hidden), dt), np.empty_like(out), np.empty((n, hidden), dt)
    raw = np.empty((n, hidden), dt) if w_hr is not None else out
    w_hh_t = w_hh.T
    s1, s2, s3 = hidden, 2 * hidden, 3 * hidden
    for start, b in steps:
        rows = slice(start, start + b)
        g = gates[rows]
        hp, cp = h[:b], c[:b]
        h_prev[rows], c_prev[rows] = hp, cp
        g += hp @ w_hh_t
        _sigmoid_(g[:, :s2])
        np.tanh(g[:, s2:s3], out=g[:, s2:s3])
        _sigmoid_(g[:, s3:])
        cn = cs[rows]
        np.multiply(g[:, s1:s2], cp, out=cn)
        cn += g[:, :s1] * g[:, s2:s3]
        hr = raw[rows]
        np.tanh(cn, out=hr)
        hr *= g[:, s3:]
        if w_hr is not None:
            np.matmul(hr, w_hr.T, out=out[rows])
        c[:b], h[:b] = cn, out[rows]
    ws = (gates, cs, h_prev, c_prev) + ((raw,) if w_hr is not None else ())
    return out, h, c, ws


def _gru(x, w_ih, w_hh, b_ih, b_hh, h0, steps):
    """Workspace: activated gates [r, z, n] (N, 3H), the hidden part of the n gate before
    the reset (N, H) and h before each step (N, H)."""
    hidden = w_hh.shape[1]
    s1, s2 = hidden, 2 * hidden
    gates = _linear_all(x, w_ih, b_ih)
    if b_hh is not None:
        gates[:, :s2] += b_hh[:s2]
    n, dt = x.shape[0], x.dtype
    h = h0.copy()
    out, h_prev, ghn = np.empty((n, hidden), dt), np.empty((n, hidden), dt), \
        np.empty((n, hidden), dt)
    w_hh_t = w_hh.T
    for start, b in steps:
        rows = slice(start, start + b)
        g = gates[rows]
        hp = h[:b]
        h_prev[rows] = hp
        gh = hp @ w_hh_t
        if b_hh is not None:
            gh[:, s2:] += b_hh[s2:]
        g[:, :s2] += gh[:, :s2]
        _sigmoid_(g[:, :s2])
        ghn[rows] = gh[:, s2:]
        new = g[:, s2:]
        new += g[:, :s1] * gh[:, s2:]
        np.tanh(new, out=new)
        hn = out[rows]
        np.subtract(hp, new, out=hn)       # h' = n + z * (h - n)
        hn *= g[:, s1:s2]
        hn += new
        h[:b] = hn
    return out, h, None, (gates, ghn, h_prev)


def _elman(x, w_ih, w_hh, b_ih, b_hh, h0, steps, relu):
    """Workspace: h before each step (N, H) and the output itself."""
    pre = _linear_all(x, w_ih, b_ih)
    if b_hh is not None:
        pre += b_hh
    h = h0.copy()
    h_prev = np.empty_like(pre)
    w_hh_t = w_hh.T
    for start, b in steps:
        rows = slice(start, start + b)
        g = pre[rows]
        hp = h[:b]
        h_prev[rows] = hp
        g += hp @ w_hh_t
        if relu:
            np.maximum(g, 0, out=g)
        else:
            np.tanh(g, out=g)
        h[:b] = g
    return pre, h, None, (h_prev, pre)
