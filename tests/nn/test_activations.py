"""nn.functional activations and the activation, softmax, flatten, distance and adaptive
softmax layers against torch: graph node names (in-place forms too), values and gradients,
NaN and boundary points, seeded random draws (rrelu, gumbel_softmax, initial weights),
reprs and errors. The op table (tests/opdb/nn_activation.py) covers dtypes and gradients."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from nn._compare import compare, grads, node_names, run
from nn._helpers import same, same_error
from parity import assert_same

RNG = np.random.default_rng(0)
X = (RNG.standard_normal((4, 6)) * 3).astype(np.float32)


def _x(lib, dtype="float32", arr=X):
    return lib.tensor(arr, dtype=getattr(lib, dtype), requires_grad=True)


CALLS = {
    "relu": lambda F, x: F.relu(x), "relu_inplace": lambda F, x: F.relu(x * 1, inplace=True),
    "relu_": lambda F, x: F.relu_(x * 1), "relu6": lambda F, x: F.relu6(x),
    "relu6_inplace": lambda F, x: F.relu6(x * 1, True), "elu": lambda F, x: F.elu(x, 0.5),
    "elu_inplace": lambda F, x: F.elu(x * 1, inplace=True), "elu_": lambda F, x: F.elu_(x * 1),
    "selu": lambda F, x: F.selu(x), "selu_inplace": lambda F, x: F.selu(x * 1, True),
    "celu": lambda F, x: F.celu(x, 2.0), "celu_inplace": lambda F, x: F.celu(x * 1, 2.0, True),
    "gelu": lambda F, x: F.gelu(x), "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x), "silu_inplace": lambda F, x: F.silu(x * 1, inplace=True),
    "mish": lambda F, x: F.mish(x), "mish_inplace": lambda F, x: F.mish(x * 1, inplace=True),
    "hardtanh": lambda F, x: F.hardtanh(x, -2.0, 2.5),
    "hardtanh_inplace": lambda F, x: F.hardtanh(x * 1, inplace=True),
    "hardtanh_": lambda F, x: F.hardtanh_(x * 1, -0.5, 0.5),
    "hardswish": lambda F, x: F.hardswish(x),
    "hardswish_inplace": lambda F, x: F.hardswish(x * 1, True),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardsigmoid_inplace": lambda F, x: F.hardsigmoid(x * 1, True),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.1),
    "leaky_relu_inplace": lambda F, x: F.leaky_relu(x * 1, 0.3, True),
    "leaky_relu_": lambda F, x: F.leaky_relu_(x * 1),
    "prelu": lambda F, x: F.prelu(x, x.new_tensor([0.3])),
    "rrelu": lambda F, x: F.rrelu(x), "rrelu_inplace": lambda F, x: F.rrelu(x * 1, inplace=True),
    "glu": lambda F, x: F.glu(x), "glu_dim0": lambda F, x: F.glu(x, 0),
    "logsigmoid": lambda F, x: F.logsigmoid(x), "softplus": lambda F, x: F.softplus(x, 2, 4),
    "softshrink": lambda F, x: F.softshrink(x, 1.0), "hardshrink": lambda F, x: F.hardshrink(x),
    "softsign": lambda F, x: F.softsign(x), "tanhshrink": lambda F, x: F.tanhshrink(x),
    "threshold": lambda F, x: F.threshold(x, 0.5, 4.0),
    "threshold_inplace": lambda F, x: F.threshold(x * 1, 0.5, 4.0, True),
    "threshold_": lambda F, x: F.threshold_(x * 1, 0.5, 4.0),
    "softmin": lambda F, x: F.softmin(x, 1), "softmax": lambda F, x: F.softmax(x, 0),
    "log_softmax": lambda F, x: F.log_softmax(x, -1, dtype=x.new_tensor(0.0).double().dtype),
    "sigmoid": lambda F, x: F.sigmoid(x), "tanh": lambda F, x: F.tanh(x),
}


@pytest.mark.parametrize("name", CALLS)
def test_graph_values_and_gradients(name):
    """Node names (and those of the inputs' nodes), values, first and second gradients."""
    def fn(lib):
        x = _x(lib, "float64")
        y = CALLS[name](lib.nn.functional, x)
        (g,) = grads(lib, y, [x], create_graph=True)
        gg = lib.zeros_like(x)        # a gradient outside the graph has zero derivative
        if g.requires_grad and name not in ("hardsigmoid", "hardsigmoid_inplace"):
            (gg,) = grads(lib, g, [x], seed=1)
            gg = lib.zeros_like(x) if gg is None else gg
        return node_names(y), y, g, gg
    e, t = run(fn)
    assert e[0] == t[0]
    assert_same(e[1:], t[1:], 1e-7, 1e-9, check_grad_fn=False)


# --- NaN, infinities and the boundary points of piecewise units -----------------------------
SPECIAL = [np.nan, -3.0, 3.0, -1.0, 1.0, 0.0, -0.5, 0.5, 20.0, -20.0, np.inf, -np.inf, -0.0]
EDGE_CALLS = ["relu6", "hardtanh", "leaky_relu", "gelu", "gelu_tanh", "silu", "mish",
              "softplus", "logsigmoid", "hardswish", "hardsigmoid", "softshrink", "prelu"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", EDGE_CALLS)
def test_special_values(name, dtype):
    """On a tensor long enough for torch's vectorised loops (whose answers ember gives)."""
    arr = np.array(SPECIAL + [0.25] * (64 - len(SPECIAL)))

    def fn(lib):
        x = _x(lib, dtype, arr)
        y = CALLS[name](lib.nn.functional, x)
        return y, lib.autograd.grad(y.sum(), x)[0]
    compare(fn, *((1e-5, 1e-6) if dtype == "float32" else (1e-10, 1e-12)), check_grad_fn=False)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", ["gelu", "silu", "mish", "softplus", "hardswish", "glu",
                                  "leaky_relu", "logsigmoid", "softshrink", "hardtanh_"])
