"""NumPy kernels behind gather/scatter, index_* ops, take/put and masked selection.

Scatters address the output through flat (linear) indices into a C-contiguous copy, so that
every write is one 1-D fancy assignment or one ``ufunc.at``: NumPy runs both in index order,
which gives torch CPU's "last write wins" for duplicate indices.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
_REDUCE_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}


def _wide(x):
    """Half and bfloat16 accumulate in float32 (torch's opmath type), rounded once."""
    return x.astype(np.float32) if x.dtype in _LOW else x


def _identity(reduce, dt):
    """The value a position starts from when `include_self` is False."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt == np.bool_:
        return reduce == "amin"
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return info.min if reduce == "amax" else info.max
    return -np.inf if reduce == "amax" else np.inf


def _ufunc_at(ufunc, flat, lin, vals):
    if flat.dtype == np.bool_ and ufunc is np.add:
        ufunc = np.logical_or
    elif flat.dtype == np.bool_ and ufunc is np.multiply:
        ufunc = np.logical_and
    ufunc.at(flat, lin, vals)


def _target(x, inplace):
    """The array a scatter writes into: x itself when in place and C-contiguous (flat
    positions address it), else a C-contiguous copy."""
    return x if inplace and x.flags.c_contiguous else np.array(x, order="C", copy=True)


def _apart(out, src):
    """`src`, copied first if it may share memory with `out` (an in-place write target)."""
    if isinstance(src, np.ndarray) and np.may_share_memory(out, src):
        return src.copy()
    return src


def _scalar_as(value, dt):
    """Python scalar `value` stored as NumPy dtype `dt` the way torch casts (ints wrap)."""
    from ember._backend.dtypes import FROM_NP
    from ember._backend.numpy_backend import cast_scalar
    return cast_scalar(value, FROM_NP[dt])


def _divide_counts(total, counts):
    if total.dtype.kind in "iu":
        return np.floor_divide(total, counts.astype(total.dtype))
    return np.true_divide(total, counts, dtype=total.dtype)


class NumpyIndex:
    """Indexing kernels mixed into the NumPy backend."""

    @staticmethod
    def first_outside(index, low, high):
        """The first value of `index` outside ``[low, high)`` (C order), or None."""
        if index.size == 0 or (index.min() >= low and index.max() < high):
            return None
        bad = (index < low) | (index >= high)
        return int(index[bad].reshape(-1)[0])

    @staticmethod
    def clip_index(index, size):
        """`index` moved into ``[-size, size)`` (any valid place; the result is empty)."""
        return np.clip(index, -size, size - 1) if size else np.zeros_like(index)

    @staticmethod
    def along_lin(shape, dim, index):
        """Flat positions, in a C-contiguous array of `shape`, of ``index`` taken along
        `dim` (index may be smaller than `shape` in the other dims)."""
        strides = [1] * len(shape)
        for d in range(len(shape) - 2, -1, -1):
            strides[d] = strides[d + 1] * shape[d + 1]
        n = index.ndim
        others = [d for d, size in enumerate(index.shape) if d != dim and size > 1]

        def step(d):
            size = index.shape[d]
            return (np.arange(size, dtype=np.int64) * strides[d]).reshape(
                (size,) + (1,) * (n - d - 1))
        # one pass makes the (fresh, int64) array, the other dims add in place
        if strides[dim] != 1:
            lin = index * np.int64(strides[dim])
        elif others:
            lin = index + step(others.pop(0))
        else:
            lin = index.astype(np.int64, copy=False)
        for d in others:
            lin += step(d)
        return lin.reshape(-1)

    @staticmethod
    def gather(x, dim, index):
        """``out[i][j] = x[i][index[i][j]]`` (for dim 1); the result has index's shape."""
        shape = index.shape
        x = np.ascontiguousarray(x).reshape(x.shape or (1,))
        lin = NumpyIndex.along_lin(x.shape, dim, index.reshape(shape or (1,)))
        return np.take(x.reshape(-1), lin).reshape(shape)

    @staticmethod
    def scatter(x, dim, index, src, reduce=None, inplace=False):
        """A copy of `x` (x itself when `inplace` and contiguous) with src (an array, or a
        scalar) written (or added / multiplied) at `index` along `dim`."""
        out = _target(x, inplace)
        if index.size == 0:
            return out
        flat = out.reshape(-1)
        lin = NumpyIndex.along_lin(out.shape or (1,), dim, index.reshape(index.shape or (1,)))
        vals = _apart(out, NumpyIndex._src_values(src, index, out.dtype))
        if reduce is None:
            flat[lin] = vals
        else:
            _ufunc_at(np.add if reduce == "add" else np.multiply, flat, lin, vals)
        return out

    @staticmethod
    def _src_values(src, index, dt):
        """The part of `src` that index covers, flattened (a scalar is cast to `dt`)."""
        if not isinstance(src, np.ndarray):
            return _scalar_as(src, dt)
        if src.ndim == 0:
            src = src.reshape(1)
        key = tuple(slice(0, s) for s in (index.shape or (1,)))
        vals = src[key].reshape(-1)
        return vals.astype(dt, copy=False)

    @staticmethod
    def scatter_add(x, dim, index, src, inplace=False):
        out = _target(x, inplace)
        if index.size:
            lin = NumpyIndex.along_lin(out.shape or (1,), dim,
                                       index.reshape(index.shape or (1,)))
            vals = _apart(out, NumpyIndex._src_values(src, index, out.dtype))
            _ufunc_at(np.add, out.reshape(-1), lin, vals)
        return out

    @staticmethod
    def scatter_reduce(x, dim, index, src, reduce, include_self):
        """torch.scatter_reduce on arrays: sum, prod, mean, amax or amin into a copy of x."""
        out = _wide(np.array(x, order="C", copy=True))
        if index.size == 0:
            return out.astype(x.dtype, copy=False)
        flat = out.reshape(-1)
        lin = NumpyIndex.along_lin(out.shape or (1,), dim, index.reshape(index.shape or (1,)))
        vals = _wide(NumpyIndex._src_values(src, index, x.dtype))
        if not include_self:
            flat[lin] = _identity(reduce, flat.dtype)
        _ufunc_at(_REDUCE_UFUNC[reduce], flat, lin, vals)
        if reduce == "mean":
            counts = np.bincount(lin, minlength=flat.size) + (1 if include_self else 0)
            counts[counts == 0] = 1
            flat[...] = _divide_counts(flat, counts)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def index_put_into(x, key, values, accumulate):
        """``x[key] = values`` (or ``+=``, duplicates accumulating) in x's own memory."""
        values = np.asarray(values)
        if values.dtype != x.dtype:
            values = values.astype(x.dtype)
        if accumulate:
            _ufunc_at(np.add, x, key, values)
        else:
            x[key] = values
        return x

    # --- index_* along one dim --------------------------------------------------------
    @staticmethod
    def index_select(x, dim, index):
        index = index.reshape(-1).astype(np.intp, copy=False)
        if x.ndim == 0:
            return np.take(x.reshape(1), index).reshape(())
        return np.take(x, index, axis=dim)

    @staticmethod
    def _moved_copy(x, dim, inplace=False):
        """A C-contiguous copy of `x` (or x itself, in place) and a view of it with `dim`
        first (0-d as 1-d)."""
        out = x if inplace else np.array(x, order="C", copy=True)
        view = out.reshape(1) if out.ndim == 0 else np.moveaxis(out, dim, 0)
        return out, view

    @staticmethod
    def _moved(src, dim):
        return src.reshape(1) if src.ndim == 0 else np.moveaxis(src, dim, 0)

    @staticmethod
    def index_add(x, dim, index, source, alpha, inplace=False):
        """A copy of x (or x, in place) with ``alpha * source`` added at `index` along
        `dim`."""
        out, view = NumpyIndex._moved_copy(x, dim, inplace)
        index = index.reshape(-1).astype(np.intp, copy=False)
        src = _apart(out, NumpyIndex._moved(source, dim))
        if alpha != 1 and src.dtype != np.bool_:
            src = src * _scalar_as(alpha, src.dtype)
        if index.size:
            NumpyIndex._reduce_slices(np.add, view, index, src)
        return out

    @staticmethod
    def _reduce_slices(ufunc, view, index, src):
        """``view[index[i]] = ufunc(view[index[i]], src[i])`` for every i, duplicates in
        order. A 1-d view takes NumPy's fast 1-d ``ufunc.at``; slices go in rounds, each
        round holding at most one occurrence of every index (as many rounds as the most
        repeated index appears)."""
        if view.dtype == np.bool_:
            ufunc = {np.add: np.logical_or, np.multiply: np.logical_and}.get(ufunc, ufunc)
        if view.ndim == 1:
            ufunc.at(view, index, src)
            return
        index = np.where(index < 0, index + view.shape[0], index)
        order = np.argsort(index, kind="stable")
        ranked = index[order]
        first = np.empty(ranked.shape, bool)
        first[:1] = True
        np.not_equal(ranked[1:], ranked[:-1], out=first[1:])
        starts = np.maximum.accumulate(np.where(first, np.arange(ranked.size), 0))
        rank = np.arange(ranked.size) - starts
        for r in range(int(rank.max()) + 1):
            pick = order[rank == r] if r else order[first]
            rows = index[pick]
            view[rows] = ufunc(view[rows], src[pick])

    @staticmethod
    def index_copy(x, dim, index, source, inplace=False):
        out, view = NumpyIndex._moved_copy(x, dim, inplace)
        view[index.reshape(-1)] = _apart(out, NumpyIndex._moved(source, dim))
        return out

    @staticmethod
    def index_fill(x, dim, index, value, inplace=False):
        out, view = NumpyIndex._moved_copy(x, dim, inplace)
        view[index.reshape(-1)] = value if isinstance(value, np.ndarray) else \
            _scalar_as(value, out.dtype)
        return out

    @staticmethod
    def index_reduce(x, dim, index, source, reduce, include_self):
        """torch.index_reduce on arrays: prod, mean, amax or amin of source slices."""
        wide = _wide(x)
        out, view = NumpyIndex._moved_copy(wide, dim)
        index = index.reshape(-1).astype(np.intp, copy=False)
        src = _wide(NumpyIndex._moved(source, dim))
        if not include_self:
            view[index] = _identity(reduce, out.dtype)
        if index.size:
            NumpyIndex._reduce_slices(_REDUCE_UFUNC[reduce], view, index, src)
        if reduce == "mean":
            counts = np.bincount(np.where(index < 0, index + view.shape[0], index),
                                 minlength=view.shape[0]) + (1 if include_self else 0)
            counts[counts == 0] = 1
            view[...] = _divide_counts(view, counts.reshape((-1,) + (1,) * (view.ndim - 1)))
        return out.astype(x.dtype, copy=False)

    # --- flat indices -----------------------------------------------------------------
    @staticmethod
    def take(x, index):
        return np.take(x.reshape(-1), index.astype(np.intp, copy=False))

    @staticmethod
    def put(x, index, source, accumulate, inplace=False):
        out = _target(x, inplace)
        flat = out.reshape(-1)
        index = index.reshape(-1).astype(np.intp, copy=False)
        vals = _apart(out, source.reshape(-1))
        if accumulate:
            _ufunc_at(np.add, flat, index, vals)
        else:
            flat[index] = vals
        return out

    # --- masks ------------------------------------------------------------------------
    @staticmethod
    def masked_select(x, mask, shape):
        return np.broadcast_to(x, shape)[np.broadcast_to(mask, shape)]

    @staticmethod
    def masked_scatter(x, mask, source, shape):
        out = np.array(np.broadcast_to(x, shape), order="C", copy=True)
        m = np.broadcast_to(mask, shape)
        count = int(np.count_nonzero(m))
        out[m] = source.reshape(-1)[:count]
        return out

    @staticmethod
    def count_nonzero_all(x):
        return int(np.count_nonzero(x))

    @staticmethod
    def nonzero(x):
        if x.dtype in _LOW:
            x = x != 0
        return np.argwhere(x).astype(np.int64, copy=False)
