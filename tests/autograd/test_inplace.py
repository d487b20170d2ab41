"""In-place ops under autograd: torch's original-self copies, in-place view ops, refusals on
views of multi-output functions, and gradient accumulation with create_graph."""
from __future__ import annotations

import warnings

import pytest

import ember
from tests.parity import assert_same, same_error

torch = pytest.importorskip("torch")


def _both(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(ember), fn(torch)


@pytest.mark.parametrize("chain", ["mul_", "div_", "sin_", "pow_", "exp_", "addcmul_"])
def test_inplace_backward_reads_the_original_self(chain):
    def run(lib):
        x = lib.tensor([0.5, 1.5, -2.0], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([2.0, 3.0, 0.25], dtype=lib.float64, requires_grad=True)
        z = x * 1
        if chain == "mul_":
            z.mul_(y)
        elif chain == "div_":
            z.div_(y)
        elif chain == "sin_":
            z.sin_()
        elif chain == "pow_":
            z.pow_(y)
        elif chain == "exp_":
            z.exp_()
        else:
            z.addcmul_(y, y)
        (z * z).sum().backward()
        return z, x.grad, y.grad
    e, t = _both(run)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1], check_grad_fn=False)
    if t[2] is not None:
        assert_same(e[2], t[2], check_grad_fn=False)


@pytest.mark.parametrize("call", ["squeeze_()", "squeeze_(1)", "squeeze_((1,))",
                                  "unsqueeze_(0)", "transpose_(0, 2)", "swapdims_(0, 1)",
                                  "swapaxes_(1, 2)", "as_strided_((2, 3), (3, 1))"])
def test_inplace_view_ops(call):
    def run(lib):
        x = lib.arange(6.0).view(2, 1, 3).requires_grad_()
        y = x * 2
        eval("y." + call)
        (y * lib.arange(float(y.numel())).view(y.shape)).sum().backward()
        return y, x.grad, y._version, tuple(y.stride())
    e, t = _both(run)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1], check_grad_fn=False)
    assert e[2:] == t[2:]


def test_t_inplace_on_a_leaf_is_refused():
    same_error(lambda: ember.ones(2, 3, requires_grad=True).t_(),
               lambda: torch.ones(2, 3, requires_grad=True).t_())


@pytest.mark.parametrize("make", ["split(1)", "unbind()", "chunk(2)"])
def test_views_of_multi_output_functions_refuse_inplace(make):
    same_error(lambda: eval("ember.ones(2, 3, requires_grad=True).clone()." + make)[0].mul_(2),
               lambda: eval("torch.ones(2, 3, requires_grad=True).clone()." + make)[0].mul_(2))
    with ember.no_grad():
        pieces = eval("ember.ones(2, 3, requires_grad=True).clone()." + make)
    pieces[0].mul_(2)          # made without grad: allowed, as in torch


def test_create_graph_stores_a_differentiable_copy_then_accumulates_in_place():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        x.grad.sum().backward()
        return first, x.grad
    with pytest.warns(UserWarning, match="create_graph=True will create a reference cycle"):
        ember.ones(1, requires_grad=True).sum().backward(create_graph=True)
    e, t = _both(run)
    assert_same(e[0], t[0], check_grad_fn=False)
    assert type(e[0].grad_fn).__name__ == "CopyBackwards"
    assert_same(e[1], t[1], check_grad_fn=False)
    assert e[1].grad_fn is not None and e[1] is e[0]


def test_node_post_hooks_see_reduced_gradients():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * lib.ones(2, 3)
        seen = []
        y.grad_fn.register_hook(lambda gi, go: seen.append(tuple(gi[0].shape)))
        y.sum().backward()
        return seen
    e, t = _both(run)
    assert e == t


def test_gradient_count_mismatch():
    x = ember.ones(2, requires_grad=True)
    tx = torch.ones(2, requires_grad=True)
    same_error(lambda: ember.autograd.backward([x.sum(), x.sum()], [ember.tensor(1.0)]),
               lambda: torch.autograd.backward([tx.sum(), tx.sum()], [torch.tensor(1.0)]))
    g = ember.autograd.grad([x.sum()], [x], [ember.tensor(1.0), ember.tensor(2.0)])
    assert g[0].tolist() == [1.0, 1.0]


def test_engine_settings_round_trip_like_torch():
    for lib in (ember, torch):
        a = lib.autograd
        with a.set_multithreading_enabled(False):
            assert not a.is_multithreading_enabled()
        assert a.is_multithreading_enabled() and not a.is_view_replay_enabled()
        with a.enforce_grad_layout_policy(False):
            pass
        assert a.is_tensor_like(lib.ones(1)) and not a.is_tensor_like(3)


def test_inputs_that_are_not_leaves():
    def run(lib):
        calls = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        (h * 3).sum().backward(inputs=[h], retain_graph=True)
        out = [h.grad, x.grad]
        e = x.exp()
        e.grad_fn.register_prehook(lambda g: calls.append("pre"))
        out.append(lib.autograd.grad((e * e).sum(), [e]))
        out.append(list(calls))
        out.append(lib.autograd.grad((e * 5).sum(), [e, x]))   # e's saved tensors intact
        out.append(list(calls))
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, t = run(ember), run(torch)
    assert_same(e[0], t[0], check_grad_fn=False)
    assert e[1] is None and t[1] is None
    assert_same(e[2], t[2], check_grad_fn=False)
    assert e[3] == t[3] == []
    assert_same(e[4], t[4], check_grad_fn=False)
    assert e[5] == t[5]


def test_stored_gradients_never_alias():
    x1 = ember.ones(3, requires_grad=True)
    x2 = ember.ones(1, 3, requires_grad=True)
    (x1 + x2).sum().backward()            # x1's gradient is a reshape of x2's
    x1.grad.add_(5)
    assert x2.grad.tolist() == [[1.0, 1.0, 1.0]]
    g = ember.ones(2, 3)
    a = ember.ones(6, requires_grad=True)
    a.view(2, 3).backward(g)              # a's gradient is a reshape of the user's g
    a.grad.add_(1)
    assert g.tolist() == [[1.0] * 3] * 2
    lin = ember.nn.Linear(4, 3)
    lin(ember.ones(2, 4)).sum().backward()
    assert lin.weight.grad.is_contiguous()
