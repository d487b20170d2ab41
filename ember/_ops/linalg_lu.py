"""LU and LDL factorizations: linalg.lu, lu_factor(_ex), torch.lu_unpack and torch.lu,
linalg.ldl_factor(_ex). Pivots are LAPACK's (1-based int32), as torch returns them."""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types as R
from ember._ops._linalg_common import (UndefinedGrads, check_float, check_matrix, check_square,
                                       matmul, mh, not_implemented, out_tuple, raise_info)
from ember._ops._registry import Op, apply
from ember._ops.join import cat
from ember._ops.tri import tril, triu

__all__ = ["lu_unpack", "lu"]
FUNCTIONS_ONLY = frozenset({"lu_unpack"})


def _solve_tri(A, B, upper, left=True, unitriangular=False):
    from ember._ops.linalg_solve import solve_triangular
    return solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular)


def linalg_lu_backward(gL, gU, P, L, U):
    """torch's linalg_lu_backward: the gradient of A = P L U from those of L and U."""
    if gL is None and gU is None:
        return None
    m, n = L._arr.shape[-2], U._arr.shape[-1]
    k = min(m, n)
    if m == n:
        gA = tril(matmul(mh(L), gL), -1) if gL is not None else None
        if gU is not None:
            upper = triu(matmul(gU, mh(U)))
            gA = upper if gA is None else gA + upper
        gA = _solve_tri(mh(U), gA, upper=False, left=False)
        gA = _solve_tri(mh(L), gA, upper=True, left=True, unitriangular=True)
        return matmul(P, gA)
    if m < n:
        U1 = U.narrow(-1, 0, k)
        gA = matmul(mh(L), gL) if gL is not None else None
        if gU is not None:
            term = matmul(triu(gU), mh(U))
            gA = -term if gA is None else gA - term
        gA = _solve_tri(mh(U1), tril(gA, -1), upper=False, left=False)
        if gU is not None:
            gA = cat([gA + triu(gU.narrow(-1, 0, k)), gU.narrow(-1, k, n - k)], -1)
        gA = _solve_tri(mh(L), gA, upper=True, left=True, unitriangular=True)
        if gU is None:
            gA = cat([gA, gA.new_zeros(U.narrow(-1, k, n - k)._arr.shape)], -1)
        return matmul(P, gA)
    L1 = L.narrow(-2, 0, k)
    gA = matmul(gU, mh(U)) if gU is not None else None
    if gL is not None:
        term = matmul(mh(L), tril(gL, -1))
        gA = -term if gA is None else gA - term
    gA = _solve_tri(mh(L1), triu(gA), upper=True, left=True, unitriangular=True)
    if gL is not None:
        gA = cat([gA + tril(gL.narrow(-2, 0, k), -1), gL.narrow(-2, k, m - k)], -2)
    gA = _solve_tri(mh(U), gA, upper=False, left=False)
    if gL is None:
        gA = cat([gA, gA.new_zeros(L.narrow(-2, k, m - k)._arr.shape)], -2)
    return matmul(P, gA)


class LinalgLuFactorExBackward0(Op):
    save_outputs = (0, 1)

    def forward(self, be, A):
        return be.lu_factor(A)

    def backward(self, gLU, _pivots, _info):
        LU, pivots = self.saved
        P, L, U = lu_unpack(LU, pivots)
        m, n = LU._arr.shape[-2:]
        k = min(m, n)
        return linalg_lu_backward(gLU.narrow(-1, 0, k), gLU.narrow(-2, 0, k), P, L, U)


class LinalgLuBackward0(UndefinedGrads, Op):
    save_outputs = (0, 1, 2)

    def forward(self, be, A):
        lu_, piv, _ = be.lu_factor(A)
        return be.lu_unpack(lu_, piv, True, True)

    def backward(self, _gP, gL, gU):
        P, L, U = self.saved
        return linalg_lu_backward(gL, gU, P, L, U)


class LuUnpackBackward0(UndefinedGrads, Op):
    def forward(self, be, lu_, piv, *, unpack_data, unpack_pivots):
        self.size = lu_.shape[-2:]
        return be.lu_unpack(lu_, piv, unpack_data, unpack_pivots)

    def backward(self, _gP, gL, gU):
        if gL is None and gU is None:
            return None, None
        return lu_unpack_backward(gL, gU, *self.size), None


def lu_unpack_backward(gL, gU, m, n):
    k = min(m, n)
    if gL is not None and gU is not None:
        if m == n:
            return tril(gL, -1) + triu(gU)
        A1 = tril(gL.narrow(-2, 0, k), -1) + triu(gU.narrow(-1, 0, k))
        if m > n:
            return cat([A1, gL.narrow(-2, k, m - k)], -2)
        return cat([A1, gU.narrow(-1, k, n - k)], -1)
    if gL is not None:
        low = tril(gL, -1)
        return low if m >= n else cat([low, low.new_zeros(low._arr.shape[:-1] + (n - m,))], -1)
    up = triu(gU)
    if n >= m:
        return up
    return cat([up, up.new_zeros(up._arr.shape[:-2] + (m - n, n))], -2)


