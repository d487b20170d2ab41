"""The autograd engine: leaves, hooks, retain_grad, accumulation, freeing, version checks,
in-place on views (CopySlices), grad modes, autograd.grad — each against torch."""
from __future__ import annotations

import pytest

from parity import assert_same, ember, same_error, torch


def both(fn):
    return fn(ember), fn(torch)


def test_leaf_rules():
    for lib in (ember, torch):
        a = lib.tensor([1.0, 2.0])
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        h = w * 2
        assert (a.is_leaf, w.is_leaf, h.is_leaf, (a * 2).is_leaf) == (True, True, False, True)
        assert w.grad_fn is None and h.requires_grad


def test_backward_accumulates_and_retain_grad():
    def run(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = w * 2
        h.retain_grad()
        (h * h).sum().backward()
        (w * w).sum().backward()
        return w.grad, h.grad
    e, t = both(run)
    assert_same(e, t)


def test_hooks_order_and_replacement():
    def run(lib):
        log = []
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = w * 3
        y.register_hook(lambda g: log.append(("y", g.tolist())) or g * 10)
        w.register_hook(lambda g: log.append(("w", g.tolist())))
        h = y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].tolist())))
        y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[0].tolist())))
        w.register_post_accumulate_grad_hook(lambda t: log.append(("acc", t.grad.tolist())))
        y.sum().backward(retain_graph=True)
        h.remove()
        y.sum().backward()
        return log
    e, t = both(run)
    assert e == t


def test_hook_handle_is_context_manager():
    w = ember.ones(2, requires_grad=True)
    calls = []
    with w.register_hook(lambda g: calls.append(1)):
        (w * 2).sum().backward()
    (w * 2).sum().backward()
    assert calls == [1]


def test_second_backward_raises_and_retain_graph_allows():
    def setup(lib):
        x = lib.ones(3, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        return y
    same_error(lambda: setup(ember).backward(), lambda: setup(torch).backward())
    x = ember.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]


def test_errors_match_torch():
    same_error(lambda: (ember.ones(2, requires_grad=True) * 2).backward(),
               lambda: (torch.ones(2, requires_grad=True) * 2).backward())
    same_error(lambda: ember.tensor(1.).backward(), lambda: torch.tensor(1.).backward())
    same_error(lambda: ember.ones(2, requires_grad=True).add_(1),
               lambda: torch.ones(2, requires_grad=True).add_(1))
    same_error(lambda: ember.ones(2).register_hook(print),
               lambda: torch.ones(2).register_hook(print))
    same_error(lambda: ember.ones(2).retain_grad(), lambda: torch.ones(2).retain_grad())

    def modified(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    same_error(lambda: modified(ember), lambda: modified(torch), prefix_len=200)

    def modified_input(lib):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        c = b * b
        b.add_(1)
        c.sum().backward()
    same_error(lambda: modified_input(ember), lambda: modified_input(torch), prefix_len=200)


def test_inplace_on_view_copyslices():
    def run(lib):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        z = x * 2
        v = z[0]
        v.mul_(3)
        z[:, 1] = 0
        names = (type(z.grad_fn).__name__, type(v.grad_fn).__name__)
        (z * lib.arange(6.).view(2, 3)).sum().backward()
        return x.grad, names
    (eg, en), (tg, tn) = both(run)
    assert en == tn
    assert_same(eg, tg)


def test_inplace_on_view_that_backward_needs():
    def run(lib):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        z = x * 2
        v = z[0]
        v.mul_(v)
        z.sum().backward()
    same_error(lambda: run(ember), lambda: run(torch), prefix_len=200)


def test_copy_into_buffer_from_grad_tensor():
    def run(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        buf = lib.zeros(4)
        buf[1:3] = w * 3
        (buf * lib.arange(4.)).sum().backward()
        return w.grad, type(buf.grad_fn).__name__
    e, t = both(run)
    assert e[1] == t[1]
    assert_same(e[0], t[0])


def test_grad_modes():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    ember.set_grad_enabled(True)

    @ember.no_grad()
    def f():
        return (x * 2).requires_grad
    assert f() is False
    with ember.inference_mode():
        y = x * 2
        assert ember.is_inference_mode_enabled()
    assert y.is_inference() and not y.requires_grad
    same_error(lambda: (y * x).sum().backward(), lambda: _inference_use(torch))
    same_error(lambda: y.add_(1), lambda: _inference_inplace(torch))


def _inference_use(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.inference_mode():
        y = x * 2
    (y * x).sum().backward()


def _inference_inplace(lib):
    with lib.inference_mode():
        y = lib.ones(2) * 2
    y.add_(1)


def test_detach_and_data():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        d = y.detach()
        d.zero_()
        return y._version, x.data._version, d.requires_grad
    assert both(run)[0] == both(run)[1]

    def detach_then_inplace(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        out = a.sigmoid()
        out.detach().zero_()
        out.sum().backward()
    same_error(lambda: detach_then_inplace(ember), lambda: detach_then_inplace(torch))

    def data_then_inplace(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        out = a.sigmoid()
        out.data.zero_()
        out.sum().backward()
        return a.grad
    assert_same(data_then_inplace(ember), data_then_inplace(torch))


def test_autograd_grad_options():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        u = lib.ones(2, requires_grad=True)
        y = (x * 2).sum()
        return lib.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True), \
            lib.autograd.grad(y, [x, u], materialize_grads=True)
    (e1, e2), (t1, t2) = both(run)
    assert e1[1] is None and t1[1] is None
    assert_same(e1[0], t1[0])
    assert_same(list(e2), list(t2))

    def unused(lib):
        x = lib.ones(3, requires_grad=True)
        lib.autograd.grad((x * 2).sum(), [x, lib.ones(2, requires_grad=True)])
    same_error(lambda: unused(ember), lambda: unused(torch))


def test_backward_inputs_only_accumulates_there():
    def run(lib):
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2, requires_grad=True)
        (a * b * 3).sum().backward(inputs=[a])
        return a.grad, b.grad
    e, t = both(run)
    assert e[1] is None and t[1] is None
    assert_same(e[0], t[0])


def test_double_backward():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        g.sum().backward()
        return g, x.grad
    e, t = both(run)
    assert_same(e[0].detach(), t[0].detach())
    assert_same(e[1], t[1])


def test_gradient_accumulation_order_matches_torch():
    def run(lib):
        x = lib.tensor([0.1, 0.2, 0.3], dtype=lib.float32, requires_grad=True)
        ys = [x * (i + 1.1) for i in range(7)]
        sum(y * y * 1.3 for y in ys).sum().backward()
        return x.grad
    e, t = both(run)
    assert e.tolist() == t.tolist()


def test_anomaly_mode_names_the_op():
    x = ember.tensor([0.0], requires_grad=True)
    with pytest.warns(UserWarning):
        ctx = ember.autograd.detect_anomaly()
    with ctx:
        y = x.sqrt() * 0
        nan = "Function 'DivBackward0' returned nan values in its 1th output."
        with pytest.raises(RuntimeError, match=nan), \
                pytest.warns(RuntimeWarning, match="Traceback of forward call"):
            (y / x).sum().backward()


def test_non_leaf_grad_access_warns():
    x = ember.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert (x * 2).grad is None
