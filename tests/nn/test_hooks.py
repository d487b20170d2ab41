"""Module hooks against torch: call order, argument/result rewriting, backward hooks'
gradients, the legacy backward hook, global hooks and handles."""
from __future__ import annotations

import importlib
import pickle
import warnings

import pytest

from nn._helpers import same, same_error


def modules(lib):
    nn = lib.nn

    class Lin(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(lib.tensor([[2.0, -3.0], [1.0, 0.5]]))
            self.b = nn.Parameter(lib.tensor([0.5, 1.0]))

        def forward(self, x):
            return x @ self.w.t() + self.b

    class Multi(nn.Module):
        def forward(self, a, b, c=None):
            return a * b, a + 1, 3

    class Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = Lin()
            self.l2 = Lin()

        def forward(self, x):
            return self.l2(self.l1(x))

    return Lin, Multi, Seq


def show(t):
    return None if t is None else t.tolist()


def test_forward_hooks_rewrite_args_and_output():
    def fn(lib):
        log = []

        class Lin(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.tensor([2.0, 3.0]))

            def forward(self, x):
                log.append(("forward", x.tolist()))
                return x * self.w

        m = Lin()
        m.register_forward_pre_hook(lambda mod, inp: inp[0] + 1)          # non-tuple wrapped
        m.register_forward_pre_hook(lambda mod, inp: log.append(("pre2", len(inp))))
        m.register_forward_hook(lambda mod, inp, out: out * 10)
        m.register_forward_hook(lambda mod, inp, out: log.append(("fwd2", out.tolist())))
        y = m(lib.tensor([1.0, 1.0]))
        y.sum().backward()
        direct = m.forward(lib.tensor([1.0, 1.0]))
        return log, y, m.w.grad, direct
    same(fn)


def test_full_backward_hooks_multi_io():
    def fn(lib):
        log = []
        m = modules(lib)[1]()
        m.register_full_backward_pre_hook(
            lambda mod, go: log.append(("pre", [show(g) for g in go])))
        m.register_full_backward_hook(
            lambda mod, gi, go: log.append(("full", [show(g) for g in gi],
                                            [show(g) for g in go])))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        o1, o2, o3 = m(a, lib.tensor([3.0, 4.0]))
        names = (type(o1.grad_fn).__name__, o1.requires_grad, o2.requires_grad, o3)
        (o1.sum() + o2.sum() * 2).backward()
        return names, log, a.grad
    same(fn)


def test_full_backward_hook_values_and_replacement():
    def fn(lib):
        Lin = modules(lib)[0]
        log = []
        lin = Lin()
        lin.register_full_backward_hook(lambda m, gi, go: log.append((gi, go)))
        x = lib.tensor([[1.0, 1.0]], requires_grad=True)
        (lin(x) * 4).sum().backward()
        out = [log, x.grad, lin.w.grad]
        lin3 = Lin()
        lin3.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
        x = lib.tensor([[1.0, 1.0]], requires_grad=True)
        lin3(x).sum().backward()
        out.append(x.grad)
        lin4 = Lin()
        lin4.register_full_backward_pre_hook(lambda m, go: (go[0] * 0 + 1,))
        x = lib.tensor([[1.0, 1.0]], requires_grad=True)
        (lin4(x) * 5).sum().backward()
        out += [x.grad, lin4.w.grad]
        return out
    same(fn)


def test_full_backward_hook_without_input_grad_warns():
    def fn(lib):
        lin = modules(lib)[0]()
        log = []
        lin.register_full_backward_hook(lambda m, gi, go: log.append((gi, go)))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lin(lib.ones(1, 2)).sum().backward()
        return log, [str(x.message)[:60] for x in w]
    same(fn)


def test_backward_hook_wrong_count_errors():
    def make(kind):
        def fn(lib):
            lin = modules(lib)[0]()
            if kind == "full":
                lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
            else:
                lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
            lin(lib.ones(1, 2, requires_grad=True)).sum().backward()
        return fn
    same_error(make("full"))
    same_error(make("pre"))


def test_hook_call_order_nested():
    def fn(lib):
        calls = []
        s = modules(lib)[2]()
        for name, mod in s.named_modules():
            mod.register_forward_pre_hook(lambda m, a, n=name: calls.append(("fpre", n)))
            mod.register_forward_hook(lambda m, a, o, n=name: calls.append(("fwd", n)))
            mod.register_full_backward_pre_hook(lambda m, go, n=name: calls.append(("bpre", n)))
            mod.register_full_backward_hook(lambda m, gi, go, n=name: calls.append(("bwd", n)))
        s(lib.tensor([[1.0, 2.0]], requires_grad=True)).sum().backward()
        return calls
    same(fn)


def test_kwargs_prepend_always_call():
    def fn(lib):
        calls = []
        lin = modules(lib)[0]()
        lin.register_forward_pre_hook(lambda m, a, k: calls.append(("kw", len(a), sorted(k))),
                                      with_kwargs=True)
        lin.register_forward_pre_hook(lambda m, a: calls.append("first"), prepend=True)
        lin.register_forward_hook(lambda m, a, k, o: calls.append(("fkw", sorted(k))),
                                  with_kwargs=True)
        lin.register_forward_hook(lambda m, a, o: calls.append("always"), always_call=True)
        lin.register_forward_hook(lambda m, a, o: calls.append("prepended"), prepend=True)
        lin(lib.ones(1, 2))
        try:
            lin(lib.ones(1, 3))
        except RuntimeError:
            calls.append("raised")
        return calls
    same(fn)


def test_pre_hook_with_kwargs_rewrites():
    def fn(lib):
        m = modules(lib)[1]()
        m.register_forward_pre_hook(lambda mod, a, k: ((a[0] * 2, a[1]), {"c": 1}),
                                    with_kwargs=True)
        m.register_forward_hook(lambda mod, a, k, o: (o[0], k["c"]), with_kwargs=True)
        return m(lib.tensor([1.0]), lib.tensor([3.0]))
    same(fn)
    same_error(lambda lib: _bad_pre_hook(lib))


def _bad_pre_hook(lib):
    m = modules(lib)[1]()
    m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
    m(lib.ones(1), lib.ones(1))


def test_global_hooks():
    def fn(lib):
        mm = importlib.import_module(lib.__name__ + ".nn.modules.module")
        calls = []
        handles = [
            mm.register_module_forward_pre_hook(
                lambda m, a: calls.append(("gpre", type(m).__name__))),
            mm.register_module_forward_hook(
                lambda m, a, o: calls.append(("gfwd", type(m).__name__))),
            mm.register_module_full_backward_hook(
                lambda m, gi, go: calls.append(("gbwd", type(m).__name__))),
            mm.register_module_full_backward_pre_hook(
                lambda m, go: calls.append(("gbpre", type(m).__name__))),
        ]
        try:
            s = modules(lib)[2]()
            s.l1.register_forward_hook(lambda m, a, o: calls.append("own"))
            s(lib.ones(1, 2, requires_grad=True)).sum().backward()
        finally:
            for h in handles:
                h.remove()
        calls.append("removed")
        s(lib.ones(1, 2))
        return calls
    same(fn)


def test_global_registration_hooks():
    def fn(lib):
        mm = importlib.import_module(lib.__name__ + ".nn.modules.module")
        calls = []
        hs = [mm.register_module_buffer_registration_hook(
                  lambda m, n, b: calls.append(("buf", n)) or b * 2),
              mm.register_module_parameter_registration_hook(
                  lambda m, n, p: calls.append(("param", n))),
              mm.register_module_module_registration_hook(
                  lambda m, n, s: calls.append(("mod", n)))]
        try:
            m = lib.nn.Module()
            m.register_buffer("b", lib.ones(1))
            m.p = lib.nn.Parameter(lib.ones(1))
            m.sub = lib.nn.Identity()
            m.add_module("sub2", None)
        finally:
            for h in hs:
                h.remove()
        return calls, m.b
    same(fn)


def test_mixing_backward_hook_kinds_errors():
    def local(lib):
        m = lib.nn.Identity()
        m.register_full_backward_hook(lambda *a: None)
        m.register_backward_hook(lambda *a: None)
    same_error(local)

    def global_(lib):
        mm = importlib.import_module(lib.__name__ + ".nn.modules.module")
        h = mm.register_module_full_backward_hook(lambda *a: None)
        try:
            mm.register_module_backward_hook(lambda *a: None)
        finally:
            h.remove()
            mm._global_is_full_backward_hook = None   # torch keeps it: reset for the others
            if lib.__name__ == "ember":
                from ember.nn.modules import _hooks
                _hooks._GLOBAL["is_full_backward_hook"] = None
    same_error(global_)


def test_legacy_backward_hook_broadcast_bias():
    def fn(lib):
        log = []
        lin = modules(lib)[0]()
        lin.register_backward_hook(
            lambda m, gi, go: log.append(([show(g) for g in gi], [show(g) for g in go])))
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = lin(x)
        y.sum().backward()
        return log, [type(x.message).__name__ + str(x.message)[:50] for x in w]
    same(fn)


def test_removable_handle():
    def fn(lib):
        calls = []
        m = lib.nn.Identity()
        hook = lambda mod, inp, out: calls.append(1) or out + 100   # noqa: E731
        h = m.register_forward_hook(hook)
        out = [isinstance(h, lib.utils.hooks.RemovableHandle), len(m._forward_hooks),
               h.id in m._forward_hooks, m(lib.tensor([1.0]))]
        h.remove()
        h.remove()
        out += [len(m._forward_hooks), m(lib.tensor([1.0]))]
        h1 = m.register_forward_hook(hook)
        h2 = m.register_forward_hook(hook)
        out.append(h2.id > h1.id)
        h1.remove()
        h2.remove()
        with m.register_forward_hook(hook):
            out += [m(lib.tensor([3.0])), len(m._forward_hooks)]
        out += [len(m._forward_hooks), calls]
        h3 = m.register_forward_pre_hook(print, with_kwargs=True)
        h3.remove()
        out += [len(m._forward_pre_hooks), len(m._forward_pre_hooks_with_kwargs)]
        return out
    same(fn)


def test_handle_pickles():
    def fn(lib):
        m = lib.nn.Identity()
        h = m.register_forward_hook(print)
        h2 = pickle.loads(pickle.dumps(h))
        return type(h2).__name__, h2.id == h.id
    same(fn)


@pytest.mark.parametrize("kind", ["tensor", "tuple", "other"])
def test_backward_hook_output_kinds(kind):
    def fn(lib):
        log = []

        class M(lib.nn.Module):
            def forward(self, x):
                if kind == "tensor":
                    return x * 2
                if kind == "tuple":
                    return x * 2, x * 3
                return {"y": x * 2}

        m = M()
        m.register_full_backward_hook(lambda mod, gi, go: log.append((gi, go)))
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = m(x)
        first = y if kind == "tensor" else (y[0] if kind == "tuple" else y["y"])
        first.sum().backward()
        return log, x.grad, [str(x.message)[:50] for x in w]
    same(fn)


def test_legacy_backward_hook():
    def fn(lib):
        log = []

        class Mul(lib.nn.Module):
            def forward(self, x, y):
                return x * y

        m = Mul()
        m.register_backward_hook(
            lambda mod, gi, go: log.append(([show(g) for g in gi], [show(g) for g in go])))
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = m(x, y)
        out.sum().backward()
        return log, x.grad, [str(x.message)[:50] for x in w]
    same(fn)
