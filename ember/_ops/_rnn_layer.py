"""One direction of one recurrent layer as a single graph node, with a BPTT backward.

The forward is the backend kernel ``be.rnn_layer`` (input projection as one GEMM, a loop
over time steps). The backward walks the steps in reverse with a handful of ember ops per
step, everything that does not depend on the recurrence (gate derivatives, weight and input
gradients) being computed for all steps at once. It reads the kernel's workspace when only
first derivatives are taken; under ``create_graph`` the workspace is recomputed from the
saved inputs with differentiable ember ops (the cell functions below), so the gradient it
returns can be differentiated again.

Rows are in the time-major packed layout of a PackedSequence (a padded (T, B, *) batch is
the case where every batch size is B); at step t only the first ``batch_sizes[t]`` rows of
the state take part, the others keep their value.
"""
from __future__ import annotations

from ember._ops._registry import Op, apply
from ember._ops.blas import mm
from ember._ops.blas_extra import addmm
from ember._ops.join import cat
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD


# --- cells in ember ops (torch.*_cell and the create_graph recomputation) ---------------
def linear2d(x, w, b):
    """``x @ w.T + b`` for a 2-D x (one addmm, as torch's linear)."""
    return mm(x, w.t()) if b is None else addmm(b, x, w.t())


def lstm_update(pre, cx):
    """(o * tanh(c'), c', (i, f, g, o)) from the gate pre-activations [i, f, g, o]."""
    i, f, g, o = pre.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    cy = f * cx + i * g
    return o * cy.tanh(), cy, (i, f, g, o)


def gru_update(gi, gh, hx):
    """(h', (r, z, n, W_hn h + b_hn)) from the input and hidden projections [r, z, n]."""
    ir, iz, in_ = gi.chunk(3, 1)
    hr, hz, hn = gh.chunk(3, 1)
    r = (hr + ir).sigmoid()
    z = (hz + iz).sigmoid()
    n = (in_ + r * hn).tanh()
    return (hx - n) * z + n, (r, z, n, hn)


def elman_update(pre, relu):
    return pre.relu() if relu else pre.tanh()


# --- the layer node ---------------------------------------------------------------------
class RnnLayer(Op):
    """Inputs (x, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr), absent ones None; outputs
    (output, h_n[, c_n]). x is (T, B, I) or packed rows (N, I), output likewise."""

    save_inputs = (0, 1, 2, 3, 4, 5, 6, 7)

    def forward(self, be, x, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr=None, *, mode, batch_sizes,
                reverse):
        shape = x.shape
        out, h_n, c_n, ws = be.rnn_layer(mode, x.reshape(-1, shape[-1]), w_ih, w_hh, b_ih,
                                         b_hh, h0, c0, w_hr, batch_sizes, reverse)
        self.mode, self.batch_sizes, self.reverse, self.ws = mode, batch_sizes, reverse, ws
        out = out.reshape(shape[:-1] + out.shape[-1:])
        return (out, h_n, c_n) if mode == "LSTM" else (out, h_n)

    def _release(self):
        super()._release()
        self.ws = None

    def backward(self, g_out, g_h, g_c=None):
        x, w_ih, w_hh, b_ih, b_hh, h0, c0, *w_hr = self.saved
        w_hr = w_hr[0] if w_hr else None
        x2 = x.reshape(-1, x.shape[-1])
        steps = _steps(self.batch_sizes, self.reverse)
        if GRAD.grad:      # create_graph: a workspace that depends on the inputs
            ws = _recompute(self.mode, x2, w_ih, w_hh, b_ih, b_hh, h0, c0, w_hr, steps,
                            self.batch_sizes)
        else:
            be = x._be
            ws = tuple(_wrap(a, x.dtype, be) for a in self.ws)
        g_out = g_out.reshape(-1, g_out.shape[-1])
        if self.mode == "LSTM":
            d_ih, d_hh, dh0, dc0, dw_hr = _lstm_bptt(ws, g_out, g_h, g_c, w_hh, w_hr, steps,
                                                     self.batch_sizes)
        elif self.mode == "GRU":
            d_ih, d_hh, dh0 = _gru_bptt(ws, g_out, g_h, w_hh, steps, self.batch_sizes)
            dc0 = dw_hr = None
        else:
            d_ih, d_hh, dh0 = _elman_bptt(ws, g_out, g_h, w_hh, steps, self.batch_sizes,
                                          self.mode == "RNN_RELU")
            dc0 = dw_hr = None
        need = self.needs_input_grad
        dx = mm(d_ih, w_ih).view(x.shape) if need[0] else None
        dw_ih = mm(d_ih.t(), x2) if need[1] else None
        dw_hh = mm(d_hh.t(), ws[_H_PREV[self.mode]]) if need[2] else None
        db_ih = d_ih.sum(0) if need[3] else None
        db_hh = d_hh.sum(0) if need[4] else None
        return (dx, dw_ih, dw_hh, db_ih, db_hh, dh0, dc0, dw_hr)[:len(need)]


