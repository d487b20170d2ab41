"""Batch, instance, layer, group, RMS and local response norm (functional and modules) and
F.normalize against torch: values, gradients (first and second order), graph names, running
statistics, dtypes, errors, reprs, buffers and state_dict."""
from __future__ import annotations

import numpy as np
import pytest

from nn._compare import compare, grads, node_names, tensors
from nn._helpers import same_error

RNG = np.random.default_rng(0)


def _data(*shape, shift=0.5, scale=2.0):
    return RNG.standard_normal(shape) * scale + shift


# --- batch norm ---------------------------------------------------------------------------
# (1500, 3): rows regrouped k at a time with a remainder; (3, 3, 300): the long-S path
BN_SHAPES = [(6, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 2), (3, 3, 300), (1500, 3)]


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_values_grads_running_stats(shape, training, affine):
    x0, w0, b0 = _data(*shape), _data(3), _data(3)

    def fn(lib):
        x, w, b = tensors(lib, "float64", True, x0, w0, b0)
        w, b = (w, b) if affine else (None, None)
        rm = lib.full((3,), 0.25, dtype=lib.float64)
        rv = lib.full((3,), 1.5, dtype=lib.float64)
        y = lib.nn.functional.batch_norm(x, rm, rv, w, b, training, 0.3, 1e-3)
        return (y, rm, rv, node_names(y)) + grads(lib, y, (x, w, b))
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_double_backward(training):
    x0, w0, b0 = _data(4, 3, 5), _data(3), _data(3)

    def fn(lib):
        x, w, b = tensors(lib, "float64", True, x0, w0, b0)
        rm, rv = lib.zeros(3, dtype=lib.float64) + 0.2, lib.ones(3, dtype=lib.float64) * 2
        y = lib.nn.functional.batch_norm(x, rm, rv, w, b, training, 0.1, 1e-5)
        gx, gw, gb = grads(lib, y, (x, w, b), create_graph=True)
        loss = (gx * gx).sum() + (gw ** 3).sum() + (gx * x).sum()
        return lib.autograd.grad(loss, (x, w), allow_unused=True)
    compare(fn, rtol=1e-8, atol=1e-9)