def test_low_precision_gradients(name, dtype):
    def fn(lib):
        x = _x(lib, dtype)
        y = CALLS[name](lib.nn.functional, x)
        return y, lib.autograd.grad(y.sum(), x)[0]
    compare(fn, 1e-2, 1e-2, check_grad_fn=False)


# --- in place ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "leaky_relu", "elu", "silu",
                                  "mish", "hardswish", "hardsigmoid", "threshold", "selu"])
def test_inplace_writes_input(name):
    def fn(lib):
        x = lib.tensor(X.copy())
        call = {"threshold": lambda t: lib.nn.functional.threshold(t, 0.1, 2.0, True)}.get(
            name, lambda t: getattr(lib.nn.functional, name)(t, inplace=True))
        y = call(x)
        return y is x, x._version, x
    compare(fn, check_grad_fn=False)


def test_inplace_on_leaf_refused():
    same_error(lambda lib: lib.nn.functional.silu(_x(lib), inplace=True))
    same_error(lambda lib: lib.nn.functional.hardtanh_(_x(lib)))


def test_inplace_int_hardtanh():
    same(lambda lib: lib.nn.functional.hardtanh(lib.arange(-4, 5), -2.5, 3.7, inplace=True))


def test_module_inplace():
    def fn(lib):
        x = lib.tensor(X.copy())
        y = lib.nn.ReLU(inplace=True)(x)
        return y is x, x
    compare(fn, check_grad_fn=False)


# --- errors -----------------------------------------------------------------------------------
def _hardsigmoid_gg(lib):
    x = _x(lib)
    (g,) = lib.autograd.grad(lib.nn.functional.hardsigmoid(x).sum(), x, create_graph=True)
    lib.autograd.grad(g.sum(), x)


