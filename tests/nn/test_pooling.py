"""Pooling (max, avg, lp, adaptive, fractional, unpool): functional and modules against torch:
values, indices, dtypes, grad_fn names, gradients of first and second order, reprs, errors."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from nn._helpers import same, same_error
from parity import assert_same, pair, to_numpy, torch

RNG = np.random.default_rng(0)


def _data(shape, dtype="float64", ties=False):
    if ties:       # few distinct values: many ties inside each window
        return RNG.integers(-2, 3, shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def check(fn, *arrays, grad=True, gradgrad=False, rtol=1e-5, atol=1e-6, gg_name=True):
    """fn(lib, *tensors) under ember and torch: equal outputs (values, dtype, grad_fn) and,
    for float inputs, equal gradients (and gradients of the gradient w.r.t. the upstream
    gradient) for a random upstream gradient."""
    float_in = [a.dtype.kind == "f" for a in arrays]
    e_in, t_in = zip(*[pair(a, grad and f) for a, f in zip(arrays, float_in)])
    e_out, t_out = fn(ember, *e_in), fn(torch, *t_in)
    assert_same(e_out, t_out, rtol, atol)
    if not grad:
        return e_out, t_out
    e_first = e_out[0] if isinstance(e_out, tuple) else e_out
    t_first = t_out[0] if isinstance(t_out, tuple) else t_out
    g = RNG.standard_normal(tuple(t_first.shape)).astype(to_numpy(t_first).dtype)
    e_g, t_g = pair(g, gradgrad)
    e_x = [x for x, f in zip(e_in, float_in) if f]
    t_x = [x for x, f in zip(t_in, float_in) if f]
    e_gi = ember.autograd.grad(e_first, e_x, e_g, create_graph=gradgrad)
    t_gi = torch.autograd.grad(t_first, t_x, t_g, create_graph=gradgrad)
    assert_same(list(e_gi), list(t_gi), rtol, atol, check_grad_fn=False, what="grad")
    if gradgrad:
        v = RNG.standard_normal(tuple(t_gi[0].shape))
        e_v, t_v = pair(v.astype(g.dtype))
        name = type(t_gi[0].grad_fn).__name__
        if gg_name and name.endswith("BackwardBackward0"):   # our nodes (not mean's...)
            assert type(e_gi[0].grad_fn).__name__ == name
        e_gg = ember.autograd.grad((e_gi[0] * e_v).sum(), e_g)
        t_gg = torch.autograd.grad((t_gi[0] * t_v).sum(), t_g)
        assert_same(list(e_gg), list(t_gg), rtol, atol, check_grad_fn=False, what="gradgrad")
    return e_out, t_out


# --- max pooling ------------------------------------------------------------------------
MAX_CASES = [
    (1, (2, 3, 9), dict(kernel_size=2)),
    (1, (3, 10), dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)),
    (2, (2, 3, 8, 8), dict(kernel_size=2)),
    (2, (2, 3, 9, 7), dict(kernel_size=3, stride=2)),
    (2, (2, 2, 7, 9), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True)),
    (2, (3, 9, 9), dict(kernel_size=3, stride=2, padding=1, dilation=2)),
    (2, (2, 2, 5, 5), dict(kernel_size=2, stride=2, ceil_mode=True)),
    (3, (2, 2, 5, 6, 4), dict(kernel_size=2)),
    (3, (2, 5, 6, 7), dict(kernel_size=(3, 2, 2), stride=(2, 1, 2), padding=1,
                           ceil_mode=True)),
]


@pytest.mark.parametrize("nd,shape,kw", MAX_CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool(nd, shape, kw, ties):
    x = _data(shape, ties=ties)
    check(lambda lib, t: getattr(lib.nn.functional, f"max_pool{nd}d")(t, return_indices=True,
                                                                       **kw), x)
    check(lambda lib, t: getattr(lib.nn.functional, f"max_pool{nd}d")(t, **kw), x,
          gradgrad=True)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int64", "uint8"])
def test_max_pool_dtypes(dtype):
    x = _data((2, 3, 6, 6), "float32") * 5
    x = x.astype(dtype) if dtype != "bfloat16" else x
    e, t = pair(x)
    if dtype == "bfloat16":
        e, t = e.to(ember.bfloat16), t.to(torch.bfloat16)
    for f in (lambda lib, a: lib.nn.functional.max_pool2d(a, 3, 2, 1, return_indices=True),
              lambda lib, a: lib.max_pool3d(a.unsqueeze(0), 2, ceil_mode=True)):
        assert_same(f(ember, e), f(torch, t))


def test_max_pool_nan_and_infinity():
    x = np.array([[[[1., np.nan, 3., np.nan], [2., 2., -np.inf, -np.inf],
                    [5., 5., 5., np.nan], [-np.inf, -np.inf, -np.inf, -np.inf]]]])
    check(lambda lib, t: lib.nn.functional.max_pool2d(t, 2, 1, return_indices=True), x,
          grad=False)
    check(lambda lib, t: lib.nn.functional.max_pool2d(t, 2, 2, 1, return_indices=True), x,
          grad=False)


def test_max_pool1d_paths():
    x = _data((2, 3, 11))
    for kw in (dict(kernel_size=3), dict(kernel_size=4, stride=3, ceil_mode=True),
               dict(kernel_size=3, padding=1, dilation=3)):
        check(lambda lib, t: lib.max_pool1d(t, **kw), x, grad=False)
        check(lambda lib, t: lib.max_pool1d(t, **kw), x)
        check(lambda lib, t: lib.max_pool1d_with_indices(t, **kw), x)


def test_max_pool_empty_batch():
    check(lambda lib, t: lib.nn.functional.max_pool2d(t, 2, return_indices=True),
          _data((0, 3, 4, 4)))


# --- average pooling --------------------------------------------------------------------
AVG_CASES = [
    (1, (2, 3, 9), dict(kernel_size=3, stride=2, padding=1)),
    (1, (3, 8), dict(kernel_size=3, padding=1, ceil_mode=True, count_include_pad=False)),
    (2, (2, 3, 8, 8), dict(kernel_size=2)),
    (2, (2, 3, 7, 8), dict(kernel_size=3, stride=2, padding=1)),
    (2, (2, 2, 7, 9), dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True,
                           count_include_pad=False)),
    (2, (3, 7, 7), dict(kernel_size=3, stride=2, ceil_mode=True, divisor_override=5)),
    (3, (2, 2, 5, 6, 4), dict(kernel_size=2)),
    (3, (2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                           count_include_pad=False)),
    (3, (1, 2, 4, 5, 6), dict(kernel_size=(2, 3, 2), divisor_override=3)),
]


@pytest.mark.parametrize("nd,shape,kw", AVG_CASES)
def test_avg_pool(nd, shape, kw):
    check(lambda lib, t: getattr(lib.nn.functional, f"avg_pool{nd}d")(t, **kw), _data(shape),
          gradgrad=True)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int64"])
def test_avg_pool_dtypes(dtype):
    x = (_data((2, 3, 6, 6), "float32") * 5)
    e, t = pair(x)
    e, t = e.to(getattr(ember, dtype)), t.to(getattr(torch, dtype))
    f = (lambda lib, a: lib.nn.functional.avg_pool2d(a, 3, 2, 1, count_include_pad=False))
    assert_same(f(ember, e), f(torch, t), rtol=1e-2 if "16" in dtype else 1e-5)
    assert_same(ember.avg_pool1d(e[0], 3), torch.avg_pool1d(t[0], 3),
                rtol=1e-2 if "16" in dtype else 1e-5)


# --- lp pooling -------------------------------------------------------------------------
@pytest.mark.parametrize("nd,norm,kw", [
    (1, 2, dict(kernel_size=3, stride=2)), (1, 3.0, dict(kernel_size=2, ceil_mode=True)),
    (2, 2, dict(kernel_size=2)), (2, 1.5, dict(kernel_size=(3, 2), stride=(2, 1))),
    (2, float("inf"), dict(kernel_size=2)), (3, 2, dict(kernel_size=2)),
    (3, -float("inf"), dict(kernel_size=2, stride=1))])
def test_lp_pool(nd, norm, kw):
    shape = (2, 3) + (6,) * nd
    x = np.abs(_data(shape)) + 0.1
    check(lambda lib, t: getattr(lib.nn.functional, f"lp_pool{nd}d")(t, norm, **kw), x)


# --- adaptive pooling -------------------------------------------------------------------
ADAPTIVE = [(1, (2, 3, 10), 4), (1, (3, 7), 7), (1, (2, 3, 9), 1), (2, (2, 3, 8, 8), 4),
            (2, (2, 3, 7, 9), (3, 4)), (2, (3, 5, 5), (None, 2)), (2, (2, 3, 6, 6), 1),
            (2, (2, 3, 5, 7), (7, 9)), (3, (2, 2, 5, 6, 7), (2, 3, 4)), (3, (2, 4, 4, 4), 1),
            (3, (1, 2, 6, 5, 4), (3, None, 2))]


@pytest.mark.parametrize("nd,shape,size", ADAPTIVE)
def test_adaptive_avg_pool(nd, shape, size):
    check(lambda lib, t: getattr(lib.nn.functional, f"adaptive_avg_pool{nd}d")(t, size),
          _data(shape), gradgrad=True)


@pytest.mark.parametrize("nd,shape,size", ADAPTIVE)
@pytest.mark.parametrize("ties", [False, True])
def test_adaptive_max_pool(nd, shape, size, ties):
    fn = f"adaptive_max_pool{nd}d"
    check(lambda lib, t: getattr(lib.nn.functional, fn)(t, size, return_indices=True),
          _data(shape, ties=ties), gradgrad=True)


def test_adaptive_top_level_and_dtypes():
    x = _data((2, 3, 9), "float32")
    check(lambda lib, t: lib.adaptive_avg_pool1d(t, 4), x)
    check(lambda lib, t: lib.adaptive_max_pool1d(t, 4), x)
    check(lambda lib, t: lib._adaptive_avg_pool2d(t.unsqueeze(0), 1), x)
    for dtype in ("float16", "bfloat16"):
        e, t = pair(x)
        e, t = e.to(getattr(ember, dtype)), t.to(getattr(torch, dtype))
        for f in (lambda lib, a: lib.nn.functional.adaptive_avg_pool2d(a, (2, 4)),
                  lambda lib, a: lib.nn.functional.adaptive_max_pool2d(a, (2, 4), True)):
            assert_same(f(ember, e), f(torch, t), rtol=1e-2, atol=1e-2)


def test_adaptive_zero_output():
    check(lambda lib, t: lib.nn.functional.adaptive_avg_pool2d(t, 0), _data((2, 3, 4, 4)),
          grad=False)
    check(lambda lib, t: lib.nn.functional.adaptive_max_pool2d(t, 0, True),
          _data((2, 3, 4, 4)), grad=False)

    def backward(lib):
        x = lib.ones(2, 3, 4, 4, requires_grad=True)
        lib.nn.functional.adaptive_avg_pool2d(x, 0).sum().backward()
    same_error(backward)


# --- fractional max pooling -------------------------------------------------------------
@pytest.mark.parametrize("nd,shape,kw", [
    (2, (2, 3, 9, 8), dict(kernel_size=2, output_size=(5, 4))),
    (2, (3, 10, 10), dict(kernel_size=3, output_ratio=(0.5, 0.6))),
    (3, (2, 2, 7, 8, 9), dict(kernel_size=2, output_size=(4, 3, 5))),
    (3, (2, 7, 7, 7), dict(kernel_size=(2, 3, 2), output_ratio=0.5))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fractional_max_pool_seeded(nd, shape, kw, dtype):
    fn = f"fractional_max_pool{nd}d"

    def run(lib, t):
        lib.manual_seed(7)
        return getattr(lib.nn.functional, fn)(t, return_indices=True, **kw)
    check(run, _data(shape, dtype), gradgrad=True)


def test_fractional_max_pool_given_samples():
    x, u = _data((2, 3, 9, 9), ties=True), RNG.random((2, 3, 2))
    samples = dict(zip(("ember", "torch"), pair(u)))
    check(lambda lib, t: lib.nn.functional.fractional_max_pool2d(
        t, 3, output_size=4, _random_samples=samples[lib.__name__]), x)
    same_error(lambda lib: lib.nn.functional.fractional_max_pool2d(
        lib.ones(1, 3, 5, 5), 2, output_size=2, _random_samples=lib.rand(1, 3, 2,
                                                                         requires_grad=True)))


# --- max unpooling ----------------------------------------------------------------------
@pytest.mark.parametrize("nd,shape,kw,out", [
    (1, (2, 3, 8), dict(kernel_size=2), None), (1, (3, 9), dict(kernel_size=3, stride=2), 10),
    (2, (2, 3, 8, 8), dict(kernel_size=2), None),
    (2, (2, 3, 7, 7), dict(kernel_size=3, stride=2, padding=1), (2, 3, 8, 7)),
    (3, (2, 2, 4, 6, 4), dict(kernel_size=2), None),
    (3, (2, 5, 5, 5), dict(kernel_size=3, stride=2, padding=1), None)])
def test_max_unpool(nd, shape, kw, out):
    F = ("max_pool{}d", "max_unpool{}d")

    def run(lib, t):
        values, index = getattr(lib.nn.functional, F[0].format(nd))(t, return_indices=True,
                                                                      **kw)
        args = {k: v for k, v in kw.items()}
        size = None if out is None else ((out,) if isinstance(out, int) else out)
        return getattr(lib.nn.functional, F[1].format(nd))(values, index, output_size=size,
                                                             **args)
    check(run, _data(shape), gradgrad=True)


# --- modules ----------------------------------------------------------------------------
MODULES = [
    "MaxPool1d(3)", "MaxPool2d(3, stride=2, padding=1, return_indices=True)",
    "MaxPool3d((2, 3, 2), dilation=2, ceil_mode=True)", "AvgPool1d(3)",
    "AvgPool2d(2, stride=1, padding=1, count_include_pad=False)",
    "AvgPool3d(3, divisor_override=2)", "LPPool1d(2, 3)", "LPPool2d(1.5, (2, 3), stride=2)",
    "LPPool3d(2, 2)", "AdaptiveMaxPool1d(3)", "AdaptiveMaxPool2d((None, 3), True)",
    "AdaptiveMaxPool3d(2)", "AdaptiveAvgPool1d(3)", "AdaptiveAvgPool2d((4, None))",
    "AdaptiveAvgPool3d((1, 2, 3))", "MaxUnpool1d(2)", "MaxUnpool2d(3, stride=2, padding=1)",
    "MaxUnpool3d((2, 2, 3))", "FractionalMaxPool2d(2, output_size=3)",
    "FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 0.6), return_indices=True)"]


@pytest.mark.parametrize("spec", MODULES)
def test_module_repr_and_attributes(spec):
    def build(lib):
        m = eval(f"lib.nn.{spec}")
        return repr(m), {k: v for k, v in vars(m).items() if not k.startswith("_")}
    same(build)


@pytest.mark.parametrize("spec,shape", [
    ("MaxPool2d(2)", (2, 3, 6, 6)), ("MaxPool1d(3, 2, return_indices=True)", (2, 3, 9)),
    ("AvgPool3d(2, stride=1)", (1, 2, 3, 4, 5)), ("LPPool2d(2, 2)", (2, 3, 4, 4)),
    ("AdaptiveAvgPool2d((2, 3))", (2, 3, 5, 7)), ("AdaptiveMaxPool1d(4, True)", (2, 3, 9)),
    ("FractionalMaxPool2d(2, output_ratio=0.5)", (2, 3, 8, 8))])
def test_module_forward(spec, shape):
    def run(lib, t):
        lib.manual_seed(3)
        return eval(f"lib.nn.{spec}")(t)
    check(run, np.abs(_data(shape)) + 0.5)


def test_unpool_module_roundtrip():
    def run(lib, t):
        pool, unpool = lib.nn.MaxPool2d(2, return_indices=True), lib.nn.MaxUnpool2d(2)
        values, index = pool(t)
        return unpool(values, index, output_size=t.size())
    check(run, _data((2, 3, 5, 5)))


# --- errors -----------------------------------------------------------------------------
ERRORS = [
    "F.max_pool2d(x, 0)", "F.max_pool2d(x, -1, 1)", "F.max_pool2d(x, 2, -1)",
    "F.max_pool2d(x, 2, padding=2)", "F.max_pool2d(x, 2, padding=-1)",
    "F.max_pool2d(x, 2, dilation=0)", "F.max_pool2d(x, 7)", "F.max_pool2d(x, (2, 2, 2))",
    "F.max_pool2d(x, 2, (1, 1, 1))", "F.max_pool2d(x, 3, padding=2, dilation=2)",
    "F.max_pool2d(x[0, 0], 2)", "F.max_pool2d(x[:, :0], 2)", "F.max_pool2d(x, 2.5)",
    "F.max_pool2d(x, (2, 2.0))", "F.max_pool2d(x.bool(), 2)", "F.max_pool2d(x.cdouble(), 2)",
    "F.max_pool3d(x, 7)", "F.max_pool3d(x[0], 2)", "F.max_pool3d(x[:, :0, None], 2)",
    "F.max_pool3d(x[None], 3, padding=2, dilation=2)", "F.max_pool3d(x[None], -1, 1)",
    "F.max_pool1d(x[0], 0)", "F.max_pool1d(x[0], 2, 0)", "F.max_pool1d(x[0], 2, padding=2)",
    "F.max_pool1d(x[0], 7)", "F.max_pool1d(x[0, 0, 0], 2)", "F.max_pool1d(x[0], (2, 2))",
    "F.max_pool1d(x[0].long(), 2)", "F.max_pool1d(x[0], 0, return_indices=True)",
    "F.max_pool1d(x[0], (2, 2), return_indices=True)",
    "F.max_pool1d(x[0, 0, 0], 2, return_indices=True)",
    "F.avg_pool2d(x, 0)", "F.avg_pool2d(x, 2, padding=2)", "F.avg_pool2d(x, 7)",
    "F.avg_pool2d(x, 2, divisor_override=0)", "F.avg_pool2d(x[0, 0], 2)",
    "F.avg_pool2d(x[None], 2)", "F.avg_pool2d(x.int(), 2)", "F.avg_pool2d(x, (2, 2, 2))",
    "F.avg_pool3d(x[None], 7)", "F.avg_pool3d(x[None].half(), 2)",
    "F.avg_pool3d(x[0], 2)", "F.avg_pool3d(x[None], 2, padding=2)", "F.avg_pool1d(x[0], 7)",
    "F.avg_pool1d(x[0, 0, 0], 2)", "F.avg_pool1d(x[0], (2, 2))",
    "F.adaptive_avg_pool2d(x, -1)", "F.adaptive_avg_pool2d(x, (1, 1, 1))",
    "F.adaptive_avg_pool2d(x[0, 0], 2)", "F.adaptive_avg_pool2d(x[:, :, :0], 2)",
    "F.adaptive_avg_pool2d(x.long(), 2)", "F.adaptive_avg_pool2d(x.long(), 1)",
    "F.adaptive_avg_pool3d(x[None, :, :0], 2)", "F.adaptive_avg_pool3d(x[None], -1)",
    "F.adaptive_avg_pool1d(x[0], (2, 2))", "F.adaptive_avg_pool1d(x, 2)",
    "F.adaptive_max_pool2d(x, -1)", "F.adaptive_max_pool2d(x[0, 0], 2)",
    "F.adaptive_max_pool2d(x[:, :0], 2)", "F.adaptive_max_pool2d(x.bool(), 2)",
    "F.adaptive_max_pool2d(x, (1, 1, 1))", "F.adaptive_max_pool3d(x[0], 2)",
    "F.adaptive_max_pool1d(x[0, :, :0], 2)", "F.adaptive_max_pool1d(x, 2)",
    "F.fractional_max_pool2d(x, 2)", "F.fractional_max_pool2d(x, 2, output_size=6)",
    "F.fractional_max_pool2d(x, 2, output_ratio=0.5)",
    "F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5, 0.5))",
    "F.fractional_max_pool2d(x, (2, 2, 2), output_size=2)",
    "F.fractional_max_pool2d(x[:, :0], 2, output_size=2)",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=ember.rand(2, 3, 2).double())",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=ember.rand(2, 3))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=ember.rand(1, 3, 2))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=ember.rand(2, 4, 2))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=ember.rand(2, 3, 3))",
    "F.fractional_max_pool2d(x.long(), 2, output_size=2)",
    "F.fractional_max_pool2d(x, 2, output_size=-1)",
    "F.fractional_max_pool3d(x[None], 2, output_size=6)",
    "F.fractional_max_pool3d(x[None], 2, output_size=(2, 2))",
    "F.max_unpool2d(x, ember.arange(144).view(2, 3, 6, 6) * 10, 2)",
    "F.max_unpool2d(x, ember.zeros(2, 3, 6, 6, dtype=ember.int32), 2)",
    "F.max_unpool2d(x, ember.zeros(3, 6, 6, dtype=ember.int64), 2)",
    "F.max_unpool2d(x[0, 0], ember.zeros(6, 6, dtype=ember.int64), 2)",
    "F.max_unpool2d(x, ember.zeros(2, 3, 6, 6, dtype=ember.int64), 2, output_size=(7,))",
    "F.max_unpool2d(x, ember.zeros(2, 3, 6, 6, dtype=ember.int64), 2, output_size=(5, 5))",
    "F.max_unpool2d(x, ember.zeros(2, 3, 6, 6, dtype=ember.int64), 2, padding=7)",
    "F.max_unpool2d(x.long(), ember.zeros(2, 3, 6, 6, dtype=ember.int64), 2)",
    "F.max_unpool3d(x[None], ember.zeros(1, 2, 3, 6, 6, dtype=ember.int64), 2, stride=0)",
    "F.max_unpool3d(x[None], ember.zeros(1, 2, 3, 6, 6, dtype=ember.int64) + 999, 2)",
    "F.max_unpool3d(x[0], ember.zeros(3, 6, 6, dtype=ember.int64), 2)",
    "F.max_unpool1d(x[0], ember.zeros(3, 6, 6, dtype=ember.int64) + 12, 2)",
    "nn.FractionalMaxPool2d(2)", "nn.FractionalMaxPool2d(2, 3, 0.5)",
    "nn.FractionalMaxPool2d(2, output_ratio=1.5)", "nn.FractionalMaxPool3d(0, 2)",
]


@pytest.mark.parametrize("code", ERRORS)
def test_errors(code):
    x_np = _data((2, 3, 6, 6), "float32")

    def run(lib):
        x = lib.tensor(x_np)
        env = {"F": lib.nn.functional, "nn": lib.nn, "x": x, "ember": lib}
        return eval(code, env)
    same_error(run)


# --- finite differences -----------------------------------------------------------------
GRADCHECK = [
    lambda F, t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True),
    lambda F, t: F.max_pool3d(t.unsqueeze(0), 2, 1),
    lambda F, t: F.avg_pool2d(t, 3, 2, 1, count_include_pad=False),
    lambda F, t: F.lp_pool2d(t.abs() + 1, 3, 2),
    lambda F, t: F.adaptive_avg_pool2d(t, (2, 3)),
    lambda F, t: F.adaptive_max_pool2d(t, (3, 2)),
    lambda F, t: F.fractional_max_pool2d(t, 2, output_size=3,
                                         _random_samples=ember.full((1, 2, 2), 0.3,
                                                                    dtype=ember.float64)),
    lambda F, t: F.max_unpool2d(*F.max_pool2d(t, 2, return_indices=True), 2,
                                output_size=(5, 5)),
]


@pytest.mark.parametrize("case", range(len(GRADCHECK)))
def test_gradcheck(case):
    x = ember.tensor(_data((1, 2, 5, 5)), requires_grad=True)
    fn = GRADCHECK[case]
    F = ember.nn.functional
    assert ember.autograd.gradcheck(lambda t: fn(F, t), (x,))
    assert ember.autograd.gradgradcheck(lambda t: fn(F, t), (x,))