def test_batch_norm_float32_large_mean_and_no_stats():
    x0 = _data(8, 4, 6, 6, shift=100.0)

    def fn(lib):
        x, = tensors(lib, "float32", True, x0)
        y = lib.nn.functional.batch_norm(x, None, None, training=True)
        return (y,) + grads(lib, y, (x,))
    compare(fn, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mixed", [True, False])
def test_batch_norm_reduced_precision(dtype, mixed):
    x0, w0 = _data(4, 3, 5), _data(3)

    def fn(lib):
        x, = tensors(lib, dtype, True, x0)
        pdt = "float32" if mixed else dtype
        w, = tensors(lib, pdt, True, w0)
        rm, rv = lib.zeros(3, dtype=getattr(lib, pdt)), lib.ones(3, dtype=getattr(lib, pdt))
        y = lib.nn.functional.batch_norm(x, rm, rv, w, None, True)
        stats = lib.native_batch_norm(x.detach(), w.detach(), None, None, None, True, 0.1,
                                      1e-5)
        return (y, rm, rv, stats) + grads(lib, y, (x, w))
    compare(fn, rtol=2e-2, atol=2e-2)


def test_native_batch_norm_outputs():
    x0 = _data(4, 3, 5)

    def fn(lib):
        x, = tensors(lib, "float64", True, x0)
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        train = lib.native_batch_norm(x, None, None, rm, rv, True, 0.1, 1e-5)
        evals = lib.native_batch_norm(x, None, None, rm, rv, False, 0.1, 1e-5)
        return train, evals, rm, rv, lib.batch_norm(x, None, None, None, None, True, 0.1,
                                                    1e-5, False)
    compare(fn, rtol=1e-9, atol=1e-10)


def test_batch_norm_empty_and_single_value():
    def fn(lib):
        rm, rv = lib.zeros(3), lib.ones(3)
        w = lib.ones(3, requires_grad=True)
        empty = lib.batch_norm(lib.ones(0, 3), w, None, rm, rv, True, 0.1, 1e-5, False)
        one = lib.batch_norm(lib.tensor([[1.0, 2.0, 3.0]]), None, None, rm, rv, True, 0.1,
                             1e-5, False)
        return empty, node_names(empty)[0], one, rm, rv
    compare(fn, atol=1e-4)


BN_ERRORS = {
    "weight_size": lambda lib, x: lib.nn.functional.batch_norm(x, None, None, lib.ones(4),
                                                               training=True),
    "bias_size": lambda lib, x: lib.nn.functional.batch_norm(x, None, None, None, lib.ones(4),
                                                             training=True),
    "mean_size": lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(4), lib.ones(3),
                                                             training=True),
    "var_size": lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), lib.ones(4)),
    "var_missing_eval": lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), None),
    "mean_missing_eval": lambda lib, x: lib.nn.functional.batch_norm(x, None, None),
    "one_of_two": lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), None,
                                                              training=True),
    "one_value": lambda lib, x: lib.nn.functional.batch_norm(x[:1, :, :1], None, None,
                                                             training=True),
    "1d": lambda lib, x: lib.nn.functional.batch_norm(lib.ones(3), None, None, training=True),
    "eps_train": lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True,
                                                             eps=0.0),
    "eps_eval": lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), lib.ones(3),
                                                            eps=-1.0),
    "long": lambda lib, x: lib.nn.functional.batch_norm(x.long(), None, None, training=True),
    "mixed_double_param": lambda lib, x: lib.nn.functional.batch_norm(
        x, None, None, lib.ones(3, dtype=lib.float64), training=True),
    "mixed_double_input": lambda lib, x: lib.nn.functional.batch_norm(
        x.double(), lib.zeros(3), lib.ones(3), training=True),
    "half_stats_float_weight": lambda lib, x: lib.nn.functional.batch_norm(
        x, lib.zeros(3).half(), lib.ones(3).half(), lib.ones(3), training=True),
    "stats_require_grad": lambda lib, x: lib.nn.functional.batch_norm(
        x, lib.zeros(3), lib.ones(3, requires_grad=True), training=True),
    "native_empty": lambda lib, x: lib.native_batch_norm(lib.ones(0, 3), None, None, None,
                                                         None, True, 0.1, 1e-5),
}


@pytest.mark.parametrize("case", sorted(BN_ERRORS))
def test_batch_norm_errors(case):
    same_error(lambda lib: BN_ERRORS[case](lib, lib.ones(4, 3, 5)))


# --- instance norm ------------------------------------------------------------------------
@pytest.mark.parametrize("stats", ["none", "running", "eval"])
def test_instance_norm(stats):
    x0, w0, b0 = _data(2, 3, 6), _data(3), _data(3)

    def fn(lib):
        x, w, b = tensors(lib, "float64", True, x0, w0, b0)
        rm = rv = None
        if stats != "none":
            rm, rv = lib.zeros(3, dtype=lib.float64) + 0.1, lib.ones(3, dtype=lib.float64) * 3
        y = lib.nn.functional.instance_norm(x, rm, rv, w, b, stats != "eval", 0.2, 1e-5)
        return (y, rm, rv, node_names(y)) + grads(lib, y, (x, w, b))
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("case", ["one_spatial", "2d", "missing_stats", "one_of_two"])
def test_instance_norm_errors(case):
    def fn(lib):
        F, x = lib.nn.functional, lib.ones(4, 3, 5)
        {"one_spatial": lambda: F.instance_norm(x[:, :, :1]),
         "2d": lambda: F.instance_norm(lib.ones(2, 3)),
         "missing_stats": lambda: F.instance_norm(x, use_input_stats=False),
         "one_of_two": lambda: F.instance_norm(x, lib.zeros(3), None)}[case]()
    same_error(fn)


