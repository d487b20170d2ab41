"""Op table entries for the spine's first family: arithmetic, comparisons, bitwise, basic
unary math, sum/mean, matrix products, where/clamp/masked_fill and the view ops."""
from __future__ import annotations


from opdb import (ALL, ALL_FLOATS, FLOATS, INTS, REAL, OpInfo, Sample, binary_samples,
                  reduction_samples, unary_samples, values)
from opdb import method as _method
from opdb import op as _op

OPS: list[OpInfo] = []


def _add(*infos):
    OPS.extend(infos)


# --- arithmetic -------------------------------------------------------------------------
_add(
    OpInfo("add", _op("add"), binary_samples(), dtypes=ALL),
    OpInfo("add_alpha", lambda lib, a, b: lib.add(a, b, alpha=2), binary_samples(
        scalars=(2,)), dtypes=FLOATS + INTS),
    OpInfo("sub", _op("sub"), binary_samples(scalars=(2, 2.5)), dtypes=ALL[:-1]),
    OpInfo("mul", _op("mul"), binary_samples(), dtypes=ALL),
    OpInfo("div", _op("div"), binary_samples(nonzero=True), dtypes=ALL),
    OpInfo("div_floor", lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
           binary_samples(nonzero=True, scalars=(2, 2.5)), dtypes=REAL[:-1], gradgrad=False),
    OpInfo("div_trunc", lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
           binary_samples(nonzero=True, scalars=(2, 2.5)), dtypes=REAL[:-1], gradgrad=False),
    OpInfo("floor_divide", _op("floor_divide"), binary_samples(nonzero=True, scalars=(2, 2.5)),
           dtypes=REAL[:-1], grad=False, gradgrad=False),
    OpInfo("remainder", _op("remainder"), binary_samples(nonzero=True, scalars=(2, 2.5)),
           dtypes=REAL[:-1]),
    OpInfo("pow_scalar", lambda lib, a: lib.pow(a, 2), unary_samples(), dtypes=FLOATS + INTS),
    OpInfo("pow_float_exp", lambda lib, a: a ** 0.5, unary_samples(0.5, 3.0), dtypes=FLOATS),
    OpInfo("pow_tensor", _op("pow"), binary_samples(0.5, 2.0, scalars=(2, 0.5)),
           dtypes=FLOATS),
    OpInfo("rpow", lambda lib, a: 2 ** a, unary_samples(), dtypes=FLOATS),
    OpInfo("rsub", lambda lib, a: 2 - a, unary_samples(), dtypes=FLOATS + INTS),
    OpInfo("rdiv", lambda lib, a: 2 / a, unary_samples(0.5, 3.0), dtypes=FLOATS),
    OpInfo("neg", _op("neg"), unary_samples(), dtypes=ALL[:-1]),
    OpInfo("abs", _op("abs"), unary_samples(), dtypes=ALL[:-1]),
    OpInfo("reciprocal", _op("reciprocal"), unary_samples(0.5, 3.0), dtypes=FLOATS),
)

# --- comparisons and bitwise ------------------------------------------------------------
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    _add(OpInfo(_name, _op(_name), binary_samples(), dtypes=REAL, grad=False, gradgrad=False))
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    _add(OpInfo(_name, _op(_name), binary_samples(scalars=(3, True)), dtypes=INTS + ("bool",),
                grad=False, gradgrad=False))
_add(OpInfo("bitwise_not", _op("bitwise_not"), unary_samples(), dtypes=INTS + ("bool",),
            grad=False, gradgrad=False))

# --- unary math -------------------------------------------------------------------------
for _name, _lo, _hi in (("exp", -3, 3), ("log", 0.1, 5), ("sqrt", 0.1, 5), ("sin", -3, 3),
                        ("cos", -3, 3), ("tanh", -3, 3), ("sigmoid", -5, 5)):
    _add(OpInfo(_name, _op(_name), unary_samples(_lo, _hi), dtypes=REAL))
_add(OpInfo("relu", _op("relu"), unary_samples(), dtypes=ALL_FLOATS + INTS))

# --- reductions -------------------------------------------------------------------------
_add(
    OpInfo("sum", _op("sum"), reduction_samples, dtypes=ALL, rtol=1e-4),
    OpInfo("sum_dtype", lambda lib, a: lib.sum(a, dtype=lib.float64),
           lambda d, r: [Sample((values(d, (3, 4), r),))], dtypes=FLOATS + INTS),
    OpInfo("mean", _op("mean"), reduction_samples, dtypes=ALL_FLOATS + ("complex64",),
           rtol=1e-4),
)


