"""Norms: linalg.vector_norm (a primitive with torch's norm_backward), matrix_norm and
norm (torch's compositions over it, amax/amin and svdvals), and cond."""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._linalg_common import check_float, check_matrix, check_square, one_out
from ember._ops._registry import Op, apply
from ember._ops.reduce import keep_shape, reduce_dims

__all__: list = []


def _ord_text(ord):
    if isinstance(ord, float) and ord.is_integer() and not math.isinf(ord):
        return str(int(ord))
    return str(ord)


class LinalgVectorNormBackward0(Op):
    """The `ord`-norm of `x` over `dims`; half precision computes in float32."""

    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x, *, ord, dims, keepdim):
        self.ord, self.dims, self.keepdim = ord, dims, keepdim
        xp = be.xp
        out_dt = be.np_dtype(be.dtype_of(x).to_real())
        a = xp.abs(x.astype(xp.float32) if x.dtype.itemsize == 2 else x)
        if ord == 0:
            r = xp.sum(a != 0, axis=dims, keepdims=keepdim, dtype=a.dtype)
        elif ord == math.inf:
            r = xp.max(a, axis=dims, keepdims=keepdim) if a.size else \
                xp.zeros(keep_shape(a.shape, dims) if keepdim else _drop(a.shape, dims), a.dtype)
        elif ord == -math.inf:
            r = xp.min(a, axis=dims, keepdims=keepdim)
        elif ord == 1:
            r = xp.sum(a, axis=dims, keepdims=keepdim)
        elif ord == 2:
            r = xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))
        else:
            r = xp.power(xp.sum(xp.power(a, ord), axis=dims, keepdims=keepdim), 1.0 / ord)
        return xp.asarray(r).astype(out_dt, copy=False)

    def backward(self, g):
        x, norm = self.saved
        return norm_backward(g, x, self.ord, norm, self.dims, self.keepdim)


def _drop(shape, dims):
    return tuple(s for d, s in enumerate(shape) if d not in dims)


def norm_backward(g, x, p, norm, dims, keepdim):
    """torch's norm_backward: the gradient of the `p`-norm of `x` over `dims`."""
    if not keepdim and x._arr.ndim:
        shape = keep_shape(x._arr.shape, dims)
        g, norm = g.reshape(shape), norm.reshape(shape)
    if p == 0:
        return x.new_zeros(x._arr.shape)
    if p == 1:
        return x.sgn() * g
    if p == 2:
        return g * (x / norm).masked_fill(norm == 0, 0)
    if math.isinf(p):
        a = x.abs()
        mask = (a == norm) | (a != a)
        return x.sgn() * ((g / mask.sum(list(dims), True)) * mask)
    if p < 1:
        scaled = x.sgn() * x.abs().pow(p - 1).masked_fill(x == 0, 0)
        return scaled * g * norm.pow(1 - p)
    scaled = x.sgn() * x.abs().pow(p - 1) if p < 2 else x * x.abs().pow(p - 2)
    return scaled * (g / norm.pow(p - 1)).masked_fill(norm == 0, 0)


class NormBackward1(LinalgVectorNormBackward0):
    """torch.norm(input, p, dim) as pairwise_distance calls it."""


def check_norm_dtype(dtype, input_dtype, fn):
    if dtype is None:
        return
    if dtype.category < D.FLOAT:
        raise RuntimeError(f"{fn}: dtype should be floating point or complex, but got "
                           f"{D.type_name(dtype)}")
    if dtype.is_complex != input_dtype.is_complex:
        kind = "complex" if input_dtype.is_complex else "real"
        raise RuntimeError(f"{fn}: dtype should be {kind} for {kind} inputs, but got "
                           f"{D.type_name(dtype)}")
    if D.promote_types(input_dtype, dtype) is not dtype:
        raise RuntimeError(f"{fn}: the dtype of the input ({D.type_name(input_dtype)}) should be "
                           "convertible without narrowing to the specified dtype "
                           f"({D.type_name(dtype)})")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The `ord`-norm of `x` seen as a vector over `dim` (all dims by default)."""
    return one_out(apply_vector_norm(LinalgVectorNormBackward0, x, ord, dim, keepdim, dtype),
                   out)


def apply_vector_norm(cls, x, ord, dim, keepdim, dtype):
    """Node `cls` computing vector_norm, after torch's checks (torch.norm records its own)."""
    check_float(x, "linalg.vector_norm")
    check_norm_dtype(dtype, x.dtype, "linalg.vector_norm")
    ord = float(ord)
    if isinstance(dim, int):
        dim = (dim,)
    dims = reduce_dims(dim, x._arr.ndim) if x._arr.ndim else ()
    if x._arr.size == 0 and (ord < 0 or ord == math.inf):
        if dim is None or not len(dim):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm on "
                               "an empty tensor because the operation does not have an identity")
        for d in dim:
            if x._arr.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm "
                                   f"on the dimension {d}because this dimension is empty and "
                                   "the operation does not have an identity")
    src = x if dtype is None or dtype is x.dtype else x.to(dtype)
    return apply(cls, (src,), ord=ord, dims=dims, keepdim=keepdim)


