"""Op table entries for the special functions (top level and ember.special), softmax /
log_softmax / logsumexp, and the top-level activation functions."""
from __future__ import annotations

import numpy as np

from opdb import (ALL, ALL_FLOATS, FLOATS, INTS, REAL, OpInfo, Sample, unary_samples,
                  values)
from opdb import op as _op

OPS: list[OpInfo] = []
NO_LOW = ("float32", "float64", "complex64") + INTS + ("bool",)   # torch refuses half here


def _add(*infos):
    OPS.extend(infos)


def _special(name):
    def call(lib, *args, **kwargs):
        return getattr(lib.special, name)(*args, **kwargs)
    call.__name__ = name
    return call


_DEFAULT = unary_samples()


def _points(*pts, base=_DEFAULT):
    """The base samples plus fixed points (poles, zeros, infinities)."""
    def make(dtype, rng):
        extra = np.array(pts, dtype=np.float64)
        if dtype in INTS + ("bool",):
            extra = extra[np.isfinite(extra)]
        return base(dtype, rng) + [Sample((extra.astype(dtype),))]
    return make


_POLES = (0.0, -0.0, -1.0, -2.0, -2.5, 1.0, 2.0, np.inf, -np.inf, np.nan, 1e-8, 40.0)

# --- top level --------------------------------------------------------------------------
_add(
    OpInfo("erf", _op("erf"), _points(*_POLES), dtypes=ALL),
    OpInfo("erfc", _op("erfc"), _points(*_POLES), dtypes=ALL),
    OpInfo("erfinv", _op("erfinv"), _points(0.0, -0.0, 1.0, -1.0, 1.5, 0.999,
                                             base=unary_samples(-0.9, 0.9)), dtypes=ALL),
    OpInfo("lgamma", _op("lgamma"), _points(*_POLES, base=unary_samples(-4.7, 6)),
           dtypes=ALL),
    OpInfo("digamma", _op("digamma"), _points(*_POLES, base=unary_samples(-4.7, 6)),
           dtypes=ALL, rtol=1e-4),
    OpInfo("i0", _op("i0"), _points(*_POLES), dtypes=ALL),
    OpInfo("special_gammaln", _special("gammaln"), unary_samples(0.2, 6), dtypes=FLOATS),
    OpInfo("special_psi", _special("psi"), unary_samples(0.2, 6), dtypes=FLOATS),
)
for _n in (0, 1, 2, 3):
    _add(OpInfo(f"polygamma_{_n}", lambda lib, a, n=_n: lib.polygamma(n, a),
                _points(*_POLES, base=unary_samples(-3.7, 5)), dtypes=ALL, rtol=1e-4))
_add(OpInfo("polygamma_method", lambda lib, a: a.polygamma(2), unary_samples(0.3, 5),
            dtypes=FLOATS))
for _p in (1, 2, 3):
    _add(OpInfo(f"mvlgamma_{_p}", lambda lib, a, p=_p: lib.mvlgamma(a, p),
                unary_samples(1.1 + (_p - 1) / 2, 6), dtypes=ALL[:-1], rtol=1e-4))
_add(OpInfo("special_multigammaln", lambda lib, a: lib.special.multigammaln(a, 2),
            unary_samples(1.6, 6), dtypes=FLOATS))

# --- ember.special only -----------------------------------------------------------------
for _name, _lo, _hi, _dtypes in (
        ("entr", -1, 3, ALL), ("erfcx", -3, 10, NO_LOW), ("i0e", -5, 5, ALL),
        ("i1", -5, 5, ALL), ("i1e", -5, 5, ALL), ("ndtr", -5, 5, ALL),
        ("log_ndtr", -8, 5, NO_LOW), ("ndtri", 0.02, 0.98, NO_LOW),
        ("expit", -5, 5, ALL), ("exp2", -3, 3, ALL), ("expm1", -3, 3, ALL),
        ("log1p", -0.9, 3, ALL), ("erf", -3, 3, FLOATS),
        ("erfinv", -0.9, 0.9, FLOATS), ("digamma", 0.1, 5, FLOATS), ("i0", -3, 3, FLOATS),
        ("logit", 0.05, 0.95, REAL)):
    _add(OpInfo(f"special_{_name}", _special(_name),
                _points(*_POLES, base=unary_samples(_lo, _hi)), dtypes=_dtypes, rtol=1e-4))
