"""Matrix functions and products: multi_dot, vecdot, matrix_power, matrix_exp,
householder_product (torch.orgqr), vander and linalg.diagonal."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._linalg_common import (check_float, check_square, const, matmul, mh,
                                       not_implemented, one_out)
from ember._ops._registry import Op, apply
from ember._ops.join import cat
from ember._ops.tri import tril
from ember._tensor import _c_name

__all__ = ["matrix_power", "matrix_exp", "orgqr", "vander"]
FUNCTIONS_ONLY = frozenset({"vander"})


# --- multi_dot --------------------------------------------------------------------------


def _chain_order(shapes):
    """The classic matrix-chain DP: order[i][j] is where to split the product i..j."""
    n = len(shapes)
    p = [shapes[0][0]] + [s[1] for s in shapes]
    cost = [[0] * n for _ in range(n)]
    order = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], order[i][j] = c, k
    return order


def _chain(tensors, order, i, j):
    if i == j:
        return tensors[i]
    from ember._ops.blas import mm
    k = order[i][j]
    return mm(_chain(tensors, order, i, k), _chain(tensors, order, k + 1, j))


def _multi_dot_checks(tensors):
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0]._arr.ndim, tensors[-1]._arr.ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i in range(1, n - 1):
        if tensors[i]._arr.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got "
                               f"{tensors[i]._arr.ndim}D")


def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices, multiplied in the cheapest order."""
    tensors = list(tensors)
    _multi_dot_checks(tensors)
    n = len(tensors)
    out_shape = []
    mats = list(tensors)
    if mats[0]._arr.ndim == 1:
        mats[0] = mats[0].unsqueeze(0)
    else:
        out_shape.append(mats[0]._arr.shape[0])
    if mats[-1]._arr.ndim == 1:
        mats[-1] = mats[-1].unsqueeze(-1)
    else:
        out_shape.append(mats[-1]._arr.shape[1])
    for i in range(1, n):
        if mats[i].dtype is not mats[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {_c_name(mats[0].dtype)} and tensor {i} "
                               f"{_c_name(mats[i].dtype)}")
        if mats[i - 1]._arr.shape[-1] != mats[i]._arr.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes "
                               f"{list(tensors[i - 1]._arr.shape)} and "
                               f"{list(tensors[i]._arr.shape)} cannot be multiplied")
    from ember._ops.blas import mm
    if n == 2:
        result = mm(mats[0], mats[1])
    elif n == 3:
        a, b = mats[0]._arr.shape
        c, d = mats[2]._arr.shape
        if a * c * (b + d) > b * d * (a + c):
            result = mm(mats[0], mm(mats[1], mats[2]))
        else:
            result = mm(mm(mats[0], mats[1]), mats[2])
    else:
        result = _chain(mats, _chain_order([m._arr.shape for m in mats]), 0, n - 1)
    return one_out(result.view(out_shape), out)


