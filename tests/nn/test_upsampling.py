"""interpolate / upsample*, grid_sample and affine_grid, and the Upsample modules, against
torch: values, dtypes, grad_fn names, gradients of first and second order, reprs, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from nn._helpers import same, same_error
from nn.test_pooling import check
from parity import assert_same, pair, torch

RNG = np.random.default_rng(1)


def _data(shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


# --- interpolate ------------------------------------------------------------------------
INTERP = [
    ("nearest", (2, 3, 5), dict(size=9)),
    ("nearest", (2, 3, 5, 4), dict(scale_factor=2)),
    ("nearest", (2, 3, 6, 5), dict(scale_factor=(0.6, 1.7))),
    ("nearest", (1, 2, 3, 4, 5), dict(size=(4, 7, 3))),
    ("nearest-exact", (2, 3, 7), dict(scale_factor=1.5)),
    ("nearest-exact", (2, 3, 5, 6), dict(size=(8, 4))),
    ("nearest-exact", (1, 2, 3, 4, 5), dict(scale_factor=(2, 0.5, 1.5))),
    ("linear", (2, 3, 6), dict(size=11)),
    ("linear", (2, 3, 6), dict(scale_factor=2.5, align_corners=True)),
    ("linear", (2, 3, 7), dict(scale_factor=0.6, recompute_scale_factor=True)),
    ("bilinear", (2, 3, 4, 5), dict(scale_factor=2)),
    ("bilinear", (2, 3, 6, 5), dict(size=(3, 9), align_corners=True)),
    ("bilinear", (2, 3, 9, 10), dict(size=(4, 3), antialias=True)),
    ("bilinear", (2, 3, 9, 10), dict(scale_factor=(0.4, 1.5), antialias=True,
                                     align_corners=True)),
    ("bicubic", (2, 3, 5, 4), dict(size=(7, 9))),
    ("bicubic", (2, 3, 6, 6), dict(scale_factor=0.5, align_corners=True)),
    ("bicubic", (2, 3, 12, 9), dict(size=(5, 4), antialias=True)),
    ("trilinear", (1, 2, 3, 4, 5), dict(scale_factor=(2, 1.5, 0.5))),
    ("trilinear", (1, 2, 4, 4, 3), dict(size=(2, 5, 6), align_corners=True)),
    ("area", (2, 3, 9), dict(size=4)),
    ("area", (2, 3, 8, 9), dict(scale_factor=0.5)),
    ("area", (1, 2, 6, 6, 6), dict(size=(2, 3, 4))),
]


@pytest.mark.parametrize("mode,shape,kw", INTERP)
def test_interpolate(mode, shape, kw):
    check(lambda lib, t: lib.nn.functional.interpolate(t, mode=mode, **kw), _data(shape),
          gradgrad=True, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mode,shape,kw", INTERP[:19])
def test_interpolate_float32(mode, shape, kw):
    # float32 values agree to a few ulps (torch's compiled kernels fuse some multiply-adds)
    check(lambda lib, t: lib.nn.functional.interpolate(t, mode=mode, **kw),
          _data(shape, "float32"), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode,aa,channels", [("bilinear", False, 3), ("bilinear", True, 3),
                                              ("bicubic", False, 5), ("bicubic", True, 2),
                                              ("nearest", False, 3),
                                              ("nearest-exact", False, 6)])
def test_interpolate_uint8_exact(mode, aa, channels):
    x = RNG.integers(0, 256, (2, channels, 9, 11)).astype(np.uint8)
    for size in ((5, 4), (14, 17)):
        check(lambda lib, t: lib.nn.functional.interpolate(t, size=size, mode=mode,
                                                           antialias=aa), x, grad=False)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mode", ["nearest", "linear", "bicubic", "trilinear"])
def test_interpolate_low_precision(dtype, mode):
    nd = {"linear": 1, "trilinear": 3}.get(mode, 2)
    e, t = pair(_data((1, 2) + (5,) * nd, "float32"))
    e, t = e.to(getattr(ember, dtype)), t.to(getattr(torch, dtype))

    def f(lib, a):
        return lib.nn.functional.interpolate(a, scale_factor=1.7, mode=mode)
    assert_same(f(ember, e), f(torch, t), rtol=1e-2, atol=1e-2)


def test_interpolate_lanczos():
    check(lambda lib, t: lib.nn.functional.interpolate(t, size=(4, 13), mode="lanczos",
                                                       antialias=True),
          _data((1, 2, 9, 11)), rtol=1e-6, atol=1e-9)


def test_upsample_deprecated_forms():
    x = _data((1, 2, 3, 4))
    for name, kw in (("upsample", dict(scale_factor=2, mode="bilinear")),
                     ("upsample_nearest", dict(size=(5, 6))),
                     ("upsample_bilinear", dict(scale_factor=2))):
        def run(lib, t):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = getattr(lib.nn.functional, name)(t, **kw)
            return out, str(caught[0].message)
        e, t = [run(lib, p) for lib, p in zip((ember, torch), pair(x))]
        assert e[1] == t[1]
        assert_same(e[0], t[0])


# --- grid_sample / affine_grid ----------------------------------------------------------
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_2d(mode, padding, align):
    x, grid = _data((2, 3, 4, 5)), RNG.uniform(-1.3, 1.3, (2, 3, 4, 2))
    # NOTE: ember's second-order graph of grid_sample is built from ember ops, so the
    # gradient's grad_fn is not torch's single GridSampler2DBackwardBackward0 node
    check(lambda lib, a, g: lib.nn.functional.grid_sample(a, g, mode, padding, align),
          x, grid, gradgrad=True, rtol=1e-6, atol=1e-9, gg_name=False)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", ["zeros", "reflection"])
def test_grid_sample_3d(mode, padding):
    x, grid = _data((2, 2, 3, 4, 5)), RNG.uniform(-1.2, 1.2, (2, 2, 3, 2, 3))
    check(lambda lib, a, g: lib.nn.functional.grid_sample(a, g, mode, padding, True),
          x, grid, gradgrad=True, rtol=1e-6, atol=1e-9, gg_name=False)


def test_grid_sample_float32_and_top_level():
    x, grid = _data((2, 3, 6, 5), "float32"), RNG.uniform(-1, 1, (2, 4, 3, 2)).astype("float32")
    check(lambda lib, a, g: lib.grid_sampler(a, g, 0, 1, False), x, grid, rtol=1e-5,
          atol=1e-6)
    check(lambda lib, a, g: lib.grid_sampler_2d(a, g, 2, 2, True), x, grid, rtol=1e-5,
          atol=1e-5)


@pytest.mark.parametrize("size,align", [((2, 3, 4, 5), False), ((2, 3, 4, 5), True),
                                        ((2, 3, 1, 4), False), ((2, 1, 3, 4, 5), True)])
def test_affine_grid(size, align):
    nd = len(size) - 2
    theta = _data((2, nd, nd + 1))
    check(lambda lib, t: lib.nn.functional.affine_grid(t, size, align_corners=align), theta,
          gradgrad=True)
    check(lambda lib, t: lib.affine_grid_generator(t, size, align), theta.astype("float32"),
          rtol=1e-6)


# --- modules ----------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [
    "Upsample(scale_factor=2)", "Upsample(size=(3, 4), mode='bilinear')",
    "Upsample(scale_factor=(2, 3), mode='bicubic', align_corners=True)",
    "UpsamplingNearest2d(scale_factor=2)", "UpsamplingBilinear2d(size=5)",
    "Upsample(size=7, mode='linear', recompute_scale_factor=False)"])
def test_module_repr(spec):
    same(lambda lib: (repr(eval(f"lib.nn.{spec}")),
                      {k: v for k, v in vars(eval(f"lib.nn.{spec}")).items()
                       if not k.startswith("_")}))


@pytest.mark.parametrize("spec,shape", [
    ("Upsample(scale_factor=2)", (2, 3, 4)), ("Upsample(size=(3, 7), mode='bilinear')",
                                             (2, 3, 4, 5)),
    ("UpsamplingNearest2d(scale_factor=1.5)", (1, 2, 4, 4)),
    ("UpsamplingBilinear2d(size=(5, 6))", (1, 2, 3, 3)),
    ("Upsample(scale_factor=0.5, mode='trilinear')", (1, 2, 4, 4, 4))])
def test_module_forward(spec, shape):
    check(lambda lib, t: eval(f"lib.nn.{spec}")(t), _data(shape))


# --- errors -----------------------------------------------------------------------------
ERRORS = [
    "F.interpolate(x, scale_factor=0.1)", "F.interpolate(x, size=0)",
    "F.interpolate(x[:, :, :0], size=3)", "F.interpolate(x[:, :0], size=3)",
    "F.interpolate(x[0], scale_factor=0.1, mode='linear')",
    "F.interpolate(x[None], scale_factor=0.1, mode='trilinear')",
    "F.interpolate(x, size=(2, 2, 2))", "F.interpolate(x, size=(2.5, 2))",
    "F.interpolate(x, scale_factor=(2, 2, 2))", "F.interpolate(x)", "F.interpolate(x, 2, 2)",
    "F.interpolate(x, 2, align_corners=True)",
    "F.interpolate(x, 2, mode='area', align_corners=False)",
    "F.interpolate(x, 2, mode='bogus')", "F.interpolate(x[0], 2, mode='bilinear')",
    "F.interpolate(x, 2, mode='linear')", "F.interpolate(x[0, 0], 2)",
    "F.interpolate(x[None], 2, mode='bicubic')",
    "F.interpolate(x, size=3, recompute_scale_factor=True)",
    "F.interpolate(x[0], 2, mode='bilinear', antialias=True)",
    "F.interpolate(x, 2, mode='nearest', antialias=True)",
    "F.interpolate(x, 2, mode='lanczos')", "F.interpolate(x, 2, mode='lanczos', "
    "antialias=True, align_corners=True)", "F.interpolate(x, scale_factor=-1.0)",
    "F.interpolate(x.long(), 2)", "F.interpolate(x.long(), 2, mode='bilinear')",
    "F.interpolate(x.long(), 200)", "F.interpolate(x.bool(), 2)",
    "F.interpolate(x[0].long(), 2, mode='linear')", "F.interpolate(x.int(), 2, mode='bicubic')",
    "F.interpolate(x.half(), 2, mode='bilinear', antialias=True)",
    "F.interpolate(x.byte()[0], 2, mode='linear')",
    "F.grid_sample(x, g.double(), align_corners=False)",
    "F.grid_sample(x, g[0], align_corners=False)", "F.grid_sample(x, g[:1], align_corners=False)",
    "F.grid_sample(x, g[..., :1], align_corners=False)", "F.grid_sample(x, g, mode='bogus')",
    "F.grid_sample(x, g, padding_mode='bogus')", "F.grid_sample(x[0], g, align_corners=False)",
    "F.grid_sample(x[:, :, :0], g, align_corners=False)",
    "F.grid_sample(x[None], ember.rand(1, 2, 2, 2, 3), mode='bicubic', align_corners=False)",
    "F.grid_sample(x[None], ember.rand(1, 2, 2, 2, 2), align_corners=False)",
    "F.grid_sample(x.long(), g.long(), align_corners=False)",
    "F.affine_grid(ember.rand(2, 2, 3).long(), (2, 3, 4, 4))",
    "F.affine_grid(ember.rand(2, 3, 3), (2, 3, 4, 4), align_corners=False)",
    "F.affine_grid(ember.rand(2, 2, 3), (2, 3, 4), align_corners=False)",
    "F.affine_grid(ember.rand(2, 2, 3), (2, 3, 0, 4), align_corners=False)",
    "F.affine_grid(ember.rand(3, 2, 3), (2, 3, 4, 4), align_corners=False)",
    "F.affine_grid(ember.rand(2, 2, 3), (2, 3, 4, 4, 4), align_corners=False)",
]


@pytest.mark.parametrize("code", ERRORS)
def test_errors(code):
    x_np = _data((2, 3, 4, 4), "float32")
    g_np = RNG.uniform(-1, 1, (2, 5, 6, 2)).astype("float32")

    def run(lib):
        env = {"F": lib.nn.functional, "x": lib.tensor(x_np), "g": lib.tensor(g_np),
               "ember": lib}
        return eval(code, env)
    same_error(run)


def test_warnings():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2))
            lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 1, 3), align_corners=True)
        return [str(w.message) for w in caught]
    same(run)


@pytest.mark.parametrize("case", ["bicubic_aa", "trilinear", "grid_bicubic", "grid_3d"])
def test_gradcheck(case):
    F = ember.nn.functional
    x = ember.tensor(_data((1, 2, 4, 5)), requires_grad=True)
    grid = ember.tensor(RNG.uniform(-1.1, 1.1, (1, 3, 2, 2)), requires_grad=True)
    if case == "bicubic_aa":
        args, fn = (x,), lambda t: F.interpolate(t, size=(3, 2), mode="bicubic", antialias=True)
    elif case == "trilinear":
        args, fn = (x,), lambda t: F.interpolate(t.unsqueeze(0), scale_factor=1.5,
                                                 mode="trilinear")
    elif case == "grid_bicubic":
        args, fn = (x, grid), lambda t, g: F.grid_sample(t, g, "bicubic", "reflection", False)
    else:
        grid3 = ember.tensor(RNG.uniform(-1.1, 1.1, (1, 2, 2, 2, 3)), requires_grad=True)
        args, fn = (x.unsqueeze(0).detach().requires_grad_(), grid3), \
            lambda t, g: F.grid_sample(t, g, "bilinear", "border", True)
    assert ember.autograd.gradcheck(fn, args)
    assert ember.autograd.gradgradcheck(fn, args)
