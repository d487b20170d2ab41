"""LAPACK kernels behind torch.linalg (CPU backend): NumPy's batched drivers where they
reproduce torch's LAPACK calls, SciPy's LAPACK wrappers where the info codes, pivots or
drivers must be torch's."""
from __future__ import annotations

import ml_dtypes
import numpy as np
import scipy.linalg as sla
from scipy.linalg import lapack

_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


def _lapack(name, a):
    return lapack.get_lapack_funcs(name, (a,))


def _each(a, fn, *others):
    """Stack ``fn(a[i], others[i]...)`` over the batch dims of `a` (others share them)."""
    batch = a.shape[:-2]
    results = [fn(a[i], *(o[i] for o in others)) for i in np.ndindex(batch)]
    if not isinstance(results[0], tuple):
        return np.stack(results).reshape(batch + results[0].shape)
    return tuple(np.stack(r).reshape(batch + np.shape(r[0])) for r in zip(*results))


def _infos(a, name):
    """LAPACK info of factorization `name` (getrf, potrf) of every matrix in `a`."""
    fn = _lapack(name, a)
    if a.size == 0:
        return np.zeros(a.shape[:-2], np.int32)
    return _each(a, lambda m: np.int32(fn(m)[-1]))


def _mh(a):
    return np.conj(np.swapaxes(a, -1, -2))


