"""nn.init against torch: gains, fans, errors, and bit-identical values for a given seed."""
from __future__ import annotations

import warnings

import pytest

from nn._helpers import needs_rng, requires, same, same_error


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 3),
                                  ("selu",), ("conv_transpose3d",)])
def test_calculate_gain(args):
    same(lambda lib: lib.nn.init.calculate_gain(*args))


@pytest.mark.parametrize("args", [("leaky_relu", True), ("leaky_relu", "x"), ("gelu",)])
def test_calculate_gain_errors(args):
    same_error(lambda lib: lib.nn.init.calculate_gain(*args))


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (4, 3, 2, 2), (2, 3, 1, 1, 2), (0, 3)])
def test_fans(shape):
    def fn(lib):
        t = lib.empty(shape)
        init = lib.nn.init
        return (init._calculate_fan_in_and_fan_out(t), init._calculate_correct_fan(t, "fan_in"),
                init._calculate_correct_fan(t, "FAN_OUT"))
    same(fn)


@pytest.mark.parametrize("call", ["_calculate_fan_in_and_fan_out(lib.empty(3))",
                                  "_calculate_correct_fan(lib.empty(2, 2), 'fan_avg')",
                                  "xavier_uniform_(lib.empty(3))",
                                  "kaiming_normal_(lib.empty(3))",
                                  "eye_(lib.empty(2, 2, 2))", "dirac_(lib.empty(2, 2))",
                                  "dirac_(lib.empty(3, 2, 3), groups=2)",
                                  "orthogonal_(lib.empty(3))", "sparse_(lib.empty(3), 0.5)",
                                  "kaiming_uniform_(lib.empty(3, 3), mode='x')"])
def test_init_errors(call):
    same_error(lambda lib: eval(f"lib.nn.init.{call}", {"lib": lib}))


def test_deterministic_initialisers():
    def fn(lib):
        init = lib.nn.init
        w = lib.nn.Parameter(lib.empty(2, 3))
        out = [init.constant_(w, 0.3), init.ones_(lib.empty(2)), init.zeros_(w),
               init.eye_(lib.empty(2, 3)), init.eye_(lib.empty(3, 2, dtype=lib.float64))]
        for shape, groups in (((2, 2, 3), 1), ((4, 2, 3, 3), 2), ((2, 3, 1, 3, 2), 1)):
            out.append(init.dirac_(lib.empty(shape), groups=groups))
        out.append(w.requires_grad)
        return out
    same(fn)


def test_deprecated_aliases_warn():
    def fn(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.init.constant(lib.empty(2), 1.0)
            lib.nn.init.eye(lib.empty(2, 2))
        return [(type(x.message).__name__, str(x.message)) for x in w], \
            lib.nn.init.constant.__name__
    same(fn)


def test_zero_element_kaiming_warns():
    def fn(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            t = lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
            lib.nn.init.kaiming_normal_(lib.empty(3, 0))
        return t.shape, [str(x.message) for x in w]
    same(fn)


SEEDED = [
    "uniform_(lib.empty(3, 5))", "uniform_(lib.empty(40), -2, 3)",
    "normal_(lib.empty(7))", "normal_(lib.empty(4, 8), 1.5, 0.5)",
    "normal_(lib.empty(3, 7, dtype=lib.float64))",
    "xavier_uniform_(lib.empty(4, 6))", "xavier_normal_(lib.empty(5, 3, 2), gain=2)",
    "kaiming_uniform_(lib.empty(8, 3, 3, 3))", "kaiming_uniform_(lib.empty(4, 5), a=5 ** 0.5)",
    "kaiming_normal_(lib.empty(6, 4), mode='fan_out', nonlinearity='relu')",
    "kaiming_normal_(lib.empty(20, 20), a=0.1)",
    "trunc_normal_(lib.empty(50))", "trunc_normal_(lib.empty(5, 9), 0.5, 2.0, -1.0, 1.5)",
    "trunc_normal_(lib.empty(64), 0.0, 1.0, 2.0, 3.0)",
    "trunc_normal_(lib.empty(3, 3), 0.0, 1.0, -0.5, 0.5)",
    "uniform_(lib.empty(3, dtype=lib.float64), generator=lib.Generator().manual_seed(5))",
]


@needs_rng
@pytest.mark.parametrize("call", SEEDED)
def test_seeded_values_are_torch_bits(call):
    def fn(lib):
        lib.manual_seed(0)
        t = eval(f"lib.nn.init.{call}", {"lib": lib})
        follow = lib.empty(3).uniform_()           # the generator advanced as torch's did
        return t.numpy().tobytes(), str(t.dtype).replace("ember", "torch"), \
            follow.numpy().tobytes()
    same(fn)


@needs_rng
@requires("any", "where")
def test_trunc_normal_rejection_loops_are_torch_bits():
    test_seeded_values_are_torch_bits("trunc_normal_(lib.empty(1000), 0.0, 1.0, -0.2, 0.2)")


@needs_rng
@requires("linalg")
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 2), (3, 3)])
def test_orthogonal(shape):
    def fn(lib):
        lib.manual_seed(0)
        t = lib.nn.init.orthogonal_(lib.empty(shape), gain=2.0)
        return [round(v, 4) for v in t.flatten().tolist()]
    same(fn)


@needs_rng
@requires("randperm")
def test_sparse():
    def fn(lib):
        lib.manual_seed(0)
        return lib.nn.init.sparse_(lib.empty(6, 4), 0.5).numpy().tobytes()
    same(fn)


@needs_rng
def test_init_under_grad_leaves_no_graph():
    def fn(lib):
        p = lib.nn.Parameter(lib.empty(3, 3))
        lib.nn.init.kaiming_uniform_(p)
        lib.nn.init.zeros_(p)
        return p.grad_fn is None, p.is_leaf, p.requires_grad
    same(fn)
