"""NumPy kernels of the normalization layers (CPU backend): batch, layer and group norm,
forward and first-order backward, each a handful of whole-array passes.

Data comes as (N, C, S): N samples, C channels (what the affine parameters and the batch
statistics follow), S the flattened spatial extent; layer and group norm also take rows
(R, K) normalized one by one. Half and bfloat16 are computed in float32 and rounded once at
the end, as torch's CPU kernels do. Channel statistics are accumulated in float64, close to
torch's double accumulators.

NumPy pays a fixed cost per innermost loop, so a broadcast over short rows is slow: per-channel
ops on a small S run on the (N, C * S) view with the channel vector repeated, and rows shorter
than a few thousand elements are regrouped k at a time with the vector tiled k times.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

_LOW = (np.dtype(ml_dtypes.bfloat16), np.dtype(np.float16))
_F64 = np.dtype(np.float64)
_LONG = 256      # from this spatial extent on, per-channel ops broadcast along S directly
_TILE = 4096     # short rows are regrouped into rows of about this many elements


def _compute(arr):
    """`arr` in its compute dtype (float32 for half and bfloat16), C-contiguous."""
    if arr.dtype in _LOW:
        return arr.astype(np.float32)
    return np.ascontiguousarray(arr)


def _group(a):
    """(rows per regrouped row k, rows covered by the regrouping) for 2-D `a`."""
    r, m = a.shape
    k = min(r, _TILE // m) if m else 1
    return k, (r - r % k if k > 1 else 0)


def _cols(ufunc, a, v, out):
    """``ufunc(a, v, out=out)`` for 2-D C-contiguous `a` and `out`, `v` of the row length."""
    k, bulk = _group(a)
    if bulk:
        m = a.shape[1]
        ufunc(a[:bulk].reshape(-1, k * m), np.tile(v, k), out=out[:bulk].reshape(-1, k * m))
    if bulk < a.shape[0]:
        ufunc(a[bulk:], v, out=out[bulk:])
    return out


def _col_sums(a, b=None):
    """Sums over the rows of 2-D C-contiguous `a` (of ``a * b`` when `b` is given), summed
    in the arrays' dtype within each regrouped column and in float64 across them."""
    k, bulk = _group(a)
    m = a.shape[1]
    total = np.zeros(m, _F64)
    if bulk:
        parts = _sum_rows(a[:bulk].reshape(-1, k * m), None if b is None else
                          b[:bulk].reshape(-1, k * m))
        total += parts.reshape(k, m).sum(0, dtype=_F64)
    if bulk < a.shape[0]:
        total += _sum_rows(a[bulk:], None if b is None else b[bulk:])
    return total


def _sum_rows(a, b):
    return a.sum(0) if b is None else np.einsum("ij,ij->j", a, b)


def _chan(ufunc, a, v, out):
    """``out = ufunc(a, v[c])`` per channel c of (N, C, S) C-contiguous `a`."""
    n, c, s = a.shape
    if s >= _LONG:
        return ufunc(a, v[:, None], out=out)
    _cols(ufunc, a.reshape(n, c * s), np.repeat(v, s) if s > 1 else v, out.reshape(n, c * s))
    return out


def _channel_sum(a, b=None):
    """Per-channel sums of (N, C, S) `a` (of ``a * b`` when `b` is given), in float64."""
    n, c, s = a.shape
    if s >= _LONG:
        return np.vecdot(a, np.ones(s, a.dtype) if b is None else b).sum(0, dtype=_F64)
    flat = a.reshape(n, c * s), None if b is None else b.reshape(n, c * s)
    return _col_sums(*flat).reshape(c, s).sum(1)


def _affine_terms(mean, invstd, weight, bias, dt):
    """torch's per-channel (alpha, beta) with ``y = x * alpha + beta``, in `dt`."""
    alpha = invstd.astype(dt, copy=False)
    if weight is not None:
        alpha = alpha * weight.astype(dt)
    beta = -(mean.astype(dt) * alpha)
    if bias is not None:
        beta = bias.astype(dt) + beta
    return alpha, beta


def _count(a):
    return a.shape[0] * a.shape[2]


