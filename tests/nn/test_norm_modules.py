"""The normalization layers (BatchNorm*, SyncBatchNorm, InstanceNorm*, Lazy forms,
LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm, CrossMapLRN2d) against torch: running
statistics over several steps, buffers, state_dict, reprs, initial values and errors."""
from __future__ import annotations

import numpy as np
import pytest

from nn._compare import compare, run
from nn._helpers import same_error
from parity import assert_same

RNG = np.random.default_rng(1)


def _data(*shape, shift=0.5, scale=2.0):
    return RNG.standard_normal(shape) * scale + shift


# --- modules ------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (5, 3, 4)),
                                       ("BatchNorm2d", (4, 3, 2, 3)),
                                       ("BatchNorm3d", (2, 3, 2, 2, 3)),
                                       ("SyncBatchNorm", (4, 3, 5))])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_module_steps(cls, shape, momentum):
    batches = [_data(*shape, shift=float(i)) for i in range(3)]

    def fn(lib):
        m = getattr(lib.nn, cls)(3, momentum=momentum, dtype=lib.float64)
        outs = []
        for arr in batches:
            x = lib.tensor(arr, requires_grad=True)
            y = m(x)
            y.backward(lib.ones_like(y))
            outs.append((y, x.grad))
        trained = (m.running_mean.clone(), m.running_var.clone(),
                   m.num_batches_tracked.clone(), m.weight.grad, m.bias.grad)
        m.eval()
        evals = m(lib.tensor(batches[0]))
        return (repr(m), list(m.state_dict()), outs, trained, evals, m.num_batches_tracked)
    compare(fn, rtol=1e-9, atol=1e-10)


def test_batchnorm_module_options_and_buffers():
    x0 = _data(2, 2, 2, 2, 2, shift=3.0)

    def fn(lib):
        nn = lib.nn
        mods = [nn.BatchNorm2d(8), nn.BatchNorm1d(4, affine=False), nn.BatchNorm1d(4, bias=False),
                nn.BatchNorm3d(2, track_running_stats=False, eps=1e-3, momentum=0.5)]
        info = [(repr(m), list(m.state_dict().items()), [n for n, _ in m.named_buffers()],
                 [(n, p) for n, p in m.named_parameters()]) for m in mods]
        m = mods[3]
        x = lib.tensor(x0, dtype=lib.float32)
        m.eval()
        return info, m(x), m.num_batches_tracked
    compare(fn, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ["bn1d_4d", "bn2d_3d", "bn3d_4d", "sync_1d", "sync_zero",
                                  "train_one", "gn_divisible", "in_affine_mismatch"])
def test_module_errors(case):
    def fn(lib):
        nn = lib.nn
        {"bn1d_4d": lambda: nn.BatchNorm1d(3)(lib.ones(2, 3, 4, 5)),
         "bn2d_3d": lambda: nn.BatchNorm2d(3)(lib.ones(2, 3, 4)),
         "bn3d_4d": lambda: nn.BatchNorm3d(3)(lib.ones(2, 3, 4, 5)),
         "sync_1d": lambda: nn.SyncBatchNorm(3)(lib.ones(3)),
         "sync_zero": lambda: nn.SyncBatchNorm(0)(lib.ones(2, 0, 3)),
         "train_one": lambda: nn.BatchNorm1d(3)(lib.ones(1, 3)),
         "gn_divisible": lambda: nn.GroupNorm(2, 3),
         "in_affine_mismatch": lambda: nn.InstanceNorm1d(4, affine=True)(lib.ones(2, 3, 5)),
         }[case]()
    same_error(fn)


