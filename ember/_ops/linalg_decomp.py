"""Decompositions: cholesky, qr, eigh, eig and svd (torch.linalg and the legacy torch.*
names), each one node whose backward is torch's formula (FunctionsManual), written in
ember ops so it differentiates again."""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types as R
from ember._ops._linalg_common import (UndefinedGrads, check_float, check_matrix, check_square,
                                       conj_node, const, matmul, mh, not_implemented, one_out,
                                       out_tuple, pad_to, raise_info, warn_once)
from ember._ops._registry import Op, apply
from ember._ops.tri import diag_embed, tril, triu
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["cholesky", "qr", "svd"]


def _needs_grad(A):
    return GRAD.grad and A._requires_grad


def _solve_tri(A, B, upper, left=True, unitriangular=False):
    from ember._ops.linalg_solve import solve_triangular
    return solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular)


def _eye_mask(t):
    n = t._arr.shape[-1]
    return const(t, t._be.xp.eye(n, dtype=bool), D.bool)


def _set_diag(t, v):
    """`t` with its diagonal replaced by `v` (differentiable)."""
    from ember._ops.where import where
    return where(_eye_mask(t), v.unsqueeze(-1), t)


def _allclose(a, b=None):
    """torch.allclose(a, b, rtol=1e-2, atol=1e-2) on backend arrays (b defaults to 0)."""
    xp = a._be.xp
    b_arr = 0 if b is None else b._arr
    return bool(xp.all(xp.abs(a._arr - b_arr) <= 1e-2 + 1e-2 * xp.abs(b_arr)))


# --- cholesky ---------------------------------------------------------------------------


class LinalgCholeskyExBackward0(Op):
    save_outputs = (0,)

    def forward(self, be, A, *, upper):
        self.upper = upper
        return be.cholesky(A, upper)

    def backward(self, gL, _):
        (L,) = self.saved
        return cholesky_backward(gL, self.upper, L)


class CholeskyBackward0(LinalgCholeskyExBackward0):
    pass


def cholesky_backward(gL, upper, L):
    L_ = mh(L) if upper else L
    gL_ = mh(gL) if upper else gL
    gA = tril(matmul(mh(L_), gL_))
    gA = 0.5 * (gA + mh(tril(gA, -1)))
    gA = _solve_tri(mh(L_), gA, upper=True, left=True)
    return _solve_tri(L_, gA, upper=False, left=False)


def _cholesky_ex(A, upper, fn, cls=LinalgCholeskyExBackward0):
    check_square(A, fn)
    check_float(A, fn)
    not_implemented("cholesky_cpu", A)
    L, info = apply(cls, (A,), upper=upper)
    return L, info


def _pd_message(code):
    return ("The factorization could not be completed because the input is not "
            f"positive-definite (the leading minor of order {code} is not positive-definite).")


def linalg_cholesky(A, *, upper=False, out=None):
    """The Cholesky factor L (A = L L^H), or U = L^H with ``upper=True``."""
    L, info = _cholesky_ex(A, upper, "linalg.cholesky")
    raise_info(info, _pd_message, "linalg.cholesky")
    return one_out(L, out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    L, info = _cholesky_ex(A, upper, "linalg.cholesky")
    if check_errors:
        raise_info(info, _pd_message, "linalg.cholesky_ex")
    return out_tuple((L, info), out, R.linalg_cholesky_ex)


def cholesky(input, upper=False, *, out=None):
    """Deprecated torch.cholesky: linalg.cholesky with a legacy node name."""
    warn_once(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in "
        "a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
        "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
        "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results "
        "for all valid (symmetric positive definite) inputs.")
    L, info = _cholesky_ex(input, upper, "cholesky", CholeskyBackward0)
    raise_info(info, _pd_message, "cholesky")
    return one_out(L, out)


# --- qr ---------------------------------------------------------------------------------


class LinalgQrBackward0(UndefinedGrads, Op):
    save_outputs = (0, 1)

    def forward(self, be, A, *, mode):
        self.mode = mode
        return be.qr(A, mode)

    def backward(self, gQ, gR):
        Q, R_ = self.saved
        return qr_backward(gQ, gR, Q, R_, self.mode)


def qr_backward(gQ, gR, Q, R_, mode):
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                           "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going "
                           "to differentiate through linalg.qr.")
    m, n = Q._arr.shape[-2], R_._arr.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                           "nrows > ncols.")
    if gQ is None and gR is None:
        return None
    if gQ is not None:
        gA = matmul(gR, mh(R_)) - matmul(mh(Q), gQ) if gR is not None else -matmul(mh(Q), gQ)
    else:
        gA = matmul(gR, mh(R_))
    if m >= n:
        X = triu(gA)
        X = X + mh(X)
        X = X - 0.5 * diag_embed(X.diagonal(0, -2, -1).real)
        gA = matmul(Q, X)
        if gQ is not None:
            gA = gA + gQ
        return _solve_tri(mh(R_), gA, upper=False, left=False)
    X = -gA
    X = tril(X - mh(X))
    if X.dtype.is_complex:
        X = X - 0.5j * diag_embed(X.diagonal(0, -2, -1).imag)
    gA = _solve_tri(mh(R_.narrow(-1, 0, m)), matmul(Q, X), upper=False, left=False)
    gA = pad_to(gA, -1, n)
    return gA + matmul(Q, gR) if gR is not None else gA


