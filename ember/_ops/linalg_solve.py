"""Linear solvers: linalg.solve(_ex), solve_triangular, lu_solve, tensorsolve and the legacy
torch.triangular_solve, cholesky_solve and lu_solve. Batch dims broadcast; backwards are
torch's (G_B = A^{-H} G_X, G_A = -G_B X^H, projected onto the triangles where needed)."""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types as R
from ember._errors import broadcast_shapes
from ember._ops._linalg_common import (UndefinedGrads, check_float, check_matrix, check_square,
                                       is_vector_rhs, matmul, mh, not_implemented, one_out,
                                       out_tuple, raise_info, warn_once)
from ember._ops._registry import Op, apply
from ember._ops.tri import tril, triu

__all__ = ["triangular_solve", "cholesky_solve", "lu_solve"]


def batch_shapes(A, B):
    """(A's, B's) shapes with their batch dims broadcast together."""
    batch = broadcast_shapes(A.shape[:-2], B.shape[:-2])
    return batch + A.shape[-2:], batch + B.shape[-2:]


def _bcast(xp, A, B):
    sa, sb = batch_shapes(A, B)
    return xp.broadcast_to(A, sa), xp.broadcast_to(B, sb)


def broadcast_batch(A, B):
    """Tensors `A`, `B` expanded to a common batch shape (views)."""
    sa, sb = batch_shapes(A._arr, B._arr)
    return (A if A._arr.shape == sa else A.expand(sa)), (B if B._arr.shape == sb else
                                                        B.expand(sb))


def _same_dtype(A, B, fn, a="A", b="B"):
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{fn}: Expected {a} and {b} to have the same dtype, but found {a} of "
                           f"type {D.type_name(A.dtype)} and {b} of type "
                           f"{D.type_name(B.dtype)} instead")


def _check_shapes(A, B, left, fn):
    n = A._arr.shape[-1]
    rows, cols = B._arr.shape[-2:]
    if (rows if left else cols) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {rows}x{cols})")


# --- solve ------------------------------------------------------------------------------


class LinalgSolveExBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, A, B, *, left, vector):
        self.left, self.vector = left, vector
        xp = be.xp
        Bm = B[..., None] if vector else B
        A_, Bm = _bcast(xp, A, Bm)
        if left:
            X, info = be.solve(A_, Bm)
        else:
            Xt, info = be.solve(xp.swapaxes(A_, -1, -2), xp.swapaxes(Bm, -1, -2))
            X = xp.swapaxes(Xt, -1, -2).copy()
        return (X[..., 0] if vector else X), info

    def backward(self, gX, _info):
        A, X = self.saved
        need_A, need_B = self.needs_input_grad
        if self.vector:
            gX, X = gX.unsqueeze(-1), X.unsqueeze(-1)
        gB = solve(mh(A), gX, left=self.left)
        gA = None
        if need_A:
            gA = -matmul(gB, mh(X)) if self.left else -matmul(mh(X), gB)
        if not need_B:
            gB = None
        elif self.vector:
            gB = gB.squeeze(-1)
        return gA, gB


def _solve_ex(A, B, left):
    fn = "linalg.solve"
    check_square(A, fn)
    check_float(A, fn)
    _same_dtype(A, B, fn)
    not_implemented("lu_cpu", A)
    vector = is_vector_rhs(A, B)
    _check_shapes(A, B.unsqueeze(-1) if vector else B, left, fn)
    return apply(LinalgSolveExBackward0, (A, B), left=left, vector=vector)


def _singular(code):
    return "The solver failed because the input matrix is singular."


def solve(A, B, *, left=True, out=None):
    """X with A X = B (or X A = B when ``left=False``); B may be a (batch of) vector(s)."""
    X, info = _solve_ex(A, B, left)
    raise_info(info, _singular, "torch.linalg.solve")
    return one_out(X, out)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    X, info = _solve_ex(A, B, left)
    if check_errors:
        raise_info(info, _singular, "torch.linalg.solve_ex")
    return out_tuple((X, info), out, R.linalg_solve_ex)


# --- triangular -------------------------------------------------------------------------


class LinalgSolveTriangularBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, A, B, *, upper, left, unitriangular):
        self.upper, self.left, self.unit = upper, left, unitriangular
        A_, B_ = _bcast(be.xp, A, B)
        return be.solve_triangular(A_, B_, upper, left, unitriangular)

    def backward(self, g):
        A, X = self.saved
        need_A, need_B = self.needs_input_grad
        gB = solve_triangular(mh(A), g, upper=not self.upper, left=self.left,
                              unitriangular=self.unit)
        gA = None
        if need_A:
            gA = -matmul(gB, mh(X)) if self.left else -matmul(mh(X), gB)
            gA = triu(gA, int(self.unit)) if self.upper else tril(gA, -int(self.unit))
        return gA, (gB if need_B else None)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (or X A = B) for triangular A; only A's `upper`/lower part is read."""
    fn = "linalg.solve_triangular"
    check_square(A, fn)
    check_matrix(B, fn, "B")
    _same_dtype(A, B, fn)
    not_implemented("triangular_solve_cpu", A)
    _check_shapes(A, B, left, fn)
    result = apply(LinalgSolveTriangularBackward0, (A, B), upper=upper, left=left,
                   unitriangular=unitriangular)
    return one_out(result, out)


class TriangularSolveBackward0(UndefinedGrads, Op):
    save_inputs = (1,)
    save_outputs = (0,)

    def forward(self, be, b, A, *, upper, transpose, unitriangular):
        self.upper, self.transpose, self.unit = upper, transpose, unitriangular
        xp = be.xp
        A_, b_ = _bcast(xp, A, b)
        op_a = xp.swapaxes(A_, -1, -2) if transpose else A_
        X = be.solve_triangular(op_a, b_, upper != transpose, True, unitriangular)
        return X, A_.copy()

    def backward(self, gX, gM):
        A, X = self.saved
        need_b, need_A = self.needs_input_grad
        if gX is None:
            return None, gM
        grad_b = grad_A = None
        Ac = A.conj() if A.dtype.is_complex else A
        gb = _triangular(gX, Ac, self.upper, not self.transpose, self.unit)
        if need_A:
            Xc = X.conj() if X.dtype.is_complex else X
            grad_A = -matmul(Xc, gb.mT) if self.transpose else -matmul(gb, mh(X))
            grad_A = triu(grad_A, int(self.unit)) if self.upper else tril(grad_A, -int(self.unit))
            if gM is not None:
                grad_A = grad_A + gM
        if need_b:
            grad_b = gb
        return grad_b, grad_A


def _triangular(b, A, upper, transpose, unit):
    return apply(TriangularSolveBackward0, (b, A), upper=upper, transpose=transpose,
                 unitriangular=unit)[0]


def _solver_checks(b, A, fn):
    if b._arr.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {b._arr.ndim} "
                           "dimensions instead")
    if A._arr.ndim < 2:
        raise RuntimeError(f"A should have at least 2 dimensions, but has {A._arr.ndim} "
                           "dimensions instead")
    if A.dtype is not b.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{D.type_name(b.dtype)} and A of type {D.type_name(A.dtype)} "
                           "instead.")
    n = A._arr.shape[-1]
    if A._arr.shape[-2] != n:
        raise RuntimeError(f"A must be batches of square matrices, but they are "
                           f"{A._arr.shape[-2]} by {n} matrices")
    if b._arr.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {fn}: each A matrix is {n} by {n} "
                           f"but each b matrix is {b._arr.shape[-2]} by {b._arr.shape[-1]}")


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Deprecated: (solution of op(A) X = b, a copy of A) for triangular A."""
    warn_once(
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand "
        "will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\nX = "
        "torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
        "torch.linalg.solve_triangular(A, B).")
    _solver_checks(b, A, "triangular_solve")
    not_implemented("triangular_solve_cpu", A)
    result = apply(TriangularSolveBackward0, (b, A), upper=upper, transpose=transpose,
                   unitriangular=unitriangular)
    return out_tuple(result, out, R.triangular_solve)


# --- cholesky_solve ---------------------------------------------------------------------


class CholeskySolveBackward0(Op):
    save_inputs = (1,)
    save_outputs = (0,)

    def forward(self, be, b, L, *, upper):
        self.upper = upper
        L_, b_ = _bcast(be.xp, L, b)
        return be.cholesky_solve(b_, L_, upper)

    def backward(self, g):
        L, X = self.saved
        need_b, need_L = self.needs_input_grad
        grad_b = cholesky_solve(g, L, self.upper)
        grad_L = None
        if need_L:
            common = matmul(grad_b, mh(X))
            common = common + mh(common)
            grad_L = -matmul(L, common) if self.upper else -matmul(common, L)
        return (grad_b if need_b else None), grad_L


def cholesky_solve(B, L, upper=False, *, out=None):
    """X with A X = B, given A's Cholesky factor L (or U with ``upper=True``)."""
    _solver_checks(B, L, "cholesky_solve")
    not_implemented("cholesky_solve_cpu", L)
    return one_out(apply(CholeskySolveBackward0, (B, L), upper=upper), out)


