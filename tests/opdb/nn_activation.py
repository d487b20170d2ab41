"""Op table entries for torch.nn.functional's activations (and their in-place forms),
softmax / softmin / log_softmax with the implicit dim, glu and prelu."""
from __future__ import annotations

import warnings

import numpy as np

from opdb import ALL, FLOATS, INTS, OpInfo, Sample, unary_samples, values

OPS: list[OpInfo] = []
_ACT = unary_samples(-4, 4)


def _f(name, *args, inplace=False, **kwargs):
    """``lib.nn.functional.<name>(a, *args, **kwargs)``, in place on a copy if asked."""
    def call(lib, a, *more):
        fn = getattr(lib.nn.functional, name)
        if inplace:
            return fn(a.clone(), *args, *more, inplace=True, **kwargs)
        return fn(a, *args, *more, **kwargs)
    return call


def _f_(name, *args):
    """``lib.nn.functional.<name>_(a.clone(), *args)`` (the trailing-underscore form)."""
    def call(lib, a):
        return getattr(lib.nn.functional, name + "_")(a.clone(), *args)
    return call


def _add(name, call, dtypes=ALL, **kw):
    OPS.append(OpInfo(name, call, kw.pop("samples", _ACT), dtypes=dtypes, **kw))


# --- rectifiers and exponential units ---------------------------------------------------
_add("F.relu", _f("relu"))
_add("F.relu_inplace", _f("relu", inplace=True), FLOATS + ("int64",))
_add("F.relu6", _f("relu6"))
_add("F.relu6_inplace", _f("relu6", inplace=True), FLOATS + ("int32",))
_add("F.hardtanh", _f("hardtanh", -0.5, 2.0))
_add("F.hardtanh_int_limits", _f("hardtanh", -1.5, 2.5), INTS)
_add("F.hardtanh_", _f_("hardtanh", -2.0, 1.5), FLOATS + ("int64",))
for _slope in (0.01, 0.2, 1.5, -0.3, 0.0):
    _add(f"F.leaky_relu_{_slope}", _f("leaky_relu", _slope))
_add("F.leaky_relu_", _f_("leaky_relu", 0.2), FLOATS)
_add("F.leaky_relu_inplace", _f("leaky_relu", 0.0, inplace=True), FLOATS)
_add("F.elu", _f("elu", 0.7))
_add("F.elu_inplace", _f("elu", 1.3, inplace=True), FLOATS)
_add("F.selu", _f("selu"), FLOATS)
_add("F.celu", _f("celu", 0.5), FLOATS)
_add("F.rrelu_eval", _f("rrelu", 0.1, 0.3), FLOATS)
_add("F.threshold", _f("threshold", 0.5, -2.0))
_add("F.threshold_inplace", _f("threshold", 0.5, 2.0, inplace=True), FLOATS)

# --- smooth units -----------------------------------------------------------------------
_add("F.gelu", _f("gelu"))
_add("F.gelu_tanh", _f("gelu", approximate="tanh"))
_add("F.silu", _f("silu"))
_add("F.silu_inplace", _f("silu", inplace=True), FLOATS)
_add("F.mish", _f("mish"))
_add("F.mish_inplace", _f("mish", inplace=True), FLOATS)
_add("F.logsigmoid", _f("logsigmoid"), samples=unary_samples(-30, 30))
_add("F.softplus", _f("softplus"), samples=unary_samples(-30, 30))
_add("F.softplus_beta", _f("softplus", 2.0, 3.0))
# bool is left out: ember's abs raises RuntimeError on bool (torch NotImplementedError) and
# ember's sub accepts a bool operand (torch refuses); both belong to those ops
_add("F.softsign", _f("softsign"), ALL[:-1])
_add("F.tanhshrink", _f("tanhshrink"), ALL[:-1])

# --- hard and shrinking units -----------------------------------------------------------
_add("F.hardswish", _f("hardswish"))
_add("F.hardswish_inplace", _f("hardswish", inplace=True), FLOATS)
# NOTE(torch): torch has no double backward for hardsigmoid (tested in test_activations)
_add("F.hardsigmoid", _f("hardsigmoid"), gradgrad=False)
_add("F.hardsigmoid_inplace", _f("hardsigmoid", inplace=True), FLOATS, gradgrad=False)
_add("F.softshrink", _f("softshrink", 1.2))
_add("F.hardshrink", _f("hardshrink", 0.7))


# --- glu and prelu ----------------------------------------------------------------------
def _glu_samples(dtype, rng):
    return [Sample((values(dtype, (4, 6), rng),)), Sample((values(dtype, (4, 6), rng), 0)),
            Sample((values(dtype, (2, 4, 3), rng), 1)), Sample((values(dtype, (0, 2), rng),))]


def _prelu_samples(dtype, rng):
    def w(n):
        return values(dtype, (n,), rng, -0.5, 1.5)
    return [Sample((values(dtype, (2, 3, 4), rng), w(3))),
            Sample((values(dtype, (2, 3, 4), rng), w(1))),
            Sample((values(dtype, (3, 2), rng), w(2))),
            Sample((values(dtype, (5,), rng), w(1))),
            Sample((values(dtype, (), rng), w(1))),
            Sample((values(dtype, (2, 3), rng), values(dtype, (), rng)))]


_add("F.glu", _f("glu"), samples=_glu_samples)
_add("F.prelu", _f("prelu"), samples=_prelu_samples)
_add("Tensor.prelu", lambda lib, a, w: a.prelu(w), FLOATS, samples=_prelu_samples)


# --- softmax family ---------------------------------------------------------------------
def _softmax_samples(dtype, rng):
    a = values(dtype, (3, 4, 5), rng, -5, 5)
    out = [Sample((a, 0)), Sample((a, -1)), Sample((values(dtype, (2, 3), rng), 1)),
           Sample((values(dtype, (0, 3), rng), 1))]
    if dtype in FLOATS:
        out.append(Sample((np.array([[-np.inf, 0.0, 1.0]]).astype(dtype), 1)))
    return out


def _implicit_samples(dtype, rng):
    return [Sample((values(dtype, s, rng),)) for s in ((), (4,), (2, 3), (2, 3, 4),
                                                       (2, 2, 3, 2))]


def _implicit(name):
    """``F.<name>(a)`` without a dim (its deprecation warning silenced)."""
    def call(lib, a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(lib.nn.functional, name)(a)
    return call


for _name in ("softmax", "softmin", "log_softmax"):
    _add(f"F.{_name}", _f(_name), samples=_softmax_samples, rtol=1e-4)
    _add(f"F.{_name}_implicit_dim", _implicit(_name), FLOATS, samples=_implicit_samples,
         rtol=1e-4)
    _add(f"F.{_name}_dtype", lambda lib, a, d, n=_name: getattr(lib.nn.functional, n)(
        a, d, dtype=lib.float64), ("float32", "int64"), samples=_softmax_samples)