ERRORS = {
    "hardtanh_order": lambda lib: lib.nn.functional.hardtanh(lib.ones(2), 2.0, 1.0),
    "hardtanh_bool": lambda lib: lib.nn.functional.hardtanh(lib.ones(2, dtype=lib.bool)),
    "hardtanh_uint8": lambda lib: lib.nn.functional.hardtanh(lib.ones(2, dtype=lib.uint8)),
    "hardtanh_complex": lambda lib: lib.nn.functional.relu6(lib.ones(2, dtype=lib.complex64)),
    "relu_bool": lambda lib: lib.nn.functional.relu(lib.ones(2, dtype=lib.bool)),
    "relu_complex": lambda lib: lib.nn.functional.relu(lib.ones(2, dtype=lib.complex64)),
    "relu_not_tensor": lambda lib: lib.nn.functional.relu(1.0),
    "gelu_approximate": lambda lib: lib.nn.functional.gelu(lib.ones(2), approximate="fast"),
    "gelu_int": lambda lib: lib.nn.functional.gelu(lib.ones(2, dtype=lib.int64)),
    "gelu_not_tensor": lambda lib: lib.nn.functional.gelu([1.0]),
    "softplus_int": lambda lib: lib.nn.functional.softplus(lib.arange(3)),
    "softshrink_negative": lambda lib: lib.nn.functional.softshrink(lib.ones(2), -0.5),
    "softshrink_double": lambda lib: lib.nn.functional.softshrink(
        lib.ones(2, dtype=lib.float64), float("nan")),
    "softshrink_half": lambda lib: lib.nn.functional.softshrink(
        lib.ones(2, dtype=lib.float16), 7e4),
    "softshrink_int": lambda lib: lib.nn.functional.softshrink(lib.arange(3)),
    "glu_scalar": lambda lib: lib.nn.functional.glu(lib.tensor(1.0)),
    "glu_odd": lambda lib: lib.nn.functional.glu(lib.ones(2, 3), 1),
    "glu_dim": lambda lib: lib.nn.functional.glu(lib.ones(2, 4), 2),
    "glu_int": lambda lib: lib.nn.functional.glu(lib.ones(2, 4, dtype=lib.int64)),
    "prelu_count": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(2)),
    "prelu_weight_2d": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(1, 3)),
    "prelu_zero_dim": lambda lib: lib.nn.functional.prelu(lib.tensor(1.0), lib.ones(3)),
    "prelu_1d_input": lambda lib: lib.nn.functional.prelu(lib.ones(3), lib.ones(3)),
    "prelu_dtype": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3),
                                                       lib.ones(3, dtype=lib.float64)),
    "prelu_int": lambda lib: lib.prelu(lib.ones(2, 3, dtype=lib.int64),
                                       lib.ones(3, dtype=lib.int64)),
    "prelu_not_tensor": lambda lib: lib.nn.functional.prelu(lib.ones(2), 0.5),
    "mish_int": lambda lib: lib.nn.functional.mish(lib.arange(3)),
    "leaky_bool": lambda lib: lib.nn.functional.leaky_relu(lib.ones(2, dtype=lib.bool)),
    "hardswish_complex": lambda lib: lib.nn.functional.hardswish(
        lib.ones(2, dtype=lib.complex128)),
    "silu_complex_grad": lambda lib: lib.nn.functional.silu(
        lib.ones(2, dtype=lib.complex64, requires_grad=True)),
    "softmax2d_dims": lambda lib: lib.nn.Softmax2d()(lib.ones(2, 3)),
    "hardtanh_module": lambda lib: lib.nn.Hardtanh(1.0, 1.0),
    "leaky_inplace_negative": lambda lib: lib.nn.functional.leaky_relu_(
        _x(lib) * 1, -0.2).sum().backward(),
    "hardsigmoid_double_backward": lambda lib: _hardsigmoid_gg(lib),
    "unflatten_type": lambda lib: lib.nn.Unflatten(1, 6),
    "unflatten_elem": lambda lib: lib.nn.Unflatten(1, (2, 3.0)),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors(case):
    same_error(ERRORS[case])


def test_silu_complex_forward():
    same(lambda lib: lib.nn.functional.silu(lib.tensor([1 + 1j, -2 + 0.5j])))