# --- matrix products --------------------------------------------------------------------
def _mm_samples(*pairs):
    def make(dtype, rng):
        return [Sample((values(dtype, a, rng), values(dtype, b, rng))) for a, b in pairs]
    return make


_add(
    OpInfo("mm", _op("mm"), _mm_samples(((3, 4), (4, 5)), ((1, 3), (3, 1)), ((0, 3), (3, 2))),
           dtypes=FLOATS + ("int64", "complex64"), rtol=1e-4),
    OpInfo("bmm", _op("bmm"), _mm_samples(((2, 3, 4), (2, 4, 5))), dtypes=FLOATS, rtol=1e-4),
    OpInfo("matmul", _op("matmul"), _mm_samples(
        ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
        ((5, 2, 3), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((1, 5, 2, 3), (7, 1, 3, 4)),
        ((5, 2, 3), (3,)), ((3,), (5, 3, 2))), dtypes=FLOATS, rtol=1e-4),
)


# --- selection --------------------------------------------------------------------------
def _where_samples(dtype, rng):
    c = rng.integers(0, 2, (3, 4)).astype(bool)
    return [Sample((c, values(dtype, (3, 4), rng), values(dtype, (4,), rng))),
            Sample((c, values(dtype, (3, 4), rng), 1.5)),
            Sample((c[0], values(dtype, (3, 1), rng), values(dtype, (), rng)))]


_add(
    OpInfo("where", _op("where"), _where_samples, dtypes=ALL),
    OpInfo("clamp", lambda lib, a: lib.clamp(a, -1, 1.5), unary_samples(), dtypes=REAL[:-1]),
    OpInfo("clamp_min", lambda lib, a: lib.clamp(a, min=0.5), unary_samples(),
           dtypes=FLOATS + INTS),
    OpInfo("clamp_tensor", lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
           lambda d, r: [Sample((values(d, (3, 4), r), values(d, (4,), r, -2, -1),
                                 values(d, (3, 1), r, 1, 2)))], dtypes=FLOATS),
    OpInfo("masked_fill", lambda lib, a, m: a.masked_fill(m, 0.5),
           lambda d, r: [Sample((values(d, (3, 4), r), values("bool", (4,), r)))],
           dtypes=FLOATS),
)

# --- views ------------------------------------------------------------------------------
_V = unary_samples()
_add(
    OpInfo("view", _method("view", 4, 3), lambda d, r: [Sample((values(d, (3, 4), r),))]),
    OpInfo("reshape", lambda lib, a: a.t().reshape(-1),
           lambda d, r: [Sample((values(d, (3, 4), r),))]),
    OpInfo("transpose", _method("transpose", 0, -1),
           lambda d, r: [Sample((values(d, (2, 3, 4), r),))]),
    OpInfo("t", _method("t"), lambda d, r: [Sample((values(d, (3, 4), r),))]),
    OpInfo("permute", _method("permute", 2, 0, 1),
           lambda d, r: [Sample((values(d, (2, 3, 4), r),))]),
    OpInfo("expand", _method("expand", 2, 3, 4),
           lambda d, r: [Sample((values(d, (3, 1), r),))]),
    OpInfo("squeeze", _method("squeeze"), lambda d, r: [Sample((values(d, (3, 1, 4, 1), r),))]),
    OpInfo("squeeze_dim", _method("squeeze", 1),
           lambda d, r: [Sample((values(d, (3, 1, 4), r),))]),
    OpInfo("unsqueeze", _method("unsqueeze", 1), lambda d, r: [Sample((values(d, (3, 4), r),))]),
    OpInfo("narrow", _method("narrow", 1, 1, 2), lambda d, r: [Sample((values(d, (3, 4), r),))]),
    OpInfo("select", _method("select", 1, -1), lambda d, r: [Sample((values(d, (3, 4), r),))]),
    OpInfo("unfold", _method("unfold", 1, 3, 2), lambda d, r: [Sample((values(d, (3, 8), r),))]),
    OpInfo("unfold_overlap", _method("unfold", 0, 3, 1),
           lambda d, r: [Sample((values(d, (6,), r),))]),
    OpInfo("diagonal", _method("diagonal", 1), lambda d, r: [Sample((values(d, (3, 4), r),))]),
    OpInfo("as_strided", _method("as_strided", (2, 2), (1, 2), 1),
           lambda d, r: [Sample((values(d, (6,), r),))]),
    OpInfo("flatten", _method("flatten"), lambda d, r: [Sample((values(d, (2, 3, 4), r),))]),
    OpInfo("clone", _method("clone"), _V),
    OpInfo("to", lambda lib, a: a.to(lib.float32 if a.dtype == lib.float64 else lib.float64),
           unary_samples(), dtypes=FLOATS),
)
