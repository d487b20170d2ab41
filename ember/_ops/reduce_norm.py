"""The legacy norms: norm (torch.norm), dist, renorm.

torch.norm dispatches to linalg.vector_norm (numbers and 'fro' over at most two dims) or
linalg.matrix_norm ('nuc', or 'fro' over more dims), so its nodes are theirs.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._registry import Op, apply

__all__ = ["norm", "dist", "renorm"]


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The p-norm over `dim` (all elements by default): numbers give vector norms, 'fro' the
    Frobenius norm and 'nuc' the nuclear norm of matrices."""
    from ember._ops import linalg_norms as L
    dims = [dim] if isinstance(dim, int) else dim
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return L.vector_norm(input, 2, dims, keepdim, dtype=dtype, out=out)
        if dims is None:
            dims = list(range(input._arr.ndim))
        return L.matrix_norm(input, p, dims, keepdim, dtype=dtype, out=out)
    return L.vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype=dtype, out=out)


class DistBackward0(Op):
    save_inputs = (0, 1)
    save_outputs = (0,)

    def forward(self, be, x, y, *, p):
        self.p = p
        diff = x - y
        return be.pnorm(diff, p, tuple(range(diff.ndim)), False)

    def backward(self, g):
        from ember._ops.linalg_norms import norm_backward
        x, y, result = self.saved
        diff = x - y
        grad = norm_backward(g, diff, self.p, result, tuple(range(diff._arr.ndim)), False)
        return grad, -grad


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast)."""
    for t in (input, other):
        if t.dtype.category < D.FLOAT:
            if input.dtype is D.bool and other.dtype is D.bool:
                raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is "
                                   "not supported. Use the `^` or `logical_xor()` operator "
                                   "instead.")
            raise RuntimeError("norm(): input dtype should be either floating point or "
                               f"complex. Got {D.type_name(t.dtype)} instead.")
    dt = D.promote_types(input.dtype, other.dtype)
    return apply(DistBackward0, (input.to(dt), other.to(dt)), p=float(p))


class RenormBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, x, *, p, dim, maxnorm):
        self.p, self.dim, self.maxnorm = p, dim, maxnorm
        return be.renorm(x, p, dim, maxnorm)

    def backward(self, g):
        from ember._ops.linalg_norms import norm_backward, vector_norm
        from ember._ops.where import where
        (x,) = self.saved
        dims = tuple(d for d in range(x._arr.ndim) if d != self.dim)
        acc = D.float32 if x.dtype in (D.float16, D.bfloat16) else None
        norm = vector_norm(x, self.p, dims, True, dtype=acc)
        go = x.conj() * g
        if go.is_complex():
            go = go.real
        go = go.sum(dims, keepdim=True, dtype=norm.dtype)
        nb = norm_backward(go, x, self.p, norm, dims, True)
        inv = (norm + 1e-7).reciprocal()
        factor = inv * self.maxnorm
        return where(norm > self.maxnorm, factor * g - (factor * inv) * nb, g)


def _renorm_checks(input, p, dim, maxnorm):
    """torch's renorm checks; the wrapped dim."""
    from ember._errors import wrap_dim
    if input.dtype.category < D.FLOAT:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {D.type_name(input.dtype)}")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input._arr.ndim <= 1:
        raise RuntimeError("renorm: input needs at least 2 dimensions, got "
                           f"{input._arr.ndim} dimensions")
    return wrap_dim(dim, input._arr.ndim)


def renorm(input, p, dim, maxnorm):
    """Each slice along `dim` whose p-norm exceeds `maxnorm` rescaled to norm `maxnorm`."""
    d = _renorm_checks(input, p, dim, maxnorm)
    return apply(RenormBackward0, (input,), p=float(p), dim=d, maxnorm=float(maxnorm))


def renorm_(self, p, dim, maxnorm):
    from ember._ops._registry import apply_inplace
    d = _renorm_checks(self, p, dim, maxnorm)
    return apply_inplace(RenormBackward0, (self,), p=float(p), dim=d, maxnorm=float(maxnorm))


METHODS = {"renorm_": renorm_}
