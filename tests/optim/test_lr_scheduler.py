"""Every scheduler's learning-rate (and momentum) sequence against torch's, state_dict round
trips, and torch's warnings and errors."""
from __future__ import annotations

import math
import warnings

import pytest
from optim_util import to_ember, to_torch, torch

import ember


def _value(x):
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return ("tensor", float(x))
    return x


def _record(opt, sched):
    return ([_value(v) for v in sched.get_last_lr()],
            [_value(g["lr"]) for g in opt.param_groups],
            [(g.get("momentum"), g.get("betas")) for g in opt.param_groups])


def _optimizer(lib, kind="SGD", groups=2, lr=0.1):
    params = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
    spec = [{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)]
    if kind == "Adam":
        return lib.optim.Adam(spec, lr=lr)
    return lib.optim.SGD(spec, lr=lr, momentum=0.9)


def _sequences(make, steps=30, kind="SGD", metrics=None, groups=2, lr=0.1):
    out = []
    for lib in (ember, torch):
        opt = _optimizer(lib, kind, groups, lr)
        sched = make(lib.optim.lr_scheduler, opt)
        seq = [_record(opt, sched)]
        for k in range(steps):
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[k])
            seq.append(_record(opt, sched))
        out.append(seq)
    return out


SCHEDULES = {
    "lambda": lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e),
    "lambda_list": lambda L, o: L.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.5 ** e]),
    "multiplicative": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 0.97),
    "step": lambda L, o: L.StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda L, o: L.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.5),
    "constant": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=4),
    "linear_up": lambda L, o: L.LinearLR(o, start_factor=0.25, total_iters=6),
    "linear_down": lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                           total_iters=9),
    "exponential": lambda L, o: L.ExponentialLR(o, gamma=0.9),
    "polynomial": lambda L, o: L.PolynomialLR(o, total_iters=8, power=2.0),
    "cosine": lambda L, o: L.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "cosine_default": lambda L, o: L.CosineAnnealingLR(o, T_max=4),
    "chained": lambda L, o: L.ChainedScheduler([L.ConstantLR(o, factor=0.5, total_iters=3),
                                                L.ExponentialLR(o, gamma=0.9)]),
    "sequential": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5), L.ExponentialLR(o, gamma=0.9)],
        milestones=[5]),
    "sequential3": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.3, total_iters=4), L.CosineAnnealingLR(o, T_max=6),
            L.StepLR(o, step_size=2)], milestones=[4, 12]),
    "warm_restarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5),
    "warm_restarts_mult": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                     eta_min=0.001),
    "cyclic": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "cyclic2": lambda L, o: L.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=4,
                                       step_size_down=3, mode="triangular2"),
    "cyclic_exp": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                          mode="exp_range", gamma=0.9),
    "cyclic_fn": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=2,
                                         scale_fn=lambda x: 1 / (x + 1), scale_mode="iterations",
                                         base_momentum=0.7, max_momentum=[0.9, 0.95]),
    "cyclic_no_momentum": lambda L, o: L.CyclicLR(o, 0.01, 0.1, 5, cycle_momentum=False),
    "one_cycle": lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=31),
    "one_cycle_linear": lambda L, o: L.OneCycleLR(o, max_lr=[0.5, 1.0], epochs=3,
                                                  steps_per_epoch=11, pct_start=0.25,
                                                  anneal_strategy="linear",
                                                  div_factor=10.0),
    "one_cycle_3phase": lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=31,
                                                  three_phase=True, final_div_factor=100.0),
}


# momentum-cycling schedules also run on Adam, whose betas[0] they cycle instead
CASES = [(name, "SGD") for name in sorted(SCHEDULES)] + \
    [(name, "Adam") for name in sorted(SCHEDULES) if name.startswith(("cyclic", "one_cycle"))]


@pytest.mark.parametrize("name,kind", CASES)
def test_schedule_matches_torch(name, kind):
    e, t = _sequences(SCHEDULES[name], kind=kind)
    assert e == t


