"""Triangles and diagonals: tril, triu (and in place), tril_indices, triu_indices, diag,
diag_embed and diagflat.

tril/triu keep the elements on and below (above) the `diagonal`-th diagonal of the last two
dims and zero the rest; diag_embed puts the last dim of its input on a diagonal of two new
dims of a zero tensor.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._index_common import write_out_same
from ember._ops._registry import Op, apply, apply_inplace
from ember._tensor import _wrap

__all__ = ["tril", "triu", "tril_indices", "triu_indices", "diag", "diag_embed", "diagflat"]
FUNCTIONS_ONLY = frozenset({"tril_indices", "triu_indices"})


class TrilBackward0(Op):
    upper = False

    def forward(self, be, x, *, diagonal):
        self.diagonal = diagonal
        return be.triangle(x, diagonal, self.upper)

    def backward(self, g):
        return g.triu(self.diagonal) if self.upper else g.tril(self.diagonal)


class TriuBackward0(TrilBackward0):
    upper = True


def _check_tri(input, name):
    if input._arr.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None):
    """The lower triangle (on and below the `diagonal`-th diagonal) of the last two dims."""
    _check_tri(input, "tril")
    result = apply(TrilBackward0, (input,), diagonal=diagonal)
    return result if out is None else write_out_same(result, out)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle (on and above the `diagonal`-th diagonal) of the last two dims."""
    _check_tri(input, "triu")
    result = apply(TriuBackward0, (input,), diagonal=diagonal)
    return result if out is None else write_out_same(result, out)


def tril_(self, diagonal=0):
    """In-place tril."""
    _check_tri(self, "tril")
    return apply_inplace(TrilBackward0, (self,), diagonal=diagonal)


def triu_(self, diagonal=0):
    """In-place triu."""
    _check_tri(self, "triu")
    return apply_inplace(TriuBackward0, (self,), diagonal=diagonal)


def _indices(row, col, offset, dtype, device, upper, name):
    from ember._ops.creation import backend
    if dtype not in (D.int32, D.int64):
        raise NotImplementedError(f"\"{name}\" not implemented for '{D.type_name(dtype)}'")
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    be = backend(device)
    return _wrap(be.triangle_indices(row, col, offset, upper, be.np_dtype(dtype)), dtype, be)


def tril_indices(row, col, offset=0, *, dtype=D.int64, device=None, layout=None):
    """The (2, N) row/column coordinates of the lower triangle of a row x col matrix."""
    return _indices(row, col, offset, dtype, device, False, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=D.int64, device=None, layout=None):
    """The (2, N) row/column coordinates of the upper triangle of a row x col matrix."""
    return _indices(row, col, offset, dtype, device, True, "triu_indices")


class DiagEmbedBackward0(Op):
    def forward(self, be, x, *, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        return be.diag_embed(x, offset, dim1, dim2)

    def backward(self, g):
        return g.diagonal(self.offset, self.dim1, self.dim2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Zeros with the last dim of `input` on the `offset` diagonal of new dims `dim1`,
    `dim2`."""
    n = input._arr.ndim + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply(DiagEmbedBackward0, (input,), offset=offset, dim1=d1, dim2=d2)


class DiagonalBackward0_copy(Op):  # noqa: N801  (torch's node name)
    def forward(self, be, x, *, offset):
        self.in_shape, self.offset = x.shape, offset
        return be.contiguous_copy(be.xp.diagonal(x, offset))

    def backward(self, g):
        from ember._ops.scatter_view import diagonal_scatter
        return diagonal_scatter(g.new_zeros(self.in_shape), g, self.offset)


def diag(input, diagonal=0, *, out=None):
    """A 1-d input on the `diagonal`-th diagonal of a square matrix, or the `diagonal`-th
    diagonal of a 2-d input (a copy)."""
    n = input._arr.ndim
    if n == 1:
        result = diag_embed(input, diagonal, 0, 1)
    elif n == 2:
        result = apply(DiagonalBackward0_copy, (input,), offset=diagonal)
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    return result if out is None else write_out_same(result, out)


def diagflat(input, offset=0):
    """The flattened input on the `offset` diagonal of a square matrix."""
    return diag_embed(input.contiguous().view(-1), offset, 0, 1)


METHODS = {"tril_": tril_, "triu_": triu_}
