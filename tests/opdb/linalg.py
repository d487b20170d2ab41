"""Op table entries for torch.linalg and the legacy torch.* linear algebra names.

Samples are well conditioned (diagonally dominant, or A A^H + n I where a factorization needs
a positive-definite matrix, built inside the op so gradients flow through the construction).
Where LAPACK leaves a sign or phase free (eigenvectors, singular vectors) the op returns
invariants (reconstructions, |V|^2, symmetric functions of eigenvalues): torch's CPU build
uses MKL and ember OpenBLAS, which may pick different signs. Entries named ``*_c`` run their
float64 samples as complex128, so complex gradients are checked too."""
from __future__ import annotations

import numpy as np

from opdb import OpInfo, Sample, values

OPS: list[OpInfo] = []
F = ("float32", "float64")
FC = F + ("complex64", "complex128")
REFUSE = ("int64", "float16")          # torch refuses these: the error type must match


def _add(*infos):
    OPS.extend(infos)


def _vals(dtype, shape, rng, cplx=False):
    return values("complex128" if cplx else dtype, shape, rng)


def wc(dtype, shape, rng, cplx=False):
    """Diagonally dominant (well conditioned) square matrices."""
    a = _vals(dtype, shape, rng, cplx)
    if a.dtype.kind in "iu":
        return a + 3 * shape[-1] * np.eye(shape[-1], dtype=a.dtype)
    return (a + 3 * shape[-1] * np.eye(shape[-1])).astype(a.dtype)


def samples(*specs, cplx=False):
    """Samples from (shapes, kwargs) specs; a shape starting with 'w' is well conditioned."""
    def make(dtype, rng):
        out = []
        for shapes, kwargs in specs:
            args = tuple(wc(dtype, s[1:], rng, cplx) if s and s[0] == "w" else
                         _vals(dtype, s, rng, cplx) for s in shapes)
            out.append(Sample(args, dict(kwargs)))
        return out
    return make


def spd(lib, a):
    """A A^H + n I: Hermitian positive definite, differentiable in `a`."""
    n = a.shape[-1]
    return a @ a.mH + n * lib.eye(n, dtype=a.dtype)


def resolved(out):
    """torch may return a lazily conjugated view (its conj bit); parity reads plain values."""
    if isinstance(out, tuple):
        return type(out)(resolved(o) for o in out) if type(out) is tuple else \
            type(out)(tuple(resolved(o) for o in out))
    return out.resolve_conj()


def _l(name):
    def call(lib, *args, **kwargs):
        return resolved(getattr(lib.linalg, name)(*args, **kwargs))
    return call


def _t(name):
    def call(lib, *args, **kwargs):
        return resolved(getattr(lib, name)(*args, **kwargs))
    return call


SQ = samples(((("w", 3, 3),), {}), ((("w", 2, 4, 4),), {}))
SQ1 = samples(((("w", 3, 3),), {}))

# --- norms ------------------------------------------------------------------------------
_VN = samples((((3, 4),), {}), (((3, 4),), {"ord": 1}), (((3, 4),), {"ord": float("inf")}),
              (((3, 4),), {"ord": -float("inf"), "dim": 1}), (((3, 4),), {"ord": 0}),
              (((2, 3, 4),), {"ord": 3, "dim": (0, 2), "keepdim": True}),
              (((3, 4),), {"ord": 0.5, "dim": -1}), (((5,),), {"ord": -1}))
_MN = [(((2, 3, 4),), {"ord": o}) for o in ("fro", "nuc", 1, -1, 2, -2, float("inf"))] + \
    [(((3, 4, 2),), {"ord": o, "dim": (0, 2), "keepdim": True}) for o in ("nuc", 2, -1)]