def _lu_checks(A, pivot, fn):
    if A._arr.ndim < 2:
        raise RuntimeError(f"{fn}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A._arr.shape)} instead")
    not_implemented("lu_cpu", A)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): the packed LU factorization and LAPACK's info code."""
    _lu_checks(A, pivot, "torch.lu_factor")
    LU, pivots, info = apply(LinalgLuFactorExBackward0, (A,))
    if check_errors:
        raise_info(info, _zero_pivot, "torch.linalg.lu_factor_ex")
    return out_tuple((LU, pivots, info), out, R.linalg_lu_factor_ex)


def _zero_pivot(code):
    return (f"U[{code},{code}] is zero and using it on lu_solve would result in a division by "
            "zero. If you still want to perform the factorization, consider calling "
            "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots); raises if a pivot of U is zero."""
    _lu_checks(A, pivot, "torch.lu_factor")
    LU, pivots, info = apply(LinalgLuFactorExBackward0, (A,))
    raise_info(info, _zero_pivot, "torch.linalg.lu_factor", RuntimeError)
    return out_tuple((LU, pivots), out, R.linalg_lu_factor)


def linalg_lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U."""
    _lu_checks(A, pivot, "linalg.lu")
    P, L, U = apply(LinalgLuBackward0, (A,))
    return out_tuple((P.detach(), L, U), out, R.linalg_lu)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from lu_factor's packed result (empty tensors for what is not unpacked)."""
    P, L, U = apply(LuUnpackBackward0, (LU_data, LU_pivots), unpack_data=unpack_data,
                    unpack_pivots=unpack_pivots)
    return out_tuple((P.detach(), L, U), out, R.lu_unpack)


def lu(A, pivot=True, get_infos=False, out=None):
    """Legacy torch.lu: (LU, pivots) or (LU, pivots, infos)."""
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    result = (LU, pivots, info) if get_infos else (LU, pivots)
    return out_tuple(result, out)


class _LdlNotImplemented(Op):
    """LDL factor/solve: torch records a node with no derivative."""

    def forward(self, be, *arrays, kernel, hermitian):
        return getattr(be, kernel)(*arrays, hermitian)

    def backward(self, *grads):
        raise RuntimeError(f"derivative for aten::{self.torch_name} is not implemented")


# NOTE(torch): torch records these under a node class literally named "NotImplemented"
_LdlNotImplemented.__name__ = _LdlNotImplemented.__qualname__ = "NotImplemented"


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """(LD, pivots, info): the Bunch-Kaufman LDL^T (or LDL^H) factorization."""
    fn = "torch.linalg.ldl_factor_ex"
    check_square(A, fn)
    check_float(A, fn)
    not_implemented("ldl_factor_kernel_cpu", A)
    LD, pivots, info = apply(_LdlNotImplemented, (A,), kernel="ldl_factor", hermitian=hermitian)
    if LD.grad_fn is not None:
        LD.grad_fn.torch_name = "linalg_ldl_factor_ex"
    if check_errors:
        raise_info(info, lambda c: f"Unknown error code: {c}.", "torch.linalg.ldl_factor_ex",
                   RuntimeError)
    return out_tuple((LD, pivots, info), out, R.linalg_ldl_factor_ex)


def ldl_factor(A, *, hermitian=False, out=None):
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    raise_info(info, lambda c: f"Unknown error code: {c}.", "torch.linalg.ldl_factor",
               RuntimeError)
    return out_tuple((LD, pivots), out, R.linalg_ldl_factor)


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """Solve A X = B from ldl_factor's result."""
    fn = "torch.linalg.ldl_solve"
    check_square(LD, fn, "LD")
    check_matrix(B, fn, "B")
    if LD.dtype is not B.dtype:
        raise RuntimeError(f"{fn}: Expected LD and B to have the same dtype, but found LD of "
                           f"type {D.type_name(LD.dtype)} and B of type {D.type_name(B.dtype)} "
                           "instead")
    from ember._ops.linalg_solve import broadcast_batch
    LD_, B_ = broadcast_batch(LD, B)
    piv = pivots.expand(LD_._arr.shape[:-1])
    X = apply(_LdlNotImplemented, (LD_, piv, B_), kernel="ldl_solve", hermitian=hermitian)
    if X.grad_fn is not None:
        X.grad_fn.torch_name = "linalg_ldl_solve"
    return X if out is None else out_tuple((X,), (out,))[0]
