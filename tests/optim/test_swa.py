"""swa_utils against torch: SWALR's schedule, AveragedModel's SWA / EMA averages (per tensor
and per list, with and without buffers) and update_bn."""
from __future__ import annotations

import numpy as np
import pytest
from optim_util import assert_close, to_ember, torch

import ember

needs_linear = pytest.mark.skipif(not hasattr(ember.nn, "Linear") if hasattr(ember, "nn")
                                  else True, reason="ember.nn.Linear not available yet")


def _optimizer(lib, groups=2):
    params = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
    return lib.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)],
                         lr=0.1, momentum=0.9)


@pytest.mark.parametrize("kwargs", [
    {"swa_lr": 0.05},
    {"swa_lr": [0.05, 0.01], "anneal_epochs": 3, "anneal_strategy": "linear"},
    {"swa_lr": 0.5, "anneal_epochs": 0},
    {"swa_lr": 0.02, "anneal_epochs": 1, "anneal_strategy": "cos"},
])
def test_swalr_matches_torch(kwargs):
    seqs = []
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.swa_utils.SWALR(opt, **kwargs)
        seq = [sched.get_last_lr()]
        for _ in range(15):
            opt.step()
            sched.step()
            seq.append(sched.get_last_lr() + [g["lr"] for g in opt.param_groups])
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_swalr_after_another_scheduler_and_state_dict():
    seqs, sds = [], []
    for lib in (ember, torch):
        opt = _optimizer(lib)
        cosine = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        swa = lib.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=4)
        seq = []
        for epoch in range(12):
            opt.step()
            (swa if epoch >= 5 else cosine).step()
            seq.append(opt.param_groups[0]["lr"])
        seqs.append(seq)
        sds.append(swa.state_dict())
    assert seqs[0] == seqs[1]
    assert sds[0] == sds[1] and "anneal_func" not in sds[0]
    restored = ember.optim.swa_utils.SWALR(_optimizer(ember), swa_lr=0.5)
    restored.load_state_dict(to_ember(sds[1]))
    assert restored.anneal_func(0.5) == pytest.approx(0.5)


@pytest.mark.parametrize("call,message", [
    (lambda L, o: L.SWALR(o, 0.1, anneal_strategy="exp"),
     "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (lambda L, o: L.SWALR(o, 0.1, anneal_epochs=-1),
     "anneal_epochs must be equal or greater than 0, got -1"),
    (lambda L, o: L.SWALR(o, [0.1]), "swa_lr must have the same length"),
    (lambda L, o: L.get_ema_avg_fn(1.5), r"Invalid decay value 1.5 provided"),
    (lambda L, o: L.get_ema_multi_avg_fn(-0.5), r"Invalid decay value -0.5 provided"),
])
def test_swa_errors(call, message):
    for lib in (ember, torch):
        with pytest.raises(ValueError, match=message):
            call(lib.optim.swa_utils, _optimizer(lib))


def test_avg_functions_on_tensors():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(5).astype("float32"), rng.standard_normal(5).astype("float32")
    for name, args in (("get_swa_avg_fn", ()), ("get_ema_avg_fn", (0.9,))):
        e = getattr(ember.optim.swa_utils, name)(*args)(ember.tensor(a), ember.tensor(b),
                                                        ember.tensor(3))
        t = getattr(torch.optim.swa_utils, name)(*args)(torch.tensor(a), torch.tensor(b),
                                                        torch.tensor(3))
        assert_close(e, t, 1e-6, 1e-7, name)
    for name, args in (("get_swa_multi_avg_fn", ()), ("get_ema_multi_avg_fn", (0.9,))):
        for dtype in ("float32", "int64"):
            ea = [ember.tensor((a * 10).astype(dtype))]
            ta = [torch.tensor((a * 10).astype(dtype))]
            fn_e = getattr(ember.optim.swa_utils, name)(*args)
            fn_t = getattr(torch.optim.swa_utils, name)(*args)
            if dtype == "int64" and name == "get_swa_multi_avg_fn":
                for fn, lib, avg in ((fn_e, ember, ea), (fn_t, torch, ta)):
                    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
                        fn(avg, [lib.tensor((b * 10).astype(dtype))], lib.tensor(2))
                continue
            fn_e(ea, [ember.tensor((b * 10).astype(dtype))], ember.tensor(2))
            fn_t(ta, [torch.tensor((b * 10).astype(dtype))], torch.tensor(2))
            assert_close(ea[0], ta[0], 1e-6, 1e-6, f"{name} {dtype}")


