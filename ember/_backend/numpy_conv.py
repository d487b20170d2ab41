"""NumPy kernels behind convolution (1 to 3 spatial dims): im2col over strided windows, one
GEMM per pass, and col2im by slice-adds over the kernel offsets.

A convolution relates three arrays: the "big" one (N, C, *S) (a conv's input, a transposed
conv's output), the weight (O, C/groups, *K) and the "small" one (N, O, *L) (a conv's
output). Three kernels cover every pass of both ops and all their derivatives:

- ``conv_forward(big, w) -> small``      (conv; the input gradient of a transposed conv)
- ``conv_transpose(small, w) -> big``    (transposed conv; the input gradient of a conv)
- ``conv_weight(big, small) -> w``       (the weight gradient of both)

Geometry arguments are tuples over the spatial dims: kernel, stride, padding, dilation.
Half and bfloat16 are computed in float32 and rounded once.

Columns come in two layouts: batch-major (N, C*K, L), multiplied one sample at a time so the
output needs no transpose, and channel-major (C*K, N*L), one GEMM over the whole batch, for
small outputs where per-sample GEMMs would be too small to run fast.
"""
from __future__ import annotations

import itertools
import math

import ml_dtypes
import numpy as np
from numpy.lib.stride_tricks import as_strided

_LOW = (np.dtype(ml_dtypes.bfloat16), np.dtype(np.float16))
_SMALL_L = 256          # fewer output positions per sample: channel-major columns
_SMALL_GEMM = 2048      # fewer (out channels x C*K) weight entries: channel-major columns


def _up(a):
    return a.astype(np.float32) if a.dtype in _LOW else a


def _batch_major(o, ck, ll):
    return ll >= _SMALL_L and o * ck >= _SMALL_GEMM


def _windows(xp, kernel, stride, dilation, out):
    """The (N, C, *K, *L) view of the padded input: element [n, c, k.., l..] is
    ``xp[n, c, l * stride + k * dilation]`` per spatial dim."""
    st = xp.strides
    nd = len(kernel)
    k_strides = tuple(st[2 + i] * dilation[i] for i in range(nd))
    l_strides = tuple(st[2 + i] * stride[i] for i in range(nd))
    return as_strided(xp, xp.shape[:2] + tuple(kernel) + tuple(out),
                      st[:2] + k_strides + l_strides, writeable=False)


def _padded(x, padding):
    """`x` with `padding` zeros on both sides of every spatial dim (x itself if none)."""
    if not any(padding):
        return x
    shape = x.shape[:2] + tuple(s + 2 * p for s, p in zip(x.shape[2:], padding))
    xp = np.zeros(shape, x.dtype)
    xp[(Ellipsis,) + tuple(slice(p, p + s) for p, s in zip(padding, x.shape[2:]))] = x
    return xp


def _crop(xp, padding, size):
    return xp[(Ellipsis,) + tuple(slice(p, p + s) for p, s in zip(padding, size))]


def _im2col(x, kernel, stride, padding, dilation, out, batch_major):
    """Columns of `x`: (N, C*K, L) if `batch_major` else (C*K, N*L), C-contiguous."""
    n, c = x.shape[:2]
    kk, ll = math.prod(kernel), math.prod(out)
    if kk == 1 and not any(padding):
        # 1x1 kernel: the columns are the (strided) input itself
        win = x[(Ellipsis,) + tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out, stride))]
        if batch_major:
            return np.ascontiguousarray(win).reshape(n, c, ll)
        return np.ascontiguousarray(np.swapaxes(win, 0, 1)).reshape(c, n * ll)
    win = _windows(_padded(x, padding), kernel, stride, dilation, out)
    if batch_major:
        return np.ascontiguousarray(win).reshape(n, c * kk, ll)
    nd = len(kernel)
    order = (1,) + tuple(range(2, 2 + nd)) + (0,) + tuple(range(2 + nd, 2 + 2 * nd))
    return np.ascontiguousarray(win.transpose(order)).reshape(c * kk, n * ll)


