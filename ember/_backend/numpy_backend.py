"""The CPU backend: NumPy arrays, SciPy for special functions and linear algebra extras."""
from __future__ import annotations

import numpy as np

from ember import _dtype as D
from ember._backend.allocator import keep_freed_memory
from ember._backend.dtypes import FROM_NP, TO_NP, from_np_dtype
from ember._backend.numpy_hist import NumpyHist
from ember._backend.numpy_math import NumpyMath
from ember._backend.numpy_optim import NumpyOptim
from ember._backend.numpy_pointwise import NumpyPointwise
from ember._backend.numpy_index import NumpyIndex
from ember._backend.numpy_join import NumpyJoin
from ember._backend.numpy_random import NumpyRandom
from ember._backend.numpy_reduce import NumpyReduce
from ember._backend.numpy_sort import NumpySort
from ember._backend.numpy_linalg import NumpyLinalg
from ember._backend.numpy_fft import NumpyFFT
from ember._backend.numpy_attention import NumpyAttention
from ember._backend.numpy_rnn import NumpyRnn
from ember._backend.numpy_activation import NumpyActivation
from ember._backend.numpy_norm import NumpyNorm
from ember._backend.numpy_embedding import NumpyEmbedding
from ember._backend.numpy_pooling import NumpyPooling
from ember._backend.numpy_grid import NumpyGrid
from ember._backend.numpy_sampling import NumpySampling
from ember._backend.numpy_loss import NumpyLoss
from ember._backend.numpy_loss_index import NumpyLossIndex
from ember._backend.numpy_ctc import NumpyCTC
from ember._backend.numpy_conv import NumpyConv
from ember._backend.numpy_pad import NumpyPad
from ember._device import CPU

# NOTE(torch): torch never warns on overflow, 0/0 or log(0); NumPy's floating-point error
# reporting would turn those into RuntimeWarnings on every such op.
np.seterr(all="ignore")
keep_freed_memory()


# Kernel families, one module each; a new family adds its mixin class here.
KERNELS = (NumpyMath, NumpyOptim, NumpyPointwise, NumpyIndex, NumpyJoin, NumpyRandom,
           NumpyLinalg, NumpyFFT,
           NumpyReduce, NumpySort, NumpyHist, NumpyRnn, NumpyActivation, NumpyNorm,
           NumpyPooling, NumpyLoss, NumpyLossIndex, NumpyCTC, NumpyConv, NumpyAttention,
           NumpyEmbedding, NumpyPad, NumpySampling,
           NumpyGrid)


