"""Padding and channel-rearrangement layers against torch: F.pad's modes and errors, the
padding Modules (reprs, values, gradients, unbatched input), and PixelShuffle /
PixelUnshuffle / ChannelShuffle with their errors.

Values, dtypes and second-order gradients per op are in the op table (tests/opdb/nn_conv.py).
"""
from __future__ import annotations

import numpy as np
import pytest

import ember
from nn._helpers import same, same_error

RNG = np.random.default_rng(0)
X3, X4, X5 = (RNG.standard_normal(s) for s in ((2, 3, 5), (2, 3, 4, 5), (2, 2, 3, 4, 5)))


def _leaf(lib, arr):
    return lib.tensor(arr, requires_grad=True)


def _run(lib, layer, arr):
    """(output, grad_fn name, input gradient, grad_fn of that gradient) for sum(out * g)."""
    x = _leaf(lib, arr)
    y = layer(x)
    g = lib.tensor(np.arange(y.numel(), dtype=np.float64).reshape(tuple(y.shape)) % 7,
                   requires_grad=True)
    (gx,) = lib.autograd.grad(y, x, g, create_graph=True)
    return y, type(y.grad_fn).__name__, gx, type(gx.grad_fn).__name__


# --- padding modules --------------------------------------------------------------------
MODULES = [
    ("ReflectionPad1d", (2,), X3), ("ReflectionPad1d", ((3, 1),), X3[0]),
    ("ReflectionPad2d", (2,), X4), ("ReflectionPad2d", ((1, 0, 3, -1),), X4[0]),
    ("ReflectionPad3d", (1,), X5), ("ReflectionPad3d", ((1, 2, 0, 1, 2, 0),), X5[0]),
    ("ReplicationPad1d", ((4, 0),), X3), ("ReplicationPad2d", ((5, 1, 0, 2),), X4),
    ("ReplicationPad3d", (2,), X5[0]), ("ReplicationPad2d", ((-1, 2, 1, 1),), X4),
    ("ConstantPad1d", (2, 3.5), X3), ("ConstantPad2d", ((1, -2, 0, 3), -1.0), X4),
    ("ConstantPad3d", (1, 0.0), X5), ("ZeroPad1d", ((0, 2),), X3),
    ("ZeroPad2d", (1,), X4[0]), ("ZeroPad3d", ((1, 1, 0, 0, 2, 0),), X5),
    ("CircularPad1d", (2,), X3), ("CircularPad2d", ((1, 2, 3, 0),), X4),
    ("CircularPad3d", (1,), X5), ("CircularPad2d", ((-1, 2, 1, -2),), X4[0]),
]


@pytest.mark.parametrize("name,args,arr", MODULES, ids=[f"{m[0]}{m[1]}" for m in MODULES])
def test_padding_modules(name, args, arr):
    def fn(lib):
        layer = getattr(lib.nn, name)(*args)
        return (repr(layer),) + _run(lib, layer, arr)
    if name.startswith("Circular"):
        # the second-order node of circular padding's CopySlices is the engine's business
        def fn(lib, fn=fn):
            return fn(lib)[:4]
    same(fn)


@pytest.mark.parametrize("name,shape", [("CircularPad1d", (4,)), ("CircularPad2d", (2, 3)),
                                        ("CircularPad3d", (1, 2, 3, 4, 5, 6))])
def test_circular_pad_dims(name, shape):
    same_error(lambda lib: getattr(lib.nn, name)(1)(lib.ones(*shape)))


def test_constant_pad_casts_value():
    def fn(lib):
        F = lib.nn.functional
        return (F.pad(lib.arange(6).view(2, 3), (1, 2), value=2.7),
                F.pad(lib.ones(2, 2, dtype=lib.bool), (1, 0, 0, 1), value=0.5),
                F.pad(lib.ones(2, 2, dtype=lib.uint8), (1, 1), value=255),
                lib.constant_pad_nd(lib.ones(3, dtype=lib.float16), (2, 1), 1.5))
    same(fn)


