"""Op table entries for the pointwise families: trigonometric, exp/log, rounding, predicates,
binary min/max, lerp / addcmul / addcdiv, complex parts."""
from __future__ import annotations

import numpy as np

from opdb import (ALL, ALL_FLOATS, FLOATS, INTS, REAL, OpInfo, Sample, binary_samples,
                  unary_samples, values)
from opdb import op as _op

OPS: list[OpInfo] = []
COMPLEX = ("complex64", "complex128")
NUMERIC = ALL[:-1]                   # everything but bool
FLOATS_C = ALL_FLOATS + COMPLEX
TENSOR_PAIRS = binary_samples(scalars=())         # ops that take no Python numbers


def _add(*infos):
    OPS.extend(infos)


def _special_values(dtype, rng, low=-3.0, high=3.0):
    """Random values with NaN, +-inf, +-0 mixed in (for floating dtypes)."""
    a = values(dtype, (4, 5), rng, low, high)
    if dtype in ALL_FLOATS + COMPLEX:
        flat = a.reshape(-1)
        flat[:6] = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0]).astype(flat.dtype)
    return a


def _with_specials(low=-3.0, high=3.0):
    base = unary_samples(low, high)

    def make(dtype, rng):
        return base(dtype, rng) + [Sample((_special_values(dtype, rng, low, high),))]
    return make


# --- trigonometric and exp / log: every dtype (integers and bool give float32) ----------
for _name, _lo, _hi in (("tan", -1.2, 1.2), ("asin", -0.9, 0.9), ("acos", -0.9, 0.9),
                        ("atan", -3, 3), ("sinh", -3, 3), ("cosh", -3, 3),
                        ("asinh", -3, 3), ("acosh", 1.2, 4), ("atanh", -0.9, 0.9),
                        ("arcsin", -0.9, 0.9), ("arctanh", -0.9, 0.9), ("sinc", -3, 3),
                        ("exp2", -3, 3), ("expm1", -3, 3), ("log2", 0.1, 5),
                        ("log10", 0.1, 5), ("log1p", -0.9, 4), ("rsqrt", 0.2, 5)):
    _add(OpInfo(_name, _op(_name), unary_samples(_lo, _hi), dtypes=ALL, rtol=2e-5))
_add(
    OpInfo("sinc_zero", _op("sinc"), lambda d, r: [Sample((np.array([0.0, 1.0, -2.5]),))],
           dtypes=("float64",)),
    OpInfo("deg2rad", _op("deg2rad"), unary_samples(-200, 200), dtypes=REAL),
    OpInfo("rad2deg", _op("rad2deg"), unary_samples(), dtypes=REAL),
    OpInfo("atan2", _op("atan2"), TENSOR_PAIRS, dtypes=REAL + COMPLEX[:1]),
    OpInfo("arctan2", _op("arctan2"), TENSOR_PAIRS, dtypes=FLOATS),
    OpInfo("hypot", _op("hypot"), TENSOR_PAIRS, dtypes=REAL),
    OpInfo("logaddexp", _op("logaddexp"), TENSOR_PAIRS, dtypes=REAL + COMPLEX),
    OpInfo("logaddexp2", _op("logaddexp2"), TENSOR_PAIRS, dtypes=REAL + COMPLEX[:1]),
    OpInfo("logaddexp_inf", _op("logaddexp"), lambda d, r: [Sample((
        np.array([np.inf, -np.inf, np.inf, 1.0, np.nan]),
        np.array([np.inf, -np.inf, -np.inf, -np.inf, 1.0])))], dtypes=FLOATS, grad=False),
    OpInfo("xlogy", _op("xlogy"), binary_samples(0.0, 3.0, scalars=(2, 2.5)), dtypes=REAL),
    OpInfo("xlogy_scalar_first", lambda lib, a: lib.xlogy(2.5, a),
           unary_samples(0.2, 3.0), dtypes=FLOATS + INTS),
    OpInfo("xlogy_zero", _op("xlogy"), lambda d, r: [Sample((
        np.array([0.0, 0.0, 1.0, 2.0]), np.array([0.0, np.nan, 0.0, 3.0])))],
           dtypes=("float64",), grad=False),
    OpInfo("ldexp", _op("ldexp"), lambda d, r: [
        Sample((values(d, (3, 4), r), values("int64", (4,), r))),
        Sample((values(d, (3, 4), r), values(d, (3, 4), r, -2, 2)))],
           dtypes=ALL_FLOATS + COMPLEX + ("int32",)),
    OpInfo("float_power", _op("float_power"), binary_samples(0.5, 2.0, scalars=(2, 0.5)),
           dtypes=FLOATS + INTS[-1:] + COMPLEX),
    OpInfo("float_power_scalar_base", lambda lib, a: lib.float_power(2, a),
           unary_samples(), dtypes=FLOATS),
    OpInfo("logit", _op("logit"), _with_specials(0.05, 0.95), dtypes=REAL),
    OpInfo("logit_eps", lambda lib, a: lib.logit(a, 0.2), unary_samples(-0.2, 1.2),
           dtypes=FLOATS + ("bfloat16",)),
    OpInfo("frexp", _op("frexp"), _with_specials(-100, 100), dtypes=ALL_FLOATS),
)

# --- rounding, sign ---------------------------------------------------------------------
for _name in ("floor", "ceil", "trunc", "fix"):
    _add(OpInfo(_name, _op(_name), _with_specials(-5, 5), dtypes=ALL))