class NumpyBackend(*KERNELS):
    """Array namespace and kernels for ``device('cpu')``."""

    name = "cpu"
    device = CPU
    xp = np
    # NumPy ufuncs give 0-dim results as scalars; Tensors always hold arrays.
    scalar_type = np.generic

    @staticmethod
    def np_dtype(d):
        return TO_NP[d]

    @staticmethod
    def dtype_of(arr):
        return FROM_NP[arr.dtype]

    # --- creation -------------------------------------------------------------------
    @staticmethod
    def empty(shape, d):
        return np.empty(shape, TO_NP[d])

    @staticmethod
    def zeros(shape, d):
        return np.zeros(shape, TO_NP[d])

    @staticmethod
    def full(shape, value, d):
        return np.full(shape, cast_scalar(value, d), TO_NP[d])

    @staticmethod
    def empty_like_layout(arr, d):
        return np.empty_like(arr, dtype=TO_NP[d], order="K")

    @staticmethod
    def arange(start, step, n, d):
        """start + i * step for i < n, computed in double (or int64) and then cast."""
        npdt = TO_NP[d]
        if npdt.kind in "iub" and all(isinstance(v, int) for v in (start, step)):
            return (start + np.arange(n, dtype=np.int64) * step).astype(npdt)
        return cast(start + np.arange(n, dtype=np.float64) * step, d)

    @staticmethod
    def linspace(start, end, steps, d):
        """torch's linspace: the first half counted from start, the second back from end."""
        npdt = TO_NP[d]
        if steps == 1:
            return cast(np.array([start]), d)
        kind = np.complex128 if npdt.kind == "c" else np.float64
        step = (end - start) / (steps - 1) if steps > 1 else 0
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        vals = np.where(i < half, start + step * i, end - step * (steps - 1 - i)).astype(kind)
        if npdt.kind in "iu":
            vals = np.trunc(vals.real)
        return cast(vals, d)

    @staticmethod
    def logspace(start, end, steps, base, d):
        exps = NumpyBackend.linspace(start, end, steps, D.float64)
        return cast(np.power(float(base), exps), d)

    @staticmethod
    def eye(n, m, d):
        return np.eye(n, m, dtype=TO_NP[d])

    @staticmethod
    def cast_copy(arr, d):
        out = cast(arr, d)
        return out.copy() if out is arr else out

    @staticmethod
    def channels_last_copy(arr):
        return np.ascontiguousarray(arr.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)

    @staticmethod
    def is_host_array(obj):
        return isinstance(obj, np.ndarray)

    @staticmethod
    def has_negative_strides(arr):
        return any(s < 0 for s in arr.strides)

    @staticmethod
    def span(arr):
        """(root, offset) for adopting a NumPy array: the storage begins at its first element,
        as torch.from_numpy's does."""
        if arr.size == 0 or arr.flags.c_contiguous:
            return arr.reshape(-1), 0
        lo, hi = np.lib.array_utils.byte_bounds(arr)
        base = arr
        while isinstance(base.base, np.ndarray):
            base = base.base
        flat = NumpyBackend.root(arr)
        start = (lo - flat.ctypes.data) // arr.itemsize
        count = (hi - lo) // arr.itemsize
        return flat[start:start + count], 0

    @staticmethod
    def dtype_of_np(npdt):
        return from_np_dtype(npdt)

    @staticmethod
    def from_data(data, d=None):
        """An array holding a copy of `data` (nested sequences, scalars, host arrays)."""
        arr = np.array(data)
        if d is not None and arr.dtype != TO_NP[d]:
            arr = cast(arr, d)
        return arr

    @staticmethod
    def from_bytes(data):
        return np.frombuffer(bytearray(data), np.uint8)

    @staticmethod
    def owner(arr):
        """The array that owns `arr`'s memory (itself when it is not a view)."""
        return arr if arr.base is None else arr.base

    @staticmethod
    def is_whole(arr):
        """`arr` is its owner's whole buffer in C order (a fresh result or a reshape of one):
        safe to keep as a gradient without copying, when nothing else holds the owner."""
        base = arr.base
        if base is None:
            return True
        return (isinstance(base, np.ndarray) and arr.flags.c_contiguous and
                arr.nbytes == base.nbytes and arr.ctypes.data == base.ctypes.data)

    @staticmethod
    def buffer_view(buffer, d, count, offset):
        """`count` elements of dtype `d` over a Python buffer, sharing its memory."""
        return np.frombuffer(buffer, TO_NP[d], count, offset)

    @staticmethod
    def memmap_bytes(path, offset, nbytes):
        """`nbytes` of the file at `offset`, memory-mapped copy-on-write."""
        if nbytes == 0:
            return np.zeros(0, np.uint8)
        return np.memmap(path, np.uint8, mode="c", offset=offset, shape=(nbytes,))

    @staticmethod
    def byteswap_bytes(raw, d):
        return raw.view(TO_NP[d]).byteswap().view(np.uint8)

    @staticmethod
    def from_host(arr):
        """Adopt a NumPy array without copying (from_numpy)."""
        return arr

    # --- memory ---------------------------------------------------------------------
    @staticmethod
    def root(arr):
        """The flat, contiguous array spanning the memory `arr` views (its storage)."""
        base = arr
        while isinstance(base.base, np.ndarray):
            base = base.base
        if base.flags.c_contiguous:
            return base.reshape(-1)
        if base.flags.f_contiguous:
            return base.T.reshape(-1)
        order = np.argsort([-abs(s) for s in base.strides], kind="stable")
        return base.transpose(order).reshape(-1)

    @staticmethod
    def view(root, shape, stride, offset):
        """A strided view of `root` in elements; root is 1-D and contiguous."""
        size = root.itemsize
        if offset > root.size:      # an empty view may start past the end, as in torch
            offset = root.size
        return np.ndarray(shape, root.dtype, root, offset * size, [s * size for s in stride])

    @staticmethod
    def data_ptr(arr) -> int:
        return arr.ctypes.data if arr.size else 0

    @staticmethod
    def base_ptr(arr) -> int:
        return arr.ctypes.data

    @staticmethod
    def nbytes(arr) -> int:
        return arr.nbytes

    @staticmethod
    def bytes_view(root):
        return root.view(np.uint8)

    @staticmethod
    def reinterpret(root, d):
        return root.view(TO_NP[d])

    @staticmethod
    def copy_into(dst, src):
        """dst[...] = src with broadcasting and an unchecked cast."""
        if src.dtype.kind == "c" and dst.dtype.kind != "c":
            src = src.real
        if dst.dtype == TO_NP[D.bfloat16] or src.dtype == TO_NP[D.bfloat16]:
            src = np.asarray(src).astype(dst.dtype)
        np.copyto(dst, src, casting="unsafe")

    @staticmethod
    def contiguous_copy(arr):
        return np.array(arr, order="C", copy=True)

    @staticmethod
    def region_write(out, geom, src, accumulate):
        """Write (or, for an overlapping region, add) `src` into the strided region `geom` of
        the C-contiguous array `out`."""
        shape, stride, offset = geom
        flat = out.reshape(-1)
        if not accumulate:
            NumpyBackend.copy_into(NumpyBackend.view(flat, shape, stride, offset), src)
            return
        index = np.full(shape, offset, np.int64)
        for d, (size, st) in enumerate(zip(shape, stride)):
            step = np.arange(size, dtype=np.int64) * st
            index += step.reshape((size,) + (1,) * (len(shape) - d - 1))
        np.add.at(flat, index.reshape(-1), np.broadcast_to(src, shape).reshape(-1))

    @staticmethod
    def unfold_backward(g, in_shape, dim, size, step):
        """Sum the windows `g` (input.unfold(dim, size, step)'s gradient) back in place."""
        out = np.zeros(in_shape, g.dtype)
        if not in_shape:
            return g.sum(axis=-1).reshape(())
        count = g.shape[dim]
        moved = np.moveaxis(g, -1, dim + 1)          # (..., count, size, ...)
        for i in range(size):                         # window length: a short loop
            window = np.take(moved, i, axis=dim + 1)
            target = [slice(None)] * len(in_shape)
            target[dim] = slice(i, i + step * (count - 1) + 1, step)
            out[tuple(target)] += window
        return out

    # --- conversion -----------------------------------------------------------------
    @staticmethod
    def to_host(arr):
        return arr

    @staticmethod
    def tolist(arr):
        if arr.dtype == TO_NP[D.bfloat16]:
            arr = arr.astype(np.float32)
        return arr.tolist()

    @staticmethod
    def item(arr):
        if arr.dtype == TO_NP[D.bfloat16] or arr.dtype == TO_NP[D.float16]:
            return float(arr.reshape(()))
        return arr.reshape(()).item()