class NumpyLinalg:
    """Linear algebra kernels mixed into the NumPy backend."""

    @staticmethod
    def lu_factor(a):
        """(LU, 1-based int32 pivots, info) of every matrix (LAPACK getrf)."""
        m, n = a.shape[-2:]
        k = min(m, n)
        if a.size == 0:
            return (a.copy(), np.ones(a.shape[:-2] + (k,), np.int32),
                    np.zeros(a.shape[:-2], np.int32))
        getrf = _lapack("getrf", a)

        def one(x):
            lu, piv, info = getrf(x)
            return lu, (piv[:k] + 1).astype(np.int32), np.int32(info)
        return _each(a, one)

    @staticmethod
    def lu_unpack(lu, piv, unpack_data, unpack_pivots):
        """(P, L, U) from a packed LU and its pivots; empty arrays for what is not unpacked."""
        m, n = lu.shape[-2:]
        k = min(m, n)
        batch = lu.shape[:-2]
        empty = np.empty((0,), lu.dtype)
        if unpack_data:
            L = np.tril(lu[..., :, :k], -1)
            L[..., np.arange(k), np.arange(k)] = 1
            U = np.triu(lu[..., :k, :])
        else:
            L = U = empty
        if not unpack_pivots:
            return empty, L, U
        count = int(np.prod(batch, dtype=np.int64))
        flat = np.broadcast_to(np.arange(m), batch + (m,)).reshape(count, m).copy()
        swaps = piv.reshape(count, piv.shape[-1]).astype(np.int64) - 1
        idx = np.arange(flat.shape[0])
        for i in range(swaps.shape[-1]):          # the k row swaps, in LAPACK's order
            j = swaps[:, i]
            row_i = flat[idx, i].copy()
            flat[idx, i] = flat[idx, j]
            flat[idx, j] = row_i
        P = np.zeros(batch + (m, m), lu.dtype)
        P.reshape(count, m, m)[idx[:, None], flat, np.arange(m)] = 1
        return P, L, U

    @staticmethod
    def inv(a):
        """(inverse, getrf info) of every matrix."""
        try:
            return np.linalg.inv(a), np.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            return NumpyLinalg._solve_lapack(a, np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype),
                                                                a.shape))

    @staticmethod
    def solve(a, b):
        """(A^{-1} B, getrf info) for matrices `a` (..., n, n) and `b` (..., n, k)."""
        try:
            return np.linalg.solve(a, b), np.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            return NumpyLinalg._solve_lapack(a, b)

    @staticmethod
    def _solve_lapack(a, b):
        gesv = _lapack("gesv", a)

        def one(x, y):
            _, _, sol, info = gesv(x, y)
            return sol, np.int32(info)
        return _each(a, one, b)

    @staticmethod
    def det(a):
        return np.asarray(np.linalg.det(a))

    @staticmethod
    def slogdet(a):
        sign, logabs = np.linalg.slogdet(a)
        return np.asarray(sign), np.asarray(logabs)

    @staticmethod
    def cholesky(a, upper):
        """(factor, potrf info); the upper factor reads A's upper triangle, as LAPACK's."""
        src = _mh(a) if upper else a
        try:
            low = np.linalg.cholesky(src)
            info = np.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            info = _infos(src, "potrf")
            low = np.tril(_each(src, lambda m: _lapack("potrf", m)(m, lower=1)[0]))
        return (_mh(low).copy() if upper else low), info

    @staticmethod
    def qr(a, mode):
        if mode == "r":
            return np.empty((0,), a.dtype), np.linalg.qr(a, mode="r")
        q, r = np.linalg.qr(a, mode=mode)
        return q, r

    @staticmethod
    def eigh(a, uplo, compute_v):
        if compute_v:
            w, v = np.linalg.eigh(a, UPLO=uplo)
            return w, v
        return np.linalg.eigvalsh(a, UPLO=uplo)

    @staticmethod
    def eig(a, compute_v):
        cdt = np.result_type(a.dtype, np.complex64)
        if compute_v:
            w, v = np.linalg.eig(a)
            return w.astype(cdt, copy=False), v.astype(cdt, copy=False)
        return np.linalg.eigvals(a).astype(cdt, copy=False)

    @staticmethod
    def svd(a, full_matrices, compute_uv):
        if compute_uv:
            u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
            return u, s, vh
        return np.linalg.svd(a, compute_uv=False)

    @staticmethod
    def solve_triangular(a, b, upper, left, unitriangular):
        """X with op(A) X = B (left) or X A = B, A triangular; broadcast batch dims given."""
        if not left:               # X A = B  <=>  A^T X^T = B^T
            x = NumpyLinalg._trsm(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), not upper,
                                  unitriangular)
            return np.swapaxes(x, -1, -2).copy()
        return NumpyLinalg._trsm(a, b, upper, unitriangular)

    @staticmethod
    def _trsm(a, b, upper, unit):
        if a.size == 0 or b.size == 0:
            return np.zeros(b.shape, np.result_type(a, b))
        return _each(a, lambda m, r: sla.solve_triangular(
            m, r, lower=not upper, unit_diagonal=unit, check_finite=False), b)

    @staticmethod
    def lu_solve(lu, piv, b, left, adjoint):
        """X with op(P L U) X = B (left) or X op(P L U) = B; op is the adjoint if asked."""
        getrs = _lapack("getrs", lu)
        cplx = lu.dtype.kind == "c"
        if left:
            trans, rhs = (2 if cplx else 1) if adjoint else 0, b
        else:                      # X op(A) = B  <=>  op(A)^T X^T = B^T
            trans, rhs = (0 if adjoint else 1), (np.conj(b) if adjoint else b)
            rhs = np.swapaxes(rhs, -1, -2)
        if lu.size == 0 or rhs.size == 0:
            x = np.zeros(rhs.shape, lu.dtype)
        else:
            x = _each(lu, lambda m, p, r: getrs(m, p - 1, r, trans=trans)[0], piv, rhs)
        if left:
            return x
        x = np.swapaxes(x, -1, -2)
        return (np.conj(x) if adjoint else x).copy()

    @staticmethod
    def ldl_factor(a, hermitian):
        """(LD, LAPACK pivots, info) of the lower Bunch-Kaufman factorization."""
        name = "hetrf" if hermitian and a.dtype.kind == "c" else "sytrf"
        fn = _lapack(name, a)
        if a.size == 0:
            return a.copy(), np.zeros(a.shape[:-1], np.int32), np.zeros(a.shape[:-2], np.int32)

        def one(m):
            ld, piv, info = fn(m, lower=1)
            return np.tril(ld), piv.astype(np.int32), np.int32(info)
        return _each(a, one)

    @staticmethod
    def ldl_solve(ld, piv, b, hermitian):
        name = "hetrs" if hermitian and ld.dtype.kind == "c" else "sytrs"
        fn = _lapack(name, ld)
        if ld.size == 0 or b.size == 0:
            return np.zeros(b.shape, ld.dtype)
        return _each(ld, lambda m, p, r: fn(m, p, r, lower=1)[0], piv, b)

    @staticmethod
    def householder_product(v, tau):
        """The first n columns of H_1 ... H_k (LAPACK orgqr / ungqr)."""
        name = "ungqr" if v.dtype.kind == "c" else "orgqr"
        fn = _lapack(name, v)
        k = tau.shape[-1]
        if v.size == 0:
            return v.copy()
        if k == 0:
            eye = np.eye(v.shape[-2], v.shape[-1], dtype=v.dtype)
            return np.broadcast_to(eye, v.shape).copy()
        return _each(v, lambda m, t: fn(m, t)[0], tau)

    @staticmethod
    def cholesky_solve(b, factor, upper):
        fn = _lapack("potrs", factor)
        if factor.size == 0 or b.size == 0:
            return np.zeros(b.shape, factor.dtype)
        return _each(factor, lambda c, r: fn(c, r, lower=0 if upper else 1)[0], b)

    @staticmethod
    def cholesky_inverse(factor, upper):
        if factor.size == 0:
            return factor.copy()
        fn = _lapack("potri", factor)

        def one(c):
            tri = fn(c, lower=0 if upper else 1)[0]
            tri = np.triu(tri) if upper else np.tril(tri)
            full = tri + _mh(tri)
            idx = np.arange(tri.shape[-1])
            full[idx, idx] = tri[idx, idx].real
            return full
        return _each(factor, one)

    @staticmethod
    def matrix_exp(a):
        if a.size == 0:
            return a.copy()
        if a.dtype in _LOW:
            return sla.expm(a.astype(np.float32)).astype(a.dtype)
        return np.asarray(sla.expm(a))

    @staticmethod
    def lstsq(a, b, rcond, driver):
        """(solution, residuals, rank, singular values) per torch's driver rules."""
        m, n = a.shape[-2:]
        batch = a.shape[:-2]
        if driver == "gels":
            gels = _lapack("gels", a)
            rows = max(m, n)
            if rows > m:          # gels returns the solution in the rows of a taller b
                b = np.concatenate([b, np.zeros(b.shape[:-2] + (rows - m, b.shape[-1]),
                                                b.dtype)], axis=-2)
            x = _each(a, lambda x_, y_: gels(x_, y_)[1][:n], b) if a.size else \
                np.zeros(batch + (n, b.shape[-1]), a.dtype)
            return x, None, None
        if a.size == 0 or b.size == 0:
            return (np.zeros(batch + (n, b.shape[-1]), a.dtype), np.zeros(batch, np.int64),
                    np.zeros(batch + (min(m, n),), np.abs(a[..., :0, :0]).dtype))

        def one(x_, y_):
            sol, _, rank, sv = sla.lstsq(x_, y_, cond=rcond, lapack_driver=driver,
                                         check_finite=False)
            if sv is None:
                sv = np.zeros((0,), np.abs(x_[:0, :0]).dtype)
            return sol, np.int64(rank), sv
        return _each(a, one, b)

    @staticmethod
    def pinv(a, atol, rtol, hermitian):
        """Moore-Penrose inverse, dropping singular values <= max(atol, rtol * largest)."""
        if hermitian:
            w, v = np.linalg.eigh(a)
            s = np.abs(w)
            tol = np.maximum(atol[..., None], rtol[..., None] * s.max(-1, keepdims=True,
                                                                     initial=0))
            winv = np.where(s > tol, 1 / np.where(w == 0, 1, w), 0).astype(a.dtype)
            return np.matmul(v * winv[..., None, :], _mh(v))
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        top = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
        tol = np.maximum(atol[..., None], rtol[..., None] * top)
        sinv = np.where(s > tol, 1 / np.where(s == 0, 1, s), 0).astype(a.dtype)
        return np.matmul(_mh(vh) * sinv[..., None, :], _mh(u))

    @staticmethod
    def matrix_rank(a, atol, rtol, hermitian):
        s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
        top = s.max(-1, keepdims=True, initial=0)
        tol = np.maximum(atol[..., None], rtol[..., None] * top)
        return np.asarray((s > tol).sum(-1), np.int64)
