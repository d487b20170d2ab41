"""Custom autograd Functions (autograd.Function, ctx API, once_differentiable) and the legacy
Variable, each class body written once and run under ember and torch."""
from __future__ import annotations

import warnings

import pytest

from parity import assert_same, ember, same_error, torch


def both(fn):
    return fn(ember), fn(torch)


def node_names(t):
    """grad_fn name and the names along its next_functions, None for missing edges."""
    fn = t.grad_fn
    if fn is None:
        return None
    return type(fn).__name__, [None if n is None else type(n).__name__
                               for n, _ in fn.next_functions]


def mul_add(lib):
    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, w, x, b):
            ctx.save_for_backward(w, x)
            return w * x + b

        @staticmethod
        def backward(ctx, grad_output):
            w, x = ctx.saved_tensors
            return grad_output * x, grad_output * w, grad_output * 1
    return Mul


def scaled(lib, wrong=None):
    """f(x, k) = x * k with a non-tensor k; `wrong` picks a faulty backward."""
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            if wrong == "few":
                return (g * ctx.k,)
            if wrong == "many":
                return g * ctx.k, None, g
            if wrong == "nontensor":
                return g * ctx.k, g
            if wrong == "int":
                return 3, None
            if wrong == "shape":
                return lib.ones(7), None
            return g * ctx.k, None, None      # trailing Nones are dropped
    return Scale


def test_apply_output_grads_and_node():
    def run(lib):
        Mul = mul_add(lib)
        x = lib.ones(1)
        w = lib.tensor([0.7], requires_grad=True)
        b = lib.tensor([-0.2], requires_grad=True)
        out = Mul.apply(x, w, b)
        info = (node_names(out), out.grad_fn.needs_input_grad, out.grad_fn.name(),
                type(out.grad_fn).__module__.split(".", 1)[1], out.requires_grad, out.is_leaf)
        (out * 2).sum().backward()
        return out, x.grad, w.grad, b.grad, info
    e, t = both(run)
    assert_same(e[:4], t[:4])
    assert e[4] == t[4]
    assert e[4][0] == ("MulBackward", [None, "AccumulateGrad", "AccumulateGrad"])


def test_non_tensor_arguments_get_no_edge():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = scaled(lib).apply(x, 3)
        y.sum().backward()
        return y, x.grad, node_names(y), y.grad_fn.needs_input_grad
    e, t = both(run)
    assert_same(e[:2], t[:2])
    assert e[2:] == t[2:]


@pytest.mark.parametrize("wrong", ["few", "many", "nontensor", "int", "shape"])
def test_bad_backward_results(wrong):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        return lambda: scaled(lib, wrong).apply(x, 3).sum().backward()
    same_error(run(ember), run(torch), prefix_len=200)


def test_no_input_requires_grad_and_no_grad_mode():
    def run(lib):
        Mul = mul_add(lib)
        plain = Mul.apply(lib.ones(1), lib.ones(1), lib.ones(1))
        w = lib.ones(1, requires_grad=True)
        with lib.no_grad():
            off = Mul.apply(w, lib.ones(1), lib.ones(1))
        return plain.requires_grad, plain.grad_fn, off.requires_grad, off.grad_fn
    assert both(run)[0] == both(run)[1] == (False, None, False, None)