@pytest.mark.parametrize("kwargs,metrics", [
    ({"patience": 2}, [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.8] * 4),
    ({"mode": "max", "factor": 0.5, "patience": 1, "cooldown": 2},
     [1, 2, 2, 2, 2, 3, 3, 3, 1, 1, 1, 1] * 3),
    ({"threshold_mode": "abs", "threshold": 0.1, "patience": 0, "min_lr": [0.05, 0.0]},
     [1.0, 0.95, 0.85, 0.8, 0.79, 0.5, 0.45] * 5),
    ({"mode": "max", "threshold_mode": "abs", "threshold": 0.5, "patience": 0, "eps": 0.02},
     [float(i % 4) for i in range(35)]),
    ({"factor": 0.5, "patience": 0, "min_lr": 0.01}, [1.0] * 35),
])
def test_reduce_lr_on_plateau(kwargs, metrics):
    e, t = _sequences(lambda L, o: L.ReduceLROnPlateau(o, **kwargs), metrics=metrics)
    assert e == t


def test_tensor_lr_is_updated_in_place():
    out = []
    for lib in (ember, torch):
        p = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=lib.tensor(0.1), momentum=0.9)
        lr_tensor = opt.param_groups[0]["lr"]
        sched = lib.optim.lr_scheduler.StepLR(opt, 2, 0.5)
        for _ in range(5):
            opt.step()
            sched.step()
        assert opt.param_groups[0]["lr"] is lr_tensor
        out.append((float(lr_tensor), [float(v) for v in sched.get_last_lr()],
                    type(sched.get_last_lr()[0]).__name__))
    assert out[0] == out[1]


def test_warm_restarts_fractional_epochs():
    out = []
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
        seq = []
        for epoch in range(12):
            for i in range(3):
                opt.step()
                sched.step(epoch + i / 3)
                seq.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch))
        with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
            sched.step(-1)
        out.append(seq)
    assert out[0] == out[1]


@pytest.mark.parametrize("name", ["step", "multistep", "exponential", "constant", "linear_up",
                                  "polynomial", "cosine", "lambda"])
def test_explicit_epoch_uses_closed_form_and_warns(name):
    out = []
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = SCHEDULES[name](lib.optim.lr_scheduler, opt)
        seq = []
        for epoch in (3, 1, 7, 8, 20):
            opt.step()
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step"):
                sched.step(epoch)
            seq.append(_record(opt, sched))
        out.append(seq)
    assert out[0] == out[1]


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_round_trip(name):
    steps = 7
    e_opt, t_opt = _optimizer(ember), _optimizer(torch)
    e_s = SCHEDULES[name](ember.optim.lr_scheduler, e_opt)
    t_s = SCHEDULES[name](torch.optim.lr_scheduler, t_opt)
    for _ in range(steps):
        e_opt.step()
        t_opt.step()
        e_s.step()
        t_s.step()
    e_sd, t_sd = e_s.state_dict(), t_s.state_dict()
    assert _keys(e_sd) == _keys(t_sd)
    # torch's dict into a fresh ember scheduler (and ember's into torch), then go on
    e2_opt, t2_opt = _optimizer(ember), _optimizer(torch)
    e2 = SCHEDULES[name](ember.optim.lr_scheduler, e2_opt)
    t2 = SCHEDULES[name](torch.optim.lr_scheduler, t2_opt)
    e2.load_state_dict(to_ember(t_sd))
    t2.load_state_dict(to_torch(e_sd))
    e2_opt.load_state_dict(to_ember(t_opt.state_dict()))
    t2_opt.load_state_dict(to_torch(e_opt.state_dict()))
    for _ in range(steps):
        for o in (e2_opt, t2_opt):
            o.step()
        e2.step()
        t2.step()
        assert _record(e2_opt, e2) == _record(t2_opt, t2)


def _keys(sd):
    return {k: (_keys(v[0]) if k == "_schedulers" else None) for k, v in sd.items()}


def test_lambda_state_dict_keeps_callable_objects_state():
    class Decay:
        def __init__(self):
            self.factor = 0.5

        def __call__(self, epoch):
            return self.factor ** epoch

    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.LambdaLR(opt, [Decay(), lambda e: 1.0])
        sd = sched.state_dict()
        assert sd["lr_lambdas"] == [{"factor": 0.5}, None]
        sd["lr_lambdas"][0]["factor"] = 0.25
        sched.load_state_dict(sd)
        assert sched.lr_lambdas[0].factor == 0.25


# --- warnings and errors ------------------------------------------------------------
def test_warns_when_scheduler_steps_before_optimizer():
    for lib in (ember, torch):
        sched = lib.optim.lr_scheduler.StepLR(_optimizer(lib), 2)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before "
                                             r"`optimizer.step\(\)`"):
            sched.step()


