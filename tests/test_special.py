"""ember.special beyond the op table: the namespace, the gradients torch only half defines
(zeta, gammainc), functions without derivatives, the softmax family's contracts."""
from __future__ import annotations

import numpy as np
import pytest

from parity import assert_same, ember, pair, same_error, torch

RNG = np.random.default_rng(11)


def test_namespace_matches_torch_special():
    wanted = {n for n in dir(torch.special) if not n.startswith("_") and
              callable(getattr(torch.special, n)) and n != "Tensor"}
    assert wanted <= set(dir(ember.special))
    assert set(ember.special.__all__) == wanted


def _special_or_top(lib, name):
    return getattr(lib.special, name) if hasattr(lib.special, name) else getattr(lib, name)


@pytest.mark.parametrize("name", ["zeta", "gammainc", "gammaincc", "igamma", "igammac"])
def test_derivative_only_for_the_second_argument(name):
    a, b = RNG.uniform(1.5, 3, (2, 3)), RNG.uniform(0.5, 2, (2, 3))
    (ea, ta), (eb, tb) = pair(a), pair(b, True)
    eo, to = _special_or_top(ember, name)(ea, eb), _special_or_top(torch, name)(ta, tb)
    assert_same(eo, to)
    assert_same(ember.autograd.grad(eo.sum(), eb)[0], torch.autograd.grad(to.sum(), tb)[0],
                check_grad_fn=False)
    (ea, ta) = pair(a, True)

    def backward(lib, x, y):
        return lib.autograd.grad(_special_or_top(lib, name)(x, y).sum(), x)
    same_error(lambda: backward(ember, ea, eb), lambda: backward(torch, ta, tb), 60)


@pytest.mark.parametrize("call", [
    "L.special.zeta(x, 2.0)", "L.special.zeta(3.0, x)", "L.special.xlog1py(x, 2.0)",
    "L.special.xlog1py(2.0, x)", "L.special.ndtr(x)", "L.special.round(x)",
    "L.special.expit(x)", "L.special.multigammaln(x + 2, 3)", "L.special.logit(x, eps=0.3)",
    "L.special.log_softmax(x, 0, dtype=L.float64)", "L.special.entr(x)", "L.special.i0e(x)",
    "L.special.i1e(x)", "L.special.erfcx(x)", "L.special.log_ndtr(x)", "L.special.ndtri(x)"])
def test_node_names(call):
    e, t = pair(RNG.uniform(0.2, 0.8, (2, 3)), True)
    got, expected = eval(call, {"L": ember, "x": e}), eval(call, {"L": torch, "x": t})
    assert_same(got, expected, what=call)
    if got.grad_fn is not None and "zeta(x" not in call:
        assert_same(ember.autograd.grad(got.sum(), e)[0],
                    torch.autograd.grad(expected.sum(), t)[0], check_grad_fn=False)


@pytest.mark.parametrize("name", ["airy_ai", "bessel_j0", "modified_bessel_k1",
                                  "spherical_bessel_j0", "chebyshev_polynomial_t",
                                  "hermite_polynomial_he", "legendre_polynomial_p"])
def test_no_derivative(name):
    x = ember.tensor([0.3, 0.7], requires_grad=True)
    fn = getattr(ember.special, name)
    y = fn(x, 3) if "polynomial" in name else fn(x)
    assert not y.requires_grad and y.grad_fn is None


def test_polynomial_scalar_operands():
    n = np.array([0.0, 1.0, 4.0, 9.0])
    e, t = pair(n)
    for name in ("chebyshev_polynomial_u", "laguerre_polynomial_l", "hermite_polynomial_h"):
        assert_same(getattr(ember.special, name)(0.3, e), getattr(torch.special, name)(0.3, t))
        assert_same(getattr(ember.special, name)(e, 2), getattr(torch.special, name)(t, 2))


def test_polygamma_at_poles():
    x = np.array([0.0, -0.0, -1.0, -2.0, -3.5, 1e-3, 1.0, 1e6, np.inf, -np.inf, np.nan])
    for dtype in ("float32", "float64"):
        e, t = pair(x.astype(dtype))
        for n in range(5):
            assert_same(ember.polygamma(n, e), torch.polygamma(n, t), 1e-5, 0, what=str(n))


