"""torch.linalg beyond the op table: errors and LinAlgError, *_ex info codes, namedtuple
fields, grad_fn names, out=, batching, the gauge checks of eigh/svd, complex second-order
gradients and the legacy names' deprecation warnings."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from parity import assert_same, ember, pair, same_error, to_numpy, torch, torch_name

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 3)) + 6 * np.eye(3)
AB = RNG.standard_normal((2, 4, 4)) + 8 * np.eye(4)
SPD = A @ A.T + 3 * np.eye(3)
SING = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
B = RNG.standard_normal((3, 2))


def run(fn, *arrays, requires_grad=False):
    """fn(ember, *tensors), fn(torch, *tensors) on the same arrays."""
    es, ts = zip(*(pair(np.asarray(a), requires_grad) for a in arrays)) if arrays else ((), ())
    return fn(ember, *es), fn(torch, *ts)


def err(fn, *arrays):
    es, ts = zip(*(pair(np.asarray(a)) for a in arrays)) if arrays else ((), ())
    same_error(lambda: fn(ember, *es), lambda: fn(torch, *ts), prefix_len=70)


# --- errors -----------------------------------------------------------------------------
L = "linalg"
ERRORS = {
    "inv_singular": (lambda T, a: T.linalg.inv(a), SING),
    "inv_singular_batch": (lambda T, a: T.linalg.inv(a), np.stack([A, SING])),
    "inv_nonsquare": (lambda T, a: T.linalg.inv(a), np.ones((3, 4))),
    "inv_long": (lambda T, a: T.linalg.inv(a.long()), A),
    "inv_half": (lambda T, a: T.linalg.inv(a.half()), A),
    "inv_vector": (lambda T, a: T.linalg.inv(a[0]), A),
    "inverse_singular": (lambda T, a: T.inverse(a), SING),
    "det_long": (lambda T, a: T.linalg.det(a.long()), A),
    "det_half": (lambda T, a: T.linalg.det(a.half()), A),
    "slogdet_half": (lambda T, a: T.linalg.slogdet(a.half()), A),
    "logdet_nonsquare": (lambda T, a: T.logdet(a[:2]), A),
    "solve_singular": (lambda T, a: T.linalg.solve(a, a), SING),
    "solve_singular_batch": (lambda T, a: T.linalg.solve(a, a), np.stack([A, SING])),
    "solve_dtype": (lambda T, a: T.linalg.solve(a, a.float()), A),
    "solve_shape": (lambda T, a: T.linalg.solve(a, T.ones(4, 1, dtype=a.dtype)), A),
    "solve_right_vector": (lambda T, a: T.linalg.solve(a, a[0], left=False), A),
    "solve_triangular_b": (lambda T, a: T.linalg.solve_triangular(a, a[0], upper=True), A),
    "solve_triangular_shape": (lambda T, a: T.linalg.solve_triangular(a, a[:2], upper=True), A),
    "cholesky_not_pd": (lambda T, a: T.linalg.cholesky(-a), SPD),
    "cholesky_not_pd_batch": (lambda T, a: T.linalg.cholesky(T.stack([a, -a])), SPD),
    "cholesky_legacy": (lambda T, a: T.cholesky(-a), SPD),
    "cholesky_long": (lambda T, a: T.linalg.cholesky(a.long()), SPD),
    "qr_mode": (lambda T, a: T.linalg.qr(a, mode="x"), A),
    "qr_long": (lambda T, a: T.linalg.qr(a.long()), A),
    "eigh_uplo": (lambda T, a: T.linalg.eigh(a, UPLO="x"), SPD),
    "eigh_long": (lambda T, a: T.linalg.eigh(a.long()), SPD),
    "eig_long": (lambda T, a: T.linalg.eig(a.long()), A),
    "eig_nonsquare": (lambda T, a: T.linalg.eigvals(a[:2]), A),
    "svd_driver": (lambda T, a: T.linalg.svd(a, driver="gesvd"), A),
    "svd_vector": (lambda T, a: T.svd(a[0]), A),
    "lu_factor_singular": (lambda T, a: T.linalg.lu_factor(a), SING),
    "lu_factor_vector": (lambda T, a: T.linalg.lu_factor(a[0]), A),
    "lu_no_pivot": (lambda T, a: T.linalg.lu(a, pivot=False), A),
    "lu_solve_dtype": (lambda T, a: T.linalg.lu_solve(*T.linalg.lu_factor(a), a.float()), A),
    "lu_solve_shape": (lambda T, a: T.linalg.lu_solve(*T.linalg.lu_factor(a), a[:2]), A),
    "cholesky_solve_dims": (lambda T, a: T.cholesky_solve(a[0], a), SPD),
    "cholesky_solve_dtype": (lambda T, a: T.cholesky_solve(a, a.float()), SPD),
    "triangular_solve_shape": (lambda T, a: T.triangular_solve(T.ones(4, 2, dtype=a.dtype), a),
                               A),
    "lstsq_driver": (lambda T, a: T.linalg.lstsq(a, a, driver="x"), A),
    "lstsq_rows": (lambda T, a: T.linalg.lstsq(a, a[:2]), A),
    "lstsq_dtype": (lambda T, a: T.linalg.lstsq(a, a.float()), A),
    "lstsq_long": (lambda T, a: T.linalg.lstsq(a.long(), a.long()), A),
    "lstsq_dims": (lambda T, a: T.linalg.lstsq(a, a[None, None]), A),
    "pinv_long": (lambda T, a: T.linalg.pinv(a.long()), A),
    "matrix_rank_vector": (lambda T, a: T.linalg.matrix_rank(a[0]), A),
    "matrix_power_nonsquare": (lambda T, a: T.linalg.matrix_power(a[:2], 2), A),
    "matrix_power_int_inverse": (lambda T, a: T.linalg.matrix_power(a.long(), -1), A),
    "matrix_exp_long": (lambda T, a: T.linalg.matrix_exp(a.long()), A),
    "vector_norm_long": (lambda T, a: T.linalg.vector_norm(a.long()), A),
    "vector_norm_dtype": (lambda T, a: T.linalg.vector_norm(a, dtype=T.float32), A),
    "vector_norm_empty_inf": (lambda T, a: T.linalg.vector_norm(a[:0], float("inf")), A),
    "vector_norm_empty_dim": (lambda T, a: T.linalg.vector_norm(a[:0], -1, dim=0), A),
    "matrix_norm_ord": (lambda T, a: T.linalg.matrix_norm(a, 3), A),
    "matrix_norm_str": (lambda T, a: T.linalg.matrix_norm(a, "abc"), A),
    "matrix_norm_dims": (lambda T, a: T.linalg.matrix_norm(a, dim=(0, 0)), A),
    "matrix_norm_half_nuc": (lambda T, a: T.linalg.matrix_norm(a.half(), "nuc"), A),
    "norm_3d_ord": (lambda T, a: T.linalg.norm(a.unsqueeze(0), 1), A),
    "norm_dims": (lambda T, a: T.linalg.norm(a.unsqueeze(0), dim=(0, 1, 2)), A),
    "cond_ord": (lambda T, a: T.linalg.cond(a, 3), A),
    "cond_nonsquare": (lambda T, a: T.linalg.cond(a[:2], 1), A),
    "cond_vector": (lambda T, a: T.linalg.cond(a[0]), A),
    "multi_dot_one": (lambda T, a: T.linalg.multi_dot([a]), A),
    "multi_dot_3d": (lambda T, a: T.linalg.multi_dot([a[None], a]), A),
    "multi_dot_shapes": (lambda T, a: T.linalg.multi_dot([a[:2], a[:2]]), A),
    "multi_dot_dtype": (lambda T, a: T.linalg.multi_dot([a, a.float()]), A),
    "vecdot_dtype": (lambda T, a: T.linalg.vecdot(a, a.float()), A),
    "vecdot_long": (lambda T, a: T.linalg.vecdot(a.long(), a.long()), A),
    "householder_wide": (lambda T, a: T.linalg.householder_product(a[:2], a[0, :2]), A),
    "householder_tau": (lambda T, a: T.linalg.householder_product(a, a), A),
    "tensorinv_ind": (lambda T, a: T.linalg.tensorinv(a, ind=0), A),
    "tensorinv_shape": (lambda T, a: T.linalg.tensorinv(a.reshape(9, 1), ind=1), A),
    "tensorsolve_shape": (lambda T, a: T.linalg.tensorsolve(a, a[0, :2]), A),
    "vander_N": (lambda T, a: T.linalg.vander(a, N=1), A),
    "vander_2d": (lambda T, a: T.vander(a), A),
    "ldl_long": (lambda T, a: T.linalg.ldl_factor(a.long()), A),
    "cross_dims": (lambda T, a: T.linalg.cross(a, a[0]), A),
    "cross_size": (lambda T, a: T.linalg.cross(a[:, :2], a[:, :2]), A),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    fn, arr = ERRORS[name]
    err(fn, arr)


def test_linalg_error_type():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.tensor(SING))


# --- info codes -------------------------------------------------------------------------
INFOS = {
    "inv_ex": lambda T, a: T.linalg.inv_ex(a).info,
    "solve_ex": lambda T, a: T.linalg.solve_ex(a, a).info,
    "lu_factor_ex": lambda T, a: T.linalg.lu_factor_ex(a).info,
    "cholesky_ex": lambda T, a: T.linalg.cholesky_ex(a).info,
    "ldl_factor_ex": lambda T, a: T.linalg.ldl_factor_ex(a + a.mT).info,
}


@pytest.mark.parametrize("name", sorted(INFOS))
def test_info_codes(name):
    batch = np.stack([SPD, SING, -SPD, np.zeros((3, 3))])
    got, want = run(INFOS[name], batch)
    assert_same(got, want)


@pytest.mark.parametrize("fn", [lambda T, a: T.linalg.inv_ex(a, check_errors=True),
                                lambda T, a: T.linalg.cholesky_ex(a, check_errors=True),
                                lambda T, a: T.linalg.solve_ex(a, a, check_errors=True)])
def test_check_errors(fn):
    err(fn, np.stack([A, SING]))


# --- namedtuples ------------------------------------------------------------------------
TUPLES = {
    "linalg_qr": lambda T, a: T.linalg.qr(a), "qr": lambda T, a: T.qr(a),
    "linalg_eigh": lambda T, a: T.linalg.eigh(a), "linalg_eig": lambda T, a: T.linalg.eig(a),
    "linalg_svd": lambda T, a: T.linalg.svd(a), "svd": lambda T, a: T.svd(a),
    "linalg_slogdet": lambda T, a: T.linalg.slogdet(a), "slogdet": lambda T, a: T.slogdet(a),
    "linalg_inv_ex": lambda T, a: T.linalg.inv_ex(a),
    "linalg_cholesky_ex": lambda T, a: T.linalg.cholesky_ex(a),
    "linalg_lu": lambda T, a: T.linalg.lu(a),
    "linalg_lu_factor": lambda T, a: T.linalg.lu_factor(a),
    "linalg_lu_factor_ex": lambda T, a: T.linalg.lu_factor_ex(a),
    "lu_unpack": lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a)),
    "linalg_solve_ex": lambda T, a: T.linalg.solve_ex(a, a),
    "linalg_lstsq": lambda T, a: T.linalg.lstsq(a, a),
    "linalg_ldl_factor": lambda T, a: T.linalg.ldl_factor(a),
    "linalg_ldl_factor_ex": lambda T, a: T.linalg.ldl_factor_ex(a),
    "triangular_solve": lambda T, a: T.triangular_solve(a, a),
}


@pytest.mark.parametrize("name", sorted(TUPLES))
def test_namedtuples(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, want = run(TUPLES[name], SPD)
    assert type(got).__name__ == type(want).__name__ == name
    for i, field in enumerate(type(want).__match_args__):
        assert getattr(got, field) is got[i]
    assert torch_name(repr(got)).split("(")[0] == repr(want).split("(")[0]
    assert_same(got, want, rtol=1e-4, atol=1e-6) if name not in (
        "linalg_eigh", "linalg_svd", "svd", "linalg_eig") else None


# --- graph node names -------------------------------------------------------------------
def _spd(T, a):
    return a @ a.mT + 3 * T.eye(3, dtype=a.dtype)


NODES = {
    "det": lambda T, a: T.linalg.det(a), "slogdet": lambda T, a: T.linalg.slogdet(a),
    "logdet": lambda T, a: T.logdet(_spd(T, a)), "inv": lambda T, a: T.linalg.inv(a),
    "inv_ex": lambda T, a: T.linalg.inv_ex(a), "inverse": lambda T, a: T.inverse(a),
    "pinv": lambda T, a: T.linalg.pinv(a), "pinverse": lambda T, a: T.pinverse(a),
    "solve": lambda T, a: T.linalg.solve(a, a), "solve_ex": lambda T, a: T.linalg.solve_ex(a, a),
    "solve_triangular": lambda T, a: T.linalg.solve_triangular(a, a, upper=True),
    "triangular_solve": lambda T, a: T.triangular_solve(a, a),
    "cholesky": lambda T, a: T.linalg.cholesky(_spd(T, a)),
    "cholesky_ex": lambda T, a: T.linalg.cholesky_ex(_spd(T, a)),
    "cholesky_legacy": lambda T, a: T.cholesky(_spd(T, a)),
    "cholesky_solve": lambda T, a: T.cholesky_solve(a, T.linalg.cholesky(_spd(T, a))),
    "cholesky_inverse": lambda T, a: T.cholesky_inverse(T.linalg.cholesky(_spd(T, a))),
    "qr": lambda T, a: T.linalg.qr(a), "eigh": lambda T, a: T.linalg.eigh(_spd(T, a)),
    "eigvalsh": lambda T, a: T.linalg.eigvalsh(_spd(T, a)), "eig": lambda T, a: T.linalg.eig(a),
    "eigvals": lambda T, a: T.linalg.eigvals(a), "svd": lambda T, a: T.linalg.svd(a),
    "svdvals": lambda T, a: T.linalg.svdvals(a), "svd_legacy": lambda T, a: T.svd(a),
    "lu": lambda T, a: T.linalg.lu(a), "lu_factor": lambda T, a: T.linalg.lu_factor(a),
    "lu_factor_ex": lambda T, a: T.linalg.lu_factor_ex(a),
    "lu_unpack": lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a)),
    "lu_solve": lambda T, a: T.linalg.lu_solve(*T.linalg.lu_factor(a), a),
    "lstsq": lambda T, a: T.linalg.lstsq(a, a), "matrix_exp": lambda T, a: T.linalg.matrix_exp(a),
    "matrix_power0": lambda T, a: T.linalg.matrix_power(a, 0),
    "matrix_power1": lambda T, a: T.linalg.matrix_power(a, 1),
    "matrix_power3": lambda T, a: T.linalg.matrix_power(a, 3),
    "matrix_power-1": lambda T, a: T.linalg.matrix_power(a, -1),
    "multi_dot": lambda T, a: T.linalg.multi_dot([a, a, a]),
    "vecdot": lambda T, a: T.linalg.vecdot(a[0], a[1]),
    "vecdot_batch": lambda T, a: T.linalg.vecdot(a, a),
    "householder_product": lambda T, a: T.linalg.householder_product(a, a[0]),
    "vector_norm": lambda T, a: T.linalg.vector_norm(a, 3),
    "matrix_norm_fro": lambda T, a: T.linalg.matrix_norm(a),
    "matrix_norm_1": lambda T, a: T.linalg.matrix_norm(a, 1),
    "matrix_norm_2": lambda T, a: T.linalg.matrix_norm(a, 2),
    "matrix_norm_-2": lambda T, a: T.linalg.matrix_norm(a, -2),
    "matrix_norm_nuc": lambda T, a: T.linalg.matrix_norm(a, "nuc"),
    "norm": lambda T, a: T.linalg.norm(a), "cond": lambda T, a: T.linalg.cond(a),
    "cond_1": lambda T, a: T.linalg.cond(a, 1), "diagonal": lambda T, a: T.linalg.diagonal(a),
    "vander": lambda T, a: T.linalg.vander(a), "cross": lambda T, a: T.linalg.cross(a, a),
    "tensorsolve": lambda T, a: T.linalg.tensorsolve(a, a[0]),
}


@pytest.mark.parametrize("name", sorted(NODES))
def test_grad_fn_names(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, want = run(NODES[name], A, requires_grad=True)
    gots = got if isinstance(got, tuple) else (got,)
    wants = want if isinstance(want, tuple) else (want,)
    for g, w in zip(gots, wants):
        gn = type(g.grad_fn).__name__ if g.grad_fn is not None else None
        wn = type(w.grad_fn).__name__ if w.grad_fn is not None else None
        assert gn == wn, f"{name}: {gn} vs {wn}"


# --- out= -------------------------------------------------------------------------------
OUTS = {
    "inv": (lambda T, a, out: T.linalg.inv(a, out=out), 1),
    "det": (lambda T, a, out: T.linalg.det(a, out=out), 1),
    "solve": (lambda T, a, out: T.linalg.solve(a, a, out=out), 1),
    "vector_norm": (lambda T, a, out: T.linalg.vector_norm(a, out=out), 1),
    "matrix_norm": (lambda T, a, out: T.linalg.matrix_norm(a, 1, out=out), 1),
    "matrix_exp_power": (lambda T, a, out: T.linalg.matrix_power(a, 2, out=out), 1),
    "qr": (lambda T, a, out: T.linalg.qr(a, out=out), 2),
    "eigh": (lambda T, a, out: T.linalg.eigh(_spd(T, a), out=out), 2),
    "slogdet": (lambda T, a, out: T.linalg.slogdet(a, out=out), 2),
    "lu_factor": (lambda T, a, out: T.linalg.lu_factor(a, out=out), 2),
}


@pytest.mark.parametrize("name", sorted(OUTS))
def test_out(name):
    fn, n = OUTS[name]
    want = fn(torch, torch.tensor(A), None)
    wants = want if isinstance(want, tuple) else (want,)
    outs_e = tuple(ember.empty(0, dtype=ember.float64 if w.dtype == torch.float64 else
                               ember.int32) for w in wants)
    got = fn(ember, ember.tensor(A), outs_e if n > 1 else outs_e[0])
    gots = got if isinstance(got, tuple) else (got,)
    for g, o, w in zip(gots, outs_e, wants):
        assert g is o
        if name != "eigh":
            assert_same(o, w, 1e-6, 1e-8)


# --- batching ---------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda T, a: T.linalg.det(a), lambda T, a: T.linalg.inv(a),
    lambda T, a: T.linalg.solve(a, a[0]), lambda T, a: T.linalg.solve(a[0], a),
    lambda T, a: T.linalg.cholesky(_spd4(T, a)), lambda T, a: T.linalg.matrix_exp(a),
    lambda T, a: T.linalg.lu_factor(a), lambda T, a: T.linalg.pinv(a),
    lambda T, a: T.linalg.solve_triangular(a, a[0], upper=False),
    lambda T, a: T.linalg.lstsq(a, a[:1, :1]).solution])
def test_batched_broadcast(fn):
    got, want = run(fn, AB.reshape(2, 1, 4, 4) * np.ones((1, 3, 1, 1)))
    assert_same(got, want, 1e-5, 1e-7)


def _spd4(T, a):
    return a @ a.mT + 4 * T.eye(4, dtype=a.dtype)


# --- gauge checks and complex gradients -------------------------------------------------
C = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3)) + 4 * np.eye(3)
HPD = C @ C.conj().T


@pytest.mark.parametrize("fn", [
    lambda T, a: T.autograd.grad(T.linalg.eigh(a)[1].real.sum(), a),
    lambda T, a: T.autograd.grad(T.linalg.svd(a)[0].real.sum(), a),
    lambda T, a: T.autograd.grad(T.linalg.eig(a)[1].real.sum(), a)])
def test_gauge_errors(fn):
    e, t = pair(HPD, True)
    same_error(lambda: fn(ember, e), lambda: fn(torch, t), prefix_len=60)


COMPLEX_SECOND = {
    "det": lambda T, a: T.linalg.det(a), "inv": lambda T, a: T.linalg.inv(a),
    "solve": lambda T, a: T.linalg.solve(a, a.mH), "slogdet": lambda T, a: T.linalg.slogdet(a),
    "cholesky": lambda T, a: T.linalg.cholesky(a @ a.mH),
    "eigh": lambda T, a: (lambda L, V: (L, (V * V.conj()).real))(*T.linalg.eigh(a @ a.mH)),
    "svd": lambda T, a: (lambda U, S, Vh: (S, (U * S.unsqueeze(-2)) @ Vh))(
        *T.linalg.svd(a, full_matrices=False)),
    "qr": lambda T, a: T.linalg.qr(a), "matrix_exp": lambda T, a: T.linalg.matrix_exp(a / 4),
    "pinv": lambda T, a: T.linalg.pinv(a),
}


def _cgrad(lib, out, x, vs, create):
    outs = out if isinstance(out, tuple) else (out,)
    return lib.autograd.grad(outs, x, vs, create_graph=create)[0]


@pytest.mark.parametrize("name", sorted(COMPLEX_SECOND))
def test_complex_second_order(name):
    fn = COMPLEX_SECOND[name]
    e, t = pair(C, True)
    te, tt = fn(ember, e), fn(torch, t)
    outs = tt if isinstance(tt, tuple) else (tt,)
    vs = [RNG.standard_normal(tuple(o.shape)) + (1j * RNG.standard_normal(tuple(o.shape))
                                                 if o.is_complex() else 0) for o in outs]
    ge = _cgrad(ember, te, e, [pair(v)[0] for v in vs], True)
    gt = _cgrad(torch, tt, t, [pair(v)[1] for v in vs], True)
    assert_same(ge, gt, 1e-6, 1e-8, check_grad_fn=False)
    w = RNG.standard_normal(C.shape) + 1j * RNG.standard_normal(C.shape)
    gge = ember.autograd.grad(ge, e, pair(w)[0])[0]
    ggt = torch.autograd.grad(gt, t, pair(w)[1])[0]
    np.testing.assert_allclose(to_numpy(gge), to_numpy(ggt), rtol=1e-6, atol=1e-8)


# --- singular matrices ------------------------------------------------------------------
def test_det_singular_first_order():
    got, want = run(lambda T, a: T.autograd.grad(T.linalg.det(a), a)[0], SING,
                    requires_grad=True)
    assert_same(got, want, check_grad_fn=False)


def test_det_mixed_batch_second_order():
    def fn(T, a):
        g = T.autograd.grad(T.linalg.det(a).sum(), a, create_graph=True)[0]
        return T.autograd.grad((g * g).sum(), a)[0]
    got, want = run(fn, np.stack([A, SING]), requires_grad=True)
    assert_same(got, want, 1e-6, 1e-8, check_grad_fn=False)


def test_lstsq_outputs():
    a, b = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    for driver in ("gelsy", "gelsd", "gelss", "gels"):
        got, want = run(lambda T, x, y: T.linalg.lstsq(x, y, driver=driver), a, b)
        assert_same(got, want, 1e-6, 1e-8)


# --- deprecations -----------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda T, a: T.cholesky(a), lambda T, a: T.qr(a), lambda T, a: T.triangular_solve(a, a),
    lambda T, a: T.lu_solve(a, *T.linalg.lu_factor(a)), lambda T, a: T.chain_matmul(a, a),
    lambda T, a: T.cross(a, a)])
def test_deprecation_warnings(fn):
    """Warned once per process, as TORCH_WARN_ONCE (torch's may be spent by earlier tests)."""
    from ember._ops._linalg_common import _WARNED
    _WARNED.clear()
    e, t = pair(SPD)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        fn(ember, e)
        fn(ember, e)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        fn(torch, t)
    assert [w.category for w in we] == [UserWarning]
    assert "deprecated" in str(we[0].message)
    if wt:
        assert str(we[0].message)[:60] == str(wt[0].message)[:60]


def test_lstsq_shape_errors():
    for a, b in [((2, 5, 3), (5, 2)), ((5, 3), (4,)), ((2, 5, 3), (2, 4)), ((2, 5, 3), (5,))]:
        err(lambda T, x, y: T.linalg.lstsq(x, y), RNG.standard_normal(a),
            RNG.standard_normal(b))
