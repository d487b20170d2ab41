"""Determinants and rank: linalg.det, slogdet, torch.logdet and matrix_rank. det's gradient
is torch's: a solve with A^H, through the SVD (the adjugate) for singular matrices when a
second derivative is being built."""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types as R
from ember._ops._linalg_common import (UndefinedGrads, check_float, check_square, matmul, mh,
                                       not_implemented, one_out, out_tuple)
from ember._ops._registry import Op, apply
from ember._ops.join import cat
from ember._ops.tri import diag_embed
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["det", "logdet", "slogdet"]

_EPS = {D.float32: 1.1920928955078125e-07, D.float64: 2.220446049250313e-16}


def _solve(A, B):
    from ember._ops.linalg_solve import solve
    return solve(A, B)


def _diag_of(v, like):
    """Matrices shaped as `like` with scalar `v` (batch) repeated on the diagonal."""
    return diag_embed(v.unsqueeze(-1).expand(like._arr.shape[:-1]))


class LinalgDetBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, A):
        return be.det(A)

    def backward(self, g):
        A, det = self.saved
        if A._arr.size == 0:
            return None
        dc = det.conj() if det.dtype.is_complex else det
        d = _diag_of(g * dc, A)
        if not GRAD.grad:
            return _perturbed_solve(A, d)
        eps = _EPS[A.dtype.to_real()]
        singular = (det.abs() < 100 * eps)._arr
        if not singular.any():
            return _solve(mh(A), d)
        if singular.all():
            return _singular_grad(A, g)
        return _masked(singular, A, d, g)


def _perturbed_solve(A, d):
    """A^{-H} d through A's LU, zero pivots nudged to eps (torch's first-order path)."""
    be = A._be
    xp = be.xp
    lu_, piv, _ = be.lu_factor(A._arr)
    eps = _EPS[A.dtype.to_real()]
    diag = xp.diagonal(lu_, 0, -2, -1)
    n = lu_.shape[-1]
    lu_ = lu_ + xp.where(diag == 0, eps, 0)[..., None] * xp.eye(n, dtype=lu_.dtype)
    x = be.lu_solve(lu_, piv, d._arr, True, True)
    return _wrap(x, A.dtype, be)


def _singular_grad(A, g):
    """The adjugate: U diag(alpha * prod_{j != k} s_j) Vh, alpha = conj(det U det Vh) g."""
    from ember._ops.linalg_decomp import linalg_svd
    U, S, Vh = linalg_svd(A)
    alpha = det(U) * det(Vh)
    alpha = (alpha.conj() if alpha.dtype.is_complex else alpha) * g
    Dk = alpha.unsqueeze(-1) * prod_others(S)
    return matmul(U * Dk.unsqueeze(-2), Vh)


def _masked(mask, A, d, g):
    """torch's masked_fmap: the singular formula where `mask`, the solve elsewhere."""
    from ember._ops._linalg_common import const
    m = const(A, mask, D.bool)
    keep = const(A, ~mask, D.bool)
    out = A.new_zeros(A._arr.shape)
    out = out.index_put((m,), _singular_grad(A[m], g[m]))
    return out.index_put((keep,), _solve(mh(A[keep]), d[keep]))


def prod_others(s):
    """out[..., k] = prod_{j != k} s[..., j], by exclusive cumulative products from both
    ends (torch's prod_safe_zeros_backward, so zeros in `s` are fine)."""
    n = s._arr.shape[-1]
    ones = s.new_ones(s._arr.shape[:-1] + (1,))
    before = cat([ones, s.narrow(-1, 0, n - 1)], -1).cumprod(-1)
    after = cat([ones, s.narrow(-1, 1, n - 1).flip(-1)], -1).cumprod(-1).flip(-1)
    return before * after


def _det_checks(A, fn):
    check_square(A, fn)
    check_float(A, fn)
    not_implemented("lu_cpu", A)


def linalg_det(A, *, out=None):
    """The determinant of square matrices."""
    _det_checks(A, "linalg.det")
    return one_out(apply(LinalgDetBackward0, (A,)), out)


def det(input):
    return linalg_det(input)


class LinalgSlogdetBackward0(UndefinedGrads, Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, A):
        return be.slogdet(A)

    def backward(self, g_sign, g_logabs):
        A, sign = self.saved
        has_sign, has_abs = g_sign is not None, g_logabs is not None
        if not A.dtype.is_complex:
            return _solve(mh(A), _diag_of(g_logabs, A)) if has_abs else None
        if not has_sign and not has_abs:
            return None
        g = g_logabs.to(A.dtype) if has_abs else None
        if has_sign:
            term = -1j * (g_sign.conj() * sign).imag
            g = term if g is None else g + term
        return _solve(mh(A), _diag_of(g, A))


def _slogdet(A, fn):
    check_square(A, fn)
    check_float(A, fn, low_ok=False)
    return apply(LinalgSlogdetBackward0, (A,))


def linalg_slogdet(A, *, out=None):
    """(sign, log|det|): the determinant without overflow."""
    return out_tuple(_slogdet(A, "linalg.slogdet"), out, R.linalg_slogdet)


def slogdet(input, *, out=None):
    return out_tuple(_slogdet(input, "linalg.slogdet"), out, R.slogdet)


def logdet(input):
    """log(det(A)): NaN for a negative determinant of a real matrix."""
    from ember._ops.where import where
    sign, logabs = _slogdet(input, "logdet")
    if input.dtype.is_complex:
        return sign.log() + logabs
    return where(sign == -1, float("nan"), logabs)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The number of singular values above max(atol, rtol * largest)."""
    if A.dtype not in _EPS and A.dtype.to_real() not in _EPS:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A._arr.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least "
                           "2 dimensions.")
    if tol is not None:
        atol, rtol = tol, 0.0
    from ember._ops.linalg_inverse import tolerances
    atol, rtol = tolerances(A, atol, rtol)
    be = A._be
    xp = be.xp
    batch = A._arr.shape[:-2]
    arrays = [xp.broadcast_to(xp.asarray(t._arr if hasattr(t, "_arr") else t, xp.float64), batch)
              for t in (atol, rtol)]
    if A._arr.size == 0:
        result = xp.zeros(batch, xp.int64)
    else:
        result = be.matrix_rank(A._arr, *arrays, hermitian)
    return one_out(_wrap(result, D.int64, be), out)