def test_no_warning_in_the_right_order():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
        sched.step()


def test_warns_when_optimizer_step_is_overridden():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        opt.step = lambda closure=None: None
        with pytest.warns(UserWarning, match=r"Seems like `optimizer.step\(\)` has been "
                                             "overridden"):
            sched.step()


def test_get_lr_outside_step_warns():
    for lib in (ember, torch):
        sched = lib.optim.lr_scheduler.ExponentialLR(_optimizer(lib), 0.5)
        with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
            sched.get_lr()


def test_initial_lr_and_resuming():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.2]
        assert sched.base_lrs == [0.1, 0.2] and sched.last_epoch == 0
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in "
                                           r"param_groups\[0\] when resuming"):
            lib.optim.lr_scheduler.StepLR(_optimizer(lib), 2, last_epoch=3)


@pytest.mark.parametrize("call,exc,message", [
    (lambda L, o: L.StepLR(o, 2, verbose=True), TypeError, "unexpected keyword argument"),
    (lambda L, o: L.StepLR(object(), 2), TypeError, "object is not an Optimizer"),
    (lambda L, o: L.ConstantLR(o, factor=2), ValueError, "Constant multiplicative factor"),
    (lambda L, o: L.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative"),
    (lambda L, o: L.LinearLR(o, end_factor=2), ValueError, "Ending multiplicative"),
    (lambda L, o: L.LambdaLR(o, [lambda e: 1]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda L, o: L.MultiplicativeLR(o, [1, 2]), TypeError, "lr_lambda should be a function"),
    (lambda L, o: L.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda L, o: L.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown!"),
    (lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="x"), ValueError,
     "threshold mode x is unknown!"),
    (lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda L, o: L.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "mode is invalid"),
    (lambda L, o: L.CyclicLR(o, [0.1], 1.0), ValueError, "base_lr must have the same length"),
    (lambda L, o: L.OneCycleLR(o, 0.1), ValueError, "You must define either total_steps"),
    (lambda L, o: L.OneCycleLR(o, 0.1, total_steps=0), ValueError,
     "Expected positive integer total_steps"),
    (lambda L, o: L.OneCycleLR(o, 0.1, 10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start"),
    (lambda L, o: L.OneCycleLR(o, 0.1, 10, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "Expected positive integer T_0"),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError,
     "Expected integer T_mult >= 1"),
    (lambda L, o: L.SequentialLR(o, [], []), ValueError, "SequentialLR expects at least one"),
    (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], [3]), ValueError,
     "Sequential Schedulers expects number of schedulers"),
    (lambda L, o: L.ChainedScheduler([L.ReduceLROnPlateau(o)]), ValueError,
     "ChainedScheduler does not support `ReduceLROnPlateau`"),
    (lambda L, o: L.ChainedScheduler([]), ValueError, "ChainedScheduler expects at least one"),
])
def test_errors_match_torch(call, exc, message):
    for lib in (ember, torch):
        with pytest.raises(exc, match=message.replace("(", r"\(").replace("[", r"\[")):
            call(lib.optim.lr_scheduler, _optimizer(lib))


def test_one_cycle_too_many_steps():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=2)
        opt.step()
        sched.step()
        sched.step()
        with pytest.raises(ValueError, match="Tried to step 3 times. The specified number of "
                                             "total steps is 2"):
            sched.step()


def test_cyclic_momentum_requires_momentum():
    for lib in (ember, torch):
        opt = lib.optim.Adagrad([lib.zeros(2, requires_grad=True)])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1)


def test_sequential_different_optimizer():
    e, t = [], []
    for lib, out in ((ember, e), (torch, t)):
        o1, o2 = _optimizer(lib), _optimizer(lib)
        with pytest.raises(ValueError) as info:
            lib.optim.lr_scheduler.SequentialLR(o1, [lib.optim.lr_scheduler.StepLR(o2, 2)], [])
        out.append(str(info.value).split(" has ")[0])
    assert e == t


def test_public_names():
    names = torch.optim.lr_scheduler.__all__
    assert sorted(names) == sorted(ember.optim.lr_scheduler.__all__)
    for name in names:
        assert getattr(ember.optim.lr_scheduler, name).__module__ == "ember.optim.lr_scheduler"
    assert issubclass(ember.optim.lr_scheduler._LRScheduler,
                      ember.optim.lr_scheduler.LRScheduler)
    assert math.isinf(ember.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(ember)).best)
