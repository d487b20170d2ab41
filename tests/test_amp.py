"""Mixed precision: autocast's casting rules, the autocast state functions and GradScaler's
loss-scaling trajectory, against torch on the CPU."""
from __future__ import annotations

import warnings

import pytest

import ember
from tests.parity import assert_same

torch = pytest.importorskip("torch")


def _both(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(ember), fn(torch)


def _names(obj):
    return [str(d).replace("ember.", "torch.") for d in obj]


def test_autocast_dtypes_and_gradients():
    def run(lib):
        lib.manual_seed(0)
        a = lib.randn(4, 3, requires_grad=True)
        lin = lib.nn.Linear(3, 2)
        with lib.autocast("cpu"):
            y = a @ a.t()
            out = [y.dtype, lib.mm(a.double(), a.double().t()).dtype, (y + a[:, :1]).dtype,
                   lin(a).dtype, lib.bmm(a[None], a.t()[None]).dtype,
                   lib.addmm(lin.bias, a, lin.weight.t()).dtype]
            with lib.autocast("cpu", enabled=False):
                out.append((a @ a.t()).dtype)
            out.append(lib.is_autocast_enabled("cpu"))
        out.append(lib.is_autocast_enabled("cpu"))
        (y.float().sum() + lin(a).float().sum()).backward()
        return _names(out[:-2]) + out[-2:], a.grad, lin.weight.grad
    e, t = _both(run)
    assert e[0] == t[0]
    assert_same(e[1], t[1], rtol=2e-2, atol=2e-2, check_grad_fn=False)
    assert_same(e[2], t[2], rtol=2e-2, atol=2e-2, check_grad_fn=False)


def test_autocast_as_decorator_and_float16():
    def run(lib):
        @lib.autocast("cpu", dtype=lib.float16)
        def f(x):
            return x @ x
        return str(f(lib.ones(2, 2)).dtype).split(".")[1]
    e, t = _both(run)
    assert e == t


def test_unsupported_dtype_disables_with_torchs_warning():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not "
                                             "supported. Disabling autocast."):
            with lib.autocast("cpu", dtype=lib.float64):
                assert (lib.ones(2, 2) @ lib.ones(2, 2)).dtype == lib.float32


def test_state_functions():
    def run(lib):
        out = [lib.get_autocast_dtype("cpu"), lib.is_autocast_enabled(),
               lib.is_autocast_cache_enabled()]
        lib.set_autocast_dtype("cpu", lib.float16)
        out.append(lib.get_autocast_cpu_dtype())
        lib.set_autocast_dtype("cpu", lib.bfloat16)
        lib.set_autocast_enabled("cpu", True)
        out.append(lib.is_autocast_cpu_enabled())
        lib.set_autocast_enabled("cpu", False)
        out.append(lib.is_autocast_enabled("cpu"))
        return [str(o).replace("ember.", "torch.") for o in out]
    e, t = _both(run)
    assert e == t


def _scaler_run(lib, poison_steps):
    lib.manual_seed(0)
    model = lib.nn.Linear(4, 1)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 4, growth_interval=2)
    x = lib.randn(8, 4)
    trace = []
    for step in range(6):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        if step in poison_steps:
            loss = loss * float("inf")
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        trace.append((scaler.get_scale(), scaler._get_growth_tracker()))
    return trace, model.weight.detach(), scaler.state_dict()


@pytest.mark.parametrize("poison", [(), (1,), (0, 3)])
def test_grad_scaler_trajectory(poison):
    e, t = _both(lambda lib: _scaler_run(lib, poison))
    assert e[0] == t[0]
    assert_same(e[1], t[1], check_grad_fn=False)
    assert e[2] == t[2]


def test_grad_scaler_misuse_errors():
    for lib in (ember, torch):
        model = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale(model(lib.ones(1, 2)).sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            scaler.step(opt)
        with pytest.warns(UserWarning, match="CUDA is not available"):
            assert not lib.amp.GradScaler("cuda").is_enabled()
