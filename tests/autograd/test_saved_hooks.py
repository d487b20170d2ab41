"""autograd.graph saved-tensor hooks: saved_tensors_hooks, save_on_cpu,
disable_saved_tensors_hooks, against torch."""
from __future__ import annotations

from parity import assert_same, ember, same_error, torch


def both(fn):
    return fn(ember), fn(torch)


def test_pack_and_unpack_are_called():
    def run(lib):
        log = []

        def pack(t):
            log.append(("pack", tuple(t.shape), t.requires_grad))
            return ("packed", t.detach().clone())

        def unpack(p):
            log.append(("unpack", p[0]))
            return p[1]
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x.exp()
        packs = list(log)
        y.sum().backward()
        return sorted(packs), log[len(packs):], x.grad
    e, t = both(run)
    assert e[:2] == t[:2]
    assert_same(e[2], t[2])


def test_no_version_check_and_double_backward_through_hooks():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            a = x * 1
            b = a * a
            c = (x ** 3).sum()
        a.add_(1)                       # the hooks own the data: no version error
        b.sum().backward()
        g, = lib.autograd.grad(c, x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x)
        return x.grad, g, gg
    assert_same(*both(run), check_grad_fn=False)


def test_custom_function_saves_through_hooks():
    def run(lib):
        count = [0]

        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return g * y

        def pack(t):
            count[0] += 1
            return t
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = Exp.apply(x)
        y.sum().backward()
        return count[0], x.grad
    e, t = both(run)
    assert e[0] == t[0] == 2
    assert_same(e[1], t[1])


def test_save_on_cpu_and_errors():
    def run(lib, pin):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.save_on_cpu(pin_memory=pin):
            y = (x * x).sum()
        y.backward()
        return x.grad
    for pin in (False, True):
        assert_same(run(ember, pin), run(torch, pin))

    def bad_unpack(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: 3):
            y = (x * x).sum()
        return y.backward
    same_error(bad_unpack(ember), bad_unpack(torch), prefix_len=200)

    def disabled(lib):
        def enter():
            with lib.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
                with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
        return enter
    same_error(disabled(ember), disabled(torch), prefix_len=200)
    with ember.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        pass                                         # enabled again after the block


def test_innermost_hooks_win():
    log = []
    x = ember.ones(2, requires_grad=True)
    with ember.autograd.graph.saved_tensors_hooks(lambda t: log.append("outer") or t,
                                                  lambda t: t):
        with ember.autograd.graph.saved_tensors_hooks(lambda t: log.append("inner") or t,
                                                      lambda t: t):
            x * x
    assert log == ["inner", "inner"]


def test_freed_graph_with_hooks():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            y = (x * x).sum()
        y.backward()
        return y.backward
    same_error(run(ember), run(torch), prefix_len=200)