_add(
    OpInfo("linalg.vector_norm", _l("vector_norm"), _VN,
           dtypes=("float16", "bfloat16") + FC + ("int64",), rtol=1e-4),
    OpInfo("linalg.vector_norm_c", _l("vector_norm"), samples((((3, 4),), {}), (((3, 4),),
           {"ord": 1}), cplx=True), dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.vector_norm_dtype", lambda lib, a: lib.linalg.vector_norm(
        a, dtype=lib.float64), samples((((3, 4),), {})), dtypes=("float32",)),
    OpInfo("linalg.matrix_norm", _l("matrix_norm"), samples(*_MN), dtypes=F + REFUSE,
           rtol=1e-4),
    OpInfo("linalg.matrix_norm_c", _l("matrix_norm"), samples(*_MN[:3], cplx=True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.norm", _l("norm"), samples((((3, 4),), {}), (((3, 4),), {"ord": 1}),
                                             (((3, 4),), {"dim": 1}), (((4,),), {"ord": 3}),
                                             (((2, 3, 4),), {"ord": "nuc", "dim": (1, 2)})),
           dtypes=F, rtol=1e-4),
    OpInfo("linalg.cond", _l("cond"), samples(((("w", 2, 3, 3),), {}), ((("w", 3, 3),),
           {"p": -2}), ((("w", 3, 3),), {"p": "nuc"})), dtypes=F, rtol=1e-4),
    OpInfo("linalg.cond_inf", _l("cond"), samples(((("w", 3, 3),), {"p": 1}), ((("w", 3, 3),),
           {"p": float("inf")}), ((("w", 3, 3),), {"p": "fro"})), dtypes=F, rtol=1e-4,
           grad=False),
)

