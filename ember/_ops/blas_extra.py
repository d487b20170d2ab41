"""The add* family of BLAS-like ops: beta * input + alpha * product for addmm, addbmm,
baddbmm, addmv and addr (torch's beta == 0 ignores input, NaN included), with their in-place
methods."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._registry import Op, apply, apply_inplace, write_out
from ember.amp.autocast_mode import LOWER
from ember._ops.blas import bmm, mat2_grad, mm, mv, transposed_layout

__all__ = ["addmm", "addbmm", "baddbmm", "addmv", "addr"]


def _conj(t):
    return t.conj() if t.dtype.is_complex else t


def _scale(t, s):
    return t if s == 1 else t * (s.conjugate() if isinstance(s, complex) else s)


def _check_scalars(dtype, alpha, beta):
    if dtype.category <= D.INT:
        for value, name in ((alpha, "alpha"), (beta, "beta")):
            if isinstance(value, float):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be a "
                                   "floating point number.")


class _AddProduct(Op):
    """beta * input + alpha * product(a, b); beta == 0 ignores input (NaN included)."""

    save_inputs = (1, 2)
    saved_for = {1: (2,), 2: (1,)}

    def forward(self, be, c, a, b, *, beta, alpha):
        self.beta, self.alpha = beta, alpha
        self.b_transposed = transposed_layout(b)
        prod = self.product(be, a, b)
        if prod.dtype.kind in "iu":      # NOTE(torch): integer gemm truncates the scalars
            alpha, beta = int(alpha), int(beta)
        if be.dtype_of(prod) is D.bool:
            prod = prod if alpha else be.xp.zeros_like(prod)
            return (prod | c) if beta else prod
        dt = prod.dtype          # half types times a Python float give float32 in NumPy
        if alpha != 1:
            prod = prod * alpha
        if beta == 0:
            return prod.astype(dt, copy=False)
        return be.xp.add(c if beta == 1 else c * beta, prod).astype(dt, copy=False)

    def backward(self, g):
        a, b = self.saved
        need_c, need_a, need_b = self.needs_input_grad
        ga, gb = self.grads(g, a, b, need_a, need_b)
        return (_scale(g, self.beta) if need_c else None, _scale(ga, self.alpha) if need_a
                else None, _scale(gb, self.alpha) if need_b else None)


class AddmmBackward0(_AddProduct):
    autocast = LOWER

    @staticmethod
    def product(be, a, b):
        return be.matmul(a, b)

    def grads(self, g, a, b, need_a, need_b):
        gb = None
        if need_b:
            gb = mat2_grad(g, a) if self.b_transposed else mm(_conj(a).t(), g)
        return mm(g, _conj(b).t()) if need_a else None, gb


class BaddbmmBackward0(_AddProduct):
    autocast = LOWER

    @staticmethod
    def product(be, a, b):
        return be.matmul(a, b)

    @staticmethod
    def grads(g, a, b, need_a, need_b):
        return (bmm(g, _conj(b).transpose(1, 2)) if need_a else None,
                bmm(_conj(a).transpose(1, 2), g) if need_b else None)


class AddbmmBackward0(_AddProduct):
    autocast = LOWER

    @staticmethod
    def product(be, a, b):
        return be.matmul(a, b).sum(0)

    @staticmethod
    def grads(g, a, b, need_a, need_b):
        gb3 = g.unsqueeze(0).expand(a._arr.shape[0], *g._arr.shape)
        return (bmm(gb3, _conj(b).transpose(1, 2)) if need_a else None,
                bmm(_conj(a).transpose(1, 2), gb3) if need_b else None)


class AddmvBackward0(_AddProduct):
    @staticmethod
    def product(be, a, b):
        return be.matmul(a, b)

    @staticmethod
    def grads(g, a, b, need_a, need_b):
        return (g.unsqueeze(1) * _conj(b).unsqueeze(0) if need_a else None,
                mv(_conj(a).t(), g) if need_b else None)


class AddrBackward0(_AddProduct):
    @staticmethod
    def product(be, a, b):
        return be.xp.multiply.outer(a, b) if be.dtype_of(a) is not D.bool else \
            be.xp.logical_and.outer(a, b)

    @staticmethod
    def grads(g, a, b, need_a, need_b):
        return (mv(g, _conj(b)) if need_a else None, mv(g.t(), _conj(a)) if need_b else None)


def _same_dtype(x, y, what):
    if x.dtype is not y.dtype:
        raise RuntimeError(f"{what} must have the same dtype, but got {D.type_name(x.dtype)} "
                           f"and {D.type_name(y.dtype)}")


def _expand_input(input, shape):
    """torch expands `input` to the product's shape: its error when that fails."""
    from ember._errors import shape_str
    have = input._arr.shape
    for i in range(1, len(have) + 1):
        if i > len(shape) or have[-i] not in (1, shape[-i]):
            dim = len(shape) - i
            target = shape[dim] if dim >= 0 else 1
            raise RuntimeError(f"The expanded size of the tensor ({target}) must match the "
                               f"existing size ({have[-i]}) at non-singleton dimension {dim}.  "
                               f"Target sizes: {shape_str(shape)}.  Tensor sizes: "
                               f"{shape_str(have)}")


