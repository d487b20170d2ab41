"""What the op table cannot express for the pointwise families: graph node names, in-place
and out= forms, torch's refusals and their messages, closeness semantics, complex gradients."""
from __future__ import annotations

import math

import numpy as np
import pytest

from parity import assert_same, ember, pair, same_error, to_numpy, torch

RNG = np.random.default_rng(7)


# label -> expression in L (ember or torch) and leaves x, y, z in (0.1, 0.9); the node each
# call records must carry torch's name (in-place forms act on non-leaf copies)
NODE_CALLS = {
    "tan": "L.tan(x)", "arcsin": "L.arcsin(x)", "acos": "x.acos()", "atan": "x.atan()",
    "sinh": "x.sinh()", "cosh": "x.cosh()", "asinh": "x.asinh()", "acosh": "(x + 1).acosh()",
    "atanh": "x.atanh()", "arctan2": "L.arctan2(x, y)", "hypot": "x.hypot(y)",
    "sinc": "x.sinc()", "deg2rad": "x.deg2rad()", "rad2deg": "x.rad2deg()",
    "exp2": "x.exp2()", "expm1": "x.expm1()", "log2": "x.log2()", "log10": "x.log10()",
    "log1p": "x.log1p()", "rsqrt": "x.rsqrt()", "logaddexp": "x.logaddexp(y)",
    "logaddexp2": "x.logaddexp2(y)", "xlogy": "x.xlogy(y)", "xlogy_s1": "L.xlogy(2.0, x)",
    "xlogy_s2": "L.xlogy(x, 2.0)", "ldexp": "x.ldexp(L.tensor([1, 2, 3]))",
    "frexp": "x.frexp()[0]", "logit": "x.logit(0.2)", "float_power": "x.float_power(y)",
    "float_power_s": "L.float_power(x.float(), 2)", "float_power_b": "L.float_power(2, x)",
    "floor": "x.floor()", "ceil": "x.ceil()", "round": "x.round()",
    "round_d": "x.round(decimals=1)", "trunc": "x.trunc()", "fix": "x.fix()",
    "frac": "x.frac()", "copysign": "x.copysign(y)", "copysign_s": "x.copysign(-1.0)",
    "nextafter": "x.nextafter(y)", "fmod": "x.fmod(y)", "fmod_s": "x.fmod(0.3)",
    "heaviside": "x.heaviside(y)", "nan_to_num": "x.nan_to_num()", "angle": "x.angle()",
    "polar": "L.polar(x, y)", "complex": "L.complex(x, y)", "maximum": "x.maximum(y)",
    "minimum": "x.minimum(y)", "fmax": "x.fmax(y)", "fmin": "x.fmin(y)",
    "lerp_s": "x.lerp(y, 0.3)", "lerp_t": "x.lerp(y, z)",
    "addcmul": "x.addcmul(y, z, value=2)", "addcdiv": "L.addcdiv(x, y, z, value=0.5)",
    "erf": "x.erf()", "erfc": "x.erfc()", "erfinv": "x.erfinv()", "lgamma": "x.lgamma()",
    "digamma": "x.digamma()", "polygamma": "x.polygamma(2)",
    "mvlgamma": "(x + 3).mvlgamma(2)", "i0": "x.i0()", "selu": "L.selu(x)",
    "celu": "L.celu(x)", "rrelu": "L.rrelu(x)", "hardshrink": "x.hardshrink()",
    "threshold": "L.threshold(x, 0.5, 2.0)", "softmax": "x.softmax(0)",
    "log_softmax": "x.log_softmax(1)", "softmax_dtype": "L.softmax(x.float(), 1, L.float64)",
    "logsumexp": "x.logsumexp(1)",
    "tan_": "x.clone().tan_()", "asin_": "x.clone().asin_()", "atan2_": "x.clone().atan2_(y)",
    "hypot_": "x.clone().hypot_(y)", "exp2_": "L.exp2_(x * 1)", "log1p_": "L.log1p_(x * 1)",
    "xlogy_": "x.clone().xlogy_(y)", "ldexp_": "x.clone().ldexp_(y)",
    "logit_": "x.clone().logit_()", "floor_": "x.clone().floor_()",
    "round_": "x.clone().round_(decimals=2)", "frac_": "x.clone().frac_()",
    "copysign_": "x.clone().copysign_(y)", "fmod_": "x.clone().fmod_(y)",
    "nextafter_": "x.clone().nextafter_(y)", "nan_to_num_": "L.nan_to_num_(x.clone())",
    "lerp_": "x.clone().lerp_(y, z)", "addcmul_": "x.clone().addcmul_(y, z)",
    "addcdiv_": "x.clone().addcdiv_(y, z)", "erfinv_": "x.clone().erfinv_()",
    "lgamma_": "x.clone().lgamma_()", "polygamma_": "x.clone().polygamma_(1)",
    "mvlgamma_": "(x + 3).mvlgamma_(2)", "i0_": "L.i0_(x.clone())",
    "float_power_": "x.clone().float_power_(y)", "selu_": "L.selu_(x.clone())",
    "celu_": "L.celu_(x.clone())", "rrelu_": "L.rrelu_(x.clone())",
    "threshold_": "L.threshold_(x.clone(), 0.5, 2.0)", "sinc_view_": "x[0].sinc_()",
}