def test_softmax_implicit_dim_warning():
    for ndim in range(5):
        def fn(lib, ndim=ndim):
            x = lib.tensor(np.arange(2.0 ** ndim).reshape((2,) * ndim) / 4)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                outs = (lib.nn.functional.softmax(x), lib.nn.functional.log_softmax(x),
                        lib.nn.functional.softmin(x), lib.nn.Softmax()(x))
            return outs, [str(w.message) for w in caught]
        compare(fn, check_grad_fn=False)


def test_softmax2d():
    def fn(lib):
        x = lib.tensor(np.linspace(-2, 2, 24).reshape(2, 3, 4), requires_grad=True)
        y = lib.nn.Softmax2d()(x)
        return y, lib.autograd.grad(y[0, 1].sum(), x)[0], repr(lib.nn.Softmax2d())
    compare(fn, check_grad_fn=False)


# --- random draws -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_rrelu_training_draws(dtype):
    def fn(lib):
        lib.manual_seed(3)
        x = _x(lib, dtype)
        y = lib.nn.functional.rrelu(x, 0.1, 0.6, training=True)
        m = lib.nn.RReLU(0.2, 0.4)
        z = m(x)
        m.eval()
        w = m(x)
        v = lib.nn.functional.rrelu_(x.detach().clone(), training=True)
        return (y, z, w, v, lib.autograd.grad((y + z).sum(), x)[0], node_names(y))
    compare(fn, *((1e-2, 1e-2) if dtype == "bfloat16" else (1e-5, 1e-6)), check_grad_fn=False)


def test_rrelu_bounds_error():
    same_error(lambda lib: lib.nn.functional.rrelu(lib.ones(3), 0.5, 0.1, training=True))


@pytest.mark.parametrize("kwargs", [{}, {"tau": 0.5}, {"hard": True}, {"dim": 0, "hard": True},
                                    {"eps": 1e-5}])
def test_gumbel_softmax_draws(kwargs):
    def fn(lib):
        lib.manual_seed(7)
        x = _x(lib)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = lib.nn.functional.gumbel_softmax(x, **kwargs)
        return (y, lib.autograd.grad((y * y).sum(), x)[0], type(y.grad_fn).__name__,
                [str(w.message) for w in caught])
    compare(fn, check_grad_fn=False)


# --- modules ----------------------------------------------------------------------------------
REPRS = [
    ("ELU", ()), ("ELU", (0.5, True)), ("Hardshrink", ()), ("Hardshrink", (0.3,)),
    ("Hardsigmoid", (True,)), ("Hardtanh", ()), ("Hardtanh", (-2, 3.0, True)),
    ("Hardswish", (True,)), ("LeakyReLU", ()), ("LeakyReLU", (0.2, True)), ("LogSigmoid", ()),
    ("PReLU", ()), ("PReLU", (3, 0.1)), ("ReLU", ()), ("ReLU", (True,)), ("ReLU6", ()),
    ("ReLU6", (True,)), ("RReLU", ()), ("RReLU", (0.1, 0.2, True)), ("SELU", ()),
    ("SELU", (True,)), ("CELU", ()), ("CELU", (2.0, True)), ("GELU", ()), ("GELU", ("tanh",)),
    ("Sigmoid", ()), ("SiLU", ()), ("SiLU", (True,)), ("Mish", (True,)), ("Softplus", ()),
    ("Softplus", (2, 10)), ("Softshrink", ()), ("Softshrink", (1,)), ("Softsign", ()),
    ("Tanh", ()), ("Tanhshrink", ()), ("Threshold", (0.1, 20)), ("Threshold", (1, 2.5, True)),
    ("GLU", ()), ("GLU", (0,)), ("Softmin", ()), ("Softmin", (1,)), ("Softmax", (-1,)),
    ("Softmax2d", ()), ("LogSoftmax", (2,)), ("Flatten", ()), ("Flatten", (0, 2)),
    ("Unflatten", (1, (2, 3))), ("Unflatten", (-1, [4, 1])), ("CosineSimilarity", (0, 1e-6)),
    ("PairwiseDistance", (1.0, 1e-3, True)),
]


