"""NumPy kernels of the pointwise op families: trigonometric, exp/log, rounding, predicates,
special functions, softmax.

`pointwise(name, *operands)` runs kernel `name` from one table (NumPy ufuncs, SciPy special
functions, and torch's own algorithms where their values differ). float16 and bfloat16
operands are computed in float32 and the result rounded once, as torch's CPU kernels do, and
a floating result keeps the precision of its operands (SciPy answers some float32 inputs
in float64).
"""
from __future__ import annotations

import math

import ml_dtypes
import numpy as np

from ember._backend.numpy_polynomials import POLYNOMIALS
from ember._backend.numpy_special import SPECIAL

_F16 = np.dtype(np.float16)
_BF16 = np.dtype(ml_dtypes.bfloat16)
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_C64, _C128 = np.dtype(np.complex64), np.dtype(np.complex128)
_LOW = (_F16, _BF16)
# precision a floating / complex result keeps, by the dtype of the first operand
_REAL = {_F16: _F16, _BF16: _BF16, _F32: _F32, _F64: _F64, _C64: _F32, _C128: _F64}
_CPLX = {_F32: _C64, _C64: _C64, _F64: _C128, _C128: _C128}
_LN2 = math.log(2.0)


def _sinc(x):
    px = np.pi * x
    return np.where(x == 0, np.ones((), x.dtype), np.sin(px) / np.where(x == 0, 1, px))


def _rsqrt(x):
    return np.reciprocal(np.sqrt(x))


def _logaddexp(a, b):
    """torch's logaddexp: max(a, b) + log1p(exp(-|a - b|)); a == b == +-inf gives a."""
    if np.result_type(a, b).kind == "c":
        return _logaddexp_complex(a, b)
    m = np.maximum(a, b)
    out = m + np.log1p(np.exp(-np.abs(np.subtract(a, b))))
    return np.where(np.isinf(a) & (a == b), a, out)


def _logaddexp_complex(a, b):
    """torch's complex logaddexp: pairs ordered by real part; NaN anywhere gives NaN, equal
    infinite real parts are handled without inf - inf."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    b_less = b.real < a.real
    lo, hi = np.where(b_less, b, a), np.where(b_less, a, b)
    out = np.log1p(np.exp(lo - hi)) + hi
    same_inf = ~np.isfinite(lo.real) & (lo.real == hi.real)
    out = np.where(same_inf, np.where(lo.real < 0, lo, np.log(np.exp(lo) + np.exp(hi))), out)
    nan = np.isnan(lo.real) | np.isnan(lo.imag)
    return np.where(nan, np.asarray(complex(np.nan, np.nan), out.dtype), out)


def _logaddexp2(a, b):
    m = np.maximum(a, b)
    out = m + np.log1p(np.exp2(-np.abs(np.subtract(a, b)))) / _LN2
    return np.where(np.isinf(a) & (a == b), a, out)


def _xlogy(x, y, log=np.log):
    out = np.multiply(x, log(y))
    return np.where(np.isnan(y), y, np.where(x == 0, np.zeros((), out.dtype), out))


def _xlog1py(x, y):
    return _xlogy(x, y, np.log1p)


def _heaviside(x, values):
    out = np.where(x == 0, values, np.greater(x, 0))
    return out.astype(np.result_type(x, values), copy=False)


def _lerp(x, end, w):
    """torch's two-sided lerp: from `x` for |w| < 0.5, else back from `end`."""
    return np.where(np.abs(w) < 0.5, x + w * (end - x), end - (end - x) * (1 - w))


def _addcmul(x, t1, t2, *, value):
    return x + _operand(value, x.dtype) * t1 * t2


def _addcdiv(x, t1, t2, *, value):
    return x + _operand(value, x.dtype) * t1 / t2


def _angle(x):
    """The argument of a complex number; pi for negative reals (NaN stays NaN)."""
    if x.dtype.kind == "c":
        return np.angle(x)
    return np.where(np.isnan(x), x, np.where(x < 0, np.pi, 0.0).astype(x.dtype))


def _elu(x, *, alpha, scale, input_scale):
    return np.where(x > 0, x * scale, np.expm1(x * input_scale) * (alpha * scale))


def _leaky_relu(x, *, slope):
    return np.where(x > 0, x, x * slope)


def _hardshrink(x, *, lambd):
    return np.where((x >= -lambd) & (x <= lambd), np.zeros((), x.dtype), x)


def _threshold(x, *, threshold, value):
    return np.where(x <= _operand(threshold, x.dtype), _operand(value, x.dtype), x)