def _eval(expr):
    return lambda L, x, y, z: eval(expr)


@pytest.mark.parametrize("label", list(NODE_CALLS))
def test_node_names_values_and_gradients(label):
    """Name of the node, value, and the gradient through it (in-place forms included:
    their backward must see the input as it was before the write)."""
    arrays = [RNG.uniform(0.1, 0.9, (2, 3)) for _ in range(3)]
    leaves = [pair(a, True) for a in arrays]
    call = _eval(NODE_CALLS[label])
    if label == "sinc_view_":          # in place on a view of a non-leaf
        call = _eval("(x * 1)[0].sinc_()")
    got = call(ember, *[e for e, _ in leaves])
    expected = call(torch, *[t for _, t in leaves])
    assert_same(got, expected, what=label)
    if not expected.requires_grad or label == "heaviside":     # no derivative (tested below)
        return
    t_in = [t for _, t in leaves]
    e_in = [e for e, _ in leaves]
    tg = torch.autograd.grad(expected.real.sum() if expected.is_complex() else expected.sum(),
                             t_in, allow_unused=True)
    eg = ember.autograd.grad(got.real.sum() if got.is_complex() else got.sum(), e_in,
                             allow_unused=True)
    for a, b in zip(eg, tg):
        if b is None:
            assert a is None or not to_numpy(a).any()
        else:
            assert_same(a, b, 1e-6, 1e-8, check_grad_fn=False, what=label)


@pytest.mark.parametrize("name,kind", [
    ("atan2", "function"), ("hypot", "method"), ("logaddexp", "function"),
    ("maximum", "method"), ("fmin", "function"), ("nextafter", "method"),
    ("gcd", "function"), ("ldexp", "method"), ("heaviside", "function")])
def test_tensor_only_operands(name, kind):
    x = [1.0, 2.0] if name not in ("gcd",) else [1, 2]
    if kind == "function":
        same_error(lambda: getattr(ember, name)(ember.tensor(x), 2),
                   lambda: getattr(torch, name)(torch.tensor(x), 2), 60)
    else:
        same_error(lambda: getattr(ember.tensor(x), name)(2.5),
                   lambda: getattr(torch.tensor(x), name)(2.5), 60)