def _run(cls, input, a, b, beta, alpha, out, shape, inplace=False):
    if cls is AddrBackward0:
        _check_scalars(input.dtype, alpha, beta)
    if input.dtype is D.bool and cls is not AddrBackward0:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    _expand_input(input, shape)
    if inplace:
        return apply_inplace(cls, (input, a, b), beta=beta, alpha=alpha)
    result = apply(cls, (input, a, b), beta=beta, alpha=alpha)
    return result if out is None else write_out(result, out)


def _mm_checks(input, mat1, mat2):
    for t, name in ((mat1, "mat1"), (mat2, "mat2")):
        if t._arr.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t._arr.ndim}-D tensor")
    (n, k), (k2, m) = mat1._arr.shape, mat2._arr.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    _same_dtype(input, mat2, "self and mat2")
    _same_dtype(mat1, mat2, "mat1 and mat2")
    return (n, m)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    shape = _mm_checks(input, mat1, mat2)
    return _run(AddmmBackward0, input, mat1, mat2, beta, alpha, out, shape)


def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
    shape = _mm_checks(self, mat1, mat2)
    return _run(AddmmBackward0, self, mat1, mat2, beta, alpha, None, shape, inplace=True)


def _bmm_checks(input, b1, b2, what):
    for t, name in ((b1, "batch1"), (b2, "batch2")):
        if t._arr.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    (nb, n, k), (nb2, k2, m) = b1._arr.shape, b2._arr.shape
    if nb != nb2:
        raise RuntimeError(f"{what} and batch2 must have same number of batches, got {nb} and "
                           f"{nb2}")
    if k != k2:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({n}x{k} and {k2}x{m})")
    _same_dtype(b1, b2, "batch1 and batch2")
    _same_dtype(input, b2, "self and batch2")
    return nb, n, m


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_i batch1[i] @ batch2[i]."""
    if batch1._arr.ndim != 3 or batch2._arr.ndim != 3:
        wrap_dim(2, min(batch1._arr.ndim, batch2._arr.ndim))
    _, n, m = _bmm_checks(input, batch1, batch2, "batch1")
    return _run(AddbmmBackward0, input, batch1, batch2, beta, alpha, out, (n, m))


def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    _, n, m = _bmm_checks(self, batch1, batch2, "batch1")
    return _run(AddbmmBackward0, self, batch1, batch2, beta, alpha, None, (n, m), True)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    shape = _bmm_checks(input, batch1, batch2, "batch1")
    return _run(BaddbmmBackward0, input, batch1, batch2, beta, alpha, out, shape)


def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    shape = _bmm_checks(self, batch1, batch2, "batch1")
    return _run(BaddbmmBackward0, self, batch1, batch2, beta, alpha, None, shape, True)


def _mv_checks(input, mat, vec):
    if mat._arr.ndim != 2 or vec._arr.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._arr.ndim}, "
                           f"{mat._arr.ndim}, {vec._arr.ndim}")
    n, k = mat._arr.shape
    if k != vec._arr.shape[0] or input._arr.shape not in ((n,), (1,), ()):
        got = input._arr.shape[0] if input._arr.ndim else 1
        raise RuntimeError(f"size mismatch, got input ({got}), mat ({n}x{k}), vec "
                           f"({vec._arr.shape[0]})")
    _same_dtype(mat, vec, "mat and vec")
    return (n,)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    shape = _mv_checks(input, mat, vec)
    return _run(AddmvBackward0, input, mat, vec, beta, alpha, out, shape)


def addmv_(self, mat, vec, *, beta=1, alpha=1):
    shape = _mv_checks(self, mat, vec)
    return _run(AddmvBackward0, self, mat, vec, beta, alpha, None, shape, True)


def _r_checks(input, vec1, vec2):
    for t, name in ((vec1, "vec1"), (vec2, "vec2")):
        if t._arr.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t._arr.ndim}-D")
    return vec1._arr.shape[0], vec2._arr.shape[0]


def _addr_args(input, vec1, vec2):
    dt = D.promote_types(D.promote_types(input.dtype, vec1.dtype), vec2.dtype)
    return tuple(t if t.dtype is dt else t.to(dt) for t in (input, vec1, vec2))


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    shape = _r_checks(input, vec1, vec2)
    if isinstance(alpha, bool) and _addr_args(input, vec1, vec2)[0].dtype is not D.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    return _run(AddrBackward0, *_addr_args(input, vec1, vec2), beta, alpha, out, shape)


def addr_(self, vec1, vec2, *, beta=1, alpha=1):
    shape = _r_checks(self, vec1, vec2)
    _, v1, v2 = _addr_args(self, vec1, vec2)
    return _run(AddrBackward0, self, v1, v2, beta, alpha, None, shape, True)


METHODS = {"addmm_": addmm_, "addbmm_": addbmm_, "baddbmm_": baddbmm_, "addmv_": addmv_,
           "addr_": addr_}
