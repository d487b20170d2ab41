"""Optimizer state_dicts in torch's exact structure, both ways (torch -> ember -> torch), plus
the Optimizer base: param groups, errors, hooks, repr, zero_grad."""
from __future__ import annotations

import copy
import importlib
import warnings

import numpy as np
import pytest
from optim_util import assert_close, to_ember, to_torch, torch

import ember

OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1}),
    ("Adam", {"lr": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.1}),
    ("Adadelta", {}),
    ("Adagrad", {"lr_decay": 0.01}),
    ("Adamax", {}),
    ("ASGD", {"t0": 1}),
    ("NAdam", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("RAdam", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Rprop", {}),
    ("Adafactor", {"weight_decay": 0.1}),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(OPTIMIZERS)]


def _setup(lib, name, kwargs, seed=0):
    rng = np.random.default_rng(seed)
    params = [lib.tensor(rng.standard_normal(s).astype("float32"), requires_grad=True)
              for s in ((2, 3), (4,), (1,))]
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.05}]
    return params, getattr(lib.optim, name)(groups, **kwargs)


def _run(params, opt, lib, steps, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        for p in params:
            p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)).astype("float32"))
        opt.step()


def _structure(sd):
    """The state_dict with tensors replaced by (dtype, shape): everything torch stores."""
    def walk(x):
        if isinstance(x, (ember.Tensor, torch.Tensor)):
            return ("tensor", str(x.dtype).split(".")[-1], tuple(x.shape))
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return type(x)(walk(v) for v in x)
        return (type(x).__name__, x)
    return walk(sd)


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=IDS)
def test_state_dict_structure_equals_torch(name, kwargs):
    ep, eo = _setup(ember, name, kwargs)
    tp, to = _setup(torch, name, kwargs)
    assert _structure(eo.state_dict()) == _structure(to.state_dict())
    _run(ep, eo, ember, 3)
    _run(tp, to, torch, 3)
    esd, tsd = eo.state_dict(), to.state_dict()
    assert _structure(esd) == _structure(tsd)
    assert list(esd["param_groups"][0]) == list(tsd["param_groups"][0])     # key order too
    assert_close(esd, tsd, 2e-6, 1e-7, "state_dict")
    if tsd["state"] and "step" in tsd["state"][0]:
        assert esd["state"][0]["step"].dim() == 0
        assert esd["state"][0]["step"].dtype is ember.float32


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=IDS)
def test_torch_to_ember_to_torch(name, kwargs):
    tp, to = _setup(torch, name, kwargs)
    _run(tp, to, torch, 3)
    ep, eo = _setup(ember, name, {**kwargs, "lr": 0.5})
    eo.load_state_dict(to_ember(to.state_dict()))
    assert [g["lr"] for g in eo.param_groups] == [g["lr"] for g in to.param_groups]
    tp2, to2 = _setup(torch, name, {**kwargs, "lr": 0.5})
    to2.load_state_dict(to_torch(eo.state_dict()))
    assert _structure(to2.state_dict()) == _structure(to.state_dict())
    assert_close(to_ember(to2.state_dict()), to.state_dict(), 0, 0, "round trip")
    # all three continue identically
    for p_set in (tp, tp2):
        for p, src in zip(p_set, tp):
            with torch.no_grad():
                p.copy_(src)
    for e, t in zip(ep, tp):
        with ember.no_grad():
            e.copy_(ember.tensor(t.detach().numpy()))
    _run(ep, eo, ember, 2, seed=5)
    _run(tp, to, torch, 2, seed=5)
    for e, t in zip(ep, tp):
        assert_close(e, t, 2e-6, 1e-7, "param after loading")


def test_loaded_state_is_cast_to_param_dtype_but_step_is_not():
    tp, to = _setup(torch, "Adam", {})
    _run(tp, to, torch, 2)
    params = [ember.zeros(tuple(p.shape), dtype=ember.float64, requires_grad=True) for p in tp]
    eo = ember.optim.Adam([{"params": params[:2]}, {"params": params[2:]}])
    eo.load_state_dict(to_ember(to.state_dict()))
    state = eo.state[params[0]]
    assert state["exp_avg"].dtype is ember.float64
    assert state["step"].dtype is ember.float32