REFUSALS = [
    lambda L: L.floor(L.tensor([True])), lambda L: L.floor(L.tensor([1j])),
    lambda L: L.round(L.tensor([1j])), lambda L: L.round(L.tensor([3]), decimals=1),
    lambda L: L.frac(L.tensor([3])), lambda L: L.signbit(L.tensor([1j])),
    lambda L: L.deg2rad(L.tensor([1j])), lambda L: L.hypot(L.tensor([1]), L.tensor([2])),
    lambda L: L.atan2(L.tensor([1j]), L.tensor([1j])),
    lambda L: L.logaddexp(L.tensor([1]), L.tensor([2])),
    lambda L: L.logaddexp2(L.tensor([1j]), L.tensor([2j])),
    lambda L: L.nextafter(L.tensor([1]), L.tensor([2])),
    lambda L: L.fmod(L.tensor([True]), L.tensor([True])),
    lambda L: L.fmod(L.tensor([3]), 0), lambda L: L.fmod(2, L.tensor([3.0])),
    lambda L: L.copysign(2.0, L.tensor([3.0])),
    lambda L: L.heaviside(L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)),
    lambda L: L.heaviside(L.tensor([1j]), L.tensor([1j])),
    lambda L: L.gcd(L.tensor([1.0]), L.tensor([2.0])),
    lambda L: L.lcm(L.tensor([True]), L.tensor([True])),
    lambda L: L.maximum(L.tensor([1j]), L.tensor([1j])),
    lambda L: L.fmax(L.tensor([1.0]), L.tensor([1j])),
    lambda L: L.isposinf(L.tensor([1j])), lambda L: L.isneginf(L.tensor([1j])),
    lambda L: L.isclose(L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)),
    lambda L: L.isclose(L.tensor([1]), L.tensor([1.0])),
    lambda L: L.isclose(L.tensor([1.0]), L.tensor([1.0]), rtol=-1),
    lambda L: L.isclose(L.tensor([1.0]), L.tensor([1.0]), atol=-1),
    lambda L: L.allclose(L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)),
    lambda L: L.lerp(L.tensor([1.0]), L.tensor([2.0], dtype=L.float64), 0.5),
    lambda L: L.lerp(L.tensor([1.0]), L.tensor([2.0]), L.tensor([0.5], dtype=L.float64)),
    lambda L: L.lerp(L.tensor([1]), L.tensor([2]), 0.5),
    lambda L: L.lerp(L.tensor([1]), L.tensor([2]), L.tensor([1])),
    lambda L: L.addcmul(L.tensor([True]), L.tensor([True]), L.tensor([True])),
    lambda L: L.addcdiv(L.tensor([1.0]), L.tensor([1]), L.tensor([2])),
    lambda L: L.polar(L.tensor([1]), L.tensor([1])),
    lambda L: L.polar(L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)),
    lambda L: L.polar(L.tensor([1.0], dtype=L.float16), L.tensor([1.0], dtype=L.float16)),
    lambda L: L.complex(L.tensor([1.0], dtype=L.bfloat16), L.tensor([1.0], dtype=L.bfloat16)),
    lambda L: L.polar(L.tensor([1.0]), 2.0),
    lambda L: L.frexp(L.tensor([1])), lambda L: L.positive(L.tensor([True])),
    lambda L: L.erf(L.tensor([1j])), lambda L: L.lgamma(L.tensor([1j])),
    lambda L: L.digamma(L.tensor([1j])), lambda L: L.polygamma(1, L.tensor([1j])),
    lambda L: L.polygamma(-1, L.tensor([1.0])), lambda L: L.mvlgamma(L.tensor([1.0]), 0),
    lambda L: L.mvlgamma(L.tensor([True]), 1), lambda L: L.mvlgamma(L.tensor([1j]), 1),
    lambda L: L.logit(L.tensor([1j])), lambda L: L.i0(L.tensor([1j])),
    lambda L: L.selu(L.tensor([1])), lambda L: L.celu(L.tensor([1j])),
    lambda L: L.rrelu(L.tensor([1])), lambda L: L.hardshrink(L.tensor([1])),
    lambda L: L.threshold(L.tensor([True]), 0, 1),
    lambda L: L.threshold(L.tensor([1], dtype=L.uint8), 0.5, -2.0),
    lambda L: L.tensor([1]).sin_(), lambda L: L.tensor([1]).atan2_(L.tensor([1.0])),
    lambda L: L.tensor([1.0]).float_power_(2),
    lambda L: L.float_power(L.tensor([1.0]), 2, out=L.empty(1)),
    lambda L: L.tensor([1.0, 2.0]).atan2_(L.tensor([[1.0], [2.0]])),
]