def _col2im(col, shape, kernel, stride, padding, dilation, out):
    """Sum the columns (N, C, *K, *L) back into an (N, C, *S) array (im2col's adjoint)."""
    nd = len(kernel)
    padded = shape[:2] + tuple(s + 2 * p for s, p in zip(shape[2:], padding))
    xp = np.zeros(padded, col.dtype)
    for offset in itertools.product(*(range(k) for k in kernel)):
        target = (Ellipsis,) + tuple(
            slice(offset[i] * dilation[i], offset[i] * dilation[i] + stride[i] * (out[i] - 1) + 1,
                  stride[i]) for i in range(nd))
        xp[target] += col[(slice(None), slice(None)) + offset]
    if not any(padding):
        return xp
    return np.ascontiguousarray(_crop(xp, padding, shape[2:]))


def _transpose_unit_stride(g, wg_t, c, kernel, padding, dilation, size):
    """conv_transpose for stride 1 everywhere. The output gradient is embedded in the padded
    output grid (zeros elsewhere) before the GEMM, so that each kernel offset's columns
    land on one contiguous run of a channel-major buffer: one long add per channel."""
    n, o = g.shape[:2]
    groups = wg_t.shape[0]
    out = g.shape[2:]
    grid = tuple(s + 2 * p for s, p in zip(size, padding))
    plane = math.prod(grid)
    embedded = np.zeros((o, n) + grid, g.dtype)
    embedded[(slice(None), slice(None)) + tuple(slice(0, v) for v in out)] = np.swapaxes(g, 0, 1)
    col = np.matmul(wg_t, embedded.reshape(groups, o // groups, n * plane))
    col = col.reshape(c, -1, n * plane)                        # (C, K, N*plane)
    steps = [math.prod(grid[i + 1:]) * dilation[i] for i in range(len(grid))]
    shifts = [sum(k * s for k, s in zip(offset, steps))
              for offset in itertools.product(*(range(k) for k in kernel))]
    buf = np.zeros((c, n * plane + max(shifts)), g.dtype)
    span = n * plane
    for k, shift in enumerate(shifts):
        buf[:, shift:shift + span] += col[:, k]
    x = _crop(buf[:, :span].reshape((c, n) + grid), padding, size)
    return np.ascontiguousarray(np.swapaxes(x, 0, 1))


class NumpyConv:
    """Convolution kernels mixed into the NumPy backend."""

    @staticmethod
    def conv_forward(x, w, bias, stride, padding, dilation, groups, out, keep=False):
        """(N, C, *S) * (O, C/g, *K) -> (N, O, *out), plus `bias` (O,) when given. With
        `keep`, also the columns, for conv_weight to reuse."""
        dtype = x.dtype
        x, w = _up(x), _up(w)
        n, c = x.shape[:2]
        o, kernel = w.shape[0], w.shape[2:]
        ll = math.prod(out)
        wg = w.reshape(groups, o // groups, -1)
        col = None
        if c == 0:
            # NOTE(torch): a conv of an input without channels has no output channels either
            y = np.zeros((n, 0, ll), x.dtype)
        elif n * ll == 0:
            y = np.zeros((n, o, ll), x.dtype)
        elif _batch_major(o, c * math.prod(kernel), ll):
            col = _im2col(x, kernel, stride, padding, dilation, out, True)
            y = np.matmul(wg, col.reshape(n, groups, -1, ll)).reshape(n, o, ll)
        else:
            col = _im2col(x, kernel, stride, padding, dilation, out, False)
            y_t = np.matmul(wg, col.reshape(groups, -1, n * ll))        # (g, O/g, N*L)
            y = np.ascontiguousarray(y_t.reshape(o, n, ll).transpose(1, 0, 2))
        if bias is not None and c:
            y += _up(bias).reshape(1, o, 1)
        y = y.reshape((n, y.shape[1]) + tuple(out)).astype(dtype, copy=False)
        return (y, col) if keep else y

    @staticmethod
    def conv_transpose(g, w, bias, stride, padding, dilation, groups, size):
        """(N, O, *L) -> (N, C, *size): the adjoint of conv_forward in its input, where the
        weight is (O, C/g, *K) (a transposed conv's weight layout)."""
        dtype = g.dtype
        g, w = _up(g), _up(w)
        n, o = g.shape[:2]
        cg, kernel = w.shape[1], w.shape[2:]
        out = g.shape[2:]
        ll = math.prod(out)
        c = cg * groups
        wg_t = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)    # (g, C/g*K, O/g)
        if n * ll == 0 or c == 0 or o == 0:
            x = np.zeros((n, c) + tuple(size), g.dtype)
        elif all(s == 1 for s in stride):
            x = _transpose_unit_stride(g, wg_t, c, kernel, padding, dilation, size)
        else:
            if _batch_major(c, o // groups * math.prod(kernel), ll):
                col = np.matmul(wg_t, g.reshape(n, groups, o // groups, ll))
                col = col.reshape((n, c) + tuple(kernel) + tuple(out))
            else:
                g_t = np.ascontiguousarray(np.swapaxes(g, 0, 1)).reshape(
                    groups, o // groups, n * ll)
                col = np.matmul(wg_t, g_t).reshape((c,) + tuple(kernel) + (n,) + tuple(out))
                col = np.moveaxis(col, 1 + len(kernel), 0)
            x = _col2im(col, (n, c) + tuple(size), kernel, stride, padding, dilation, out)
        if bias is not None:
            x += _up(bias).reshape((1, c) + (1,) * len(size))
        return x.astype(dtype, copy=False)

    @staticmethod
    def conv_weight(x, g, kernel, stride, padding, dilation, groups, col=None):
        """(N, C, *S), (N, O, *L) -> (O, C/g, *kernel): the weight gradient of a conv whose
        input is `x` and output gradient `g`; `col`: conv_forward's kept columns of `x`."""
        dtype = x.dtype
        x, g = _up(x), _up(g)
        n, c = x.shape[:2]
        o, out = g.shape[1], g.shape[2:]
        ll = math.prod(out)
        shape = (o, c // groups) + tuple(kernel)
        if n * ll == 0 or c == 0 or o == 0:
            return np.zeros(shape, dtype)
        og = o // groups
        if col is not None and col.ndim == 3:                      # batch-major (N, C*K, L)
            parts = np.matmul(g.reshape(n, groups, og, ll),
                              col.reshape(n, groups, -1, ll).transpose(0, 1, 3, 2))
            return parts.sum(0).reshape(shape).astype(dtype, copy=False)
        if col is None:
            col = _im2col(x, kernel, stride, padding, dilation, out, False)   # (C*K, N*L)
        g_t = np.ascontiguousarray(np.swapaxes(g, 0, 1)).reshape(groups, og, n * ll)
        gw = np.matmul(g_t, col.reshape(groups, -1, n * ll).transpose(0, 2, 1))
        return gw.reshape(shape).astype(dtype, copy=False)

    @staticmethod
    def conv_bias_grad(g, channels):
        """The bias gradient: `g` summed over every dim but the channel dim (zeros for the
        `channels` biases of a conv whose input had no channels)."""
        if g.shape[1] != channels:
            return np.zeros(channels, g.dtype)
        axes = (0,) + tuple(range(2, g.ndim))
        return _up(g).sum(axis=axes).astype(g.dtype, copy=False)

    @staticmethod
    def im2col(x, kernel, stride, padding, dilation, out):
        """F.unfold: (N, C, *S) -> (N, C*K, L)."""
        n, c = x.shape[:2]
        if n * c * math.prod(out) == 0:
            return np.zeros((n, c * math.prod(kernel), math.prod(out)), x.dtype)
        return _im2col(x, kernel, stride, padding, dilation, out, True)

    @staticmethod
    def col2im(col, size, kernel, stride, padding, dilation, out):
        """F.fold: (N, C*K, L) -> (N, C, *size), overlapping windows summed."""
        n = col.shape[0]
        c = col.shape[1] // math.prod(kernel)
        col = col.reshape((n, c) + tuple(kernel) + tuple(out))
        return _col2im(col, (n, c) + tuple(size), kernel, stride, padding, dilation, out)