def test_pad_int_list_and_noop():
    def fn(lib):
        x = _leaf(lib, X4)
        y = lib.nn.functional.pad(x, [0, 0])
        return y, y.grad_fn.name(), y.data_ptr() != x.data_ptr()
    same(fn)


PAD_ERRORS = {
    "odd": lambda F, lib: F.pad(lib.ones(2, 3), (1,)),
    "too_long": lambda F, lib: F.pad(lib.ones(2, 3, 4, 5), (1, 1) * 5),
    "narrow": lambda F, lib: F.pad(lib.ones(2, 3, 5), (-3, -3)),
    "narrow_mixed": lambda F, lib: F.pad(lib.ones(2, 3, 5), (-6, 1)),
    "value_reflect": lambda F, lib: F.pad(lib.ones(2, 3, 5), (1, 1), mode="reflect", value=2.),
    "mode": lambda F, lib: F.pad(lib.ones(2, 3, 5), (1, 1), mode="wrap"),
    "float_pad": lambda F, lib: F.pad(lib.ones(2, 3, 5), (1.5, 1)),
    "reflect_4d_2": lambda F, lib: F.pad(lib.ones(2, 3, 4, 5), (1, 1), mode="reflect"),
    "reflect_1d": lambda F, lib: F.pad(lib.ones(5), (1, 1), mode="reflect"),
    "reflect_2d_4": lambda F, lib: F.pad(lib.ones(4, 5), (1, 1, 1, 1), mode="reflect"),
    "replicate_4d_8": lambda F, lib: F.pad(lib.ones(2, 3, 4, 5), (1,) * 8, mode="replicate"),
    "reflect_big_w": lambda F, lib: F.pad(lib.ones(2, 3, 5), (5, 1), mode="reflect"),
    "reflect_big_h": lambda F, lib: F.pad(lib.ones(2, 3, 4, 5), (1, 4, 1, 4), mode="reflect"),
    "reflect_big_d": lambda F, lib: F.pad(lib.ones(1, 2, 3, 4, 5), (1, 1, 1, 1, 9, 1),
                                          mode="reflect"),
    "reflect_small": lambda F, lib: F.pad(lib.ones(2, 3, 5), (-3, -2), mode="reflect"),
    "replicate_small_2d": lambda F, lib: F.pad(lib.ones(2, 3, 4, 5), (-3,) * 4,
                                               mode="replicate"),
    "reflect_small_2d": lambda F, lib: F.pad(lib.ones(2, 3, 4, 5), (-3,) * 4, mode="reflect"),
    "reflect_small_3d": lambda F, lib: F.pad(lib.ones(1, 2, 3, 4, 5), (1, 1, 1, 1, -3, -3),
                                             mode="reflect"),
    "reflect_zero_channels": lambda F, lib: F.pad(lib.ones(2, 0, 4), (1, 1), mode="reflect"),
    "replicate_zero_dim": lambda F, lib: F.pad(lib.ones(3, 0, 4), (1, 1, 1, 1),
                                               mode="replicate"),
    "reflect_bool": lambda F, lib: F.pad(lib.ones(2, 3, 4, 5, dtype=lib.bool), (1, 1, 1, 1),
                                         mode="reflect"),
    "replicate_bool": lambda F, lib: F.pad(lib.ones(1, 2, 3, 4, 5, dtype=lib.bool), (1,) * 6,
                                           mode="replicate"),
    "circular_wrap": lambda F, lib: F.pad(lib.ones(2, 3, 5), (6, 1), mode="circular"),
    "circular_empty": lambda F, lib: F.pad(lib.ones(2, 3, 5), (-3, -3), mode="circular"),
    "fill_overflow": lambda F, lib: F.pad(lib.ones(2, 2, dtype=lib.uint8), (1, 1), value=-1),
    "fill_overflow_half": lambda F, lib: F.pad(lib.ones(2, dtype=lib.float16), (1, 0),
                                               value=1e5),
    "constant_pad_nd_odd": lambda F, lib: lib.constant_pad_nd(lib.ones(2, 3), (1,)),
    "constant_pad_nd_long": lambda F, lib: lib.constant_pad_nd(lib.ones(2, 3), (1, 1) * 3),
}