def _exact(fn):
    """A rounding kernel: integer inputs come back as they are."""
    def run(x):
        return x.copy() if x.dtype.kind in "iub" else fn(x)
    return run


def _signbit(x):
    if x.dtype.kind == "f":
        return np.signbit(x)
    return np.less(x, 0)


def _isposinf(x):
    return np.isposinf(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)


def _isneginf(x):
    return np.isneginf(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)


def _isreal(x):
    return x.imag == 0 if x.dtype.kind == "c" else np.ones(x.shape, bool)


def _nextafter(x, y):
    dt = np.result_type(x, y)
    if dt == _BF16:        # step in bfloat16's own bit pattern
        x, y = np.broadcast_arrays(np.asarray(x, dt), np.asarray(y, dt))
        return _next_bits(x, y)
    return np.nextafter(x, y)


def _next_bits(x, y):
    bits = x.view(np.uint16).astype(np.int32)
    up = (y > x) == (x >= 0)
    step = np.where(up, 1, -1)
    stepped = np.where(x == 0, np.where(y > 0, 1, 0x8001), bits + step)
    out = np.where((x == y) | np.isnan(x) | np.isnan(y), bits, stepped)
    out = out.astype(np.uint16).view(_BF16)
    return np.where(np.isnan(x) | np.isnan(y), np.asarray(np.nan, _BF16), np.where(x == y, y, out))


_NUMPY = {
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "atan2": np.arctan2, "hypot": np.hypot, "sinc": _sinc,
    "deg2rad": lambda x: x * (math.pi / 180.0), "rad2deg": lambda x: x * (180.0 / math.pi),
    "exp2": np.exp2, "expm1": np.expm1, "log2": np.log2, "log10": np.log10,
    "log1p": np.log1p, "rsqrt": _rsqrt, "logaddexp": _logaddexp, "logaddexp2": _logaddexp2,
    "ldexp": lambda x, e: x * np.exp2(e), "xlogy": _xlogy, "xlog1py": _xlog1py,
    "floor": _exact(np.floor), "ceil": _exact(np.ceil), "trunc": _exact(np.trunc),
    "frac": lambda x: x - np.trunc(x), "signbit": _signbit, "copysign": np.copysign,
    "nextafter": _nextafter, "fmod": np.fmod, "heaviside": _heaviside, "gcd": np.gcd,
    "lcm": np.lcm, "maximum": np.maximum, "minimum": np.minimum, "fmax": np.fmax,
    "fmin": np.fmin, "isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite,
    "isposinf": _isposinf, "isneginf": _isneginf, "isreal": _isreal, "angle": _angle,
    "lerp": _lerp, "addcmul": _addcmul, "addcdiv": _addcdiv, "elu": _elu,
    "leaky_relu": _leaky_relu, "hardshrink": _hardshrink, "threshold": _threshold,
}
_TABLE = {**_NUMPY, **SPECIAL, **POLYNOMIALS}
# kernels that must see the low-precision operands themselves (no float32 detour)
_NATIVE = frozenset({"nextafter"})


def _first_dtype(operands):
    for a in operands:
        dt = getattr(a, "dtype", None)
        if dt is not None:
            return dt
    return None


def _operand(a, dt):
    """An array in dtype `dt` (a no-op for arrays already in it)."""
    if getattr(a, "dtype", None) == dt:
        return a
    return np.array(a).astype(dt)


def _finish(out, dt):
    """`out` as an array, a floating / complex result in the precision of dtype `dt`."""
    out = np.asarray(out)
    kind = out.dtype.kind
    want = _REAL.get(dt) if kind == "f" else _CPLX.get(dt) if kind == "c" else None
    return out if want is None or out.dtype == want else out.astype(want)