_add(
    OpInfo("round", _op("round"), lambda d, r: _with_specials(-5, 5)(d, r) + [
        Sample((np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]).astype(d),))]
        if d in FLOATS else _with_specials(-5, 5)(d, r), dtypes=ALL),
    OpInfo("round_decimals", lambda lib, a: lib.round(a, decimals=2),
           _with_specials(-50, 50), dtypes=ALL),
    OpInfo("round_negative_decimals", lambda lib, a: lib.round(a, decimals=-1),
           unary_samples(-500, 500), dtypes=ALL_FLOATS),
    OpInfo("frac", _op("frac"), _with_specials(-5, 5), dtypes=ALL),
    OpInfo("signbit", _op("signbit"), lambda d, r: [Sample((np.array(
        [0.0, -0.0, 1.5, -2.0, np.inf, -np.inf]).astype(d),))] + unary_samples()(d, r)
        if d in ALL_FLOATS else unary_samples()(d, r), dtypes=ALL),
    OpInfo("copysign", _op("copysign"), binary_samples(scalars=(-2, 2.5, -0.0)), dtypes=ALL),
    OpInfo("nextafter", _op("nextafter"), TENSOR_PAIRS, dtypes=ALL),
    OpInfo("fmod", _op("fmod"), binary_samples(nonzero=True, scalars=(2, -2.5)), dtypes=ALL),
    OpInfo("heaviside", _op("heaviside"), TENSOR_PAIRS, dtypes=ALL, grad=False),
    OpInfo("gcd", _op("gcd"), TENSOR_PAIRS, dtypes=ALL, grad=False),
    OpInfo("lcm", _op("lcm"), TENSOR_PAIRS, dtypes=INTS + ("float32", "bool")),
    OpInfo("nan_to_num", _op("nan_to_num"), _with_specials(), dtypes=ALL),
    OpInfo("nan_to_num_values", lambda lib, a: lib.nan_to_num(a, 1.5, 100.0, -100.0),
           _with_specials(), dtypes=ALL_FLOATS + COMPLEX),
    OpInfo("positive", _op("positive"), unary_samples(), dtypes=ALL),
    OpInfo("angle", _op("angle"), _with_specials(), dtypes=ALL),
)

# --- predicates -------------------------------------------------------------------------
for _name in ("isnan", "isinf", "isfinite", "isreal", "isposinf", "isneginf"):
    _add(OpInfo(_name, _op(_name), _with_specials(), dtypes=ALL, grad=False, gradgrad=False))


def _close_samples(dtype, rng):
    a = _special_values(dtype, rng)
    b = a.copy()
    if dtype not in ("bool",) + INTS:
        b = (a * (1 + rng.uniform(-2e-5, 2e-5, a.shape))).astype(a.dtype)
    return [Sample((a, b)), Sample((a, b), {"equal_nan": True}),
            Sample((a, a[0]), {"rtol": 0.0, "atol": 0.5}),
            Sample((values(dtype, (3,), rng), values(dtype, (3,), rng)), {"atol": 2})]


_add(OpInfo("isclose", _op("isclose"), _close_samples, dtypes=ALL, grad=False))

# --- maximum / minimum / fmax / fmin ----------------------------------------------------
for _name in ("maximum", "minimum", "fmax", "fmin"):
    _add(OpInfo(_name, _op(_name), lambda d, r: TENSOR_PAIRS(d, r) + [
        Sample((_special_values(d, r), _special_values(d, r)[::-1].copy()))], dtypes=ALL))


# --- lerp, addcmul, addcdiv -------------------------------------------------------------
def _three(dtype, rng):
    return [Sample((values(dtype, (3, 4), rng), values(dtype, (4,), rng),
                    values(dtype, (3, 1), rng, 0.5, 2))),
            Sample((values(dtype, (), rng), values(dtype, (2, 3), rng),
                    values(dtype, (2, 3), rng, 0.5, 2)))]


_add(
    OpInfo("lerp_scalar", lambda lib, a, b, w: lib.lerp(a, b, 0.3), _three, dtypes=ALL),
    OpInfo("lerp_scalar_high", lambda lib, a, b, w: a.lerp(b, 0.8), _three, dtypes=FLOATS_C),
    OpInfo("lerp_tensor", _op("lerp"), lambda d, r: [
        Sample((values(d, (3, 4), r), values(d, (4,), r), values(d, (3, 1), r, -0.5, 1.5)))],
           dtypes=ALL),
    OpInfo("addcmul", lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5), _three,
           dtypes=ALL),
    OpInfo("addcmul_int_value", lambda lib, a, b, c: lib.addcmul(a, b, c, value=2), _three,
           dtypes=INTS + FLOATS),
    OpInfo("addcdiv", lambda lib, a, b, c: lib.addcdiv(a, b, c, value=-1.5), _three,
           dtypes=ALL),
)


# --- complex parts ----------------------------------------------------------------------
def _parts(dtype, rng):
    return [Sample((values(dtype, (3, 4), rng, 0.5, 2), values(dtype, (4,), rng))),
            Sample((values(dtype, (), rng), values(dtype, (2,), rng)))]


_add(
    OpInfo("polar", _op("polar"), _parts, dtypes=ALL),
    OpInfo("complex", _op("complex"), _parts, dtypes=ALL[1:]),
    OpInfo("angle_complex_grad", lambda lib, a, b: lib.complex(a, b).angle(), _parts,
           dtypes=FLOATS),
)
