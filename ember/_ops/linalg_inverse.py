"""Inverses: linalg.inv(_ex) and torch.inverse, cholesky_inverse, pinv and torch.pinverse,
lstsq (torch's drivers and which outputs each fills) and tensorinv."""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types as R
from ember._ops._linalg_common import (check_float, check_square, matmul, mh, not_implemented,
                                       one_out, out_tuple, raise_info, UndefinedGrads)
from ember._errors import broadcast_shapes
from ember._ops._registry import Op, apply
from ember._tensor import Tensor

__all__ = ["inverse", "cholesky_inverse", "pinverse"]

_EPS = {D.float32: 1.1920928955078125e-07, D.float64: 2.220446049250313e-16}


class LinalgInvExBackward0(Op):
    save_outputs = (0,)

    def forward(self, be, A):
        return be.inv(A)

    def backward(self, g, _info):
        (Ainv,) = self.saved
        return -matmul(mh(Ainv), matmul(g, mh(Ainv)))


def _inv_ex(A):
    check_square(A, "linalg.inv")
    check_float(A, "linalg.inv", low_ok=False)
    return apply(LinalgInvExBackward0, (A,))


def _singular(code):
    return (f"The diagonal element {code} is zero, the inversion could not be completed "
            "because the input matrix is singular.")


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info > 0 names the zero pivot of a singular matrix."""
    Ainv, info = _inv_ex(A)
    if check_errors:
        raise_info(info, _singular, "linalg.inv_ex")
    return out_tuple((Ainv, info), out, R.linalg_inv_ex)


def inv(A, *, out=None):
    """The inverse of square matrices; LinAlgError for singular ones."""
    Ainv, info = _inv_ex(A)
    raise_info(info, _singular, "linalg.inv")
    return one_out(Ainv, out)


def inverse(input, *, out=None):
    return inv(input, out=out)


class CholeskyInverseBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, L, *, upper):
        self.upper = upper
        return be.cholesky_inverse(L, upper)

    def backward(self, g):
        L, X = self.saved
        common = matmul(X, matmul(g + mh(g), X))
        return -matmul(L, common) if self.upper else -matmul(common, L)


def cholesky_inverse(L, upper=False, *, out=None):
    """(L L^H)^{-1} (or (U^H U)^{-1}) from a Cholesky factor."""
    check_square(L, "cholesky_inverse")
    not_implemented("cholesky_inverse_out_cpu", L)
    return one_out(apply(CholeskyInverseBackward0, (L,), upper=upper), out)


# --- pinv -------------------------------------------------------------------------------


class LinalgPinvBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, A, *, atol, rtol, hermitian):
        xp = be.xp
        atol = xp.asarray(atol._arr if isinstance(atol, Tensor) else atol, xp.float64)
        rtol = xp.asarray(rtol._arr if isinstance(rtol, Tensor) else rtol, xp.float64)
        batch = A.shape[:-2]
        return be.pinv(A, xp.broadcast_to(atol, batch), xp.broadcast_to(rtol, batch), hermitian)

    def backward(self, g):
        A, pinvA = self.saved
        return pinv_backward(g, pinvA, A)


def pinv_backward(g, pinvA, A):
    m, n = A._arr.shape[-2:]
    pinvAh, gh = mh(pinvA), mh(g)
    if m <= n:
        K = matmul(gh, pinvA)
        KpinvAh = matmul(K, pinvAh)
        return (-mh(matmul(pinvA, K)) + KpinvAh - matmul(matmul(A, pinvA), KpinvAh) +
                matmul(matmul(pinvAh, pinvA), gh - matmul(K, A)))
    K = matmul(pinvA, gh)
    pinvAhK = matmul(pinvAh, K)
    return (-mh(matmul(K, pinvA)) + matmul(matmul(gh - matmul(A, K), pinvA), pinvAh) + pinvAhK
            - matmul(matmul(pinvAhK, pinvA), A))


def tolerances(A, atol, rtol):
    """torch's defaults: atol 0; rtol eps * max(m, n) unless a positive atol is given."""
    if rtol is None:
        m, n = A._arr.shape[-2:]
        default = _EPS.get(A.dtype.to_real(), _EPS[D.float32]) * max(m, n)
        if atol is None:
            rtol = default
        elif isinstance(atol, Tensor):
            rtol = (atol <= 0).to(D.float64) * default
        else:
            rtol = 0.0 if atol > 0 else default
    return (0.0 if atol is None else atol), rtol


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The Moore-Penrose pseudoinverse (singular values under the tolerance dropped)."""
    if A._arr.ndim < 2 or A.dtype not in (D.float32, D.float64, D.complex64, D.complex128):
        raise RuntimeError(f"linalg.pinv({D.type_name(A.dtype)}{{{list(A._arr.shape)}}}): "
                           "expected a tensor with 2 or more dimensions of float, double, "
                           "cfloat or cdouble types")
    if rcond is not None:
        atol, rtol = 0.0, rcond
    atol, rtol = tolerances(A, atol, rtol)
    return one_out(apply(LinalgPinvBackward0, (A,), atol=atol, rtol=rtol, hermitian=hermitian),
                   out)


def pinverse(input, rcond=1e-15):
    return pinv(input, rcond=rcond)


def tensorinv(A, ind=2, *, out=None):
    """The inverse of `A` seen as a matrix from shape[:ind] to shape[ind:]."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    end, start = A._arr.shape[ind:], A._arr.shape[:ind]
    pe = ps = 1
    for s in end:
        pe *= s
    for s in start:
        ps *= s
    if pe != ps:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {pe} != {ps}")
    return one_out(inv(A.reshape(pe, pe)).reshape(end + start), out)