# --- layer, group and rms norm ------------------------------------------------------------
LN_CASES = [((4, 3, 5), (5,), True, True), ((4, 3, 5), (3, 5), True, True),
            ((4, 3, 5), (5,), True, False), ((4, 3, 5), (5,), False, False),
            ((2, 7), [7], True, True), ((5,), (5,), True, True), ((1000, 6), (6,), True, True)]


@pytest.mark.parametrize("shape,normalized,weight,bias", LN_CASES)
def test_layer_norm(shape, normalized, weight, bias):
    x0, w0, b0 = _data(*shape), _data(*tuple(normalized)), _data(*tuple(normalized))

    def fn(lib):
        x, w, b = tensors(lib, "float64", True, x0, w0, b0)
        w, b = (w if weight else None), (b if bias else None)
        y = lib.nn.functional.layer_norm(x, normalized, w, b, 1e-4)
        first = grads(lib, y, (x, w, b), create_graph=True)
        loss = sum((g * g).sum() for g in first if g is not None) + (first[0] * x).sum()
        second = lib.autograd.grad(loss, [t for t in (x, w) if t is not None])
        # (the nodes of the gradient's own graph are composite ops here, not torch's
        # NativeLayerNormBackwardBackward0: compare values only)
        first = tuple(None if g is None else g.detach() for g in first)
        return (y, node_names(y)) + first + tuple(second)
    compare(fn, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_layer_norm_dtypes_and_native(dtype):
    x0, w0, b0 = _data(6, 16), _data(16), _data(16)

    def fn(lib):
        x, = tensors(lib, dtype, True, x0)
        w, b = tensors(lib, "float32", True, w0, b0)
        y = lib.nn.functional.layer_norm(x, (16,), w, b)
        native = lib.native_layer_norm(x.detach(), (16,), w.detach(), b.detach(), 1e-5)
        return (y, native) + grads(lib, y, (x, w, b))
    tol = 1e-5 if dtype == "float32" else 3e-2
    compare(fn, rtol=tol, atol=tol)


@pytest.mark.parametrize("shape,groups,affine", [((4, 6, 5), 3, True), ((4, 6), 2, True),
                                                 ((2, 6, 3, 4), 1, False),
                                                 ((2, 6, 3, 4), 6, True)])
def test_group_norm(shape, groups, affine):
    x0, w0, b0 = _data(*shape), _data(shape[1]), _data(shape[1])

    def fn(lib):
        x, w, b = tensors(lib, "float64", True, x0, w0, b0)
        w, b = (w, b) if affine else (None, None)
        y = lib.nn.functional.group_norm(x, groups, w, b, 1e-4)
        first = grads(lib, y, (x, w, b), create_graph=True)
        second = lib.autograd.grad((first[0] * first[0]).sum() + (first[0] * x).sum(), x)
        first = tuple(None if g is None else g.detach() for g in first)
        native = lib.native_group_norm(x.detach(), None, None, shape[0], shape[1],
                                       int(np.prod(shape[2:])), groups, 1e-4)
        return (y, node_names(y), native) + first + tuple(second)
    compare(fn, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("eps", [None, 0.1])
@pytest.mark.parametrize("weighted", [True, False])
def test_rms_norm(dtype, eps, weighted):
    x0, w0 = _data(3, 4, 5), _data(4, 5)

    def fn(lib):
        x, w = tensors(lib, dtype, True, x0, w0)
        y = lib.nn.functional.rms_norm(x, (4, 5), w if weighted else None, eps)
        return (y, type(y.grad_fn).__name__) + grads(lib, y, (x, w if weighted else None))
    tol = {"float64": 1e-9, "float32": 1e-5, "float16": 1e-2}[dtype]
    compare(fn, rtol=tol, atol=tol)


NORM_ERRORS = {
    "ln_shape": lambda F, x, lib: F.layer_norm(x, (4,)),
    "ln_shape_2": lambda F, x, lib: F.layer_norm(x, (1, 3, 5)),
    "ln_weight": lambda F, x, lib: F.layer_norm(x, (3, 5), lib.ones(5)),
    "ln_bias": lambda F, x, lib: F.layer_norm(x, (3, 5), None, lib.ones(5)),
    "ln_empty_shape": lambda F, x, lib: F.layer_norm(x, ()),
    "ln_int_shape": lambda F, x, lib: F.layer_norm(x, 5),
    "ln_long": lambda F, x, lib: F.layer_norm(x.long(), (5,)),
    "ln_mixed": lambda F, x, lib: F.layer_norm(x, (5,), lib.ones(5, dtype=lib.float64)),
    "ln_mixed_input": lambda F, x, lib: F.layer_norm(x.double(), (5,), lib.ones(5)),
    "rms_shape": lambda F, x, lib: F.rms_norm(x, (2, 5)),
    "rms_weight": lambda F, x, lib: F.rms_norm(x, (5,), lib.ones(4)),
    "rms_long": lambda F, x, lib: F.rms_norm(x.long(), (5,)),
    "gn_groups": lambda F, x, lib: F.group_norm(x, 2),
    "gn_weight": lambda F, x, lib: F.group_norm(x, 3, lib.ones(4)),
    "gn_bias": lambda F, x, lib: F.group_norm(x, 3, lib.ones(3), lib.ones(4)),
    "gn_1d": lambda F, x, lib: F.group_norm(lib.ones(3), 1),
    "gn_one_value": lambda F, x, lib: F.group_norm(lib.ones(1, 3), 3),
    "gn_long": lambda F, x, lib: F.group_norm(x.long(), 1),
    "gn_zero_groups": lambda F, x, lib: lib.group_norm(x, 0),
    "gn_native_numel": lambda F, x, lib: lib.native_group_norm(x, None, None, 4, 3, 6, 1,
                                                               1e-5),
    "lrn_2d": lambda F, x, lib: F.local_response_norm(lib.ones(2, 3), 2),
}


@pytest.mark.parametrize("case", sorted(NORM_ERRORS))
def test_norm_errors(case):
    same_error(lambda lib: NORM_ERRORS[case](lib.nn.functional, lib.ones(4, 3, 5), lib))


# --- local response norm and normalize ----------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 5, 4), (2, 5, 3, 4), (1, 6, 2, 2, 3)])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_local_response_norm(shape, size):
    x0 = _data(*shape)

    def fn(lib):
        x, = tensors(lib, "float64", True, x0)
        y = lib.nn.functional.local_response_norm(x, size, 0.01, 0.7, 1.5)
        return (y, node_names(y)) + grads(lib, y, (x,))
    compare(fn, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("size", [2, 3, 4])      # torch's backward fails for size 1
def test_cross_map_lrn2d(size):
    x0 = _data(2, 6, 2, 3)

    def fn(lib):
        x, = tensors(lib, "float64", True, x0)
        m = lib.nn.CrossMapLRN2d(size, 0.05, 0.6, 2)
        y = m(x)
        return (repr(m), y, node_names(y)) + grads(lib, y, (x,))
    compare(fn, rtol=1e-9, atol=1e-10)
    same_error(lambda lib: lib.nn.CrossMapLRN2d(3)(lib.ones(2, 3, 4)))


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1, 0), (3, -1), (float("inf"), 1)])
def test_normalize(p, dim):
    x0 = _data(3, 4)

    def fn(lib):
        x, = tensors(lib, "float64", True, x0)
        y = lib.nn.functional.normalize(x, p, dim)
        out = lib.empty(0, dtype=lib.float64)
        lib.nn.functional.normalize(x.detach(), p, dim, out=out)
        tiny = lib.nn.functional.normalize(lib.zeros(2, 3), p, dim)
        return (y, node_names(y), out, tiny) + grads(lib, y, (x,))
    compare(fn, rtol=1e-9, atol=1e-10)
