"""NumPy kernels behind joining, reordering and triangular ops (cat, flip, roll, tril...)."""
from __future__ import annotations

import numpy as np


class NumpyJoin:
    """Shape and joining kernels mixed into the NumPy backend."""

    @staticmethod
    def cat(arrays, dim, shape, channels_last=False):
        """Concatenate along `dim` into a new C-contiguous (or channels-last) array of
        `shape`; arrays of shape (0,) are skipped, as torch's legacy rule says."""
        if len(shape) != 1:
            arrays = [a for a in arrays if a.ndim != 1 or a.shape[0]]
        if channels_last:
            nhwc = (shape[0], shape[2], shape[3], shape[1])
            out = np.empty(nhwc, arrays[0].dtype)
            np.concatenate([a.transpose(0, 2, 3, 1) for a in arrays], axis=(0, 3, 1, 2)[dim],
                           out=out)
            return out.transpose(0, 3, 1, 2)
        return np.concatenate(arrays, axis=dim, out=np.empty(shape, arrays[0].dtype))

    @staticmethod
    def flip(x, dims):
        """A copy of `x` reversed along `dims`, laid out as `x` is (strides stay positive)."""
        out = np.empty_like(x, order="K")
        np.copyto(out, np.flip(x, dims) if dims else x)
        return out

    @staticmethod
    def roll(x, shifts, dims):
        if dims is None:
            return np.roll(x.reshape(-1), shifts).reshape(x.shape)
        return np.ascontiguousarray(np.roll(x, shifts, dims))

    @staticmethod
    def repeat(x, repeats):
        """``Tensor.repeat``: tile `x` (left-padded with unit dims) `repeats` times."""
        x = x.reshape((1,) * (len(repeats) - x.ndim) + x.shape)
        return np.ascontiguousarray(np.tile(x, repeats)) if repeats else x.copy()

    @staticmethod
    def triangle(x, diagonal, upper):
        """tril / triu over the last two dims, as a new C-contiguous array."""
        rows, cols = x.shape[-2:]
        keep = np.arange(cols) - np.arange(rows)[:, None]
        mask = keep >= diagonal if upper else keep <= diagonal
        return np.where(mask, x, np.zeros((), x.dtype))

    @staticmethod
    def triangle_indices(row, col, offset, upper, npdt):
        """The (2, N) coordinates of the lower (or upper) triangle, row by row."""
        r, c = np.nonzero(np.triu(np.ones((row, col), bool), offset) if upper else
                          np.tril(np.ones((row, col), bool), offset))
        return np.stack([r, c]).astype(npdt)

    @staticmethod
    def diag_embed(x, offset, dim1, dim2):
        """Zeros with the last dim of `x` on the diagonal (offset, dim1, dim2) of new dims."""
        n = x.shape[-1] + abs(offset) if x.ndim else abs(offset) + 1
        batch = x.shape[:-1]
        shape = list(batch)
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        out = np.zeros(shape, x.dtype)
        diag = np.diagonal(out, offset, dim1, dim2)
        diag.flags.writeable = True
        diag[...] = x
        return out

    @staticmethod
    def block_diag(arrays, npdt):
        """Blocks on the diagonal of a zero matrix (each array already 2-d)."""
        rows = sum(a.shape[0] for a in arrays)
        cols = sum(a.shape[1] for a in arrays)
        out = np.zeros((rows, cols), npdt)
        r = c = 0
        for a in arrays:
            h, w = a.shape
            np.copyto(out[r:r + h, c:c + w], a, casting="unsafe")
            r += h
            c += w
        return out

    @staticmethod
    def repeat_index(repeats):
        """``[0] * repeats[0] + [1] * repeats[1] + ...`` as int64 (repeat_interleave)."""
        return np.repeat(np.arange(repeats.shape[0], dtype=np.int64), repeats)

    @staticmethod
    def combinations_mask(n, r, with_replacement):
        """Bool mask over the r-dim index grid: strictly (or weakly) increasing indices."""
        grids = np.meshgrid(*([np.arange(n)] * r), indexing="ij")
        mask = np.ones((n,) * r, bool)
        for a, b in zip(grids, grids[1:]):
            mask &= (a <= b) if with_replacement else (a < b)
        return mask
