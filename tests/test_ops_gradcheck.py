"""ember's own gradcheck / gradgradcheck (float64 finite differences) over every opdb entry
with gradients.

A sample is checked where the op is differentiable: no NaN/inf or tied values among its
float inputs, and torch's own gradcheck accepts it there; a kink that fails torch's check
(sinc's second derivative at 0, entr at 0, duplicate scatter indices) is not ember's to
pass. Tiny samples get the full Jacobian comparison, larger ones the fast (projected)
check in both libraries, and big ones are skipped, to keep the file quick on two cores.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember
from opdb import OPS

torch = pytest.importorskip("torch")

FULL_CHECK_MAX = 8       # elements in all tensor arguments together: whole Jacobians
FAST_CHECK_MAX = 96      # up to here: fast mode; beyond: skipped
MAX_SAMPLES = 3          # per op and check

GRAD = [op for op in OPS if op.grad and "float64" in op.dtypes]
GRADGRAD = [op for op in GRAD if op.gradgrad]


def _smooth(sample):
    floats = [a for a in sample.args if isinstance(a, np.ndarray) and a.dtype.kind in "fc"]
    return all(np.isfinite(a).all() and np.unique(a).size == a.size for a in floats)


def _case(op, sample, lib):
    """(call, tensor arguments) in `lib`; float arrays become tensors requiring grad."""
    args, positions = [], []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            t = lib.tensor(a)
            if a.dtype.kind in "fc":
                t.requires_grad_(True)
            positions.append(len(args))
            a = t
        args.append(a)

    def call(*tensors):
        full = list(args)
        for i, t in zip(positions, tensors):
            full[i] = t
        return op.op(lib, *full, **sample.kwargs)
    return call, [args[i] for i in positions]


def _checkable(out):
    """Some output is differentiable, every float output is double precision and finite."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    floats = [o for o in outs if o.is_floating_point() or o.is_complex()]
    return any(o.requires_grad for o in floats) and all(
        o.dtype in (torch.float64, torch.complex128) and bool(torch.isfinite(o).all())
        for o in floats)


def _cases(op):
    """(ember case, torch case, fast_mode) for the op's differentiable float64 samples."""
    rng = np.random.default_rng(4)
    cases = []
    for sample in op.samples("float64", rng):
        sizes = [a.size for a in sample.args if isinstance(a, np.ndarray)]
        if not _smooth(sample) or 0 in sizes or sum(sizes) > FAST_CHECK_MAX:
            continue
        t_call, t_args = _case(op, sample, torch)
        if not any(a.requires_grad for a in t_args):
            continue
        try:
            if not _checkable(t_call(*t_args)):
                continue
        except (RuntimeError, IndexError, ValueError, TypeError):
            continue                     # a sample of torch's refusals
        cases.append((_case(op, sample, ember), (t_call, t_args), sum(sizes) > FULL_CHECK_MAX))
        if len(cases) == MAX_SAMPLES:
            break
    return cases


def _grad_outputs(call, tensors, lib):
    """Fixed first-order weights, the same for ember and torch."""
    outs = call(*tensors)
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    rng = np.random.default_rng(5)
    return [lib.tensor(rng.uniform(-1, 1, tuple(o.shape)), requires_grad=True)
            for o in outs if o.requires_grad]


@pytest.fixture(autouse=True, scope="module")
def _torch_single_thread():
    # torch's thread pool spins against ember's worker on a loaded 2-core machine
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _torch_accepts(check, *args, **kwargs):
    try:
        return check(*args, raise_exception=False, **kwargs)
    except RuntimeError:             # e.g. a perturbed argument leaves the op's domain
        return False


def _agree(e_check, t_check, e_args, t_args, fast):
    """Where torch's check accepts the sample, ember's must too. A fast-mode verdict can
    hinge on the probe vectors (which differ), so a disagreement there is settled with
    whole Jacobians in both libraries."""
    if not _torch_accepts(t_check, *t_args, fast_mode=fast):
        return
    if e_check(*e_args, fast_mode=fast, raise_exception=False):
        return
    if not fast or _torch_accepts(t_check, *t_args, fast_mode=False):
        assert e_check(*e_args, fast_mode=False)       # raises, with the mismatch


@pytest.mark.parametrize("op", GRAD, ids=[o.name for o in GRAD])
def test_gradcheck(op):
    for (e_call, e_args), (t_call, t_args), fast in _cases(op):
        _agree(ember.autograd.gradcheck, torch.autograd.gradcheck, (e_call, e_args),
               (t_call, t_args), fast)


@pytest.mark.parametrize("op", GRADGRAD, ids=[o.name for o in GRADGRAD])
def test_gradgradcheck(op):
    for (e_call, e_args), (t_call, t_args), fast in _cases(op):
        _agree(ember.autograd.gradgradcheck, torch.autograd.gradgradcheck,
               (e_call, e_args, _grad_outputs(e_call, e_args, ember)),
               (t_call, t_args, _grad_outputs(t_call, t_args, torch)), fast)
