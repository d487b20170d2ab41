"""gradcheck / gradgradcheck against torch's: verdicts, error types and messages, warnings."""
from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

from parity import ember, same_error, torch

# NOTE(torch): ember.autograd.gradcheck is the function; the module is reached by import
GradcheckError = importlib.import_module("ember.autograd.gradcheck").GradcheckError


def both(fn):
    return fn(ember), fn(torch)


def dbl(lib, values, requires_grad=True):
    return lib.tensor(values, dtype=lib.float64, requires_grad=requires_grad)


def sigmoid_fn(lib, wrong=False):
    class Sigmoid(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = 1 / (1 + lib.exp(-x))
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            out, = ctx.saved_tensors
            return out * g if wrong else out * (1 - out) * g
    return Sigmoid


def two_in_two_out(lib, wrong_second=False):
    """f(x, k, y) = (x * y, x * k + y * y) with a non-tensor k."""
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x * y, x * k + y * y

        @staticmethod
        def backward(ctx, g1, g2):
            x, y = ctx.saved_tensors
            gy = g1 * x + (3 if wrong_second else 2) * y * g2
            return g1 * y + ctx.k * g2, None, gy
    return F


def test_passing_checks_return_true():
    def run(lib):
        x = dbl(lib, [-1.5, -0.2, 0.3, 2.0])
        y = dbl(lib, [[0.5, 1.5], [2.0, -1.0]])
        F = two_in_two_out(lib)
        return (lib.autograd.gradcheck(sigmoid_fn(lib).apply, (x,), eps=1e-3),
                lib.autograd.gradcheck(lib.sigmoid, x),
                lib.autograd.gradcheck(lambda a, b: (a * b).sum(dim=0), [y, dbl(lib, [0.5, 2.0])]),
                lib.autograd.gradcheck(F.apply, (y, 2.0, y.detach().clone().requires_grad_())),
                lib.autograd.gradcheck(lib.tanh, (x,), fast_mode=True),
                lib.autograd.gradgradcheck(lib.tanh, (x,)),
                lib.autograd.gradgradcheck(lambda a: (a * a * a).sum(), (y,), fast_mode=True))
    assert both(run) == ((True,) * 7,) * 2


def test_jacobian_mismatch_message():
    def first(lib):
        x = dbl(lib, [-1.5, -0.2, 0.3, 2.0])
        return lambda: lib.autograd.gradcheck(sigmoid_fn(lib, wrong=True).apply, (x,), eps=1e-3)
    same_error(first(ember), first(torch), prefix_len=2000)

    def second(lib):
        y = dbl(lib, [[0.5, 1.5], [2.0, -1.0]])
        z = dbl(lib, [[1.0, 2.0], [0.25, -3.0]])
        return lambda: lib.autograd.gradcheck(two_in_two_out(lib, True).apply, (y, 2.0, z))
    same_error(second(ember), second(torch), prefix_len=2000)
    assert issubclass(GradcheckError, RuntimeError)

    def quiet(lib):
        x = dbl(lib, [0.3, 2.0])
        return lib.autograd.gradcheck(sigmoid_fn(lib, True).apply, (x,), raise_exception=False)
    assert both(quiet) == (False, False)


def test_fast_mode_mismatch():
    def run(lib):
        x = dbl(lib, [-1.5, -0.2, 0.3, 2.0])
        return lambda: lib.autograd.gradcheck(sigmoid_fn(lib, True).apply, (x,), fast_mode=True)
    # the probe vectors differ from torch's random ones: compare the first line only
    same_error(run(ember), run(torch), prefix_len=56)
    with pytest.raises(GradcheckError,
                       match="(?s)computed \nin fast mode.*Numerical:\n tensor"):
        run(ember)()


def test_input_checks_and_warnings():
    def float32(lib):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ok = lib.autograd.gradcheck(lib.exp, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)
        return ok, [str(w.message) for w in caught]
    assert both(float32)[0] == both(float32)[1]

    def none_requires_grad(lib):
        return lambda: lib.autograd.gradcheck(lib.exp, (dbl(lib, [1.0], False),))
    same_error(none_requires_grad(ember), none_requires_grad(torch), prefix_len=200)

    def stride_zero(lib):
        x = dbl(lib, [1.0]).expand(3)
        return lambda: lib.autograd.gradcheck(lib.exp, (x,))
    same_error(stride_zero(ember), stride_zero(torch), prefix_len=200)

    def no_mode(lib):
        return lambda: lib.autograd.gradcheck(lib.exp, (dbl(lib, [1.0]),),
                                              check_backward_ad=False)
    same_error(no_mode(ember), no_mode(torch), prefix_len=200)

    def gg_undefined(lib):
        return lambda: lib.autograd.gradgradcheck(lib.exp, (dbl(lib, [1.0]),),
                                                  check_rev_over_rev=False,
                                                  check_fwd_over_rev=True)
    same_error(gg_undefined(ember), gg_undefined(torch), prefix_len=200)


def test_unsupported_modes_name_themselves():
    x = dbl(ember, [1.0])
    with pytest.raises(NotImplementedError, match="check_batched_grad"):
        ember.autograd.gradcheck(ember.exp, (x,), check_batched_grad=True)
    with pytest.raises(NotImplementedError, match="check_forward_ad"):
        ember.autograd.gradcheck(ember.exp, (x,), check_forward_ad=True)


def custom(lib, kind):
    class Odd(lib.autograd.Function):
        calls = [0]

        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(kind != "undefined")
            if kind == "undefined":
                return x * 2, x * 3
            return x.sum() if kind == "ignores_grad" else x * 2

        @staticmethod
        def backward(ctx, *grads):
            if kind == "ignores_grad":
                return lib.ones(2, dtype=lib.float64)
            if kind == "undefined":
                return grads[0] * 2 + grads[1] * 3
            Odd.calls[0] += 1
            return grads[0] * (2 + 1e-3 * Odd.calls[0])
    return Odd


@pytest.mark.parametrize("kind", ["ignores_grad", "undefined", "nondeterministic"])
def test_backward_property_checks(kind):
    def run(lib):
        x = dbl(lib, [0.5, 1.0])
        fn = custom(lib, kind).apply
        return lambda: lib.autograd.gradcheck(fn, (x,), atol=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(run(ember), run(torch), prefix_len=300)


def test_non_differentiable_outputs():
    def run(lib):
        x = dbl(lib, [0.5, 1.0])
        return (lib.autograd.gradcheck(lambda a: (a > 0.7).double(), (x,)),
                lambda: lib.autograd.gradcheck(lambda a: (a * 2).detach(), (x,)))
    e, t = both(run)
    assert e[0] == t[0] is True
    same_error(e[1], t[1], prefix_len=200)


def test_complex_inputs_and_outputs():
    def make(lib):
        z = lib.tensor([1 + 2j, -0.5 + 0.25j], dtype=lib.complex128, requires_grad=True)
        r = dbl(lib, [0.5, -1.5])
        return z, r

    def run(lib):
        z, r = make(lib)
        return (lib.autograd.gradcheck(lambda a: a * a, (z,)),
                lib.autograd.gradcheck(lambda a: (a * a.conj()).real, (z,)),
                lib.autograd.gradcheck(lambda a, b: a * b, (z, r)),
                lib.autograd.gradcheck(lambda a: a * a, (z,), fast_mode=True),
                lib.autograd.gradgradcheck(lambda a, b: a * a * b, (z, r)))
    assert both(run) == ((True,) * 5,) * 2

    def wrong(lib):
        class BadSquare(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * g * x          # the conjugate is missing
        z, _ = make(lib)
        return lambda: lib.autograd.gradcheck(BadSquare.apply, (z,))
    same_error(wrong(ember), wrong(torch), prefix_len=2000)


def test_gradgradcheck_mismatch_and_once_differentiable():
    def flat_second(lib, once=False):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 3 * x.detach() ** 2 * g      # second derivative lost

        if once:
            Cube.backward = staticmethod(lib.autograd.function.once_differentiable(
                lambda ctx, g: 3 * ctx.saved_tensors[0] ** 2 * g))
        return Cube

    def run(lib, once=False):
        x = dbl(lib, [0.5, -1.0, 2.0])
        go = dbl(lib, [0.25, -0.5, 1.0])
        return lambda: lib.autograd.gradgradcheck(flat_second(lib, once).apply, (x,), (go,))
    same_error(run(ember), run(torch), prefix_len=2000)
    same_error(run(ember, True), run(torch, True), prefix_len=200)


def test_gradgradcheck_default_grad_outputs():
    x = dbl(ember, np.linspace(-1, 1, 6).reshape(2, 3).tolist())
    assert ember.autograd.gradgradcheck(lambda a: a.sin() * a, (x,),
                                        gen_non_contig_grad_outputs=True)