@pytest.mark.parametrize("name,args", REPRS, ids=[f"{n}{a}" for n, a in REPRS])
def test_module_repr_and_forward(name, args):
    def fn(lib):
        m = getattr(lib.nn, name)(*args)
        x = _x(lib, "float32", np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 3, 4))
        inp = x * 1                  # not a leaf: in-place layers may write into it
        if name in ("CosineSimilarity", "PairwiseDistance"):
            y = m(inp, x.flip(0) * 0.5)
        elif name == "Unflatten" and args[0] == 1:
            y = m(inp.reshape(2, 6, 2))
        else:
            y = m(inp)
        return repr(m), y, lib.autograd.grad((y * y).sum(), x)[0], sorted(vars(m))
    e, t = run(fn)
    assert e[0].replace("ember.", "torch.") == t[0]
    assert_same(e[1:3], t[1:3], 1e-5, 1e-6)
    public = [k for k in t[3] if not k.startswith("_")]
    assert [k for k in e[3] if not k.startswith("_")] == public


def test_sigmoid_takes_no_arguments():
    same_error(lambda lib: lib.nn.Sigmoid(1))


def test_hardtanh_deprecated_names():
    def fn(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = lib.nn.Hardtanh(min_value=-2.0, max_value=0.5)
        return repr(m), [(w.category.__name__, str(w.message)) for w in caught]
    compare(fn, check_grad_fn=False)


@pytest.mark.parametrize("args", [(), (3,), (3, 0.05)])
def test_prelu_module(args):
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.PReLU(*args, dtype=lib.float64)
        x = _x(lib, "float64", np.linspace(-2, 2, 24).reshape(2, 3, 4))
        y = m(x)
        gx, gw = lib.autograd.grad((y * y).sum(), [x, m.weight])
        return (m.weight, y, gx, gw, node_names(y), list(m.state_dict()),
                m.num_parameters, m.init)
    compare(fn, 1e-9, 1e-12, check_grad_fn=True)


def test_prelu_weight_gradgrad():
    def fn(lib):
        x = _x(lib, "float64", np.linspace(-2, 2, 24).reshape(2, 3, 4))
        w = lib.tensor([0.1, -0.4, 0.7], dtype=lib.float64, requires_grad=True)
        y = lib.prelu(x, w)
        gx, gw = lib.autograd.grad((y * y).sum(), [x, w], create_graph=True)
        return gx, gw, lib.autograd.grad((gx * gx).sum() + gw.sum(), [x, w])
    compare(fn, 1e-9, 1e-12, check_grad_fn=False)


def test_top_level_inplace_forms():
    def fn(lib):
        x = lib.tensor(X.copy())
        return (lib.relu_(x.clone()), lib.sigmoid_(x.clone()), lib.tanh_(x.clone()),
                x.prelu(lib.tensor([0.5])))
    compare(fn, check_grad_fn=False)


# --- adaptive softmax -------------------------------------------------------------------------
def _asm(lib, **kw):
    lib.manual_seed(0)
    return lib.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 7], **kw)


@pytest.mark.parametrize("kw", [{}, {"div_value": 2.0, "head_bias": True}])
def test_adaptive_log_softmax(kw):
    inp = RNG.standard_normal((6, 8)).astype(np.float32)
    target = np.array([0, 4, 11, 2, 7, 5])

    def fn(lib):
        m = _asm(lib, **kw)
        x = lib.tensor(inp, requires_grad=True)
        out = m(x, lib.tensor(target))
        params = [p for _, p in m.named_parameters()]
        gs = lib.autograd.grad(out.loss, [x] + params)
        single = m(x[1], lib.tensor(target[1]))
        return (repr(m), [p.detach() for p in params], out.output, out.loss,
                type(out).__name__, out._fields, gs, single.output, single.loss,
                m.log_prob(x), m.predict(x))
    compare(fn, 1e-5, 1e-6, check_grad_fn=False)


