"""The ctx API of custom autograd Functions: mark_dirty, mark_non_differentiable, inputs
returned as outputs, and saved tensors (version checks, freeing), against torch."""
from __future__ import annotations

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


def scaled(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None
    return Scale


def test_mark_non_differentiable():
    def run(lib):
        got = []

        class Sort(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = (x > 1).long()
                flag = x * 0
                ctx.mark_non_differentiable(flag)
                return x * 2, idx, flag

            @staticmethod
            def backward(ctx, g, g_idx, g_flag):
                got.append((g_idx, g_flag))
                return g * 2
        x = lib.tensor([3.0, 1.0], requires_grad=True)
        y, idx, flag = Sort.apply(x)
        y.sum().backward()
        return (idx, flag, got[0][0], got[0][1], x.grad,
                (idx.requires_grad, flag.requires_grad, flag.grad_fn, y.requires_grad))
    e, t = both(run)
    assert_same(e[:5], t[:5])
    assert e[5] == t[5]


def inplace_double(lib, mark=True, ret_input=True):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            if mark:
                ctx.mark_dirty(x)
            return x if ret_input else x * 1

        @staticmethod
        def backward(ctx, g):
            return g * 2
    return Double


def test_mark_dirty_rebases_history():
    def run(lib):
        leaf = lib.ones(3, requires_grad=True)
        z = leaf * 1
        r = inplace_double(lib).apply(z)
        info = (r is z, z._version, node_names(z))
        (r * r).sum().backward()
        return r, leaf.grad, info
    e, t = both(run)
    assert_same(e[:2], t[:2])
    assert e[2] == t[2]


def test_mark_dirty_on_view_uses_copyslices():
    def run(lib):
        leaf = lib.ones(4, requires_grad=True)
        base = leaf * 1
        view = base[1:3]
        out = inplace_double(lib).apply(view)
        info = (out is view, type(base.grad_fn).__name__, type(view.grad_fn).__name__,
                view._version)
        base.sum().backward()
        return base, leaf.grad, info
    e, t = both(run)
    assert_same(e[:2], t[:2], check_grad_fn=False)
    assert e[2] == t[2]


def test_mark_dirty_errors():
    def leaf_case(lib):
        leaf = lib.ones(3, requires_grad=True)
        return lambda: inplace_double(lib).apply(leaf)
    same_error(leaf_case(ember), leaf_case(torch), prefix_len=200)

    def not_returned(lib):
        return lambda: inplace_double(lib, ret_input=False).apply(lib.ones(3,
                                                                           requires_grad=True) * 1)
    same_error(not_returned(ember), not_returned(torch), prefix_len=200)


def test_input_returned_unchanged_is_a_new_view():
    def run(lib):
        class Same(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 5
        x = lib.ones(2, requires_grad=True)
        y = Same.apply(x)
        plain = lib.ones(2)
        p = Same.apply(plain)
        info = (y is x, y._base is x, y.is_leaf, node_names(y), p is plain, p._base is plain,
                p.requires_grad)
        y.sum().backward()
        return x.grad, info
    e, t = both(run)
    assert_same(e[0], t[0])
    assert e[1] == t[1]


def saver(lib):
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
    return Exp


def test_saved_tensors_identity_and_retain_graph():
    def run(lib):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = saver(lib).apply(x)
        saved = y.grad_fn.saved_tensors
        info = (saved[0] is x, node_names(saved[1]), saved[1].requires_grad)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return x.grad, info
    e, t = both(run)
    assert_same(e[0], t[0])
    assert e[1] == t[1]


def test_saved_tensors_freed_and_modified():
    def twice(lib):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = saver(lib).apply(x)
        y.sum().backward()
        return lambda: y.sum().backward()
    same_error(twice(ember), twice(torch), prefix_len=300)

    def access(lib):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = saver(lib).apply(x)
        y.sum().backward()
        return lambda: y.grad_fn.saved_tensors
    same_error(access(ember), access(torch), prefix_len=300)

    def modified_output(lib):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = saver(lib).apply(x)
        y.add_(1)
        return lambda: y.sum().backward()
    same_error(modified_output(ember), modified_output(torch), prefix_len=300)

    def modified_input(lib):
        x = lib.tensor([0.5, 1.0], requires_grad=True) * 1
        y = saver(lib).apply(x)
        x.add_(1)
        return lambda: y.sum().backward()
    same_error(modified_input(ember), modified_input(torch), prefix_len=300)


def test_nothing_saved_and_bad_save():
    def run(lib):
        Scale = scaled(lib)
        x = lib.ones(2, requires_grad=True)
        y = Scale.apply(x, 2)
        before = y.grad_fn.saved_tensors
        y.sum().backward()
        y.sum().backward()                   # nothing saved: a second pass works
        return before, x.grad
    e, t = both(run)
    assert e[0] == t[0] == ()
    assert_same(e[1], t[1])

    def bad(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g
        return lambda: Bad.apply(lib.ones(1, requires_grad=True))
    same_error(bad(ember), bad(torch), prefix_len=200)


def test_mark_methods_refuse_non_tensors():
    def run(lib, method):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                getattr(ctx, method)(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g
        return lambda: Bad.apply(lib.ones(1, requires_grad=True) * 1)
    for method in ("mark_dirty", "mark_non_differentiable"):
        same_error(run(ember, method), run(torch, method))