# --- lstsq ------------------------------------------------------------------------------


class LinalgLstsqBackward0(UndefinedGrads, Op):
    save_inputs = (0, 1)
    save_outputs = (0,)

    def forward(self, be, A, B, *, rcond, driver, vector):
        self.vector = vector
        xp = be.xp
        Bm = B[..., None] if vector else B
        from ember._ops.linalg_solve import batch_shapes
        sa, sb = batch_shapes(A, Bm)
        A_, Bm = xp.broadcast_to(A, sa), xp.broadcast_to(Bm, sb)
        X, rank, sv = be.lstsq(A_, Bm, rcond, driver)
        m, n = A.shape[-2:]
        real = xp.abs(A_[..., :0, :0]).dtype
        if m > n and driver != "gelsy" and (rank is None or bool(xp.all(rank == n))):
            r = xp.matmul(A_, X) - Bm
            res = xp.sum((r * xp.conj(r)).real, axis=-2).astype(real)
        else:
            res = xp.zeros((0,), real)
        empty = xp.zeros((0,), real)
        rank = xp.zeros((0,), xp.int64) if rank is None else rank
        sv = empty if sv is None or driver in ("gelsy",) else sv
        return (X[..., 0] if vector else X), res, rank, sv

    def backward(self, gX, gL, _rank, _sv):
        A, B, X = self.saved
        need_A, need_B = self.needs_input_grad
        if self.vector:
            B, X = B.unsqueeze(-1), X.unsqueeze(-1)
        gA = gB = None
        if gX is not None:
            gX = gX.unsqueeze(-1) if self.vector else gX
            pinvA = pinv(A)
            gA = pinv_backward(matmul(gX, mh(B)), pinvA, A) if need_A else None
            gB = matmul(mh(pinvA), gX) if need_B else None
        if gL is not None and gL._arr.size:
            r = matmul(A, X) - B
            gl = gL.unsqueeze(-2)
            if need_A:
                term = 2 * matmul(gl * r, mh(X))
                gA = term if gA is None else gA + term
            if need_B:
                term = -2 * gl * r
                gB = term if gB is None else gB + term
        if self.vector and gB is not None:
            gB = gB.squeeze(-1)
        return gA, gB


def _lstsq_checks(A, B, driver):
    fn = "torch.linalg.lstsq"
    if A.dtype not in _EPS and A.dtype.to_real() not in _EPS:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{fn}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {D.type_name(A.dtype)} and other's dtype "
                           f"{D.type_name(B.dtype)}")
    if A._arr.ndim < 2:
        raise RuntimeError(f"{fn}: input must have at least 2 dimensions.")
    if B._arr.ndim < 1:
        raise RuntimeError(f"{fn}: other must have at least 1 dimension.")
    diff = A._arr.ndim - B._arr.ndim
    if diff not in (0, 1):
        raise RuntimeError(f"{fn}: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    broadcast_shapes(A._arr.shape[:-2], B._arr.shape[:-1 if diff == 1 else -2])
    rows = B._arr.shape[-1] if diff == 1 else B._arr.shape[-2]
    if rows != A._arr.shape[-2]:
        which = -1 if B._arr.ndim == 1 else -2
        raise RuntimeError(f"{fn}: input.size(-2) should match other.size({which})")
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"{fn}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           "gelss)")
    return diff == 1


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B: (solution, residuals, rank, singular_values)."""
    driver = "gelsy" if driver is None else driver
    vector = _lstsq_checks(A, B, driver)
    if rcond is None:
        rcond = _EPS[A.dtype.to_real()] * max(A._arr.shape[-2:])
    X, res, rank, sv = apply(LinalgLstsqBackward0, (A, B), rcond=rcond, driver=driver,
                             vector=vector)
    return R.linalg_lstsq((X, res, rank, sv.detach()))
