"""NumPy kernels behind the fused pointwise losses of torch.nn.functional (CPU backend):
mse, huber, smooth_l1, soft_margin, binary_cross_entropy (with logits).

Forward kernels compute the unreduced loss in opmath (float32 for float16 / bfloat16, the
input's own precision otherwise), reduce it as asked (0 none, 1 mean, 2 sum) and cast to
the result dtype. Backward kernels give the input gradient for an incoming gradient `g`
(0-dim when the loss was reduced) already multiplied by the reduction's `scale`.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
EPSILON = 1e-12     # torch's floor on x (1 - x) in the gradient of binary_cross_entropy


def _opmath(x):
    return x.astype(np.float32) if x.dtype in _LOW else x


def _reduce(loss, reduction, out_dtype):
    """Reduce an opmath loss array (mean of nothing is NaN) and cast it to `out_dtype`."""
    if reduction == 1:
        loss = np.divide(loss.sum(), loss.size)
    elif reduction == 2:
        loss = loss.sum()
    return np.asarray(loss).astype(out_dtype, copy=False)


def _into(ufunc, a, b):
    """ufunc(a, b), written into `a` when the result has a's shape and dtype (fresh
    temporaries of this size cost more than the arithmetic)."""
    if np.broadcast_shapes(a.shape, np.shape(b)) == a.shape and \
            np.result_type(a, b) == a.dtype and a.flags.writeable:
        return ufunc(a, b, out=a)
    return ufunc(a, b)


def _log1p_unit(e):
    """log1p of values in [0, 1] to full precision; NumPy's float32 log1p is slow, so the
    rounding error of log(1 + e) is divided out instead (Goldberg's method)."""
    u = np.asarray(e + 1)
    exact = u == 1
    out = np.asarray(np.log(u))
    np.subtract(u, 1, out=u)
    np.divide(e, u, out=u)
    np.multiply(out, u, out=out)
    np.copyto(out, e, where=exact)
    return out


def _log_sigmoid(x):
    """log(sigmoid(x)) without overflow: min(x, 0) - log1p(exp(-|x|))."""
    e = np.asarray(np.abs(x))   # 0-dim results come back as scalars
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = _log1p_unit(e)
    return np.subtract(np.minimum(x, 0, out=e), out, out=out)


def _sigmoid(x):
    """1 / (1 + exp(-x)) (exp overflowing to inf gives 0)."""
    s = np.asarray(np.negative(x))
    np.exp(s, out=s)
    s += 1
    return np.reciprocal(s, out=s)


def _grad(slope, g, scale, out_dtype, *weights):
    """slope * g * scale (times any weights), in `out_dtype`; `slope` is a temporary."""
    out = _into(np.multiply, slope, _opmath(g) * slope.dtype.type(scale))
    for w in weights:
        if w is not None:
            out = _into(np.multiply, out, _opmath(w))
    return out.astype(out_dtype, copy=False)


class NumpyLoss:
    """Pointwise loss kernels mixed into the NumPy backend."""

    @staticmethod
    def mse_loss(x, t, reduction, out_dtype):
        d = np.asarray(_opmath(x) - _opmath(t))
        return _reduce(np.multiply(d, d, out=d), reduction, out_dtype)

    @staticmethod
    def mse_loss_backward(g, x, t, scale):
        return _grad(_opmath(x) - _opmath(t), g, 2 * scale, x.dtype)

    @staticmethod
    def huber_loss(x, t, reduction, delta, out_dtype):
        """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2)."""
        d = _opmath(x) - _opmath(t)
        ad = np.abs(d)
        loss = np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
        return _reduce(loss.astype(d.dtype, copy=False), reduction, out_dtype)

    @staticmethod
    def huber_loss_backward(g, x, t, scale, delta):
        return _grad(np.clip(_opmath(x) - _opmath(t), -delta, delta), g, scale, x.dtype)

    @staticmethod
    def smooth_l1_loss(x, t, reduction, beta, out_dtype):
        """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2."""
        ad = np.abs(_opmath(x) - _opmath(t))
        loss = np.where(ad < beta, 0.5 * ad * ad / beta, ad - 0.5 * beta)
        return _reduce(loss.astype(ad.dtype, copy=False), reduction, out_dtype)

    @staticmethod
    def smooth_l1_loss_backward(g, x, t, scale, beta):
        d = (_opmath(x) - _opmath(t)) / np.asarray(beta, _opmath(x).dtype)
        return _grad(np.clip(d, -1, 1), g, scale, x.dtype)

    @staticmethod
    def soft_margin_loss(x, t, reduction, out_dtype):
        """log(1 + exp(-t x)), formed as torch forms it (no rescaling for large -t x)."""
        return _reduce(np.log1p(np.exp(-_opmath(t) * _opmath(x))), reduction, out_dtype)

    @staticmethod
    def soft_margin_loss_backward(g, x, t, scale):
        to = _opmath(t)
        z = np.exp(-to * _opmath(x))
        return _grad(-to * z / (1 + z), g, scale, x.dtype)

    @staticmethod
    def binary_cross_entropy(x, t, weight, reduction, out_dtype):
        """-(t log x + (1 - t) log(1 - x)), each log clamped below at -100 (torch's choice,
        so that x of exactly 0 or 1 gives a finite loss)."""
        xo, to = _opmath(x), _opmath(t)
        if not np.all((xo >= 0) & (xo <= 1)):
            raise RuntimeError("all elements of input should be between 0 and 1")
        loss = (to - 1) * np.maximum(np.log1p(-xo), -100) - to * np.maximum(np.log(xo), -100)
        if weight is not None:
            loss = loss * _opmath(weight)
        return _reduce(loss.astype(xo.dtype, copy=False), reduction, out_dtype)

    @staticmethod
    def binary_cross_entropy_backward(g, x, t, weight, scale):
        xo = _opmath(x)
        slope = (xo - _opmath(t)) / np.maximum((1 - xo) * xo, EPSILON)
        return _grad(slope, g, scale, x.dtype, weight)

    @staticmethod
    def binary_cross_entropy_with_logits(x, t, weight, pos_weight, reduction, out_dtype):
        """(1 - t) x - lw log(sigmoid(x)), lw = 1 + (pos_weight - 1) t, times weight."""
        xo, to = _opmath(x), _opmath(t)
        log_sig = _log_sigmoid(xo)
        if pos_weight is not None:
            log_sig = _into(np.multiply, log_sig, (_opmath(pos_weight) - 1) * to + 1)
        loss = _into(np.multiply, 1 - to, xo)
        loss = _into(np.subtract, loss, log_sig)
        if weight is not None:
            loss = _into(np.multiply, loss, _opmath(weight))
        return _reduce(loss, reduction, out_dtype)

    @staticmethod
    def binary_cross_entropy_with_logits_backward(g, x, t, weight, pos_weight, scale):
        """sigmoid(x) - t, or (pos_weight t + 1 - t) sigmoid(x) - pos_weight t."""
        sig, to = _sigmoid(_opmath(x)), _opmath(t)
        if pos_weight is None:
            slope = _into(np.subtract, sig, to)
        else:
            pt = _opmath(pos_weight) * to
            slope = _into(np.subtract, _into(np.multiply, sig, pt + 1 - to), pt)
        return _grad(slope, g, scale, x.dtype, weight)
