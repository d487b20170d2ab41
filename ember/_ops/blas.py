"""Matrix products: mm, bmm, mv, dot, and matmul's dispatch over them (as torch folds it)."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import broadcast_shapes
from ember._ops._registry import Op, apply, write_out
from ember.amp.autocast_mode import LOWER

__all__ = ["mm", "bmm", "mv", "dot", "matmul"]


def _same_dtype(a, b, what="m1 and m2"):
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected {what} to have the same dtype, but got: "
                           f"{_c(a.dtype)} != {_c(b.dtype)}")


def _c(d):
    from ember._tensor import _c_name
    return _c_name(d)


def _conj(t):
    return t.conj() if t.dtype.is_complex else t


class MmBackward0(Op):
    """Matrix product; BmmBackward0 is the same over a batch."""

    autocast = LOWER
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, be, a, b):
        self.b_transposed = transposed_layout(b)
        return be.matmul(a, b)

    @staticmethod
    def _product(a, b):
        return mm(a, b)

    @staticmethod
    def _transpose(t):
        return _conj(t).transpose(-2, -1)

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        gb = None
        if need_b:
            gb = mat2_grad(g, a) if self.b_transposed else self._product(self._transpose(a), g)
        return self._product(g, self._transpose(b)) if need_a else None, gb


def transposed_layout(arr) -> bool:
    """A matrix laid out column-major: typically ``weight.t()`` in a linear layer."""
    return arr.ndim == 2 and arr.strides[0] < arr.strides[1] and arr.shape[0] > 1


def mat2_grad(g, a):
    """``a^H @ g`` for a transposed mat2 (``weight.t()``), computed as torch does as
    ``(g^T @ conj(a))^T``: the weight's own gradient then comes out contiguous and needs no
    transposing copy."""
    return mm(g.t(), _conj(a)).t()


class BmmBackward0(MmBackward0):
    @staticmethod
    def _product(a, b):
        return bmm(a, b)


class MvBackward0(Op):
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, be, m, v):
        return be.matmul(m, v)

    def backward(self, g):
        m, v = self.saved
        need_m, need_v = self.needs_input_grad
        return (g.unsqueeze(1) * _conj(v).unsqueeze(0) if need_m else None,
                mv(_conj(m).t(), g) if need_v else None)


class DotBackward0(Op):
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, be, a, b):
        return be.matmul(a, b)

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (g * _conj(b) if need_a else None), (g * _conj(a) if need_b else None)


def _out(result, out):
    return result if out is None else write_out(result, out)


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors."""
    if input._arr.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._arr.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    (n, k), (k2, m) = input._arr.shape, mat2._arr.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    _same_dtype(input, mat2)
    return _out(apply(MmBackward0, (input, mat2)), out)


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors with equal batch sizes."""
    if input._arr.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._arr.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (b, _, k), shape2 = input._arr.shape, mat2._arr.shape
    if shape2[:2] != (b, k):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {k}] but got: [{shape2[0]}, {shape2[1]}].")
    _same_dtype(input, mat2, "scalar type of batch1 and batch2")
    return _out(apply(BmmBackward0, (input, mat2)), out)


def mv(input, vec, *, out=None):
    """Matrix-vector product."""
    if input._arr.ndim != 2 or vec._arr.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._arr.ndim}, "
                           f"{vec._arr.ndim}")
    if input._arr.shape[1] != vec._arr.shape[0]:
        n, k = input._arr.shape
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec "
                           f"({vec._arr.shape[0]})")
    _same_dtype(input, vec)
    return _out(apply(MvBackward0, (input, vec)), out)


def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors of equal length."""
    if input._arr.ndim != 1 or tensor._arr.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._arr.ndim}D and "
                           f"{tensor._arr.ndim}D tensors")
    n, m = input._arr.shape[0], tensor._arr.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    if input.dtype is not tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{D.type_name(input.dtype)} and {D.type_name(tensor.dtype)}")
    return _out(apply(DotBackward0, (input, tensor)), out)


def matmul(input, other, *, out=None):
    """Matrix product with numpy-style batch broadcasting, folded into dot/mv/mm/bmm."""
    da, db = input._arr.ndim, other._arr.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        result = dot(input, other)
    elif da == 2 and db == 1:
        result = mv(input, other)
    elif da == 1 and db == 2:
        result = mm(input.unsqueeze(0), other).squeeze_(0)   # torch's SqueezeBackward4
    elif da == 2 and db == 2:
        result = mm(input, other)
    elif da >= 3 and db <= 2:
        result = _fold_left(input, other)
    else:
        result = _batched(input, other)
    return _out(result, out)


def _fold_left(input, other):
    """(..., n, k) @ (k, m) or (k,): one mm / mv over the flattened batch."""
    shape = input._arr.shape
    flat = input.reshape(-1, shape[-1])
    if other._arr.ndim == 1:
        if shape[-1] != other._arr.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({flat._arr.shape[0]}), mat "
                               f"({flat._arr.shape[0]}x{shape[-1]}), vec "
                               f"({other._arr.shape[0]})")
        return _unsafe_view(mv(flat, other), shape[:-1])
    return _unsafe_view(mm(flat, other), shape[:-1] + (other._arr.shape[-1],))


def _unsafe_view(t, shape):
    from ember._ops.view import UnsafeViewBackward0, apply_view
    from ember._ops._geometry import contiguous_strides
    if not t.is_contiguous():
        t = t.contiguous()
    out = apply_view(UnsafeViewBackward0, t, tuple(shape), contiguous_strides(shape),
                     t.storage_offset())
    out._base = None
    out._view_version = None
    return out


def _batched(input, other):
    """Broadcast batch dims, then one bmm over the flattened batch."""
    a = input.unsqueeze(0) if input._arr.ndim == 1 else input
    b = other.unsqueeze(-1) if other._arr.ndim == 1 else other
    n, k = a._arr.shape[-2:]
    k2, m = b._arr.shape[-2:]
    if k != k2:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{_batch_numel(a)}, {k}] but got: [{_batch_numel(b)}, {k2}].")
    batch = broadcast_shapes(a._arr.shape[:-2], b._arr.shape[:-2])
    count = 1
    for s in batch:
        count *= s
    a3 = a.expand(batch + (n, k)).reshape(count, n, k)
    b3 = b.expand(batch + (k, m)).reshape(count, k, m)
    out_shape = batch + (n, m)
    result = _unsafe_view(bmm(a3, b3), out_shape)
    if input._arr.ndim == 1:
        result = result.squeeze(-2)
    if other._arr.ndim == 1:
        result = result.squeeze(-1)
    return result


def _batch_numel(t):
    count = 1
    for s in t._arr.shape[:-2]:
        count *= s
    return count


OPERATORS = {"__matmul__": matmul, "__rmatmul__": lambda self, other: matmul(other, self)}
METHODS = {"mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "matmul": matmul}