@pytest.mark.parametrize("i", range(len(REFUSALS)))
def test_refusals(i):
    same_error(lambda: REFUSALS[i](ember), lambda: REFUSALS[i](torch), 60)


OUT_CALLS = [
    ("tan", lambda L, x, y, out: L.tan(x, out=out)),
    ("atan2", lambda L, x, y, out: L.atan2(x, y, out=out)),
    ("xlogy", lambda L, x, y, out: L.xlogy(x, 2.0, out=out)),
    ("round", lambda L, x, y, out: L.round(x, decimals=1, out=out)),
    ("fmod", lambda L, x, y, out: L.fmod(x, y, out=out)),
    ("nan_to_num", lambda L, x, y, out: L.nan_to_num(x, out=out)),
    ("lerp", lambda L, x, y, out: L.lerp(x, y, 0.25, out=out)),
    ("addcdiv", lambda L, x, y, out: L.addcdiv(x, x, y, out=out)),
    ("maximum", lambda L, x, y, out: L.maximum(x, y, out=out)),
    ("logit", lambda L, x, y, out: L.logit(x, 0.1, out=out)),
    ("polygamma", lambda L, x, y, out: L.polygamma(2, x, out=out)),
    ("logsumexp", lambda L, x, y, out: L.logsumexp(x, 1, out=out)),
    ("i1", lambda L, x, y, out: L.special.i1(x, out=out)),
    ("isposinf", lambda L, x, y, out: L.isposinf(x, out=out)),
    ("signbit", lambda L, x, y, out: L.signbit(x, out=out)),
    ("float_power", lambda L, x, y, out: L.float_power(x.double(), y, out=out)),
]


@pytest.mark.parametrize("name,call", OUT_CALLS, ids=[n for n, _ in OUT_CALLS])
@pytest.mark.parametrize("out_shape", [(2, 3), (0,)])
def test_out(name, call, out_shape):
    x, y = RNG.uniform(0.1, 0.9, (2, 3)), RNG.uniform(0.1, 0.9, (2, 3))
    (ex, tx), (ey, ty) = pair(x.astype("float32")), pair(y.astype("float32"))
    expected = call(torch, tx, ty, None)
    eo = ember.empty(out_shape, dtype=getattr(ember, str(expected.dtype)[6:]))
    to = torch.empty(out_shape, dtype=expected.dtype)
    got = call(ember, ex, ey, eo)
    assert got is eo
    assert_same(eo, call(torch, tx, ty, to), what=name)


def test_out_refuses_a_narrower_dtype():
    same_error(lambda: ember.sinh(ember.tensor([1.0]), out=ember.empty(1, dtype=ember.int64)),
               lambda: torch.sinh(torch.tensor([1.0]), out=torch.empty(1, dtype=torch.int64)))


def test_frexp_namedtuple_and_out():
    x = np.array([0.0, -0.0, 1.0, 3.5, -1e-40, np.inf, 1e30], dtype=np.float32)
    (e,), (t,) = [pair(x)[0]], [pair(x)[1]]
    got, expected = ember.frexp(e), torch.frexp(t)
    assert type(got).__name__ == "frexp" and got.mantissa is got[0]
    assert_same(tuple(got), tuple(expected))
    m, ex = ember.empty(0), ember.empty(0, dtype=ember.int32)
    res = ember.frexp(e, out=(m, ex))
    assert res.mantissa is m and res.exponent is ex
    assert_same(m, expected.mantissa)
    assert_same(ex, expected.exponent)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "complex64",
                                   "int8", "uint8", "bool"])
