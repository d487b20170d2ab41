"""torch.frobenius_norm, torch.nuclear_norm (kept by torch for old code, with its
deprecation warnings), torch.pdist and torch.unravel_index."""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._ops._registry import rename_node

__all__ = ["frobenius_norm", "nuclear_norm", "pdist", "unravel_index"]
FUNCTIONS_ONLY = frozenset(__all__)


def frobenius_norm(input, dim, keepdim=False, *, out=None):
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.vector_norm(A, 2., dim, keepdim)` instead", stacklevel=2)
    from ember._ops.reduce_norm import norm
    return rename_node(norm(input, 2, dim, keepdim, out=out), "NormBackward1")


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """``linalg.matrix_norm(input, 'nuc', dim, keepdim)``; ``nuclear_norm(input, keepdim)``
    is also accepted, as in torch."""
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead", stacklevel=2)
    from ember._ops.linalg_norms import matrix_norm
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, out=out)


def pdist(input, p=2):
    """The p-norm distances between every pair of rows of an (N, M) input: the upper
    triangle of ``cdist(input, input)`` in row-major order, N * (N - 1) / 2 values."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    from ember._ops.linalg_norms import vector_norm
    from ember._ops.tri import triu_indices
    n = input.shape[0]
    i, j = triu_indices(n, n, 1, device=input.device)
    return rename_node(vector_norm(input[i] - input[j], p, dim=-1), "PdistBackward0")


def unravel_index(indices, shape):
    """The coordinates in a tensor of `shape` of flat `indices`, one int64 tensor per dim."""
    from ember._ops.creation import as_tensor
    indices = as_tensor(indices)
    if indices.dtype.category > D.INT or indices.dtype is D.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    flat = indices.long()
    coords = []
    for size in reversed(shape):
        coords.append(flat.remainder(size))
        flat = flat.div(size, rounding_mode="floor")
    return tuple(reversed(coords))