def test_load_errors():
    ep, eo = _setup(ember, "SGD", {"lr": 0.1})
    sd = eo.state_dict()
    sd_short = copy.deepcopy(sd)
    sd_short["param_groups"] = sd_short["param_groups"][:1]
    with pytest.raises(ValueError, match="loaded state dict has a different number of "
                                         "parameter groups"):
        eo.load_state_dict(sd_short)
    sd_size = copy.deepcopy(sd)
    sd_size["param_groups"][0]["params"] = [0]
    with pytest.raises(ValueError, match="loaded state dict contains a parameter group that "
                                         "doesn't match the size of optimizer's group"):
        eo.load_state_dict(sd_size)


def test_state_dict_hooks_order_and_results():
    calls = []
    for lib in (ember, torch):
        _, opt = _setup(lib, "SGD", {"lr": 0.1})
        log = []
        opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
        opt.register_state_dict_pre_hook(lambda o: log.append("pre-first"), prepend=True)
        opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
        sd = opt.state_dict()
        assert sd["extra"] == 1
        handle = opt.register_load_state_dict_pre_hook(
            lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
        opt.register_load_state_dict_post_hook(lambda o: log.append("loaded"))
        opt.load_state_dict(sd)
        handle.remove()
        calls.append(log)
    assert calls[0] == calls[1] == ["pre-first", "pre", "loaded"]


def test_step_hooks():
    for lib in (ember, torch):
        params, opt = _setup(lib, "SGD", {"lr": 0.1})
        log = []

        def pre(o, args, kwargs):
            log.append(("pre", args[1:], kwargs))
            return args, {"closure": lambda: 7.0}

        h1 = opt.register_step_pre_hook(pre)
        h2 = opt.register_step_post_hook(lambda o, a, k: log.append(("post", k["closure"]())))
        module = importlib.import_module(f"{lib.__name__}.optim.optimizer")
        g1 = module.register_optimizer_step_pre_hook(lambda o, a, k: log.append("global-pre"))
        g2 = module.register_optimizer_step_post_hook(
            lambda o, a, k: log.append("global-post"))
        try:
            assert opt.step() == 7.0
        finally:
            for h in (h1, h2, g1, g2):
                h.remove()
        assert log == ["global-pre", ("pre", (), {}), ("post", 7.0), "global-post"]
        opt.step()
        assert len(log) == 4
        opt.register_step_pre_hook(lambda o, a, k: 3)
        with pytest.raises(RuntimeError, match="must return None or a tuple of "
                                               r"\(new_args, new_kwargs\), but got 3"):
            opt.step()


# --- Optimizer base ------------------------------------------------------------------
@pytest.mark.parametrize("make,exc,message", [
    (lambda L, p: L.optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
    (lambda L, p: L.optim.SGD(p[0], lr=0.1), TypeError,
     "params argument given to the optimizer should be an iterable of Tensors or dicts, but "
     "got torch.FloatTensor"),
    (lambda L, p: L.optim.SGD([p[0], 1], lr=0.1), TypeError,
     "optimizer can only optimize Tensors, but one of the params is int"),
    (lambda L, p: L.optim.SGD([p[0] * 2], lr=0.1), ValueError,
     "can't optimize a non-leaf Tensor"),
    (lambda L, p: L.optim.SGD([{"params": {p[0]}}], lr=0.1), TypeError,
     "optimizer parameters need to be organized in ordered collections"),
    (lambda L, p: L.optim.SGD([{"params": p[:1]}, {"params": p}], lr=0.1), ValueError,
     "some parameters appear in more than one parameter group"),
    (lambda L, p: L.optim.SGD([("a", p[0]), p[1]], lr=0.1), ValueError,
     "all optimizer params should be with/without names. Some param names are missing"),
    (lambda L, p: L.optim.SGD([{"params": [("a", p[0])]}, {"params": [p[1]]}], lr=0.1),
     ValueError, "all optimizer param groups should be with/without names. cannot add param "
                 "group without names to the optimizer"),
    (lambda L, p: L.optim.SGD(p, lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda L, p: L.optim.SGD(p, lr=0.1, nesterov=True), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda L, p: L.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     ValueError, "Nesterov momentum requires a momentum and zero dampening"),
    (lambda L, p: L.optim.SGD(p, momentum=-1), ValueError, "Invalid momentum value: -1"),
    (lambda L, p: L.optim.Adam(p, betas=(1.0, 0.999)), ValueError,
     "Invalid beta parameter at index 0: 1.0"),
    (lambda L, p: L.optim.Adam(p, betas=(0, 0.9)), ValueError,
     "betas must be either both floats or both Tensors"),
    (lambda L, p: L.optim.Adam(p, eps=-1), ValueError, "Invalid epsilon value: -1"),
    (lambda L, p: L.optim.Adam(p, fused=True, foreach=True), RuntimeError,
     "`fused` and `foreach` cannot be `True` together."),
    (lambda L, p: L.optim.Adam(p, fused=True, differentiable=True), RuntimeError,
     "`fused` does not support `differentiable`"),
    (lambda L, p: L.optim.Adam(p, lr=L.tensor([0.1, 0.2])), ValueError,
     "Tensor lr must be 1-element"),
    (lambda L, p: L.optim.Adadelta(p, rho=1.5), ValueError, "Invalid rho value: 1.5"),
    (lambda L, p: L.optim.Adagrad(p, lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
    (lambda L, p: L.optim.Adagrad(p, initial_accumulator_value=-1), ValueError,
     "Invalid initial_accumulator_value value: -1"),
    (lambda L, p: L.optim.NAdam(p, momentum_decay=-1), ValueError,
     "Invalid momentum_decay value: -1"),
    (lambda L, p: L.optim.RMSprop(p, alpha=-1), ValueError, "Invalid alpha value: -1"),
    (lambda L, p: L.optim.Rprop(p, etas=(1.5, 1.2)), ValueError, "Invalid eta values: 1.5, 1.2"),
    (lambda L, p: L.optim.SparseAdam(p, lr=0), ValueError, "Invalid learning rate: 0"),
])
def test_constructor_errors(make, exc, message):
    for lib in (ember, torch):
        params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
        with pytest.raises(exc) as info:
            make(lib, params)
        assert str(info.value).replace("ember.", "torch.").startswith(message)


def test_duplicate_parameters_warn():
    for lib in (ember, torch):
        p = lib.zeros(2, requires_grad=True)
        with pytest.warns(UserWarning, match="optimizer contains a parameter group with "
                                             "duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


def test_add_param_group_and_defaults():
    out = []
    for lib in (ember, torch):
        p, q = lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": q, "lr": 0.5})
        with pytest.raises(TypeError, match="param_group must be a dict"):
            opt.add_param_group([q])
        out.append([{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups])
        assert opt.param_groups[1]["params"][0] is q
    assert out[0] == out[1]


def test_named_parameters_store_param_names():
    out = []
    for lib in (ember, torch):
        p, q = lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)
        opt = lib.optim.Adam([("w", p), ("b", q)])
        p.grad, q.grad = lib.ones(2), lib.ones(1)
        opt.step()
        out.append(_structure(opt.state_dict()))
    assert out[0] == out[1]
    assert out[0]["param_groups"][0]["param_names"] == [("str", "w"), ("str", "b")]


REPRS = [("SGD", {"lr": 0.1}), ("Adam", {"betas": (0.5, 0.9), "amsgrad": True}),
         ("AdamW", {}), ("Adadelta", {}), ("Adagrad", {}), ("Adamax", {}), ("ASGD", {}),
         ("LBFGS", {}), ("NAdam", {}), ("RAdam", {}), ("RMSprop", {}), ("Rprop", {}),
         ("SparseAdam", {}), ("Adafactor", {}), ("Muon", {})]


@pytest.mark.parametrize("name,kwargs", REPRS)
def test_repr_and_defaults_match_torch(name, kwargs):
    shape = (2, 2) if name == "Muon" else (2,)
    e = getattr(ember.optim, name)([ember.zeros(shape, requires_grad=True)], **kwargs)
    t = getattr(torch.optim, name)([torch.zeros(shape, requires_grad=True)], **kwargs)
    assert repr(e) == repr(t)
    assert e.defaults == t.defaults and list(e.defaults) == list(t.defaults)


def test_repr_with_tensor_lr_and_two_groups():
    out = []
    for lib in (ember, torch):
        p, q = lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=lib.tensor(0.1))
        out.append(repr(opt))
    assert out[0] == out[1]


def test_zero_grad():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        (p * 3).sum().backward()
        opt.zero_grad(set_to_none=False)
        assert p.grad.tolist() == [0.0, 0.0] and not p.grad.requires_grad
        opt.zero_grad()
        assert p.grad is None


def test_zero_grad_detaches_graph_grads():
    p = ember.ones(2, requires_grad=True)
    p.grad = ember.ones(2, requires_grad=True) * 2
    assert p.grad.grad_fn is not None
    ember.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad.grad_fn is None and p.grad.tolist() == [0.0, 0.0]


def test_deepcopy_and_pickle_state():
    import pickle
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([p], lr=0.1)
    p.grad = ember.ones(2)
    opt.step()
    clone = copy.deepcopy(opt)
    assert clone.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    restored = pickle.loads(pickle.dumps(opt))
    assert restored.defaults == opt.defaults
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored.zero_grad()


def test_legacy_python_number_step_becomes_tensor():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([p])
    sd = {"state": {0: {"step": 3, "exp_avg": ember.zeros(2), "exp_avg_sq": ember.zeros(2)}},
          "param_groups": [{**opt.state_dict()["param_groups"][0]}]}
    opt.load_state_dict(sd)
    step = opt.state[p]["step"]
    assert isinstance(step, ember.Tensor) and step.dtype is ember.float32 and float(step) == 3


def test_swap_in_optimizer_params_and_state():
    out = []
    for lib in (ember, torch):
        params, opt = _setup(lib, "Adam", {"lr": 0.1})
        _run(params, opt, lib, 2)
        other = {f"p{i}": lib.ones(tuple(p.shape), requires_grad=True) for i, p in
                 enumerate(params)}
        sd = opt.state_dict()
        sd["param_groups"][0]["lr"] = 0.5
        before = [p.detach().clone() for p in params]
        with lib.optim.swap_in_optimizer_params_and_state(opt, other, sd):
            assert opt.param_groups[0]["lr"] == 0.5
            for p in other.values():
                p.grad = lib.ones(tuple(p.shape))
            opt.step()
        assert opt.param_groups[0]["lr"] == 0.1
        assert all(bool((a == b.detach()).all()) for a, b in zip(before, params))
        out.append(([p.detach().numpy().copy() for p in other.values()],
                    float(sd["state"][0]["step"])))
        with pytest.raises(RuntimeError, match="requires initialized optimizer state"):
            with lib.optim.swap_in_optimizer_params_and_state(
                    lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1), {}, sd):
                pass
    for a, b in zip(out[0][0], out[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert out[0][1] == out[1][1] == 3.0


def test_public_names_match_torch():
    assert sorted(ember.optim.__all__) == sorted(torch.optim.__all__)
    for name in torch.optim.__all__:
        assert hasattr(ember.optim, name), name
    for name in ("Adafactor", "Muon", "swap_in_optimizer_params_and_state"):
        assert getattr(ember.optim, name).__module__ == "ember.optim"