def test_forward_runs_without_recording():
    def run(lib):
        seen = []

        class Probe(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * 2
                seen.append((lib.is_grad_enabled(), y.requires_grad, ctx.needs_input_grad))
                with lib.enable_grad():
                    z = x * 3
                seen.append(z.requires_grad)
                return z

            @staticmethod
            def backward(ctx, g):
                seen.append(lib.is_grad_enabled())
                return g * 3
        x = lib.ones(2, requires_grad=True)
        y = Probe.apply(x)
        y.sum().backward()
        return seen, node_names(y), x.grad
    e, t = both(run)
    assert e[:2] == t[:2]
    assert_same(e[2], t[2])


def test_multiple_outputs_materialize_and_non_tensor_outputs():
    def run(lib, materialize):
        got = []

        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x.clone(), x * 2, "label"

            @staticmethod
            def backward(ctx, g1, g2, g3):
                got.append((g1, g2, g3))
                return g1 if g2 is None else g1 + 2 * g2 if g1 is not None else 2 * g2
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b, label = Two.apply(x)
        a.sum().backward()
        return label, got[0], x.grad, node_names(a), b.grad_fn is a.grad_fn
    for materialize in (True, False):
        e, t = run(ember, materialize), run(torch, materialize)
        assert e[0] == t[0] and e[3:] == t[3:]
        assert_same(list(e[1][:2]) + [e[2]], list(t[1][:2]) + [t[2]])
        assert e[1][2] is None and t[1][2] is None


def test_setup_context_style_binds_defaults():
    def run(lib):
        seen = []

        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(x, k=2, shift=0.0):
                return x * k + shift

            @staticmethod
            def setup_context(ctx, inputs, output):
                seen.append((len(inputs), inputs[1:], type(output).__name__,
                             lib.is_grad_enabled(), ctx.needs_input_grad))
                ctx.k = inputs[1]

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, None, None
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        outs = [Scale.apply(x), Scale.apply(x, 3), Scale.apply(x, shift=1.0),
                Scale.apply(x, k=4, shift=2.0)]
        sum(o.sum() for o in outs).backward()
        return outs, x.grad, seen, [node_names(o) for o in outs]
    e, t = both(run)
    assert_same(e[:2], t[:2])
    assert e[2:] == t[2:]


def test_vjp_alias_and_missing_methods():
    def vjp_only(lib):
        class Twice(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def vjp(ctx, g):
                return g * 2
        x = lib.ones(2, requires_grad=True)
        Twice.apply(x).sum().backward()
        return x.grad
    assert_same(*both(vjp_only))
    assert ember.autograd.Function.vjp is ember.autograd.Function.backward

    def both_defined(lib):
        class Both(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g

            vjp = staticmethod(lambda ctx, g: g)
        return lambda: Both.apply(lib.ones(1, requires_grad=True)).sum().backward()
    same_error(both_defined(ember), both_defined(torch), prefix_len=200)

    def no_backward(lib):
        class NoBackward(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        return lambda: NoBackward.apply(lib.ones(1, requires_grad=True)).sum().backward()
    same_error(no_backward(ember), no_backward(torch), prefix_len=200)

    def no_forward(lib):
        class NoForward(lib.autograd.Function):
            pass
        return lambda: NoForward.apply(lib.ones(1))
    same_error(no_forward(ember), no_forward(torch), prefix_len=200)


def test_instantiation_is_deprecated():
    for lib in (ember, torch):
        Mul = mul_add(lib)
        with pytest.warns(DeprecationWarning, match="should not be instantiated"):
            inst = Mul()
        with pytest.raises(RuntimeError, match="Legacy autograd function with non-static"):
            inst(lib.ones(1))
    assert ember.autograd.Function._backward_cls.__name__ == "FunctionBackward"


def test_ctx_is_the_node():
    def run(lib):
        from_forward = []

        class Keep(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.note = "kept"
                from_forward.append(ctx)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        y = Keep.apply(lib.ones(2, requires_grad=True))
        fn = y.grad_fn
        return (fn is from_forward[0], fn.note, fn._forward_cls is Keep, fn.metadata,
                isinstance(fn, lib.autograd.function.FunctionCtx),
                isinstance(fn, lib.autograd.function.BackwardCFunction),
                fn.to_save, fn.dirty_tensors, fn.non_differentiable)
    assert both(run)[0] == both(run)[1]


def test_node_hooks_and_direct_call():
    def run(lib):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = scaled(lib).apply(x, 3)
        y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].tolist())))
        y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[0].tolist())))
        y.register_hook(lambda g: g * 10)
        y.sum().backward()
        direct = y.grad_fn.apply(lib.ones(2))
        return log, x.grad, direct
    e, t = both(run)
    assert e[0] == t[0]
    assert_same(e[1:], t[1:], check_grad_fn=False)


def cube(lib, once=False):
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x ** 2 * g

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

    Cube.backward = staticmethod(lib.autograd.function.once_differentiable(backward)
                                 if once else backward)
    return Cube


def test_double_backward_through_custom_function():
    def run(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = cube(lib).apply(x)
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x)
        return g, gg
    assert_same(*both(run))


def test_once_differentiable():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = cube(lib, once=True).apply(x)
        plain, = lib.autograd.grad(y.sum(), x, retain_graph=True)
        v = lib.ones(2, requires_grad=True)
        g, = lib.autograd.grad(y, x, v, create_graph=True)
        return plain, g, node_names(g), plain.grad_fn
    e, t = both(run)
    assert_same(e[:2], t[:2])
    assert e[2:] == t[2:] and e[2] == ("Error", ["AccumulateGrad"])

    def second(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = cube(lib, once=True).apply(x)
        g, = lib.autograd.grad(y, x, lib.ones(2, requires_grad=True), create_graph=True)
        return lambda: g.sum().backward()
    same_error(second(ember), second(torch), prefix_len=200)


def test_inplace_function_flag():
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert lib.autograd.function.InplaceFunction(inplace=True).inplace is True


def test_keyword_arguments_become_positional_inputs():
    def make(lib):
        class KW(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k=1, scale=None, other=None):
                return x * k * scale

            @staticmethod
            def backward(ctx, g):
                return (g,) + (None, g * 5, None)[:len(ctx.needs_input_grad) - 1]
        return KW

    def run(lib):
        x, s = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        y = make(lib).apply(x, 2, other=lib.ones(2), scale=s)
        info = (node_names(y), y.grad_fn.needs_input_grad)
        y.sum().backward()
        return x.grad, s.grad, info
    e, t = both(run)
    assert_same(e[:2], t[:2])
    assert e[2] == t[2]
    for call in (lambda lib, x: make(lib).apply(x, scale=x),
                 lambda lib, x: make(lib).apply(x, 2, k=3),
                 lambda lib, x: make(lib).apply(ctx=x),
                 lambda lib, x: make(lib).apply(x, 2, 3, 4, bogus=1)):
        same_error(lambda: call(ember, ember.ones(1)), lambda: call(torch, torch.ones(1)),
                   prefix_len=200)