def cast(arr, d):
    """`arr` converted to dtype `d` the way torch converts (complex drops the imaginary part,
    floats truncate toward zero, anything nonzero is True)."""
    npdt = TO_NP[d]
    if arr.dtype == npdt:
        return arr
    if arr.dtype.kind == "c" and npdt.kind != "c":
        arr = arr.real
    if d is D.bfloat16 and arr.dtype.kind in "iub":
        arr = arr.astype(np.float32)       # ml_dtypes has no integer -> bfloat16 cast
    elif arr.dtype == TO_NP[D.bfloat16] and npdt.kind in "iu":
        arr = arr.astype(np.float32)
    return arr.astype(npdt)


def cast_scalar(value, d):
    """A Python scalar as a NumPy scalar of dtype `d`, wrapping integers as C casts do."""
    npdt = TO_NP[d]
    if npdt.kind in "iu" and isinstance(value, int):
        bits = 8 * npdt.itemsize
        value &= (1 << bits) - 1
        if npdt.kind == "i" and value >= 1 << (bits - 1):
            value -= 1 << bits
    elif npdt.kind in "iub" and isinstance(value, complex):
        value = value.real
    if npdt.kind in "iu" and isinstance(value, float):
        return np.array(value).astype(npdt)[()]
    return npdt.type(value)


BACKEND = NumpyBackend()

__all__ = ["BACKEND", "NumpyBackend", "cast", "cast_scalar", "from_np_dtype"]
