"""NumPy kernels behind the pointwise, reduction and matrix ops (CPU backend)."""
from __future__ import annotations

import ml_dtypes
import numpy as np

from ember import _dtype as D
from ember._backend.dtypes import TO_NP

_BF16 = np.dtype(ml_dtypes.bfloat16)
_F16 = np.dtype(np.float16)
_LOW = (_BF16, _F16)


def _compute(x):
    """Half and bfloat16 are computed in float32 and rounded once, as torch's CPU kernels do."""
    return x.astype(np.float32) if x.dtype in _LOW else x


class NumpyMath:
    """Math kernels mixed into the NumPy backend."""

    @staticmethod
    def is_integer(x):
        return np.asarray(x).dtype.kind in "iub"

    @staticmethod
    def any_zero(y):
        return bool(np.any(np.asarray(y) == 0))

    @staticmethod
    def trunc_divide(x, y):
        if np.asarray(x).dtype.kind in "iu":
            q = np.floor_divide(x, y)
            fix = (np.remainder(x, y) != 0) & ((np.asarray(x) < 0) != (np.asarray(y) < 0))
            return (q + fix).astype(np.result_type(x, y), copy=False)
        return np.trunc(np.true_divide(x, y))

    @staticmethod
    def power(x, e):
        xa, ea = np.asarray(x), np.asarray(e)
        if xa.dtype.kind in "iu" and ea.dtype.kind in "iu" and np.any(ea < 0):
            # C integer pow: x ** negative is 0 except for x in {1, -1}
            pos = np.power(xa, np.maximum(ea, 0))
            neg = np.where(xa == 1, 1, np.where(xa == -1, np.where(ea % 2 == 0, 1, -1), 0))
            return np.where(ea < 0, neg, pos).astype(np.result_type(xa, ea))
        if xa.dtype in _LOW or ea.dtype in _LOW:
            out_dt = xa.dtype if xa.dtype in _LOW else ea.dtype
            return np.power(_compute(xa), _compute(ea)).astype(out_dt)
        if xa.dtype == np.bool_ and ea.dtype == np.bool_:    # x ** True is x, x ** False 1
            return xa | ~ea
        return np.power(x, e)

    @staticmethod
    def sigmoid(x):
        y = np.reciprocal(1 + np.exp(-_compute(x)))
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def relu(x):
        if x.dtype.kind == "f":          # np.maximum with a scalar does not vectorise
            return np.clip(x, 0, np.inf)
        return np.maximum(x, np.zeros((), x.dtype))

    @staticmethod
    def sign(x):
        if x.dtype == np.bool_:
            return x.copy()
        if x.dtype.kind == "f":     # NOTE(torch): sign(nan) is 0, not nan
            return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)
        return np.sign(x)

    @staticmethod
    def sgn(x):
        if x.dtype.kind != "c":
            return NumpyMath.sign(x)
        a = np.abs(x)
        return np.where(a == 0, 0, x / np.where(a == 0, 1, a)).astype(x.dtype)

    @staticmethod
    def clip(x, lo, hi):
        out = x
        if lo is not None:
            out = np.maximum(out, lo)
            out = np.where(np.isnan(x), x, out) if x.dtype.kind in "fc" else out
        if hi is not None:
            out = np.minimum(out, hi)
        if out is x:
            out = x.copy()
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def masked_fill(x, mask, value):
        if not isinstance(value, np.ndarray):
            from ember._backend.numpy_backend import cast_scalar
            value = cast_scalar(value, D.bool if x.dtype == np.bool_ else
                                _ember_dtype(x.dtype))
        return np.where(mask, value.astype(x.dtype), x)

    @staticmethod
    def has_nan(x):
        return x.dtype.kind in "fc" and bool(np.isnan(x).any())

    @staticmethod
    def out_of_bounds(index, size):
        """The first index outside [-size, size), or None."""
        if index.size == 0:
            return None
        bad = (index < -size) | (index >= size)
        if not bad.any():
            return None
        return int(index[bad].reshape(-1)[0])

    @staticmethod
    def take_index(x, key):
        out = x[key]
        return out.copy() if out.base is not None and not any(
            isinstance(k, np.ndarray) for k in key) else np.asarray(out)

    @staticmethod
    def index_put(x, key, values, accumulate):
        out = x.copy()
        values = np.asarray(values).astype(x.dtype, copy=False)
        if accumulate:
            np.add.at(out, key, values)
        else:
            out[key] = values
        return out

    @staticmethod
    def matmul(a, b):
        if a.dtype in _LOW:
            return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
        if a.dtype == np.bool_:
            raise RuntimeError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
        out = np.matmul(_blas_ready(a), _blas_ready(b))
        return out if isinstance(out, np.ndarray) else np.asarray(out)

    @staticmethod
    def sum(x, dims, keepdim, dtype):
        npdt = TO_NP[dtype]
        acc = np.float32 if npdt in _LOW else npdt
        out = np.sum(x, axis=dims, dtype=acc, keepdims=keepdim)
        return np.asarray(out).astype(npdt, copy=False)

    @staticmethod
    def mean(x, dims, keepdim, dtype):
        npdt = TO_NP[dtype]
        acc = np.float32 if npdt in _LOW else npdt
        count = 1
        for d in dims:
            count *= x.shape[d]
        total = np.sum(x, axis=dims, dtype=acc, keepdims=keepdim)
        out = np.true_divide(total, count) if count else np.full_like(total, np.nan)
        return np.asarray(out).astype(npdt, copy=False)


def _blas_ready(x):
    """A layout BLAS takes directly: the matrices C- or F-contiguous (an expanded gradient,
    with zero strides, would send NumPy to its slow generic loop)."""
    if x.ndim < 2 or x.flags.c_contiguous or x.flags.f_contiguous:
        return x
    last = x.strides[-2:]
    item = x.itemsize
    if (last[1] == item and last[0] >= x.shape[-1] * item) or \
            (last[0] == item and last[1] >= x.shape[-2] * item):
        return x if x.ndim == 2 or 0 not in x.strides[:-2] else np.ascontiguousarray(x)
    return np.ascontiguousarray(x)


def _ember_dtype(npdt):
    from ember._backend.dtypes import FROM_NP
    return FROM_NP[npdt]