# workspace position of "h before each step"
_H_PREV = {"LSTM": 2, "GRU": 2, "RNN_TANH": 0, "RNN_RELU": 0}


def _named(name, **attrs):
    """A subclass of RnnLayer whose node carries torch's name for the same computation."""
    cls = type(name, (RnnLayer,), {"__module__": __name__, **attrs})
    cls.__qualname__ = name
    return cls


# NOTE(torch): torch's CPU LSTM runs oneDNN (one MkldnnRnnLayerBackward0 node per layer and
# direction, without a projection input); its other recurrent layers are chains of per-step
# ops whose last node is the stack (padded input) or cat (packed input) of the steps'
# outputs. ember always records one node per layer and direction, named as the node torch's
# output hangs from.
MkldnnRnnLayer = _named("MkldnnRnnLayerBackward0", save_inputs=(0, 1, 2, 3, 4, 5, 6))
StackedRnnLayer = _named("StackBackward0")
PackedRnnLayer = _named("CatBackward0")


def rnn_layer(cls, mode, x, weights, h0, c0, batch_sizes, reverse):
    """(output, h_n[, c_n]) of one direction of one layer; `weights` is (w_ih, w_hh, b_ih,
    b_hh, w_hr) with None for absent ones; `batch_sizes` a tuple of ints."""
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    inputs = (x, w_ih, w_hh, b_ih, b_hh, h0, c0)
    if cls is not MkldnnRnnLayer:
        inputs += (w_hr,)
    return apply(cls, inputs, mode=mode, batch_sizes=batch_sizes, reverse=reverse)


# --- backward helpers -------------------------------------------------------------------
def _steps(batch_sizes, reverse):
    """[(t, batch size)] in the order the forward ran the steps."""
    steps = list(enumerate(batch_sizes))
    return steps[::-1] if reverse else steps


def _head(state, b):
    """The first b rows of a state (the rows active at a step)."""
    return state if state.shape[0] == b else state[:b]


def _merge(new, state, b):
    """`state` with its first b rows replaced by `new`."""
    return new if state.shape[0] == b else cat([new, state[b:]])


def _rows(t, batch_sizes):
    return t.split(list(batch_sizes)) if len(batch_sizes) > 1 else (t,)


