"""Shared pieces of the linear algebra ops: torch's input checks and error wording, the
LinAlgError type, info-code reporting, and small helpers that backward formulas use (the
structural ops they need, tril/triu/diag_embed/cat, come from the tri and join families)."""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._ops._registry import Op, apply, write_out
from ember._ops.blas import matmul  # noqa: F401  (re-exported for the formulas)
from ember._tensor import Tensor, _wrap


class _LinAlgError(RuntimeError):
    """Raised when a matrix is singular or not positive-definite (torch.linalg.LinAlgError)."""


# --- input checks -----------------------------------------------------------------------


def check_matrix(A, fn, name="A"):
    if A._arr.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {name} must have at least 2 dimensions.")


def check_square(A, fn, name="A"):
    check_matrix(A, fn, name)
    m, n = A._arr.shape[-2:]
    if m != n:
        raise RuntimeError(f"{fn}: {name} must be batches of square matrices, but they are "
                           f"{m} by {n} matrices")


def check_float(A, fn, low_ok=True):
    """Floating or complex input; `low_ok` False refuses float16/bfloat16 as torch does."""
    if A.dtype.category < D.FLOAT:
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got "
                           f"{D.type_name(A.dtype)}")
    if not low_ok and A.dtype.itemsize == 2:
        raise RuntimeError(f"{fn}: Low precision dtypes not supported. Got "
                           f"{D.type_name(A.dtype)}")


def not_implemented(kernel, A, allowed=(D.float32, D.float64, D.complex64, D.complex128)):
    """torch's dispatch refusal for dtypes a LAPACK kernel does not take."""
    if A.dtype not in allowed:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.type_name(A.dtype)}'")


def raise_info(info, message, fn, error=_LinAlgError):
    """Raise `error` for the first nonzero LAPACK info; `message(code)` words it."""
    arr = info._arr if isinstance(info, Tensor) else info
    codes = arr.reshape(-1).tolist()
    first = next((i for i, code in enumerate(codes) if code != 0), None)
    if first is None:
        return
    where = f"(Batch element {first}): " if arr.ndim else ""
    raise error(f"{fn}: {where}{message(codes[first])}")


_WARNED: set = set()


def warn_once(message):
    """A UserWarning the first time `message` is given in this process (TORCH_WARN_ONCE)."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


# --- results ----------------------------------------------------------------------------


def out_tuple(results, out, kind=None):
    """Copy `results` into the `out=` tensors (a tuple) and return them (as `kind`)."""
    if out is None:
        return results if kind is None else kind(results)
    if len(out) != len(results):
        raise TypeError(f"expected {len(results)} out tensors, got {len(out)}")
    written = tuple(write_out(r, o) for r, o in zip(results, out))
    return written if kind is None else kind(written)


def one_out(result, out):
    return result if out is None else write_out(result, out)


def const(like, arr, dtype):
    """A constant tensor over backend array `arr`, on `like`'s device."""
    return _wrap(arr, dtype, like._be)


# --- helpers for backward formulas (ember ops only) ------------------------------------


class UndefinedGrads:
    """Mixin for multi-output ops: an output that received no gradient arrives in backward
    as None (torch's undefined gradient) rather than as zeros, so a formula can skip its
    terms exactly where torch does (svdvals' shortcut, eigh without eigenvector terms)."""

    @property
    def _out_meta(self):
        return None

    @_out_meta.setter
    def _out_meta(self, value):
        pass


class ConjBackward0(Op):
    """The complex conjugate as torch records it (torch's conj is a lazy view; this copies)."""

    def forward(self, be, x):
        return be.xp.conj(x)

    def backward(self, g):
        return conj_node(g)


def conj_node(t):
    return apply(ConjBackward0, (t,))


def mh(t):
    """Conjugate transpose of the last two dims."""
    t = t.transpose(-2, -1)
    return t.conj() if t.dtype.is_complex else t


def pad_to(t, dim, size):
    """`t` zero-padded at the end of `dim` to `size` (differentiable)."""
    from ember._ops.scatter_view import slice_scatter
    if t._arr.shape[dim] == size:
        return t
    shape = list(t._arr.shape)
    shape[dim] = size
    return slice_scatter(t.new_zeros(shape), t, dim, 0, t._arr.shape[dim])


def is_vector_rhs(A, B):
    """torch's rule: B is a (batch of) vector(s) when 1-D or A's shape minus its last dim."""
    nb = B._arr.ndim
    return nb == 1 or (A._arr.ndim - 1 == nb and B._arr.shape == A._arr.shape[:-1])