class NumpyNorm:
    """Normalization kernels mixed into the NumPy backend."""

    # --- batch norm -----------------------------------------------------------------------
    @staticmethod
    def batch_norm_train(x, weight, bias, eps):
        """(y, mean, invstd, var_sum) of `x` (N, C, S) over N and S. As torch, the mean and the
        sum of squared deviations are accumulated in float64 and stored in the compute dtype,
        invstd is computed from them in float64."""
        xf = _compute(x)
        dt, m = xf.dtype, _count(xf)
        mean = (_channel_sum(xf) / m).astype(dt)
        out = _chan(np.subtract, xf, mean, np.empty_like(xf))
        var_sum = _channel_sum(out, out).astype(dt)
        invstd = (1.0 / np.sqrt(var_sum.astype(_F64) / m + eps)).astype(dt)
        alpha, beta = _affine_terms(mean, invstd, weight, bias, dt)
        _chan(np.add, _chan(np.multiply, xf, alpha, out), beta, out)
        return out.astype(x.dtype, copy=False), mean, invstd, var_sum

    @staticmethod
    def batch_norm_update(running_mean, running_var, mean, var_sum, count, momentum):
        """torch's running-statistics update (unbiased variance), in float64, in place."""
        if running_mean is not None:
            new = momentum * mean.astype(_F64) + (1 - momentum) * running_mean.astype(_F64)
            running_mean[...] = new.astype(running_mean.dtype)
        if running_var is not None:
            unbiased = var_sum.astype(_F64) / (count - 1) if count > 1 else var_sum * np.nan
            new = momentum * unbiased + (1 - momentum) * running_var.astype(_F64)
            running_var[...] = new.astype(running_var.dtype)

    @staticmethod
    def batch_norm_eval(x, weight, bias, running_mean, running_var, eps):
        """(y, invstd) of `x` (N, C, S) normalized by the running statistics."""
        xf = _compute(x)
        dt = xf.dtype
        invstd = 1 / np.sqrt(running_var.astype(dt) + dt.type(eps))
        alpha, beta = _affine_terms(running_mean, invstd, weight, bias, dt)
        out = _chan(np.multiply, xf, alpha, np.empty_like(xf))
        _chan(np.add, out, beta, out)
        return out.astype(x.dtype, copy=False), invstd

    @staticmethod
    def batch_norm_backward(g, x, weight, mean, invstd, train, need, out_shape):
        """(grad_input of `out_shape`, grad_weight, grad_bias) of batch norm (None where
        `need` is False). `g`, `x` are (N, C, S); `mean` / `invstd` the batch (train) or
        running statistics."""
        gf, xf = _compute(g), _compute(x)
        dt, m = xf.dtype, _count(xf)
        xc = _chan(np.subtract, xf, mean.astype(dt), np.empty_like(xf))
        invstd = invstd.astype(_F64)
        dotp = _channel_sum(xc, gf)
        gsum = _channel_sum(gf)
        scale = invstd if weight is None else invstd * weight.astype(_F64)
        gx = None
        if need[0]:
            result = np.empty(out_shape, dt)       # a base array: autograd keeps it as is
            gx = _chan(np.multiply, gf, scale.astype(dt), result.reshape(gf.shape))
            if train:
                # (g - mean(g) - xc * dot(xc, g) invstd^2 / m) * invstd * w
                k = dotp * invstd * invstd / m * scale
                gx -= _chan(np.multiply, xc, k.astype(dt), xc)
                _chan(np.subtract, gx, (gsum / m * scale).astype(dt), gx)
            gx = result.astype(g.dtype, copy=False)
        return gx, dotp * invstd if need[1] else None, gsum if need[2] else None

    # --- layer and group norm -------------------------------------------------------------
    @staticmethod
    def row_norm_forward(x, eps):
        """(xhat, mean, rstd) of `x` (R, K) normalized per row, all in the compute dtype."""
        xf = _compute(x)
        dt, k = xf.dtype, xf.shape[1]
        mean = np.vecdot(xf, np.ones(k, dt)) / dt.type(k)
        xhat = np.subtract(xf, mean[:, None])
        rstd = 1 / np.sqrt(np.vecdot(xhat, xhat) / dt.type(k) + dt.type(eps))
        np.multiply(xhat, rstd[:, None], out=xhat)
        return xhat, mean, rstd

    @staticmethod
    def channel_affine(xhat, weight, bias, out_dtype):
        """``xhat * weight + bias`` per channel of (N, C, S) `xhat`, cast to `out_dtype`."""
        dt = xhat.dtype
        out = np.empty_like(xhat)
        if weight is not None:
            _chan(np.multiply, xhat, weight.astype(dt), out)
        else:
            np.copyto(out, xhat)
        if bias is not None:
            _chan(np.add, out, bias.astype(dt), out)
        return out.astype(out_dtype, copy=False)

    @staticmethod
    def channel_affine_backward(g, xhat, weight, need):
        """(grad of xhat, grad_weight, grad_bias) of `channel_affine`; `g` and `xhat` are
        (N, C, S), grad of xhat in the compute dtype."""
        gf = _compute(g)
        gw = _channel_sum(gf, xhat) if need[1] else None
        gb = _channel_sum(gf) if need[2] else None
        if not need[0] or weight is None:
            return (gf if need[0] else None), gw, gb
        return _chan(np.multiply, gf, weight.astype(gf.dtype), np.empty_like(gf)), gw, gb

    @staticmethod
    def row_norm_backward(gxhat, xhat, rstd, out_dtype, out_shape):
        """grad of `x` (of `out_shape`) from grad of `xhat` (both (R, K)) of
        `row_norm_forward`."""
        dt, k = xhat.dtype, xhat.shape[1]
        # rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)), per row
        a = np.vecdot(gxhat, np.ones(k, dt)) / dt.type(k)
        c = np.vecdot(gxhat, xhat) / dt.type(k)
        result = np.empty(out_shape, dt)           # a base array: autograd keeps it as is
        gx = np.multiply(xhat, c[:, None], out=result.reshape(xhat.shape))
        np.subtract(gxhat, gx, out=gx)
        gx -= a[:, None]
        gx *= rstd[:, None]
        return result.astype(out_dtype, copy=False)