def _extremum(x, ord, dim, keepdim):
    if ord > 0 and x._arr.shape[dim] == 0:     # a norm of nothing is 0 (amax would refuse)
        shape = list(x._arr.shape)
        if keepdim:
            shape[dim] = 1
        else:
            del shape[dim]
        return x.new_zeros(shape)
    return x.amax(dim, keepdim) if ord > 0 else x.amin(dim, keepdim)


def _backshift(d0, d1, n):
    """The permutation moving dims d0, d1 to the end."""
    return [d for d in range(n) if d not in (d0, d1)] + [d0, d1]


def _matrix_norm_checks(A, dim, dtype, low_ok):
    check_matrix(A, "linalg.matrix_norm")
    check_float(A, "linalg.matrix_norm", low_ok=low_ok)
    if isinstance(dim, int) or len(dim) != 2:
        shown = dim if isinstance(dim, int) else list(dim)
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {shown}")
    d0, d1 = (wrap_dim(d, A._arr.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    check_norm_dtype(dtype, A.dtype, "linalg.matrix_norm")
    return d0, d1


def _svd_based(A, d0, d1, keepdim, dtype, reduce):
    from ember._ops.linalg_decomp import svdvals
    src = A if dtype is None else A.to(dtype)
    perm = _backshift(d0, d1, A._arr.ndim)
    result = reduce(svdvals(src.permute(perm)))
    if keepdim:
        inverse = [0] * len(perm)
        for i, p in enumerate(perm):
            inverse[p] = i
        result = result.unsqueeze(-1).permute(inverse)
    return result


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims `dim`: 'fro', 'nuc', ±1, ±2, ±inf."""
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        d0, d1 = _matrix_norm_checks(A, dim, dtype, low_ok=ord != "nuc")
        if ord == "fro":
            return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype, out=out)
        result = _svd_based(A, d0, d1, keepdim, dtype, lambda s: s.sum(-1, keepdim))
        return one_out(result, out)
    ord = float(ord)
    if abs(ord) not in (1.0, 2.0, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {_ord_text(ord)} not supported.")
    d0, d1 = _matrix_norm_checks(A, dim, dtype, low_ok=abs(ord) != 2)
    if abs(ord) == 2:
        result = _svd_based(A, d0, d1, keepdim, dtype,
                            lambda s: _extremum(s, ord, -1, keepdim))
        return one_out(result, out)
    if math.isinf(ord):
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    result = _extremum(vector_norm(A, 1.0, d0, keepdim, dtype=dtype), ord, d1, keepdim)
    return one_out(result, out)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector norm, or a matrix norm when `ord` is given and two dims are reduced."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dim)}")
    elif ord is not None and A._arr.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A._arr.ndim}D.")
    if isinstance(ord, str) or (ord is not None and ((dim is not None and len(dim) == 2) or
                                                     (dim is None and A._arr.ndim == 2))):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype,
                           out=out)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def cond(A, p=None, *, out=None):
    """The condition number of `A` in norm `p` (2 by default)."""
    if A._arr.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    ord = 2 if p is None else p
    _check_cond_ord(ord)
    if not isinstance(ord, str) and abs(ord) == 2:
        return one_out(_cond_2(A, ord), out)
    text = f"{ord:.6f}" if isinstance(ord, float) and math.isfinite(ord) else str(ord)
    check_square(A, f"linalg.cond(ord={text})")
    if A._arr.size == 0:
        return one_out(A.new_zeros(A._arr.shape[:-2], dtype=A.dtype.to_real()), out)
    from ember._ops.linalg_decomp import svdvals
    from ember._ops.linalg_inverse import inv, inv_ex
    if ord == "nuc":
        return one_out(svdvals(A).sum(-1) * svdvals(inv(A)).sum(-1), out)
    inverse, info = inv_ex(A)
    # NOTE(torch): in place on inv_ex's saved output, so (as in torch) backward refuses
    inverse.masked_fill_((info > 0).unsqueeze(-1).unsqueeze(-1), math.inf)
    result = matrix_norm(A, ord) * matrix_norm(inverse, ord)
    # NaN (0 * inf) -> inf, for NumPy compatibility as torch does
    return one_out(result.nan_to_num(math.inf, math.inf, -math.inf), out)


def _check_cond_ord(ord):
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {ord}")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {_ord_text(float(ord))}")


def _cond_2(A, ord):
    from ember._ops.linalg_decomp import svdvals
    if A._arr.size == 0:
        return A.new_zeros(A._arr.shape[:-2], dtype=A.dtype.to_real())
    s = svdvals(A)
    s_max, s_min = s.narrow(-1, 0, 1), s.narrow(-1, s._arr.shape[-1] - 1, 1)
    return (s_min / s_max if ord == -2 else s_max / s_min).squeeze(-1)