def _lstm_bptt(ws, g_out, dh, dc, w_hh, w_hr, steps, batch_sizes):
    gates, cs, _, c_prev = ws[:4]
    i, f, g, o = gates.chunk(4, 1)
    tc = cs.tanh()
    # d pre-activation = [dc, dc, dc, dh] * k, and dc gets dh * (o * (1 - tanh(c)^2))
    k = cat([g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g), tc * o * (1 - o)], 1)
    k_c = o * (1 - tc * tc)
    ks, kcs, fs, gos = (_rows(a, batch_sizes) for a in (k, k_c, f, g_out))
    d_pre, d_hs = [None] * len(batch_sizes), [None] * len(batch_sizes)
    for t, b in reversed(steps):
        d_h = _head(dh, b) + gos[t]
        d_hs[t] = d_h
        if w_hr is not None:
            d_h = mm(d_h, w_hr)
        d_c = _head(dc, b).addcmul(d_h, kcs[t])
        d = cat([d_c, d_c, d_c, d_h], 1) * ks[t]
        d_pre[t] = d
        dh = _merge(mm(d, w_hh), dh, b)
        dc = _merge(d_c * fs[t], dc, b)
    d_pre = _join(d_pre)
    dw_hr = None if w_hr is None else mm(_join(d_hs).t(), ws[4])
    return d_pre, d_pre, dh, dc, dw_hr


def _gru_bptt(ws, g_out, dh, w_hh, steps, batch_sizes):
    gates, ghn, h_prev = ws
    r, z, n = gates.chunk(3, 1)
    a = (1 - z) * (1 - n * n)              # d pre-activation of n per dh
    k_r = a * ghn * r * (1 - r)
    k_z = (h_prev - n) * z * (1 - z)
    k_hh = cat([k_r, k_z, a * r], 1)       # d (W_hh h + b_hh) = [dh, dh, dh] * k_hh
    khs, zs, gos = (_rows(t, batch_sizes) for t in (k_hh, z, g_out))
    d_hh, d_hs = [None] * len(batch_sizes), [None] * len(batch_sizes)
    for t, b in reversed(steps):
        d_h = _head(dh, b) + gos[t]
        d_hs[t] = d_h
        d = cat([d_h, d_h, d_h], 1) * khs[t]
        d_hh[t] = d
        dh = _merge(addmm(d_h * zs[t], d, w_hh), dh, b)
    d_hh = _join(d_hh)
    hidden = ghn.shape[1]
    d_ih = cat([d_hh[:, :2 * hidden], _join(d_hs) * a], 1)
    return d_ih, d_hh, dh


def _elman_bptt(ws, g_out, dh, w_hh, steps, batch_sizes, relu):
    out = ws[1]
    k = (out > 0).to(out.dtype) if relu else 1 - out * out
    ks, gos = _rows(k, batch_sizes), _rows(g_out, batch_sizes)
    d_pre = [None] * len(batch_sizes)
    for t, b in reversed(steps):
        d = (_head(dh, b) + gos[t]) * ks[t]
        d_pre[t] = d
        dh = _merge(mm(d, w_hh), dh, b)
    d_pre = _join(d_pre)
    return d_pre, d_pre, dh


def _join(parts):
    return parts[0] if len(parts) == 1 else cat(parts)


# --- create_graph: the workspace recomputed in ember ops --------------------------------
def _recompute(mode, x, w_ih, w_hh, b_ih, b_hh, h, c, w_hr, steps, batch_sizes):
    """The kernel's workspace as differentiable functions of the layer's inputs."""
    xs = _rows(linear2d(x, w_ih, b_ih), batch_sizes)
    parts = [None] * len(batch_sizes)
    for t, b in steps:
        hp = _head(h, b)
        pre = xs[t] + linear2d(hp, w_hh, b_hh) if mode != "GRU" else None
        if mode == "LSTM":
            cp = _head(c, b)
            raw, cn, gates = lstm_update(pre, cp)
            hn = raw if w_hr is None else mm(raw, w_hr.t())
            parts[t] = (cat(gates, 1), cn, hp, cp, raw)
            c = _merge(cn, c, b)
        elif mode == "GRU":
            hn, (r, z, n, ghn) = gru_update(xs[t], linear2d(hp, w_hh, b_hh), hp)
            parts[t] = (cat([r, z, n], 1), ghn, hp)
        else:
            hn = elman_update(pre, mode == "RNN_RELU")
            parts[t] = (hp, hn)
        h = _merge(hn, h, b)
    return tuple(_join([p[k] for p in parts]) for k in range(len(parts[0])))
