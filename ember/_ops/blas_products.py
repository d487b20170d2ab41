"""Products of vectors and tensors: vdot, inner, outer/ger, tensordot, kron, cross, trace
and chain_matmul, composed as torch composes them where torch does (inner and tensordot end
in an mm and a view, outer in a mul, kron in an unsafe view)."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import broadcast_shapes, wrap_dim, wrap_dims
from ember._ops._linalg_common import warn_once
from ember._ops._registry import Op, apply, write_out
from ember._ops.blas import _unsafe_view, mm
from ember._tensor import Tensor

__all__ = ["vdot", "inner", "outer", "ger", "tensordot", "kron", "cross", "trace",
           "chain_matmul"]
FUNCTIONS_ONLY = frozenset({"tensordot", "chain_matmul"})


def _conj(t):
    return t.conj() if t.dtype.is_complex else t


class VdotBackward0(Op):
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, be, a, b):
        if be.dtype_of(a) is D.bool:
            raise NotImplementedError("\"dot\" not implemented for 'Bool'")
        return be.xp.asarray(be.xp.vdot(a, b))

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (_conj(g) * b if need_a else None), (g * a if need_b else None)


def vdot(input, other, *, out=None):
    """sum(conj(input) * other) of two 1-D tensors."""
    if input._arr.ndim != 1 or other._arr.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._arr.ndim}D and "
                           f"{other._arr.ndim}D tensors")
    n, m = input._arr.shape[0], other._arr.shape[0]
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{D.type_name(input.dtype)} and {D.type_name(other.dtype)}")
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    result = apply(VdotBackward0, (input, other))
    return result if out is None else write_out(result, out)


def inner(input, other, *, out=None):
    """Sum over the last dims of both; a scalar operand multiplies."""
    if input._arr.ndim == 0 or other._arr.ndim == 0:
        result = input * other
    else:
        sa, sb = input._arr.shape[-1], other._arr.shape[-1]
        if sa != sb:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors "
                               f"but got shapes {list(input._arr.shape)} and "
                               f"{list(other._arr.shape)}")
        result = tensordot(input, other, ([-1], [-1]))
    return result if out is None else write_out(result, out)


def outer(input, vec2, *, out=None):
    """The outer product of two 1-D tensors (dtypes promote)."""
    for t, name in ((input, "self"), (vec2, "vec2")):
        if t._arr.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{t._arr.ndim}-D")
    result = input.reshape(-1, 1) * vec2
    return result if out is None else write_out(result, out)


ger = outer


def _dim_list(dims):
    return [int(dims)] if isinstance(dims, int) or (isinstance(dims, Tensor) and
                                                    dims.ndim == 0) else [int(d) for d in dims]


def _tensordot_dims(a, b, dims):
    if isinstance(dims, Tensor) and dims.numel() == 1:
        dims = int(dims.item())
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._arr.ndim, b._arr.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got "
                               f"dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if not isinstance(dims, (tuple, list, Tensor)):
        raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or "
                           f"list[list[int]] containing two lists, but got dims={dims}")
    dims_a, dims_b = dims
    return _dim_list(dims_a), _dim_list(dims_b)


def tensordot(a, b, dims=2, out=None):
    """Contract dims of `a` with dims of `b` (an int: the last/first `dims` of each)."""
    dims_a, dims_b = _tensordot_dims(a, b, dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    t1, t2, csize = a, b, 1
    for da, db in zip(dims_a, dims_b):
        s1, s2 = a._arr.shape[da], b._arr.shape[db]
        if s2 == 1:           # broadcast dims are summed right away
            t1 = t1.sum(da, True)
        elif s1 == 1:
            t2 = t2.sum(db, True)
        elif s1 != s2:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} "
                               f"in dim {da} and second has size {s2} in dim {db}")
        else:
            csize *= s1
    ca, cb = wrap_dims(dims_a, a._arr.ndim), wrap_dims(dims_b, b._arr.ndim)
    free_a = [d for d in range(a._arr.ndim) if d not in ca]
    free_b = [d for d in range(b._arr.ndim) if d not in cb]
    rsizes = [t1._arr.shape[d] for d in free_a] + [t2._arr.shape[d] for d in free_b]
    m1 = t1.permute(free_a + list(ca)).reshape(_numel(rsizes[:len(free_a)]), csize)
    m2 = t2.permute(list(cb) + free_b).reshape(csize, _numel(rsizes[len(free_a):]))
    result = mm(m1, m2).reshape(rsizes)
    return result if out is None else write_out(result, out)


def _numel(sizes):
    n = 1
    for s in sizes:
        n *= s
    return n


def kron(input, other, *, out=None):
    """Kronecker product (the smaller operand gets leading dims of size 1)."""
    nd = max(input._arr.ndim, other._arr.ndim)
    sa = (1,) * (nd - input._arr.ndim) + input._arr.shape
    sb = (1,) * (nd - other._arr.ndim) + other._arr.shape
    a = input.reshape([x for s in sa for x in (s, 1)])
    b = other.reshape([x for s in sb for x in (1, s)])
    result = _unsafe_view(a * b, [x * y for x, y in zip(sa, sb)])
    return result if out is None else write_out(result, out)


class LinalgCrossBackward0(Op):
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, be, a, b, *, dim):
        self.dim = dim
        return be.xp.cross(a, b, axis=dim)

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (linalg_cross(_conj(b), g, dim=self.dim) if need_a else None,
                linalg_cross(g, _conj(a), dim=self.dim) if need_b else None)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along `dim` (batch dims broadcast)."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found "
                           f"{D.type_name(other.dtype)}")
    nd = input._arr.ndim
    if nd != other._arr.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, nd)
    sa, sb = input._arr.shape[d], other._arr.shape[d]
    if sa != 3 or sb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa} "
                           f"and {sb}")
    shape = broadcast_shapes(input._arr.shape, other._arr.shape)
    a = input if input._arr.shape == shape else input.expand(shape)
    b = other if other._arr.shape == shape else other.expand(shape)
    result = apply(LinalgCrossBackward0, (a, b), dim=d)
    return result if out is None else write_out(result, out)


def cross(input, other, dim=None, *, out=None):
    """linalg.cross; without `dim`, the first dim of size 3 (deprecated, as in torch)."""
    if dim is None:
        warn_once(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release.")
        shape = broadcast_shapes(input._arr.shape, other._arr.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return linalg_cross(input, other, dim=dim, out=out)


class TraceBackward0(Op):
    def forward(self, be, x):
        self.shape = x.shape
        if be.dtype_of(x) is D.bool:
            raise NotImplementedError("\"trace\" not implemented for 'Bool'")
        out_dt = x.dtype if be.dtype_of(x).category >= D.FLOAT else be.np_dtype(D.int64)
        return be.xp.asarray(be.xp.trace(x, dtype=out_dt)).astype(out_dt)

    def backward(self, g):
        from ember._ops._linalg_common import const
        from ember._ops.where import where
        eye = const(g, g._be.xp.eye(*self.shape, dtype=bool), D.bool)
        return where(eye, g, 0)


def trace(input):
    """Sum of the main diagonal of a matrix."""
    if input._arr.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._arr.ndim}")
    return apply(TraceBackward0, (input,))


def chain_matmul(*matrices, out=None):
    """The product of a chain of matrices (deprecated: linalg.multi_dot)."""
    warn_once(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
        "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors "
        "rather than multiple parameters.")
    if len(matrices) == 1 and isinstance(matrices[0], (tuple, list)):
        matrices = tuple(matrices[0])
    for t in matrices:
        if t._arr.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t._arr.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        result = matrices[0].clone()
    else:
        from ember._ops.linalg_products import multi_dot
        result = multi_dot(matrices)
    return result if out is None else write_out(result, out)
