"""Generic op tests driven by opdb: forward parity per dtype, non-contiguous inputs,
gradients and second-order gradients against torch (float64)."""
from __future__ import annotations

import numpy as np
import pytest

from opdb import OPS
from parity import DTYPES, assert_same, ember, pair, to_numpy, torch

FORWARD = [(op, d) for op in OPS for d in op.dtypes]


def _build(sample, requires_grad=False, noncontiguous=False):
    """The sample's args as (ember args, torch args)."""
    e_args, t_args = [], []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            grad = requires_grad and a.dtype.kind in "fc"
            if noncontiguous and a.ndim:
                wide = np.repeat(a, 2, axis=-1)
                e, t = pair(wide, grad)
                e, t = e[..., ::2], t[..., ::2]
            else:
                e, t = pair(a, grad)
            e_args.append(e)
            t_args.append(t)
        else:
            e_args.append(a)
            t_args.append(a)
    return e_args, t_args


def _tol(op, dtype):
    if dtype in ("float16", "bfloat16"):
        return op.low_rtol, op.low_rtol
    return op.rtol, op.atol


def _run_both(op, e_args, t_args, kwargs):
    try:
        expected = op.op(torch, *t_args, **kwargs)
    except Exception as exc:     # torch refuses: ember must refuse the same way
        with pytest.raises(type(exc)):
            op.op(ember, *e_args, **kwargs)
        return None, None
    return op.op(ember, *e_args, **kwargs), expected


@pytest.mark.parametrize("op,dtype", FORWARD, ids=[f"{o.name}-{d}" for o, d in FORWARD])
def test_forward(op, dtype):
    rng = np.random.default_rng(0)
    rtol, atol = _tol(op, dtype)
    for i, sample in enumerate(op.samples(dtype, rng)):
        e_args, t_args = _build(sample)
        got, expected = _run_both(op, e_args, t_args, sample.kwargs)
        if expected is not None:
            assert_same(got, expected, rtol, atol, what=f"{op.name} sample {i}")


NONCONTIG = [op for op in OPS if op.noncontiguous]


@pytest.mark.parametrize("op", NONCONTIG, ids=[o.name for o in NONCONTIG])
def test_noncontiguous(op):
    rng = np.random.default_rng(1)
    dtype = "float32" if "float32" in op.dtypes else op.dtypes[0]
    for i, sample in enumerate(op.samples(dtype, rng)):
        e_args, t_args = _build(sample, noncontiguous=True)
        got, expected = _run_both(op, e_args, t_args, sample.kwargs)
        if expected is not None:
            assert_same(got, expected, op.rtol, op.atol, what=f"{op.name} sample {i}")


def _grads(lib, out, inputs, grad_out, create_graph=False):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    pairs = [(o, g) for o, g in zip(outs, grad_out) if o.requires_grad]
    return lib.autograd.grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                             create_graph=create_graph, allow_unused=True)


def _grad_case(op, sample, rng, second_order):
    e_args, t_args = _build(sample, requires_grad=True)
    e_in = [a for a in e_args if isinstance(a, ember.Tensor) and a.requires_grad]
    t_in = [a for a in t_args if isinstance(a, torch.Tensor) and a.requires_grad]
    if not t_in:
        return
    t_out = op.op(torch, *t_args, **sample.kwargs)
    e_out = op.op(ember, *e_args, **sample.kwargs)
    t_outs = t_out if isinstance(t_out, (tuple, list)) else (t_out,)
    if not any(o.requires_grad for o in t_outs):
        return
    g_np = [rng.uniform(-1, 1, tuple(o.shape)).astype(to_numpy(o).dtype) for o in t_outs]
    e_g = [pair(g)[0] for g in g_np]
    t_g = [pair(g)[1] for g in g_np]
    t_grads = _grads(torch, t_out, t_in, t_g, create_graph=second_order)
    e_grads = _grads(ember, e_out, e_in, e_g, create_graph=second_order)
    for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            assert eg is None or not to_numpy(eg).any(), f"grad {i}: ember gave {eg}"
        else:
            assert_same(eg, tg, 1e-6, 1e-8, check_grad_fn=False, what=f"grad {i}")
    if not second_order:
        return
    # second order: d(sum(grad_i * v_i))/d(inputs); a first-order gradient that does not
    # require grad in ember contributes zero (torch may still record a node for it)
    rows = [i for i, g in enumerate(t_grads) if g is not None and g.requires_grad]
    if not rows:
        return
    v = {i: rng.uniform(-1, 1, tuple(t_grads[i].shape)) for i in rows}
    t_gg = torch.autograd.grad([t_grads[i] for i in rows], t_in,
                               [pair(v[i])[1] for i in rows], allow_unused=True)
    e_rows = [i for i in rows if e_grads[i] is not None and e_grads[i].requires_grad]
    e_gg = ember.autograd.grad([e_grads[i] for i in e_rows], e_in,
                               [pair(v[i])[0] for i in e_rows], allow_unused=True) \
        if e_rows else [None] * len(e_in)
    for i, (eg, tg) in enumerate(zip(e_gg, t_gg)):
        if tg is None or eg is None:
            other = eg if tg is None else tg
            assert other is None or not to_numpy(other).any(), f"gradgrad {i}: {eg} vs {tg}"
        else:
            assert_same(eg, tg, 1e-6, 1e-8, check_grad_fn=False, what=f"gradgrad {i}")


GRAD = [op for op in OPS if op.grad and "float64" in op.dtypes]
GRADGRAD = [op for op in GRAD if op.gradgrad]


@pytest.mark.parametrize("op", GRAD, ids=[o.name for o in GRAD])
def test_grad(op):
    rng = np.random.default_rng(2)
    for sample in op.samples("float64", rng):
        _grad_case(op, sample, rng, second_order=False)


@pytest.mark.parametrize("op", GRADGRAD, ids=[o.name for o in GRADGRAD])
def test_gradgrad(op):
    rng = np.random.default_rng(3)
    for sample in op.samples("float64", rng):
        _grad_case(op, sample, rng, second_order=True)


def test_dtypes_table_is_complete():
    assert set(DTYPES) == {"float16", "bfloat16", "float32", "float64", "complex64",
                           "complex128", "uint8", "int8", "int16", "int32", "int64", "bool"}