# --- lu_solve ---------------------------------------------------------------------------


class LinalgLuSolveBackward0(Op):
    save_inputs = (0, 1)
    save_outputs = (0,)

    def forward(self, be, LU, pivots, B, *, left, adjoint):
        self.left, self.adjoint = left, adjoint
        xp = be.xp
        LU_, B_ = _bcast(xp, LU, B)
        piv = xp.broadcast_to(pivots, LU_.shape[:-1])
        return be.lu_solve(LU_, piv, B_, left, adjoint)

    def backward(self, g):
        LU, pivots, X = self.saved
        need_LU, _, need_B = self.needs_input_grad
        gB = linalg_lu_solve(LU, pivots, g, left=self.left, adjoint=not self.adjoint) \
            if need_B else None
        gLU = lu_solve_LU_grad(g, LU, pivots, X, self.left, self.adjoint) if need_LU else None
        return gLU, None, gB


def lu_solve_LU_grad(gX, LU, pivots, X, left, adjoint):
    """torch's linalg_lu_solve_LU: the gradient with respect to the packed LU."""
    from ember._ops.linalg_lu import lu_unpack
    P, L, U = lu_unpack(LU, pivots, True, left == adjoint)
    if left != adjoint:
        gR = solve_triangular(mh(U), -matmul(gX if left else mh(gX), mh(X) if left else X),
                              upper=False)
        gL = tril(solve_triangular(mh(L), matmul(gR, mh(U)), upper=True, unitriangular=True),
                  -1)
        return gL + triu(gR)
    gR = -matmul(matmul(matmul(P.mT, X if left else mh(X)), mh(gX) if left else gX), P)
    gR = solve_triangular(mh(L), gR, upper=True, left=False, unitriangular=True)
    gU = triu(solve_triangular(mh(U), matmul(mh(L), gR), upper=False, left=False))
    return tril(gR, -1) + gU


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with op(A) X = B (or X op(A) = B) from lu_factor's (LU, pivots)."""
    fn = "linalg.lu_solve"
    check_square(LU, fn, "LU")
    check_matrix(B, fn, "B")
    _same_dtype(LU, B, fn, "LU", "B")
    _check_shapes(LU, B, left, fn)
    return one_out(apply(LinalgLuSolveBackward0, (LU, pivots, B), left=left, adjoint=adjoint),
                   out)


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """Deprecated torch.lu_solve(b, LU, pivots)."""
    warn_once(
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in "
        "a future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments "
        "reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = "
        "torch.linalg.lu_solve(LU, pivots, B)")
    return linalg_lu_solve(LU_data, LU_pivots, b, out=out)


# --- tensorsolve ------------------------------------------------------------------------


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B."""
    nd = A._arr.ndim
    if dims is not None:
        dims = tuple(dims)
        A = A.movedim(dims, tuple(range(nd - len(dims), nd)))
    result_shape = A._arr.shape[B._arr.ndim:]
    rp = bp = 1
    for s in result_shape:
        rp *= s
    for s in B._arr.shape:
        bp *= s
    if rp != bp:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) "
                           f"== prod(self.shape[:other.ndim]), but got {rp} != {bp}")
    X = solve(A.reshape(rp, rp), B.flatten())
    return one_out(X.reshape(result_shape), out)

