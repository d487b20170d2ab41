"""NumPy kernels of the nn activations and of their gradients ``g * f'(x)``.

`activation(name, *arrays, **params)` runs kernel `name` from one table. float16 and
bfloat16 operands compute in float32 and the result is rounded once (torch's opmath).
Each kernel follows torch's CPU formula (rearranged only where NumPy would be slow or
overflow: log1p, softplus) and works in place in one to three buffers. NumPy's ``where``
does not vectorise unpredictable masks (it is ~15x slower than an add on random signs), so
hot kernels select with clip, maximum and mask products.

NOTE(torch): where torch's vectorised and scalar CPU loops disagree (NaN and boundary
points of the piecewise gradients: the scalar loop only runs on the few tail elements of a
contiguous tensor), these kernels give the vectorised answer, the one of the bulk.
"""
from __future__ import annotations

import math

import ml_dtypes
import numpy as np
from scipy.special import erf as _erf_exact

_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
_SQRT1_2 = math.sqrt(0.5)
_PDF = 1.0 / math.sqrt(2.0 * math.pi)            # gelu's pdf factor, M_2_SQRTPI * M_SQRT1_2 / 2
_TANH_BETA = math.sqrt(2.0 / math.pi)            # M_SQRT2 * M_2_SQRTPI / 2
_KAPPA = 0.044715
_SIGN_BIT = np.int32(-2 ** 31)
_ONE_SIXTH = np.float32(1 / 6)                   # torch's float literal, in every dtype
# Abramowitz & Stegun 7.1.26: the erf of torch's vectorised float kernels (gelu)
_AS_P, _AS = 0.3275911, (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


def _erf_half(x, e):
    """erf(x / sqrt(2)) as torch's gelu kernels evaluate it: for float32 the A&S polynomial
    of torch's vectorised erf (max error 1.5e-7), given ``e = exp(-x^2 / 2)``; the exact
    function for float64."""
    if x.dtype != _F32:
        return _erf_exact(x * _SQRT1_2)
    t = np.abs(x)
    t *= _AS_P * _SQRT1_2
    t += 1
    np.reciprocal(t, out=t)
    r = t * _AS[0]
    for a in _AS[1:]:
        r += a
        r *= t                                  # ends with the factor t of the A&S form
    r *= e
    np.subtract(1, r, out=r)                    # |erf|, now given the sign bit of x
    r_bits = r.view(np.int32)                   # (np.copysign does not vectorise)
    np.bitwise_or(r_bits, np.bitwise_and(x.view(np.int32), _SIGN_BIT), out=r_bits)
    return r


def _exp_half_square(x):
    """exp(-x^2 / 2)."""
    e = np.square(x)
    e *= -0.5
    return np.exp(e, out=e)


def _log1p(u):
    """log1p; for float32 as log(w) - ((w - 1) - u) / w, w = 1 + u (within 4 ulp, and 2.5x
    faster than NumPy's scalar float32 log1p) for finite u >= 0."""
    if u.dtype != _F32:
        return np.log1p(u)
    w = u + 1
    d = w - 1
    d -= u
    d /= w
    np.log(w, out=w)
    w -= d
    return w


def _softplus_unit(v):
    """log(1 + exp(v)) = max(v, 0) + log1p(exp(-|v|)), which never overflows."""
    t = np.abs(v)
    np.negative(t, out=t)
    np.exp(t, out=t)
    t = _log1p(t)
    t += np.clip(v, 0, np.inf)            # (a None bound does not vectorise)
    return t


def _sigmoid(x):
    s = np.negative(x)
    np.exp(s, out=s)
    s += 1
    return np.reciprocal(s, out=s)


def _tanh_softplus(x):
    return np.tanh(_softplus_unit(x))


# --- gelu ------------------------------------------------------------------------------
def _gelu(x, *, approximate):
    if approximate == "tanh":
        t = np.square(x)
        t *= x
        t *= _KAPPA
        t += x
        t *= _TANH_BETA
        np.tanh(t, out=t)
    else:
        t = _erf_half(x, None if x.dtype != _F32 else _exp_half_square(x))
    t += 1
    t *= x
    t *= 0.5
    return t


def _gelu_backward(g, x, *, approximate):
    """g * (cdf(x) + x pdf(x)); exp(-x^2 / 2) serves both the pdf and the erf."""
    if approximate == "tanh":
        return _gelu_tanh_backward(g, x)
    p = _exp_half_square(x)
    c = _erf_half(x, p)
    c += 1
    c *= 0.5                                    # cdf(x)
    p *= _PDF
    p *= x                                      # x pdf(x)
    c += p
    c *= g
    return c


def _gelu_tanh_backward(g, x):
    sq = np.square(x)
    th = sq * x
    th *= _KAPPA
    th += x
    th *= _TANH_BETA
    np.tanh(th, out=th)
    sq *= 3 * _KAPPA
    sq += 1
    sq *= _TANH_BETA                            # d(inner)/dx
    d = np.square(th)
    np.subtract(1, d, out=d)
    d *= x
    d *= 0.5
    d *= sq                                     # 0.5 x (1 - tanh^2) inner'
    th += 1
    th *= 0.5
    th += d
    th *= g
    return th


# --- sigmoid-weighted units ------------------------------------------------------------
def _silu(x):
    t = np.negative(x)
    np.exp(t, out=t)
    t += 1
    return np.divide(x, t, out=t)


def _silu_backward(g, x):
    s = _sigmoid(x)
    t = np.subtract(1, s)
    t *= x
    t += 1
    t *= s
    t *= g
    return t


def _mish(x):
    t = _tanh_softplus(x)
    t *= x
    return t


def _mish_backward(g, x):
    s = _sigmoid(x)
    ts = _tanh_softplus(x)
    d = np.square(ts)
    np.subtract(1, d, out=d)
    d *= s
    d *= x
    d += ts
    d *= g
    return d


def _softplus(x, *, beta, threshold):
    xb = x * beta
    t = _softplus_unit(xb)
    t /= beta
    return np.where(xb > threshold, x, t)     # the mask is nearly constant: where is fast


def _softplus_backward(g, x, *, beta, threshold):
    xb = x * beta
    z = np.exp(xb)
    d = z + 1
    np.divide(z, d, out=z)
    z *= g
    return np.where(xb > threshold, g, z)


def _log_sigmoid(x):
    z = np.abs(x)
    np.negative(z, out=z)
    np.exp(z, out=z)
    z = _log1p(z)
    return np.subtract(np.clip(x, -np.inf, 0), z, out=z)


def _log_sigmoid_backward(g, x):
    """torch's form: x < 0 gives g (1 - q), else g q, with q = e / (1 + e), e = exp(-|x|)."""
    q = np.abs(x)
    np.negative(q, out=q)
    np.exp(q, out=q)
    np.divide(q, q + 1, out=q)
    m = np.less(x, 0).astype(x.dtype)
    s = m * 2
    s -= 1                                      # +1 below zero, -1 elsewhere
    s *= q
    np.subtract(m, s, out=s)
    s *= g
    return s


# --- piecewise-linear units ------------------------------------------------------------
def _hardtanh(x, *, min_val, max_val):
    if x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        min_val = min(max(int(min_val), int(info.min)), int(info.max))
        max_val = min(max(int(max_val), int(info.min)), int(info.max))
    return np.clip(x, min_val, max_val)


def _hardtanh_backward(g, x, *, min_val, max_val):
    mask = np.greater(x, min_val)
    mask &= np.less(x, max_val)
    return np.multiply(g, mask)


def _threshold_backward(g, x, *, threshold):
    """g where x > threshold (or is NaN), else 0: the gradient of relu and threshold."""
    mask = np.less_equal(x, threshold)
    np.logical_not(mask, out=mask)
    return np.multiply(g, mask)


def _leaky_relu(x, *, slope):
    """x above 0, x * slope elsewhere; a slope in (0, 1] (or above 1) is max (min) of the
    two, which vectorises."""
    t = x * slope
    if 0 < slope <= 1:
        return np.maximum(x, t, out=t)
    if slope > 1:
        return np.minimum(x, t, out=t)
    return np.where(x > 0, x, t)


def _leaky_relu_backward(g, x, *, slope):
    if 0 <= slope <= 1:
        factor = np.greater(x, 0).astype(g.dtype)
        np.clip(factor, slope, 1, out=factor)   # 1 above zero, slope elsewhere: exact
        factor *= g
        return factor
    return np.where(x > 0, g, g * slope)


def _hardswish(x):
    t = x + 3
    np.clip(t, 0, 6, out=t)
    t *= x
    t /= 6
    return t


def _hardswish_backward(g, x):
    mid = g * (x / 3 + 0.5)
    return np.where(x <= -3, 0, np.where(x >= 3, g, mid)).astype(g.dtype, copy=False)


def _hardsigmoid(x):
    t = x + 3
    np.clip(t, 0, 6, out=t)
    t /= 6
    return t


def _hardsigmoid_backward(g, x):
    mask = np.greater(x, -3)
    mask &= np.less(x, 3)
    t = np.multiply(g, mask)
    t *= _ONE_SIXTH
    return t


def _softshrink(x, *, lambd):
    t = np.clip(x, -lambd, lambd)
    return np.subtract(x, t, out=t)


def _shrink_backward(g, x, *, lambd):
    """g where |x| > lambd, else 0."""
    return np.multiply(g, np.greater(np.abs(x), lambd))


# --- gated units ------------------------------------------------------------------------
def _glu(x, *, dim):
    a, b = np.split(x, 2, axis=dim)
    t = _sigmoid(b)
    t *= a
    return t


def _glu_backward(g, x, *, dim):
    a, b = np.split(x, 2, axis=dim)
    out = np.empty(x.shape, g.dtype)
    out_a, out_b = np.split(out, 2, axis=dim)
    s = _sigmoid(b)
    np.multiply(s, g, out=out_a)
    np.subtract(1, s, out=out_b)
    out_b *= s
    out_b *= a
    out_b *= g
    return out


def _prelu(x, w):
    if w.size and 0 < w.min() and w.max() <= 1:
        t = x * w
        return np.maximum(x, t, out=t)
    return np.where(x > 0, x, x * w)


_KERNELS = {
    "gelu": _gelu, "gelu_backward": _gelu_backward, "silu": _silu,
    "silu_backward": _silu_backward, "mish": _mish, "mish_backward": _mish_backward,
    "softplus": _softplus, "softplus_backward": _softplus_backward,
    "log_sigmoid": _log_sigmoid, "log_sigmoid_backward": _log_sigmoid_backward,
    "hardtanh": _hardtanh, "hardtanh_backward": _hardtanh_backward,
    "threshold_backward": _threshold_backward,
    "leaky_relu": _leaky_relu, "leaky_relu_backward": _leaky_relu_backward,
    "hardswish": _hardswish, "hardswish_backward": _hardswish_backward,
    "hardsigmoid": _hardsigmoid, "hardsigmoid_backward": _hardsigmoid_backward,
    "softshrink": _softshrink, "shrink_backward": _shrink_backward, "glu": _glu,
    "glu_backward": _glu_backward, "prelu": _prelu,
}


class NumpyActivation:
    """Activation kernels mixed into the NumPy backend."""

    @staticmethod
    def activation(name, *arrays, **params):
        """Kernel `name` on same-dtype `arrays` with keyword `params`; the result has the
        first array's dtype and shape (a zero-dim input gives a zero-dim array)."""
        first = arrays[0]
        dt, shape = first.dtype, first.shape
        if dt in _LOW:
            arrays = [a.astype(_F32) for a in arrays]
        if not shape:
            arrays = [a.reshape(1) if a.ndim == 0 else a for a in arrays]
        out = np.asarray(_KERNELS[name](*arrays, **params))
        if out.dtype != dt:
            out = out.astype(dt)
        return out.reshape(shape) if not shape else out