def _qr(A, mode, fn="linalg.qr"):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_matrix(A, fn)
    check_float(A, fn)
    not_implemented("geqrf_cpu", A)
    return apply(LinalgQrBackward0, (A,), mode=mode)


def linalg_qr(A, mode="reduced", *, out=None):
    """A = Q R with Q orthonormal columns and R upper triangular."""
    return out_tuple(_qr(A, mode), out, R.linalg_qr)


def qr(input, some=True, *, out=None):
    """Deprecated torch.qr (``some`` picks the reduced decomposition)."""
    warn_once(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete')")
    return out_tuple(_qr(input, "reduced" if some else "complete"), out, R.qr)


# --- eigh / eig -------------------------------------------------------------------------


class LinalgEighBackward0(UndefinedGrads, Op):
    save_outputs = (0, 1)

    def forward(self, be, A, *, uplo):
        return be.eigh(A, uplo, True)

    def backward(self, gL, gV):
        L, V = self.saved
        return eig_backward(gL, gV, L, V, True)


class LinalgEigBackward0(UndefinedGrads, Op):
    save_outputs = (0, 1)

    def forward(self, be, A):
        return be.eig(A, True)

    def backward(self, gL, gV):
        L, V = self.saved
        return eig_backward(gL, gV, L, V, False)


def _solve(A, B):
    from ember._ops.linalg_solve import solve
    return solve(A, B)


def eig_backward(gL, gV, L, V, hermitian):
    """torch's linalg_eig_backward (eigenvectors normalized to norm one)."""
    if gL is None and gV is None:
        return None
    if gV is None:
        if hermitian:
            return matmul(V * gL.unsqueeze(-2), mh(V))
        return _solve(mh(V), gL.unsqueeze(-1) * mh(V))
    VhgV = matmul(mh(V), gV)
    diag = VhgV.diagonal(0, -2, -1)
    if V.dtype.is_complex and not _allclose(diag.imag):
        name = "linalg_eigh_backward" if hermitian else "linalg_eig_backward"
        raise RuntimeError(f"{name}: The eigenvectors in the complex case are specified up to "
                           "multiplication by e^{i phi}. The specified loss function depends "
                           "on this quantity, so it is ill-defined.")
    if hermitian:
        VhgV = 0.5 * (VhgV - mh(VhgV))
    else:
        VhgV = VhgV - matmul(mh(V), V * diag.real.unsqueeze(-2))
    Lc = L.conj() if L.dtype.is_complex else L
    E = Lc.unsqueeze(-2) - Lc.unsqueeze(-1)
    E = _set_diag(E, E.new_ones(E._arr.shape[:-1]))
    gA = VhgV / E
    if gL is not None:
        gA = _set_diag(gA, gL.to(gA.dtype) if gA.dtype is not gL.dtype else gL)
    if hermitian:
        return matmul(V, matmul(gA, mh(V)))
    return _solve(mh(V), matmul(gA, mh(V)))


def _check_uplo(uplo):
    if uplo not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    return uplo.upper()


def _eigh_checks(A):
    check_square(A, "linalg.eigh")
    not_implemented("linalg_eigh_cpu", A)


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of Hermitian matrices."""
    uplo = _check_uplo(UPLO)
    _eigh_checks(A)
    return out_tuple(apply(LinalgEighBackward0, (A,), uplo=uplo), out, R.linalg_eigh)


class _Values(Op):
    """Eigen/singular values alone, when no gradient is needed (no vectors computed)."""

    def forward(self, be, A, *, kernel, args):
        return getattr(be, kernel)(A, *args)


def eigvalsh(A, UPLO="L", *, out=None):
    uplo = _check_uplo(UPLO)
    _eigh_checks(A)
    if _needs_grad(A):
        return one_out(apply(LinalgEighBackward0, (A,), uplo=uplo)[0], out)
    return one_out(apply(_Values, (A,), kernel="eigh", args=(uplo, False)), out)


def _eig_checks(A, fn):
    check_square(A, fn)
    if A.dtype.category < D.FLOAT:
        raise RuntimeError(f"Unknown Complex ScalarType for {D.type_name(A.dtype)}")
    not_implemented("linalg_eig_out_cpu", A)


def eig(A, *, out=None):
    """Eigenvalues and unit-norm eigenvectors (always complex) of square matrices."""
    _eig_checks(A, "linalg.eig")
    return out_tuple(apply(LinalgEigBackward0, (A,)), out, R.linalg_eig)


def eigvals(A, *, out=None):
    _eig_checks(A, "linalg.eigvals")
    if _needs_grad(A):
        return one_out(apply(LinalgEigBackward0, (A,))[0], out)
    return one_out(apply(_Values, (A,), kernel="eig", args=(False,)), out)


# --- svd --------------------------------------------------------------------------------


class LinalgSvdBackward0(UndefinedGrads, Op):
    save_outputs = (0, 1, 2)

    def forward(self, be, A, *, full_matrices):
        self.full = full_matrices
        return be.svd(A, full_matrices, True)

    def backward(self, gU, gS, gVh):
        U, S, Vh = self.saved
        if self.full:
            k = S._arr.shape[-1]
            U, Vh = U.narrow(-1, 0, k), Vh.narrow(-2, 0, k)
            gU = gU.narrow(-1, 0, k) if gU is not None else None
            gVh = gVh.narrow(-2, 0, k) if gVh is not None else None
        return svd_backward(gU, gS, gVh, U, S, Vh)


def _svd_core(gU, gS, gVh, U, S, UhgU, VhgV):
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    E = _set_diag(E, E.new_ones(E._arr.shape[:-1]))
    if gU is not None:
        ret = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E if gVh is not None \
            else (UhgU / E) * S.unsqueeze(-2)
    else:
        ret = S.unsqueeze(-1) * (VhgV / E)
    if gS is not None:
        ret = ret + diag_embed(gS)
    if U.dtype.is_complex and gU is not None and gVh is not None:
        ret = ret + diag_embed(UhgU.diagonal(0, -2, -1) / (2 * S))
    return ret


def svd_backward(gU, gS, gVh, U, S, Vh):
    """torch's svd_backward (the loss must not depend on the vectors' phases)."""
    if gU is None and gS is None and gVh is None:
        return None
    m, n = U._arr.shape[-2], Vh._arr.shape[-1]
    if gU is None and gVh is None:
        return matmul(U, gS.unsqueeze(-1) * Vh) if m >= n else matmul(U * gS.unsqueeze(-2), Vh)
    UhgU = VhgV = None
    if gU is not None:
        UhgU = matmul(mh(U), gU)
        UhgU = UhgU - mh(UhgU)
    if gVh is not None:
        VhgV = matmul(Vh, mh(gVh))
        VhgV = VhgV - mh(VhgV)
    if U.dtype.is_complex:
        zeros = S.new_zeros(S._arr.shape)
        im_u = UhgU.diagonal(0, -2, -1).imag if gU is not None else zeros
        im_v = VhgV.diagonal(0, -2, -1).imag if gVh is not None else zeros
        if not _allclose(im_u, -im_v):
            raise RuntimeError(
                "svd_backward: The singular vectors in the complex case are specified up to "
                "multiplication by e^{i phi}. The specified loss function depends on this "
                "phase term, making it ill-defined.")
    gA = _svd_core(gU, gS, gVh, U, S, UhgU, VhgV)
    if m > n and gU is not None:
        gA = matmul(U, gA)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - matmul(U, matmul(mh(U), gUSinv))
        return matmul(gA, Vh)
    if m < n and gVh is not None:
        gA = matmul(gA, Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - matmul(matmul(SinvgVh, mh(Vh)), Vh)
        return matmul(U, gA)
    return matmul(U, matmul(gA, Vh)) if m >= n else matmul(matmul(U, gA), Vh)


def _svd_checks(A, driver, fn="linalg.svd"):
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    check_matrix(A, fn)
    check_float(A, fn)
    not_implemented("linalg_svd_cpu", A)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """A = U diag(S) Vh, singular values descending."""
    _svd_checks(A, driver)
    result = apply(LinalgSvdBackward0, (A,), full_matrices=full_matrices)
    return out_tuple(result, out, R.linalg_svd)


def svdvals(A, *, driver=None, out=None):
    """The singular values, descending."""
    _svd_checks(A, driver)
    if _needs_grad(A):
        return one_out(apply(LinalgSvdBackward0, (A,), full_matrices=False)[1], out)
    return one_out(apply(_Values, (A,), kernel="svd", args=(False, False)), out)


def svd(input, some=True, compute_uv=True, *, out=None):
    """Legacy torch.svd: (U, S, V) with V, not Vh; zero U and V when not computed."""
    if input._arr.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has "
                           f"{input._arr.ndim} dimensions instead")
    if compute_uv:
        U, S, Vh = linalg_svd(input, full_matrices=not some)
        V = Vh.transpose(-2, -1)
        V = conj_node(V) if V.dtype.is_complex else V
    else:
        S = svdvals(input)
        m, n = input._arr.shape[-2:]
        batch = input._arr.shape[:-2]
        U, V = input.new_zeros(batch + (m, m)), input.new_zeros(batch + (n, n))
    return out_tuple((U, S, V), out, R.svd)