# --- AveragedModel and update_bn (need ember.nn) ---------------------------------------
def _models(seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((2, 3)).astype("float32")
    b = rng.standard_normal(2).astype("float32")
    out = []
    for lib in (ember, torch):
        model = lib.nn.Linear(3, 2)
        with lib.no_grad():
            model.weight.copy_(lib.tensor(w))
            model.bias.copy_(lib.tensor(b))
        out.append(model)
    return out


def _averaged(lib, model, kind):
    U = lib.optim.swa_utils
    kwargs = {"swa": {}, "ema_multi": {"multi_avg_fn": U.get_ema_multi_avg_fn(0.9)},
              "ema": {"avg_fn": U.get_ema_avg_fn(0.8)},
              "swa_multi": {"multi_avg_fn": U.get_swa_multi_avg_fn()},
              "buffers": {"use_buffers": True}}[kind]
    return U.AveragedModel(model, **kwargs)


@needs_linear
@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema", "swa_multi", "buffers"])
def test_averaged_model_matches_torch(kind):
    em, tm = _models(0)
    ea, ta = _averaged(ember, em, kind), _averaged(torch, tm, kind)
    for seed in range(1, 6):
        src_e, src_t = _models(seed)
        ea.update_parameters(src_e)
        ta.update_parameters(src_t)
        for (ne, pe), (nt, pt) in zip(ea.named_parameters(), ta.named_parameters()):
            assert ne == nt
            assert_close(pe, pt, 1e-6, 1e-7, f"{kind} {ne}")
    assert int(ea.n_averaged) == int(ta.n_averaged) == 5
    assert list(ea.state_dict()) == list(ta.state_dict())
    x = np.ones((4, 3), dtype="float32")
    assert_close(ea(ember.tensor(x)), ta(torch.tensor(x)).detach(), 1e-6, 1e-6, "forward")


@needs_linear
def test_averaged_model_rejects_two_averaging_functions():
    em, _ = _models(0)
    U = ember.optim.swa_utils
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        U.AveragedModel(em, avg_fn=U.get_swa_avg_fn(), multi_avg_fn=U.get_swa_multi_avg_fn())


@needs_linear
def test_update_bn_matches_torch():
    if not hasattr(ember.nn, "BatchNorm1d"):
        pytest.skip("ember.nn.BatchNorm1d not available yet")
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((4, 3)).astype("float32") for _ in range(3)]
    stats = []
    for lib in (ember, torch):
        torch_like = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.BatchNorm1d(3))
        with lib.no_grad():
            torch_like[0].weight.copy_(lib.tensor(np.eye(3, dtype="float32")))
            torch_like[0].bias.zero_()
        torch_like.eval()
        loader = [(lib.tensor(b), 0) for b in batches]
        lib.optim.swa_utils.update_bn(loader, torch_like)
        bn = torch_like[1]
        assert not torch_like.training and bn.momentum == 0.1
        stats.append((bn.running_mean, bn.running_var, int(bn.num_batches_tracked)))
    assert_close(stats[0][0], stats[1][0], 1e-6, 1e-7, "running_mean")
    assert_close(stats[0][1], stats[1][1], 1e-6, 1e-7, "running_var")
    assert stats[0][2] == stats[1][2]