def test_lazy_and_sync_conversion():
    def fn(lib):
        nn = lib.nn
        lazy = [nn.LazyBatchNorm1d(), nn.LazyBatchNorm2d(momentum=None),
                nn.LazyBatchNorm3d(affine=False), nn.LazyInstanceNorm1d(),
                nn.LazyInstanceNorm2d(), nn.LazyInstanceNorm3d(track_running_stats=False)]
        before = [repr(m) for m in lazy]
        ins = [lib.ones(4, 5), lib.ones(2, 5, 3, 2), lib.ones(2, 5, 2, 2, 2), lib.ones(2, 5, 3),
               lib.ones(2, 5, 3, 2), lib.ones(2, 5, 2, 2, 2)]
        after = [(type(m).__name__, repr(m), list(m.state_dict().items()), m(x))
                 for m, x in zip(lazy, ins)]
        net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=0.3),
                            nn.Sequential(nn.BatchNorm2d(2)))
        net.eval()
        conv = nn.SyncBatchNorm.convert_sync_batchnorm(net)
        kinds = [type(m).__name__ for m in conv.modules()]
        shared = conv[1].weight is net[1].weight if conv is not net else None
        return before, after, kinds, repr(conv[1]), conv[1].training, shared
    compare(fn)


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm1d", (3, 5)),
                                       ("InstanceNorm2d", (2, 3, 4, 2)),
                                       ("InstanceNorm2d", (3, 4, 2)),
                                       ("InstanceNorm3d", (2, 3, 2, 2, 3))])
@pytest.mark.parametrize("affine,track", [(False, False), (True, True)])
def test_instancenorm_modules(cls, shape, affine, track):
    x0 = _data(*shape)

    def fn(lib):
        m = getattr(lib.nn, cls)(3, affine=affine, track_running_stats=track,
                                 dtype=lib.float64)
        x = lib.tensor(x0, requires_grad=True)
        y = m(x)
        y.backward(lib.ones_like(y) * 0.5 + x.detach())
        m.eval()
        return repr(m), list(m.state_dict().items()), y, x.grad, m(x.detach())
    compare(fn, rtol=1e-9, atol=1e-10)


def test_instancenorm_warns_on_feature_mismatch():
    with pytest.warns(UserWarning, match="does not match num_features"):
        import ember
        ember.nn.InstanceNorm1d(4)(ember.ones(2, 3, 5))


def test_norm_modules_repr_init_and_forward():
    x0 = _data(2, 4, 3, 5)

    def fn(lib):
        nn = lib.nn
        mods = [nn.LayerNorm(5), nn.LayerNorm([3, 5], elementwise_affine=False),
                nn.LayerNorm((5,), bias=False, eps=1e-3), nn.GroupNorm(2, 4),
                nn.GroupNorm(4, 4, affine=False), nn.GroupNorm(1, 4, bias=False), nn.RMSNorm(5),
                nn.RMSNorm([3, 5], eps=1e-4, elementwise_affine=False), nn.LocalResponseNorm(3),
                nn.CrossMapLRN2d(3), nn.InstanceNorm2d(4)]
        x = lib.tensor(x0, dtype=lib.float32)
        return [(repr(m), list(m.state_dict().items()), m(x)) for m in mods]
    compare(fn, rtol=1e-5, atol=1e-5)


def test_state_dict_version_1_gets_num_batches_tracked():
    import ember
    m = ember.nn.BatchNorm1d(3)
    sd = m.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1
    result = m.load_state_dict(sd)
    assert result.missing_keys == [] and m.num_batches_tracked.dtype is ember.int64


def test_instance_norm_old_checkpoint_with_running_stats():
    def fn(lib):
        src = lib.nn.InstanceNorm1d(3, track_running_stats=True).state_dict()
        src._metadata[""] = {}
        m = lib.nn.InstanceNorm1d(3)
        try:
            m.load_state_dict(src)
        except RuntimeError as err:
            return str(err).replace("ember", "torch")
    e, t = run(fn)
    assert e == t


def test_mixed_half_module_forward():
    x0 = _data(4, 3, 6)

    def fn(lib):
        m = lib.nn.BatchNorm1d(3)
        x = lib.tensor(x0, dtype=lib.float16)
        y = m(x)
        return y, m.running_mean, m.running_var
    e, t = run(fn)
    assert_same(e, t, rtol=1e-2, atol=1e-2)