class NumpyPointwise:
    """Pointwise kernels mixed into the NumPy backend."""

    @staticmethod
    def pointwise(name, *operands, **params):
        """Kernel `name` on `operands` (arrays, or scalars taken in the arrays' dtype) with
        keyword `params` (degrees, eps) passed through."""
        dt = getattr(operands[0], "dtype", None) or _first_dtype(operands)
        if dt in _LOW and name not in _NATIVE:
            operands = [_operand(a, _F32) for a in operands]
        elif len(operands) > 1:
            operands = [_operand(a, dt) for a in operands]
        out = _TABLE[name](*operands, **params)
        if type(out) is np.ndarray and out.dtype == dt:
            return out
        return _finish(out, dt)

    @staticmethod
    def round_decimals(x, decimals):
        """Round half to even after scaling by 10**decimals (torch's two-step rounding)."""
        if x.dtype.kind in "iub":
            return x.copy()
        y = x.astype(np.float32) if x.dtype in _LOW else x
        if decimals == 0:
            out = np.rint(y)
        else:
            scale = y.dtype.type(10.0 ** abs(decimals))
            out = np.rint(y / scale) * scale if decimals < 0 else np.rint(y * scale) / scale
        return np.asarray(out).astype(x.dtype, copy=False)

    @staticmethod
    def nan_to_num(x, nan, posinf, neginf):
        if x.dtype.kind in "iub":
            return x.copy()
        info = ml_dtypes.finfo(_REAL[x.dtype])
        hi = info.max if posinf is None else posinf
        lo = info.min if neginf is None else neginf
        y = x.astype(np.float32) if x.dtype in _LOW else x
        out = np.nan_to_num(y, nan=nan, posinf=float(hi), neginf=float(lo))
        return np.asarray(out).astype(x.dtype, copy=False)

    @staticmethod
    def frexp(x):
        y = x.astype(np.float32) if x.dtype in _LOW else x
        mantissa, exponent = np.frexp(y)
        return np.asarray(mantissa).astype(x.dtype, copy=False), np.asarray(exponent, np.int32)

    @staticmethod
    def isclose(a, b, rtol, atol, equal_nan, float_dt):
        """torch's isclose: equal, or finite |a - b| <= atol + |rtol * b|, computed in the
        inputs' dtype (integer and bool inputs in the default float dtype `float_dt`)."""
        close = np.equal(a, b)
        if equal_nan and a.dtype.kind not in "iub":
            close = close | (np.isnan(a) & np.isnan(b))
        if rtol == 0 and atol == 0:
            return np.asarray(close)
        if a.dtype.kind in "iub":
            a, b = a.astype(float_dt), b.astype(float_dt)
        err = np.abs(a - b)
        allowed = np.asarray(atol + np.abs(rtol * b)).astype(err.dtype, copy=False)
        return np.asarray(close | (np.isfinite(err) & (err <= allowed)))

    @staticmethod
    def equal(a, b):
        return bool(a.shape == b.shape and np.array_equal(a, b))

    @staticmethod
    def polar(magnitude, angle):
        out = magnitude * np.cos(angle) + 1j * (magnitude * np.sin(angle))
        return np.asarray(out).astype(_CPLX[magnitude.dtype], copy=False)

    @staticmethod
    def softmax(x, dim, log):
        """softmax (or log_softmax) along `dim`, shifted by the maximum for stability."""
        if x.size == 0:
            return x.copy()
        y = x.astype(np.float32) if x.dtype in _LOW else x
        if y.ndim == 0:
            y = y.reshape(1)
        shifted = y - np.max(y, axis=dim, keepdims=True)
        e = np.exp(shifted)
        total = np.sum(e, axis=dim, keepdims=True)
        out = shifted - np.log(total) if log else e / total
        return np.asarray(out).reshape(x.shape).astype(x.dtype, copy=False)

    @staticmethod
    def logsumexp(x, dims, keepdim):
        """log(sum(exp(x))) over `dims`, shifted by the (finite) maximum of the real part."""
        y = x.astype(np.float32) if x.dtype in _LOW else x
        m = np.max(y.real, axis=dims, keepdims=True, initial=-np.inf)
        m = np.where(np.isinf(m), 0, m).astype(y.real.dtype)
        out = np.log(np.sum(np.exp(y - m), axis=dims, keepdims=True)) + m
        if not keepdim:
            out = out.reshape([s for d, s in enumerate(x.shape) if d not in dims])
        return np.asarray(out).astype(x.dtype, copy=False)

    @staticmethod
    def rrelu_with_noise(engine, x, lower, upper):
        """(output, noise) of rrelu in training: each element <= 0, in memory order, takes
        a slope r = u * (upper - lower) + lower from one 53-bit uniform u of `engine`; the
        product is formed in float32 for float16 / bfloat16 / float32 (torch's opmath)."""
        op = np.float64 if x.dtype == _F64 else np.float32
        lower, upper = float(op(lower)), float(op(upper))     # torch holds them in opmath
        hit = x <= 0
        r = engine.uniform_double(int(np.count_nonzero(hit))) * (upper - lower) + lower
        noise = np.ones(x.shape, x.dtype)
        out = x.copy()
        slopes = r.astype(op)
        out[hit] = (x[hit].astype(op) * slopes).astype(x.dtype)
        noise[hit] = slopes.astype(x.dtype)
        return out, noise

    @staticmethod
    def complex(real, imag):
        out = np.empty(np.broadcast_shapes(real.shape, imag.shape), _CPLX[real.dtype])
        out.real, out.imag = real, imag
        return out