_add(
    OpInfo("special_sinc", _special("sinc"), _points(*_POLES[:-2], base=unary_samples()),
           dtypes=ALL, rtol=1e-4),
    OpInfo("special_i1_zero_grad", _special("i1"), lambda d, r: [Sample((np.array(
        [0.0, 1e-20, 1.0]),))], dtypes=("float64",)),
    OpInfo("special_round", _special("round"), unary_samples(-5, 5), dtypes=REAL[:-1]),
    OpInfo("special_round_decimals", lambda lib, a: lib.special.round(a, decimals=1),
           unary_samples(-5, 5), dtypes=FLOATS),
    OpInfo("special_logit_eps", lambda lib, a: lib.special.logit(a, eps=0.1),
           unary_samples(-0.5, 1.5), dtypes=FLOATS),
    OpInfo("special_polygamma", lambda lib, a: lib.special.polygamma(1, a),
           unary_samples(0.3, 4), dtypes=FLOATS),
)


def _pair(lo_a, hi_a, lo_b, hi_b):
    def make(dtype, rng):
        return [Sample((values(dtype, (3, 4), rng, lo_a, hi_a),
                        values(dtype, (4,), rng, lo_b, hi_b))),
                Sample((values(dtype, (), rng, lo_a, hi_a),
                        values(dtype, (2, 3), rng, lo_b, hi_b)))]
    return make


_add(
    OpInfo("special_xlog1py", _special("xlog1py"), _pair(-2, 2, -0.9, 3), dtypes=ALL),
    OpInfo("special_xlog1py_scalars", lambda lib, a: lib.special.xlog1py(a, 2.0) +
           lib.special.xlog1py(0.5, a), unary_samples(-0.5, 3), dtypes=FLOATS),
    OpInfo("special_xlogy", _special("xlogy"), _pair(-2, 2, 0.1, 3), dtypes=FLOATS),
    OpInfo("special_zeta", _special("zeta"), _pair(1.5, 4, 0.3, 3), dtypes=NO_LOW,
           grad=False),
    OpInfo("special_zeta_scalars", lambda lib, a: lib.special.zeta(a, 2.0) +
           lib.special.zeta(3.0, a), unary_samples(1.5, 3), dtypes=FLOATS, grad=False),
    OpInfo("special_gammainc", _special("gammainc"), _pair(0.2, 5, 0.1, 6), dtypes=ALL,
           grad=False),
    OpInfo("special_gammaincc", _special("gammaincc"), _pair(0.2, 5, 0.1, 6), dtypes=ALL,
           grad=False),
    OpInfo("igamma", _op("igamma"), _pair(0.2, 5, 0.1, 6), dtypes=ALL, grad=False),
    OpInfo("igammac_method", lambda lib, a, x: a.igammac(x), _pair(0.2, 5, 0.1, 6),
           dtypes=FLOATS, grad=False),
)
for _name in ("airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
              "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
              "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
              "spherical_bessel_j0"):
    _add(OpInfo(_name, _special(_name), _points(
        *_POLES, 0.3, 4.9, 5.1, 200.0, -200.0, 1e10, base=unary_samples(-10, 10)),
        dtypes=NO_LOW, grad=False, rtol=1e-4, atol=1e-6))


def _degrees(dtype, rng):
    """x around [-1, 1] (with its ends, 0, 1/2 and infinities) against degrees -1 .. 12."""
    x = np.array([-1.5, -1.0, -0.7, -0.2, 0.0, 0.3, 0.5, 0.9, 1.0, 1.3, np.inf, np.nan])
    n = np.arange(-1, 13)
    xs, ns = np.meshgrid(x, n, indexing="ij")
    if dtype in INTS + ("bool",):
        return [Sample((values(dtype, (3, 4), rng), values(dtype, (4,), rng)))]
    return [Sample((xs.astype(dtype), ns.astype(dtype))),
            Sample((values(dtype, (3, 4), rng, -1.2, 1.2), 3)),
            Sample((values(dtype, (3, 4), rng, -1.2, 1.2), 2.7)),
            Sample((values(dtype, (5,), rng, -1, 1), np.array([20.0, 31.0, 9.0, 0.0, -4.0],
                                                               dtype=dtype)))]