def test_nan_to_num_defaults(dtype):
    x = np.array([np.nan, np.inf, -np.inf, 1.5, -0.0])
    if dtype == "complex64":
        x = x + 1j * x[::-1]
    elif dtype in ("int8", "uint8", "bool"):
        x = np.array([0, 1, 5])
    e, t = pair(x.astype(dtype) if dtype != "bfloat16" else x.astype("float32"))
    if dtype == "bfloat16":
        e, t = e.to(ember.bfloat16), t.to(torch.bfloat16)
    assert_same(ember.nan_to_num(e), torch.nan_to_num(t))
    assert_same(ember.nan_to_num(e, nan=2.0, neginf=-7.0), torch.nan_to_num(t, nan=2.0,
                                                                            neginf=-7.0))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int64", "uint8", "bool",
                                   "complex128"])
def test_isclose_allclose_equal(dtype):
    a = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 100.0, 0.0, 3.0])
    b = np.array([1.0 + 1e-6, 2.1, np.nan, np.inf, np.inf, 100.001, 1e-9, 5.0])
    if dtype in ("int64", "uint8", "bool"):
        a, b = np.array([1, 2, 3, 200]), np.array([2, 2, 4, 199])
    cast = (lambda v: v.astype("float32")) if dtype == "bfloat16" else (lambda v: v.astype(dtype))
    (ea, ta), (eb, tb) = pair(cast(a)), pair(cast(b))
    if dtype == "bfloat16":
        ea, ta, eb, tb = (v.to(getattr(lib, "bfloat16")) for v, lib in
                          ((ea, ember), (ta, torch), (eb, ember), (tb, torch)))
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.0, "atol": 0.0}, {"atol": 1.0},
               {"rtol": 0.1, "atol": 0.0}):
        assert_same(ember.isclose(ea, eb, **kw), torch.isclose(ta, tb, **kw), what=str(kw))
        assert ember.allclose(ea, eb, **kw) == torch.allclose(ta, tb, **kw)
        assert ember.allclose(ea, ea, **kw) == torch.allclose(ta, ta, **kw)
    assert ember.equal(ea, eb) == torch.equal(ta, tb)
    assert ember.equal(ea, ea.clone()) == torch.equal(ta, ta.clone())
    assert ember.equal(ea, ea[:2]) is False


def test_equal_promotes_and_isclose_broadcasts():
    assert ember.equal(ember.tensor([1, 2]), ember.tensor([1.0, 2.0]))
    assert ember.equal(ember.tensor([1]), ember.tensor([True]))
    assert_same(ember.isclose(ember.tensor([[1.0], [2.0]]), ember.tensor([1.0, 2.0])),
                torch.isclose(torch.tensor([[1.0], [2.0]]), torch.tensor([1.0, 2.0])))


def test_positive_is_identity():
    x = ember.tensor([1.0, -2.0])
    assert ember.positive(x) is x and x.positive() is x


def _complex_pair(shape=(2, 3)):
    z = RNG.uniform(-2, 2, shape) + 1j * RNG.uniform(-2, 2, shape)
    return pair(z, True)


COMPLEX_CALLS = {
    "tan": "z.tan()", "asin": "z.asin()", "acosh": "z.acosh()", "atanh": "z.atanh()",
    "sinh": "z.sinh()", "exp2": "z.exp2()", "expm1": "z.expm1()", "log2": "z.log2()",
    "log10": "z.log10()", "log1p": "z.log1p()", "rsqrt": "z.rsqrt()", "sinc": "z.sinc()",
    "angle": "z.angle()", "logaddexp": "L.logaddexp(z, w)", "ldexp": "L.ldexp(z, w)",
    "float_power": "z.float_power(w)", "lerp": "z.lerp(w, 0.3) + z.lerp(w, w * 0.1)",
    "addcmul": "z.addcmul(w, z, value=0.5)", "addcdiv": "z.addcdiv(w, z, value=0.5)",
    "logsumexp": "z.logsumexp(1)", "polar_of_parts": "L.polar(z.abs(), w.real)",
}