SOFTMAX_ERRORS = [
    lambda L: L.softmax(L.ones(2, 3, dtype=L.int64), 0),
    lambda L: L.softmax(L.ones(2, 3, dtype=L.int64), 1),
    lambda L: L.log_softmax(L.ones(2, 3, dtype=L.bool), -1),
    lambda L: L.special.softmax(L.ones(2, 3, dtype=L.complex64), 0),
    lambda L: L.softmax(L.ones(2, 3), 2), lambda L: L.logsumexp(L.ones(2, 3), -3),
    lambda L: L.logsumexp(L.ones(2, 3), (0, 0)), lambda L: L.softmax(L.ones(()), 1),
    lambda L: L.log_softmax(L.ones(3), 0, dtype=L.int64),
]


@pytest.mark.parametrize("i", range(len(SOFTMAX_ERRORS)))
def test_softmax_errors(i):
    same_error(lambda: SOFTMAX_ERRORS[i](ember), lambda: SOFTMAX_ERRORS[i](torch), 60)


def test_softmax_dtype_argument_casts_first():
    e, t = pair(np.arange(6).reshape(2, 3))
    assert_same(ember.softmax(e, 1, dtype=ember.float32), torch.softmax(t, 1, torch.float32))
    assert_same(e.log_softmax(0, ember.float64), t.log_softmax(0, torch.float64))
    assert_same(ember.logsumexp(e, 1), torch.logsumexp(t, 1))
    e0, t0 = pair(np.zeros((0, 3), dtype=np.int64))
    assert_same(ember.softmax(e0, 1), torch.softmax(t0, 1))


def test_softmax_is_stable_and_half_rounds_once():
    x = np.array([[1000.0, 1001.0, 999.0], [-1e4, -1e4, -1e4]])
    for dtype in ("float64", "float32", "float16", "bfloat16"):
        e, t = pair(x.astype("float32"))
        e, t = e.to(getattr(ember, dtype)), t.to(getattr(torch, dtype))
        for name in ("softmax", "log_softmax"):
            assert_same(getattr(ember, name)(e, 1), getattr(torch, name)(t, 1), 1e-3, 1e-3)
        assert_same(ember.logsumexp(e, 1), torch.logsumexp(t, 1), 1e-3, 1e-3)


def test_logsumexp_double_backward_and_keepdim():
    x = RNG.uniform(-2, 2, (3, 4))
    e, t = pair(x, True)
    ge = ember.autograd.grad(ember.logsumexp(e, (0, 1), keepdim=True).sum(), e,
                             create_graph=True)[0]
    gt = torch.autograd.grad(torch.logsumexp(t, (0, 1), keepdim=True).sum(), t,
                             create_graph=True)[0]
    assert_same(ge, gt, check_grad_fn=False)
    assert_same(ember.autograd.grad((ge * ge).sum(), e)[0],
                torch.autograd.grad((gt * gt).sum(), t)[0], check_grad_fn=False)


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_rrelu_training_draws_torchs_stream(dtype):
    x = RNG.uniform(-2, 2, (4, 5)).astype("float32")
    out = {}
    for lib in (ember, torch):
        lib.manual_seed(5)
        t = lib.tensor(x).to(getattr(lib, dtype)).requires_grad_()
        y = lib.rrelu(t, 0.1, 0.6, training=True)
        z = lib.rrelu_(t.clone()[1:], training=True)
        grads = lib.autograd.grad((y.sum(), z.sum()), t)
        out[lib] = (y, z, grads[0], lib.rand(3))
    for a, b in zip(out[ember], out[torch]):
        assert_same(a, b, 0, 0, check_grad_fn=a is not out[ember][2])
    same_error(lambda: ember.rrelu(ember.ones(2, dtype=ember.float16), training=True),
               lambda: torch.rrelu(torch.ones(2, dtype=torch.float16), training=True))


def test_special_round_always_takes_decimals():
    e, t = pair(np.array([3, -2]))
    same_error(lambda: ember.special.round(e), lambda: torch.special.round(t))
    assert_same(ember.round(e), torch.round(t))