# --- determinants, inverses -------------------------------------------------------------
_SING = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
_add(
    OpInfo("linalg.det", _l("det"), SQ, dtypes=FC + REFUSE, rtol=1e-4),
    OpInfo("linalg.det_c", _l("det"), samples(((("w", 3, 3),), {}), cplx=True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.det_singular", _l("det"), lambda d, r: [Sample((_SING.astype(d),)),
                                                          Sample((np.stack([_SING, _SING * 2])
                                                                  .astype(d),))],
           dtypes=F, gradgrad=True),
    OpInfo("det", _t("det"), SQ1, dtypes=F),
    OpInfo("linalg.slogdet", _l("slogdet"), SQ, dtypes=FC + REFUSE, rtol=1e-4),
    OpInfo("linalg.slogdet_c", _l("slogdet"), samples(((("w", 3, 3),), {}), cplx=True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("slogdet", _t("slogdet"), samples((((3, 3),), {})), dtypes=F),
    OpInfo("logdet", lambda lib, a: lib.logdet(spd(lib, a)), samples((((2, 3, 3),), {})),
           dtypes=F, rtol=1e-4),
    OpInfo("logdet_negative", _t("logdet"), lambda d, r: [Sample((-np.eye(3, dtype=d) * 2,))],
           dtypes=F),
    OpInfo("linalg.inv", _l("inv"), SQ, dtypes=FC + REFUSE, rtol=1e-4),
    OpInfo("linalg.inv_c", _l("inv"), samples(((("w", 3, 3),), {}), cplx=True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.inv_ex", _l("inv_ex"), SQ, dtypes=F),
    OpInfo("inverse", _t("inverse"), SQ1, dtypes=F),
    OpInfo("linalg.pinv", _l("pinv"), samples((((3, 5),), {}), (((2, 5, 3),), {}),
                                             (((4, 4),), {"rtol": 0.3}),
                                             (((4, 4),), {"atol": 1.0})), dtypes=FC, rtol=1e-4),
    OpInfo("linalg.pinv_hermitian", lambda lib, a: lib.linalg.pinv(spd(lib, a), hermitian=True),
           samples((((4, 4),), {})), dtypes=F, rtol=1e-4),
    OpInfo("pinverse", _t("pinverse"), samples((((3, 4),), {})), dtypes=F, rtol=1e-4),
    OpInfo("linalg.matrix_rank", _l("matrix_rank"), lambda d, r: [
        Sample((_SING.astype(d),)), Sample((values(d, (2, 3, 4), r),), {"atol": 1.0}),
        Sample((values(d, (4, 4), r),), {"hermitian": True})], dtypes=F, grad=False),
    OpInfo("linalg.tensorinv", _l("tensorinv"), lambda d, r: [
        Sample((wc(d, (6, 6), r).reshape(2, 3, 6),), {"ind": 2})], dtypes=F, rtol=1e-4),
)

# --- solvers ----------------------------------------------------------------------------
_add(
    OpInfo("linalg.solve", _l("solve"), samples(
        ((("w", 3, 3), (3, 2)), {}), ((("w", 2, 3, 3), (3,)), {}), ((("w", 3, 3), (2, 3, 2)), {}),
        ((("w", 2, 3, 3), (2, 3)), {}), ((("w", 3, 3), (4, 3)), {"left": False})),
        dtypes=FC + REFUSE, rtol=1e-4),
    OpInfo("linalg.solve_c", _l("solve"), samples(((("w", 3, 3), (3, 2)), {}), cplx=True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.solve_ex", _l("solve_ex"), samples(((("w", 3, 3), (3, 2)), {})), dtypes=F),
    OpInfo("linalg.solve_triangular", _l("solve_triangular"), samples(*[
        ((("w", 2, 3, 3), (2, 3, 3)), {"upper": u, "left": le, "unitriangular": un})
        for u in (True, False) for le in (True, False) for un in (False, True)]),
        dtypes=FC + REFUSE, rtol=1e-4),
    OpInfo("triangular_solve", lambda lib, b, a, **kw: lib.triangular_solve(b, a, **kw),
           samples(*[(((3, 2), ("w", 3, 3)), {"upper": u, "transpose": t})
                     for u in (True, False) for t in (False, True)]), dtypes=F, rtol=1e-4),
    OpInfo("cholesky_solve", lambda lib, b, a, upper=False: lib.cholesky_solve(
        b, lib.linalg.cholesky(spd(lib, a), upper=upper), upper),
        samples((((3, 2), (3, 3)), {}), (((2, 3, 2), (3, 3)), {"upper": True})), dtypes=F,
        rtol=1e-4),
    OpInfo("cholesky_inverse", lambda lib, a, upper=False: lib.cholesky_inverse(
        lib.linalg.cholesky(spd(lib, a), upper=upper), upper),
        samples((((3, 3),), {}), (((3, 3),), {"upper": True})), dtypes=F, rtol=1e-4),
    OpInfo("linalg.lu_solve", lambda lib, a, b, **kw: resolved(lib.linalg.lu_solve(
        *lib.linalg.lu_factor(a), b, **kw)), samples(*[
            ((("w", 2, 3, 3), (2, 3, 3)), {"left": le, "adjoint": ad})
            for le in (True, False) for ad in (False, True)]), dtypes=FC, rtol=1e-4),
    OpInfo("lu_solve", lambda lib, a, b: lib.lu_solve(b, *lib.linalg.lu_factor(a)),
           samples(((("w", 3, 3), (3, 2)), {})), dtypes=F, rtol=1e-4),
    OpInfo("linalg.lstsq", lambda lib, a, b, **kw: lib.linalg.lstsq(a, b, **kw), samples(*[
        (((5, 3), (5, 2)), {"driver": dr}) for dr in ("gelsy", "gelsd", "gelss", "gels")] + [
        (((2, 3, 5), (2, 3, 2)), {"driver": "gelsd"}), (((5, 3), (5,)), {})]), dtypes=F,
        rtol=1e-4),
    OpInfo("linalg.tensorsolve", _l("tensorsolve"), lambda d, r: [
        Sample((wc(d, (6, 6), r).reshape(6, 2, 3), values(d, (6,), r))),
        Sample((wc(d, (6, 6), r).reshape(2, 3, 6), values(d, (2, 3), r)), {"dims": (2,)})],
        dtypes=F, rtol=1e-4),
)

# --- decompositions ---------------------------------------------------------------------


def _eigh_inv(lib, a, **kw):
    L, V = lib.linalg.eigh(spd(lib, a), **kw)
    return L, (V * V.conj()).real


def _eig_inv(lib, a):
    L, V = lib.linalg.eig(a)
    return (L.sum(-1), (L * L).sum(-1), (L * L * L).sum(-1),
            (V * L.unsqueeze(-2)) @ lib.linalg.inv(V))


def _svd_inv(lib, a, full_matrices=True):
    U, S, Vh = lib.linalg.svd(a, full_matrices=full_matrices)
    k = S.shape[-1]
    U, Vh = U[..., :, :k], Vh[..., :k, :]
    return S, (U * S.unsqueeze(-2)) @ Vh, (U * U.conj()).real, (Vh * Vh.conj()).real


def _svd_legacy(lib, a, some=True):
    U, S, V = lib.svd(a, some=some)
    k = S.shape[-1]
    return S, (U[..., :, :k] * S.unsqueeze(-2)) @ V[..., :, :k].mH


_add(
    OpInfo("linalg.cholesky", lambda lib, a, **kw: lib.linalg.cholesky(spd(lib, a), **kw),
           samples((((2, 3, 3),), {}), (((3, 3),), {"upper": True})), dtypes=FC, rtol=1e-4),
    OpInfo("linalg.cholesky_c", lambda lib, a: lib.linalg.cholesky(spd(lib, a)),
           samples((((3, 3),), {}), cplx=True), dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.cholesky_refuse", _l("cholesky"), SQ1, dtypes=REFUSE),
    OpInfo("linalg.cholesky_ex", lambda lib, a: lib.linalg.cholesky_ex(spd(lib, a)),
           samples((((3, 3),), {})), dtypes=F),
    OpInfo("cholesky", lambda lib, a, **kw: lib.cholesky(spd(lib, a), **kw),
           samples((((3, 3),), {}), (((3, 3),), {"upper": True})), dtypes=F, rtol=1e-4),
    OpInfo("linalg.qr", _l("qr"), samples(*[((s,), {"mode": m}) for s in ((4, 3), (3, 5),
                                                                       (2, 3, 3))
                                          for m in ("reduced", "complete")]),
           dtypes=FC + REFUSE, rtol=1e-4, grad=False),
    OpInfo("linalg.qr_grad", _l("qr"), samples((((4, 3),), {}), (((3, 5),), {}), (((3, 3),), {}),
                                              (((3, 5),), {"mode": "complete"})),
           dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.qr_c", _l("qr"), samples((((4, 3),), {}), (((3, 4),), {}), cplx=True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.qr_r", lambda lib, a: lib.linalg.qr(a, mode="r"), samples((((4, 3),), {})),
           dtypes=F, grad=False),
    OpInfo("qr", _t("qr"), samples((((4, 3),), {}), (((3, 4),), {"some": False})), dtypes=F,
           rtol=1e-4),
    OpInfo("linalg.eigh", _eigh_inv, samples((((2, 4, 4),), {}), (((3, 3),), {"UPLO": "U"})),
           dtypes=FC, rtol=1e-4),
    OpInfo("linalg.eigh_c", _eigh_inv, samples((((3, 3),), {}), cplx=True), dtypes=("float64",),
           gradgrad=False),
    OpInfo("linalg.eigh_refuse", _l("eigh"), SQ1, dtypes=REFUSE),
    OpInfo("linalg.eigvalsh", lambda lib, a: lib.linalg.eigvalsh(spd(lib, a)),
           samples((((2, 4, 4),), {})), dtypes=FC, rtol=1e-4),
    OpInfo("linalg.eig", _eig_inv, samples((((3, 3),), {}), (((2, 4, 4),), {})), dtypes=F,
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.eig_c", _eig_inv, samples((((3, 3),), {}), cplx=True), dtypes=("float64",),
           atol=1e-5, gradgrad=False),
    OpInfo("linalg.eig_refuse", _l("eig"), SQ1, dtypes=REFUSE),
    OpInfo("linalg.eigvals", lambda lib, a: (lambda L: ((L * L).sum(-1), L.sum(-1)))(
        lib.linalg.eigvals(a)), samples((((4, 4),), {})), dtypes=F, rtol=1e-4, atol=1e-5),
    OpInfo("linalg.svd", _svd_inv, samples(*[((s,), {"full_matrices": fm}) for s in
                                             ((4, 3), (3, 4), (2, 3, 3)) for fm in (True, False)]),
           dtypes=FC, rtol=1e-4, atol=1e-5),
    OpInfo("linalg.svd_c", _svd_inv, samples((((4, 3),), {"full_matrices": False}), cplx=True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("linalg.svd_refuse", _l("svd"), SQ1, dtypes=REFUSE),
    OpInfo("linalg.svdvals", _l("svdvals"), samples((((2, 4, 3),), {}), (((3, 5),), {})),
           dtypes=FC, rtol=1e-4),
    OpInfo("svd", _svd_legacy, samples((((4, 3),), {}), (((3, 4),), {"some": False})),
           dtypes=F, rtol=1e-4, atol=1e-5),
    OpInfo("svd_values", lambda lib, a: lib.svd(a, compute_uv=False), samples((((4, 3),), {})),
           dtypes=F, rtol=1e-4),
)

# --- LU, LDL ----------------------------------------------------------------------------
_LU = samples((((4, 4),), {}), (((3, 5),), {}), (((5, 3),), {}), (((2, 3, 3),), {}))
_add(
    OpInfo("linalg.lu", _l("lu"), _LU, dtypes=FC + REFUSE, rtol=1e-4),
    OpInfo("linalg.lu_factor", _l("lu_factor"), _LU, dtypes=FC + REFUSE, rtol=1e-4),
    OpInfo("linalg.lu_factor_ex", _l("lu_factor_ex"), _LU, dtypes=F, rtol=1e-4),
    OpInfo("lu_unpack", lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a)), _LU,
           dtypes=F, rtol=1e-4),
    OpInfo("lu", lambda lib, a: lib.lu(a, get_infos=True), samples((((3, 3),), {})), dtypes=F),
    OpInfo("linalg.ldl_factor", lambda lib, a, **kw: lib.linalg.ldl_factor(a + a.mT, **kw),
           samples((((3, 3),), {}), (((2, 4, 4),), {"hermitian": True})), dtypes=F,
           grad=False, rtol=1e-4),
    OpInfo("linalg.ldl_solve", lambda lib, a, b: lib.linalg.ldl_solve(
        *lib.linalg.ldl_factor(a + a.mT), b), samples((((3, 3), (3, 2)), {})), dtypes=F,
        grad=False, rtol=1e-4),
)

# --- matrix functions and products ------------------------------------------------------
_add(
    OpInfo("linalg.matrix_power", _l("matrix_power"), samples(*[
        ((("w", 2, 3, 3),), {"n": n}) for n in (0, 1, 2, 3, 5, -1, -2)]), dtypes=F, rtol=1e-4),
    OpInfo("linalg.matrix_power_int", lambda lib, a: lib.linalg.matrix_power(a, 3),
           lambda d, r: [Sample((np.arange(9).reshape(3, 3).astype(d),))], dtypes=("int64",)),
    OpInfo("matrix_power", lambda lib, a: a.matrix_power(4), samples((((3, 3),), {})),
           dtypes=F, rtol=1e-4),
    OpInfo("linalg.matrix_exp", _l("matrix_exp"), samples((((2, 3, 3),), {})),
           dtypes=FC + ("int64",), rtol=1e-4),
    OpInfo("matrix_exp", _t("matrix_exp"), samples((((3, 3),), {})), dtypes=F, rtol=1e-4),
    OpInfo("linalg.multi_dot", lambda lib, *ts: lib.linalg.multi_dot(ts), samples(
        (((3,), (3, 4), (4,)), {}), (((2, 3), (3, 4)), {}), (((2, 5), (5, 3), (3, 4)), {}),
        (((2, 6), (6, 3), (3, 7), (7, 2)), {})), dtypes=FC, rtol=1e-4),
    OpInfo("linalg.vecdot", _l("vecdot"), samples((((3,), (3,)), {}), (((2, 3), (3,)), {}),
                                                  (((3, 4), (3, 1)), {"dim": 0})),
           dtypes=FC, rtol=1e-4),
    OpInfo("linalg.householder_product", _l("householder_product"), samples(
        (((5, 3), (3,)), {}), (((4, 3), (2,)), {}), (((2, 4, 2), (2, 2)), {})),
        dtypes=FC, rtol=1e-4),
    OpInfo("linalg.vander", _l("vander"), samples((((2, 3),), {}), (((3,),), {"N": 5})),
           dtypes=F + ("int64",), rtol=1e-4),
    OpInfo("vander", _t("vander"), samples((((3,),), {}), (((3,),), {"N": 4, "increasing": True}),
                                         (((3,),), {"N": 1})), dtypes=F + ("int64",),
           grad=False, rtol=1e-4),
    OpInfo("linalg.diagonal", _l("diagonal"), samples((((2, 3, 4),), {"offset": 1})),
           dtypes=F),
    OpInfo("linalg.cross", _l("cross"), samples((((2, 3), (2, 3)), {}), (((3, 4), (3, 1)),
                                                                        {"dim": 0})),
           dtypes=FC + ("int64",)),
)