@pytest.mark.parametrize("rows", ["head", "tail", "mixed"])
def test_adaptive_predict_branches(rows):
    """Every head prediction in the shortlist, none of them, or some."""
    arr = RNG.standard_normal((4, 8)).astype(np.float32)

    def fn(lib):
        m = _asm(lib, head_bias=True)
        x = lib.tensor(arr)
        with lib.no_grad():
            m.head.weight.zero_()
            m.head.bias.zero_()
            if rows == "tail":
                m.head.bias[3] = 5.0
            elif rows == "mixed":
                m.head.weight[4, 0] = 20.0
        return m.predict(x)
    compare(fn, check_grad_fn=False)


ASM_ERRORS = {
    "empty_cutoffs": lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(4, 10, []),
    "unsorted": lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(4, 10, [5, 3]),
    "too_big": lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3, 10]),
    "target_range": lambda lib: _asm(lib)(lib.ones(2, 8), lib.tensor([1, 12])),
    "batch": lambda lib: _asm(lib)(lib.ones(2, 8), lib.tensor([1, 2, 3])),
    "input_dims": lambda lib: _asm(lib)(lib.ones(2, 8, 1), lib.tensor([1, 2])),
    "target_dims": lambda lib: _asm(lib)(lib.ones(2, 8), lib.ones(2, 1, dtype=lib.int64)),
    "unbatched_dims": lambda lib: _asm(lib)(lib.ones(2, 8), lib.tensor(1)),
}


@pytest.mark.parametrize("case", ASM_ERRORS)
def test_adaptive_errors(case):
    same_error(ASM_ERRORS[case])


# --- flatten ----------------------------------------------------------------------------------
def test_flatten_unflatten_roundtrip():
    arr = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)

    def fn(lib):
        x = _x(lib, "float32", arr)
        y = lib.nn.Flatten()(x)
        z = lib.nn.Unflatten(1, (3, 20))(y)
        w = lib.nn.Flatten(0, -2)(x)
        return y, z, w, node_names(z), lib.autograd.grad((z * w.sum()).sum(), x)[0]
    compare(fn, check_grad_fn=False)


@pytest.mark.parametrize("name", ["relu6_inplace", "silu_inplace", "leaky_relu_",
                                  "hardsigmoid_inplace", "elu_"])
def test_inplace_on_view(name):
    """Writing into a view of a graph tensor rebases its base (CopySlices)."""
    def fn(lib):
        a = _x(lib, "float64", np.linspace(-3, 3, 12).reshape(3, 4))
        b = a * 1
        view = b[1]
        call = {"relu6_inplace": lambda v: lib.nn.functional.relu6(v, True),
                "silu_inplace": lambda v: lib.nn.functional.silu(v, inplace=True),
                "leaky_relu_": lambda v: lib.nn.functional.leaky_relu_(v, 0.2),
                "hardsigmoid_inplace": lambda v: lib.nn.functional.hardsigmoid(v, True),
                "elu_": lambda v: lib.nn.functional.elu_(v)}[name]
        call(view)
        return type(b.grad_fn).__name__, lib.autograd.grad((b * b).sum(), a)[0]
    compare(fn, 1e-9, 1e-12, check_grad_fn=False)


def test_threshold_backward_node():
    """The fused gradient of relu / threshold (torch's threshold_backward) and its own
    derivatives."""
    import ember
    import torch
    from ember._ops._registry import apply
    from ember._ops.nn_activation import ThresholdBackwardBackward0
    arr = np.array([np.nan, -1.0, 0.0, 0.5, 1.0, 2.0] * 4).reshape(4, 6)
    g_arr = np.linspace(-1, 1, 24).reshape(4, 6)
    got = []
    for lib, fn in ((ember, lambda g, x: apply(ThresholdBackwardBackward0, (g, x),
                                              threshold=0.5)),
                    (torch, lambda g, x: torch.ops.aten.threshold_backward(g, x, 0.5))):
        g = lib.tensor(g_arr, requires_grad=True)
        x = lib.tensor(arr, requires_grad=True)
        y = fn(g, x)
        got.append((y, lib.autograd.grad((y * y).sum(), g)[0]))
    assert_same(got[0], got[1], 1e-12, 1e-12, check_grad_fn=False)