@pytest.mark.parametrize("name", list(COMPLEX_CALLS))
def test_complex_gradients(name):
    (ez, tz), (ew, tw) = _complex_pair(), _complex_pair()
    expr = COMPLEX_CALLS[name]
    eo = eval(expr, {"L": ember, "z": ez, "w": ew})
    to = eval(expr, {"L": torch, "z": tz, "w": tw})
    assert_same(eo, to)
    g = RNG.uniform(-1, 1, tuple(to.shape)) + (1j * RNG.uniform(-1, 1, tuple(to.shape))
                                                if to.is_complex() else 0)
    eg, tg = pair(g.astype(to_numpy(to).dtype))
    e_grads = ember.autograd.grad(eo, [ez, ew], eg, allow_unused=True)
    t_grads = torch.autograd.grad(to, [tz, tw], tg, allow_unused=True)
    for a, b in zip(e_grads, t_grads):
        if b is None:
            assert a is None or not to_numpy(a).any()
        else:
            assert_same(a, b, 1e-6, 1e-8, check_grad_fn=False)


def test_polar_and_complex_gradients():
    r, a = RNG.uniform(0.5, 2, (2, 3)), RNG.uniform(-3, 3, (2, 3))
    (er, tr), (ea, ta) = pair(r, True), pair(a, True)
    g = RNG.uniform(-1, 1, (2, 3)) + 1j * RNG.uniform(-1, 1, (2, 3))
    eg, tg = pair(g)
    for fn in (lambda L, x, y: L.polar(x, y), lambda L, x, y: L.complex(x, y)):
        eo, to = fn(ember, er, ea), fn(torch, tr, ta)
        assert_same(eo, to)
        for a_, b_ in zip(ember.autograd.grad(eo, [er, ea], eg),
                          torch.autograd.grad(to, [tr, ta], tg)):
            assert_same(a_, b_, check_grad_fn=False)


def test_heaviside_has_no_derivative():
    x = ember.tensor([0.5, -1.0], requires_grad=True)
    y = x.heaviside(ember.tensor([0.5, 0.5]))
    assert type(y.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
        y.sum().backward()


def test_round_decimals_values():
    x = np.array([1.2345, -2.675, 0.5, 1.5, 2.5, 1234.5678, -0.0], dtype=np.float64)
    for dtype in ("float64", "float32", "float16"):
        e, t = pair(x.astype(dtype))
        for d in (-2, -1, 0, 1, 3):
            assert_same(ember.round(e, decimals=d), torch.round(t, decimals=d), 0, 0)


def test_trig_values_float16_and_int_promotion():
    x = np.linspace(-0.95, 0.95, 41)
    for dtype in ("float16", "bfloat16"):
        e, t = pair(x.astype("float32"))
        e, t = e.to(getattr(ember, dtype)), t.to(getattr(torch, dtype))
        for name in ("asin", "atanh", "tan", "expm1", "log1p", "sinc", "erfinv"):
            assert_same(getattr(ember, name)(e), getattr(torch, name)(t), 0, 0, what=name)
    ei, ti = pair(np.arange(-3, 4))
    for name in ("atan", "exp2", "cosh", "erf", "lgamma", "deg2rad"):
        assert_same(getattr(ember, name)(ei), getattr(torch, name)(ti), what=name)


def test_logaddexp_complex_and_infinities():
    z = np.array([1 + 2j, -np.inf + 0j, 3 - 1j])
    w = np.array([2 - 1j, -np.inf + 0j, 1e3 + 0j])
    (ez, tz), (ew, tw) = pair(z), pair(w)
    assert_same(ember.logaddexp(ez, ew), torch.logaddexp(tz, tw))
    assert math.isinf(ember.logaddexp(ember.tensor([-math.inf]),
                                      ember.tensor([-math.inf])).item())