def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) along `dim` (batch dims broadcast)."""
    check_float(x, "linalg.vecdot")
    if x.dtype is not y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {D.type_name(x.dtype)} and y of type "
                           f"{D.type_name(y.dtype)} instead")
    if x._arr.ndim == 1 and y._arr.ndim == 1:
        from ember._ops.blas_products import vdot
        return one_out(vdot(x, y), out)
    return one_out(((x.conj() if x.dtype.is_complex else x) * y).sum(dim), out)


# --- matrix_power / matrix_exp ----------------------------------------------------------


def matrix_power(A, n, *, out=None):
    """A^n by repeated squaring; n < 0 inverts first, n == 0 gives the identity."""
    check_square(A, "linalg.matrix_power")
    if n == 0:
        eye = const(A, A._be.eye(A._arr.shape[-1], A._arr.shape[-1], A.dtype), A.dtype)
        return one_out(A.clone().copy_(eye.expand_as(A)), out)
    if n < 0:
        from ember._ops.linalg_inverse import inv
        A, n = inv(A), -n
        if n == 1:
            return one_out(A, out)
    if n == 1:
        return one_out(A.clone(), out)
    if n in (2, 3):
        result = matmul(A, A)
        return one_out(matmul(result, A) if n == 3 else result, out)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = A if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return one_out(result, out)


class LinalgMatrixExpBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, A):
        return be.matrix_exp(A)

    def backward(self, g):
        (A,) = self.saved
        return matrix_exp_backward(A, g)


def matrix_exp_backward(A, g):
    """The adjoint of d exp at A: the top-right block of exp([[A^H, G], [0, A^H]])."""
    Ah = mh(A)
    n = A._arr.shape[-1]
    top = cat([Ah, g], -1)
    bottom = cat([Ah.new_zeros(Ah._arr.shape), Ah], -1)
    meta = matrix_exp(cat([top, bottom], -2))
    return meta.narrow(-2, 0, n).narrow(-1, n, n)


def matrix_exp(A):
    """The matrix exponential of square matrices."""
    check_square(A, "linalg.matrix_exp")
    check_float(A, "linalg.matrix_exp")
    return apply(LinalgMatrixExpBackward0, (A,))


# --- householder_product ----------------------------------------------------------------


class LinalgHouseholderProductBackward0(Op):
    save_inputs = (0, 1)
    save_outputs = (0,)

    def forward(self, be, V, tau):
        return be.householder_product(V, tau)

    def backward(self, g):
        V, tau, Q = self.saved
        return householder_product_backward(g, Q, V, tau)


def _reflect(v, t, K, left):
    """(I - t v v^H) K, or K (I - t v v^H)."""
    if left:
        return K - (t.unsqueeze(-1) * v) * matmul(mh(v), K)
    return K - matmul(K, t.unsqueeze(-1) * v) * mh(v)


def _reflector_grads(i, v, t, K, m):
    vs = v.narrow(-2, i, m - i)
    vHK = matmul(mh(vs), K.narrow(-2, i, m - i))
    Kv = matmul(K.narrow(-1, i, m - i), vs)
    tu = t.unsqueeze(-1)
    left = -tu * vHK
    v_grad = (left.conj() if left.dtype.is_complex else left).squeeze(-2) - (tu * Kv).squeeze(-1)
    tg = -matmul(vHK.narrow(-1, i, m - i), vs)
    tau_grad = (tg.conj() if tg.dtype.is_complex else tg).squeeze(-1)
    return v_grad, tau_grad


def householder_product_backward(g, Q, V_, tau):
    """torch's householder_product_backward (out-of-place form: differentiable again)."""
    if V_._arr.size == 0 or tau._arr.size == 0:
        return None, None
    m, n = V_._arr.shape[-2:]
    k = tau._arr.shape[-1]
    xp = V_._be.xp
    V = tril(V_, -1) + const(V_, xp.eye(m, n, dtype=bool), D.bool)
    Vk = V.narrow(-1, 0, k)
    sigma = tau / (tau * (Vk * (Vk.conj() if Vk.dtype.is_complex else Vk)).sum(-2) - 1.0)
    K = _reflect(V.narrow(-1, 0, 1), sigma.narrow(-1, 0, 1), matmul(Q, mh(g)), True)
    v_grad = tau_grad = None
    for i in range(k):
        v_i, t_i = V.narrow(-1, i, 1), tau.narrow(-1, i, 1)
        vg, tg = _reflector_grads(i, v_i, t_i, K, m)
        col = const(V_, xp.eye(n, dtype=V_._arr.dtype)[i], V_.dtype)
        tcol = const(tau, xp.eye(k, dtype=tau._arr.dtype)[i], tau.dtype)
        v_grad = vg.unsqueeze(-1) * col if v_grad is None else v_grad + vg.unsqueeze(-1) * col
        tau_grad = tg * tcol if tau_grad is None else tau_grad + tg * tcol
        if i != k - 1:
            K = _reflect(V.narrow(-1, i + 1, 1), sigma.narrow(-1, i + 1, 1), K, True)
            K = _reflect(v_i, t_i, K, False)
    return tril(v_grad, -1), tau_grad


def householder_product(A, tau, *, out=None):
    """The first n columns of the product of Householder reflectors (LAPACK orgqr)."""
    fn = "torch.linalg.householder_product"
    if A._arr.ndim < 2:
        raise RuntimeError(f"{fn}: input must have at least 2 dimensions.")
    m, n = A._arr.shape[-2:]
    if m < n:
        raise RuntimeError(f"{fn}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if n < tau._arr.shape[-1]:
        raise RuntimeError(f"{fn}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if A._arr.ndim - tau._arr.ndim != 1:
        raise RuntimeError(f"{fn}: Expected tau to have one dimension less than input, but got "
                           f"tau.ndim equal to {tau._arr.ndim} and input.ndim is equal to "
                           f"{A._arr.ndim}")
    if tau._arr.shape[:-1] != A._arr.shape[:-2]:
        raise RuntimeError(f"{fn}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau._arr.shape[:-1])}")
    if A.dtype is not tau.dtype:
        raise RuntimeError(f"{fn}: tau dtype {D.type_name(tau.dtype)} does not match input "
                           f"dtype {D.type_name(A.dtype)}")
    not_implemented("orgqr_cpu", A)
    return one_out(apply(LinalgHouseholderProductBackward0, (A, tau)), out)


def orgqr(input, tau):
    return householder_product(input, tau)


# --- vander / diagonal ------------------------------------------------------------------


def _powers(x, n):
    """[x^0, x^1, ..., x^(n-1)] along a new last dim (integers promote to int64)."""
    dt = D.promote_types(x.dtype, D.int64)
    x = x if x.dtype is dt else x.to(dt)
    ones = x.new_ones(x._arr.shape + (1,))
    if n == 1:
        return ones
    return cat([ones, x.unsqueeze(-1).expand(*x._arr.shape, n - 1).cumprod(-1)], -1)


def linalg_vander(x, *, N=None):
    """Powers x^0, x^1, ..., x^(N-1) of the last dim, along a new last dim."""
    n = N if N is not None else (x._arr.shape[-1] if x._arr.ndim else 0)
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    return _powers(x, n)


def vander(x, N=None, increasing=False):
    """Columns x^(N-1), ..., x^0 (or increasing powers) of a 1-D tensor."""
    if x._arr.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._arr.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if n == 0:
        return x.new_ones((x._arr.shape[0], 0), dtype=D.promote_types(x.dtype, D.int64))
    result = _powers(x, n)
    return result if increasing else result.flip(1)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """linalg.diagonal: the diagonal of the last two dims (a view)."""
    return A.diagonal(offset, dim1, dim2)
