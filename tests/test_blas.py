"""BLAS-like ops beyond the op table: torch's errors, in-place variants, out=, grad_fn names
(einsum's and tensordot's come from the ops they are built of), beta=0 with NaN input."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from parity import assert_same, ember, pair, same_error, torch

RNG = np.random.default_rng(3)
M = RNG.standard_normal((2, 3))
N = RNG.standard_normal((3, 4))
V3 = RNG.standard_normal(3)


def run(fn, *arrays, requires_grad=False):
    es, ts = zip(*(pair(np.asarray(a), requires_grad) for a in arrays))
    return fn(ember, *es), fn(torch, *ts)


ERRORS = {
    "addmm_dtype": lambda T, m, n: T.addmm(T.ones(2, 4), m, n),
    "addmm_mat_dtype": lambda T, m, n: T.addmm(T.ones(2, 4, dtype=m.dtype), m, n.float()),
    "addmm_bool": lambda T, m, n: T.addmm(T.ones(2, 4).bool(), m.bool(), n.bool()),
    "addmm_expand": lambda T, m, n: T.addmm(T.ones(3, 4, dtype=m.dtype), m, n),
    "addmm_shapes": lambda T, m, n: T.addmm(T.ones(2, 4, dtype=m.dtype), m, m),
    "addmm_vector": lambda T, m, n: T.addmm(T.ones(2, 4, dtype=m.dtype), m[0], n),
    "addbmm_batches": lambda T, m, n: T.addbmm(T.ones(2, 4, dtype=m.dtype), m.expand(5, 2, 3),
                                               n.expand(4, 3, 4)),
    "addbmm_2d": lambda T, m, n: T.addbmm(T.ones(2, 4, dtype=m.dtype), m, n),
    "baddbmm_expand": lambda T, m, n: T.baddbmm(T.ones(5, 2, 3, dtype=m.dtype),
                                                m.expand(5, 2, 3), n.expand(5, 3, 4)),
    "addmv_size": lambda T, m, n: T.addmv(T.ones(2, dtype=m.dtype), m, n[0]),
    "addmv_input": lambda T, m, n: T.addmv(T.ones(3, dtype=m.dtype), m, m[0]),
    "addr_2d": lambda T, m, n: T.addr(T.ones(2, 4, dtype=m.dtype), m, n[0]),
    "addr_int_alpha": lambda T, m, n: T.addr(T.ones(2, 4).long(), m[:, 0].long(),
                                             n[0].long(), alpha=0.5),
    "addr_bool_alpha": lambda T, m, n: T.addr(T.ones(2, 4, dtype=m.dtype), m[:, 0], n[0],
                                              alpha=True),
    "vdot_dtype": lambda T, m, n: T.vdot(m[0], m[0].float()),
    "vdot_size": lambda T, m, n: T.vdot(m[0], n[0]),
    "vdot_2d": lambda T, m, n: T.vdot(m, m),
    "vdot_bool": lambda T, m, n: T.vdot(m[0].bool(), m[0].bool()),
    "inner_last": lambda T, m, n: T.inner(m, n),
    "inner_dtype": lambda T, m, n: T.inner(m, m.float()),
    "outer_2d": lambda T, m, n: T.outer(m, n[0]),
    "tensordot_negative": lambda T, m, n: T.tensordot(m, n, -1),
    "tensordot_big": lambda T, m, n: T.tensordot(m, n, 3),
    "tensordot_lengths": lambda T, m, n: T.tensordot(m, n, ([1], [0, 1])),
    "tensordot_sizes": lambda T, m, n: T.tensordot(m, n, ([0], [0])),
    "tensordot_dtype": lambda T, m, n: T.tensordot(m, n.float(), 1),
    "cross_size": lambda T, m, n: T.linalg.cross(n, n),
    "cross_dtype": lambda T, m, n: T.linalg.cross(m, m.float()),
    "cross_ndim": lambda T, m, n: T.linalg.cross(m, m[0]),
    "trace_3d": lambda T, m, n: T.trace(m.unsqueeze(0)),
    "trace_bool": lambda T, m, n: T.trace(m.bool()),
    "chain_matmul_1d": lambda T, m, n: T.chain_matmul(m, n[0]),
    "multi_dot_shapes": lambda T, m, n: T.linalg.multi_dot([m, m]),
    "einsum_operands": lambda T, m, n: T.einsum("ij,jk", m),
    "einsum_more": lambda T, m, n: T.einsum("ij", m, m),
    "einsum_dims": lambda T, m, n: T.einsum("ijk", m),
    "einsum_output": lambda T, m, n: T.einsum("ij->k", m),
    "einsum_repeat_out": lambda T, m, n: T.einsum("ij->ii", m),
    "einsum_subscript": lambda T, m, n: T.einsum("i1", m),
    "einsum_ellipsis": lambda T, m, n: T.einsum("i.j", m),
    "einsum_sizes": lambda T, m, n: T.einsum("ij,jk", m, m),
    "einsum_diagonal": lambda T, m, n: T.einsum("ii", m),
    "einsum_dtype": lambda T, m, n: T.einsum("ij,jk", m, n.float()),
    "einsum_broadcast": lambda T, m, n: T.einsum("...i,...i", m, n),
    "einsum_none": lambda T, m, n: T.einsum("i"),
    "cdist_1d": lambda T, m, n: T.cdist(m[0], m),
    "cdist_cols": lambda T, m, n: T.cdist(m, n),
    "cdist_long": lambda T, m, n: T.cdist(m.long(), m.long()),
    "cdist_p": lambda T, m, n: T.cdist(m, m, p=-1),
    "cdist_mode": lambda T, m, n: T.cdist(m, m, compute_mode="fast"),
    "cosine_long": lambda T, m, n: T.cosine_similarity(m.long(), m.long()),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    es, ts = (pair(M), pair(N))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda: ERRORS[name](ember, es[0], ts[0]),
                   lambda: ERRORS[name](torch, es[1], ts[1]), prefix_len=70)


NODES = {
    "addmm": lambda T, m, n: T.addmm(T.ones(2, 4, dtype=m.dtype), m, n),
    "addbmm": lambda T, m, n: T.addbmm(T.ones(2, 4, dtype=m.dtype), m[None], n[None]),
    "baddbmm": lambda T, m, n: T.baddbmm(T.ones(2, 4, dtype=m.dtype), m[None], n[None]),
    "addmv": lambda T, m, n: T.addmv(T.ones(2, dtype=m.dtype), m, n[:, 0]),
    "addr": lambda T, m, n: T.addr(T.ones(2, 4, dtype=m.dtype), m[:, 0], n[0]),
    "vdot": lambda T, m, n: T.vdot(m[0], n[:, 0]), "inner": lambda T, m, n: T.inner(m, n.mT),
    "inner_scalar": lambda T, m, n: T.inner(m[0, 0], n), "outer": lambda T, m, n: T.outer(m[0],
                                                                                          n[0]),
    "tensordot": lambda T, m, n: T.tensordot(m, n, 1), "kron": lambda T, m, n: T.kron(m, n),
    "cross": lambda T, m, n: T.cross(n[:, :3], n[:, 1:], dim=0),
    "trace": lambda T, m, n: T.trace(n), "einsum_mm": lambda T, m, n: T.einsum("ij,jk", m, n),
    "einsum_trace": lambda T, m, n: T.einsum("ii", n[:, :3]),
    "einsum_diag": lambda T, m, n: T.einsum("ii->i", n[:, :3]),
    "einsum_sum": lambda T, m, n: T.einsum("ij->", m),
    "einsum_outer": lambda T, m, n: T.einsum("i,j->ij", m[0], n[0]),
    "einsum_t": lambda T, m, n: T.einsum("ij->ji", m),
    "einsum_dot": lambda T, m, n: T.einsum("i,i->", m[0], n[:, 0]),
    "einsum_mul": lambda T, m, n: T.einsum("i,i->i", m[0], n[:, 0]),
    "cdist": lambda T, m, n: T.cdist(m, n.mT), "cdist_p1": lambda T, m, n: T.cdist(m, n.mT, 1),
    "cdist_mm": lambda T, m, n: T.cdist(m, n.mT, compute_mode="use_mm_for_euclid_dist"),
    "cosine_similarity": lambda T, m, n: T.cosine_similarity(m, m * 2),
    "pairwise_distance": lambda T, m, n: T.pairwise_distance(m, m * 2),
}


@pytest.mark.parametrize("name", sorted(NODES))
def test_grad_fn_names(name):
    got, want = run(NODES[name], M, N, requires_grad=True)
    assert type(got.grad_fn).__name__ == type(want.grad_fn).__name__


INPLACE = {
    "addmm_": lambda T, c, m, n: c.addmm_(m, n, beta=0.5, alpha=2),
    "addbmm_": lambda T, c, m, n: c.addbmm_(m[None], n[None], alpha=3),
    "baddbmm_": lambda T, c, m, n: c.unsqueeze(0).baddbmm_(m[None], n[None], beta=0),
    "addmv_": lambda T, c, m, n: c[:, 0].addmv_(m, n[:, 0]),
    "addr_": lambda T, c, m, n: c.addr_(m[:, 0], n[0], beta=2),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace(name):
    c = RNG.standard_normal((2, 4))
    got, want = run(INPLACE[name], c, M, N)
    assert_same(got, want, 1e-6, 1e-8)


def test_inplace_records_grad():
    def fn(T, c, m, n):
        x = c * 1
        x.addmm_(m, n, alpha=2)
        g = T.autograd.grad(x.sum(), (c, m, n))
        return (x,) + g
    got, want = run(fn, RNG.standard_normal((2, 4)), M, N, requires_grad=True)
    assert_same(got, want, 1e-6, 1e-8)


@pytest.mark.parametrize("fn", [
    lambda T, m, n, o: T.addmm(T.zeros(2, 4, dtype=m.dtype), m, n, out=o),
    lambda T, m, n, o: T.tensordot(m, n, 1, out=o),
    lambda T, m, n, o: T.kron(m, n, out=o), lambda T, m, n, o: T.outer(m[0], n[0], out=o),
    lambda T, m, n, o: T.linalg.multi_dot([m, n], out=o)])
def test_out(fn):
    (em, tm), (en, tn) = pair(M), pair(N)
    e_out, t_out = pair(np.zeros(0))
    got = fn(ember, em, en, e_out)
    fn(torch, tm, tn, t_out)
    assert got is e_out
    assert_same(e_out, t_out, 1e-6, 1e-8)


def test_beta_zero_ignores_nan():
    got, want = run(lambda T, c, m, n: T.addmm(c, m, n, beta=0), np.full((2, 4), np.nan), M, N)
    assert_same(got, want)
    assert not np.isnan(got.numpy()).any()


def test_einsum_chain_and_gradients():
    arrays = [RNG.standard_normal(s) for s in ((2, 3), (3, 4), (4, 5), (5, 2))]

    def fn(T, *ts):
        y = T.einsum("ab,bc,cd,de->ae", *ts)
        return (y,) + T.autograd.grad((y * y).sum(), ts)
    got, want = run(fn, *arrays, requires_grad=True)
    assert_same(got, want, 1e-6, 1e-8, check_grad_fn=False)