for _name in ("chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
              "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
              "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
              "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
              "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"):
    _add(OpInfo(_name, _special(_name), _degrees, dtypes=NO_LOW, grad=False, rtol=1e-4,
                atol=1e-5))
_add(OpInfo("hermite_limit", lambda lib, x, n: lib.special.hermite_polynomial_h(x, n),
            lambda d, r: [Sample((np.array([0.05, 0.5, 1.0], dtype=d),
                                  np.array([100.0, 129.0, 513.0], dtype=d)))],
            dtypes=FLOATS, grad=False))


# --- softmax family ---------------------------------------------------------------------
def _softmax_samples(dtype, rng):
    a = values(dtype, (3, 4, 5), rng, -5, 5)
    big = values(dtype, (2, 3), rng, 50, 80)
    out = [Sample((a, 0)), Sample((a, -1)), Sample((a, 1)), Sample((big, 1)),
           Sample((values(dtype, (), rng), 0)), Sample((values(dtype, (0, 3), rng), 1))]
    if dtype in ALL_FLOATS:
        inf = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf]]).astype(dtype)
        out.append(Sample((inf, 1)))
    return out


for _name in ("softmax", "log_softmax"):
    _add(OpInfo(_name, _op(_name), _softmax_samples, dtypes=ALL, rtol=1e-4),
         OpInfo(f"{_name}_method_dtype", lambda lib, a, d, n=_name: getattr(a, n)(
             d, dtype=lib.float64), _softmax_samples, dtypes=("float32", "int64")),
         OpInfo(f"special_{_name}", lambda lib, a, d, n=_name: getattr(lib.special, n)(
             a, d), _softmax_samples, dtypes=FLOATS))


def _lse_samples(dtype, rng):
    a = values(dtype, (3, 4, 5), rng, -5, 5)
    out = [Sample((a, 0)), Sample((a, (0, 2))), Sample((a, -1), {"keepdim": True}),
           Sample((values(dtype, (2, 3), rng, 60, 90), 1)),
           Sample((values(dtype, (), rng), 0)), Sample((values(dtype, (0, 3), rng), 0))]
    if dtype in ALL_FLOATS:
        inf = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf],
                        [np.inf, 1.0, 2.0]]).astype(dtype)
        out.append(Sample((inf, 1)))
    return out


_add(OpInfo("logsumexp", _op("logsumexp"), _lse_samples, dtypes=ALL, rtol=1e-4),
     OpInfo("special_logsumexp", _special("logsumexp"), _lse_samples, dtypes=FLOATS))

# --- activations ------------------------------------------------------------------------
_ACT = unary_samples(-3, 3)
_add(
    OpInfo("selu", _op("selu"), _ACT, dtypes=ALL),
    OpInfo("selu_", lambda lib, a: lib.selu_(a.clone()), _ACT, dtypes=FLOATS),
    OpInfo("celu", lambda lib, a: lib.celu(a, 0.5), _ACT, dtypes=ALL),
    OpInfo("celu_", lambda lib, a: lib.celu_(a.clone(), 2.0), _ACT, dtypes=FLOATS),
    OpInfo("rrelu", _op("rrelu"), _ACT, dtypes=ALL),
    OpInfo("rrelu_", lambda lib, a: lib.rrelu_(a.clone(), 0.1, 0.4), _ACT, dtypes=FLOATS),
    OpInfo("hardshrink", lambda lib, a: a.hardshrink(0.7), _ACT, dtypes=ALL),
    OpInfo("threshold", lambda lib, a: lib.threshold(a, 0.5, -2.0), _ACT, dtypes=REAL),
    OpInfo("threshold_", lambda lib, a: lib.threshold_(a.clone(), 0.5, 2.0), _ACT,
           dtypes=FLOATS),
)