@pytest.mark.parametrize("case", sorted(PAD_ERRORS))
def test_pad_errors(case):
    same_error(lambda lib: PAD_ERRORS[case](lib.nn.functional, lib))


def test_pad_empty_batch_and_cropped_to_zero():
    def fn(lib):
        F = lib.nn.functional
        return (F.pad(lib.ones(0, 3, 4), (1, 1), mode="reflect"),
                F.pad(lib.ones(0, 3, 4, 4), (1, 1, 1, 1), mode="replicate"),
                F.pad(lib.ones(2, 3, 5), (-2, -3)), F.pad(lib.ones(2, 3, 5), (-5, 0, 1, 1)),
                F.pad(lib.ones(2, 3, 5), (-2, -3), mode="circular"))
    same(fn)


# --- pixel and channel shuffles ---------------------------------------------------------
SHUFFLES = [("PixelShuffle", (2,), RNG.standard_normal((2, 8, 3, 2))),
            ("PixelShuffle", (3,), RNG.standard_normal((9, 2, 1))),
            ("PixelUnshuffle", (2,), RNG.standard_normal((1, 2, 4, 6))),
            ("ChannelShuffle", (3,), RNG.standard_normal((2, 6, 2, 2)))]


@pytest.mark.parametrize("name,args,arr", SHUFFLES)
def test_shuffle_modules(name, args, arr):
    def fn(lib):
        layer = getattr(lib.nn, name)(*args)
        y, node, gx, gnode = _run(lib, layer, arr)
        return repr(layer), y, node, gx, gnode, y.is_contiguous()
    same(fn)


def test_native_channel_shuffle_has_no_derivative():
    def fn(lib):
        x = _leaf(lib, X4[:, :2])
        y = lib.native_channel_shuffle(x, 2)
        return y, type(y.grad_fn).__name__
    same(fn)
    same_error(lambda lib: lib.native_channel_shuffle(_leaf(lib, X4[:, :2]), 2).sum().backward())


SHUFFLE_ERRORS = {
    "ps_dims": lambda lib: lib.pixel_shuffle(lib.ones(2, 2), 2),
    "ps_factor": lambda lib: lib.pixel_shuffle(lib.ones(1, 4, 2, 2), 0),
    "ps_channels": lambda lib: lib.pixel_shuffle(lib.ones(3, 2, 2), 2),
    "pu_dims": lambda lib: lib.pixel_unshuffle(lib.ones(4, 2), 2),
    "pu_factor": lambda lib: lib.pixel_unshuffle(lib.ones(1, 4, 2, 2), -1),
    "pu_height": lambda lib: lib.pixel_unshuffle(lib.ones(1, 4, 3, 2), 2),
    "pu_width": lambda lib: lib.pixel_unshuffle(lib.ones(1, 4, 2, 3), 2),
    "cs_dims": lambda lib: lib.channel_shuffle(lib.ones(1, 4), 2),
    "cs_groups": lambda lib: lib.channel_shuffle(lib.ones(1, 4, 3), 0),
    "cs_divisible": lambda lib: lib.channel_shuffle(lib.ones(1, 4, 3), 3),
    "ncs_dims": lambda lib: lib.native_channel_shuffle(lib.ones(4), 2),
}


@pytest.mark.parametrize("case", sorted(SHUFFLE_ERRORS))
def test_shuffle_errors(case):
    same_error(SHUFFLE_ERRORS[case])


def test_functional_names_are_torch_functions():
    F = ember.nn.functional
    assert F.pixel_shuffle is ember.pixel_shuffle and F.conv2d is ember.conv2d
    for name in ("pad", "unfold", "fold", "channel_shuffle", "native_channel_shuffle",
                 "conv_tbc", "conv_transpose3d"):
        assert callable(getattr(F, name))
