"""NumPy kernels behind grid_sample (torch.grid_sampler_2d / 3d) and affine_grid.

A grid point's coordinate along each sampled dim becomes a source position (unnormalised, then
clipped or reflected by the padding mode) and a few 1-D taps (input index, in-bounds mask);
the output is the weighted sum over the product of the dims' taps. 2-d sampling follows
torch's vectorised CPU kernel's arithmetic, 3-d its scalar kernel's.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

CUBIC_A = -0.75


def _unnormalize(coord, size, align_corners, vectorised):
    dt = coord.dtype.type
    if vectorised:
        if align_corners:
            return (coord + dt(1)) * dt(dt(size - 1) / dt(2))
        return (coord + dt(1)) * dt(dt(size) / dt(2)) - dt(0.5)
    if align_corners:
        return (coord + dt(1)) / dt(2) * dt(size - 1)
    return ((coord + dt(1)) * dt(size) - dt(1)) / dt(2)


def _reflect(x, size, align_corners, vectorised):
    """Reflection into [0, size-1] (align_corners) or [-0.5, size-0.5], and its slope."""
    dt = x.dtype.type
    low, span2 = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
    if low == span2:
        return np.zeros_like(x), np.zeros_like(x)
    if vectorised:
        low, twice = dt(low / 2), dt(span2 - low)
        shifted = x - low
        mag = np.abs(shifted)
        extra = mag - np.trunc(mag / twice) * twice
        flip = twice - extra < extra
        out = np.minimum(extra, twice - extra) + low
    else:
        low, span = dt(low / 2), dt((span2 - low) / 2)
        shifted = x - low
        mag = np.abs(shifted)
        extra = np.fmod(mag, span)
        flip = np.floor(mag / span).astype(np.int64) % 2 == 1
        out = np.where(flip, span - extra + low, extra + low)
    slope = np.where(shifted < 0, -1, 1) * np.where(flip, -1, 1)
    return out.astype(x.dtype), slope.astype(x.dtype)


def _padded(x, size, padding, align_corners, vectorised):
    """(position, d position / d x) of source position `x` under `padding`."""
    dt = x.dtype.type
    slope = np.ones_like(x)
    if padding == "reflection":
        x, slope = _reflect(x, size, align_corners, vectorised)
    if padding in ("border", "reflection"):
        inside = (x > 0) & (x < dt(size - 1))
        x = np.minimum(dt(size - 1), np.maximum(x, dt(0)))
        slope = slope * inside
    return x, slope


def _cubic_coefficients(t):
    dt = t.dtype.type
    a = dt(CUBIC_A)

    def near(x):
        return ((a + dt(2)) * x - (a + dt(3))) * x * x + dt(1)

    def far(x):
        return ((a * x - dt(5) * a) * x + dt(8) * a) * x - dt(4) * a
    one = dt(1)
    return [far(t + one), near(t), near(one - t), far(dt(2) - t)]


def grid_taps(grid, sizes, mode, padding, align_corners):
    """Per sampled dim (in grid order: x = last input dim first): (source position, its
    derivative by the grid coordinate, [(index, in-bounds mask)] of its 1-D taps)."""
    vectorised = len(sizes) == 2
    dims = []
    for d, size in enumerate(reversed(sizes)):
        coord = grid[..., d]
        scale = coord.dtype.type((size - 1) / 2 if align_corners else size / 2)
        pos = _unnormalize(coord, size, align_corners, vectorised)
        if mode == "bicubic":
            base = np.floor(pos).astype(np.int64)
            taps = []
            for k in range(4):
                tap = (base + (k - 1)).astype(pos.dtype)
                tap, _ = _padded(tap, size, padding, align_corners, vectorised)
                index = tap.astype(np.int64)
                taps.append((index, (index >= 0) & (index < size)))
            dims.append((pos, np.full_like(pos, scale), taps))
            continue
        pos, slope = _padded(pos, size, padding, align_corners, vectorised)
        base = (np.rint(pos) if mode == "nearest" else np.floor(pos)).astype(np.int64)
        offsets = (0,) if mode == "nearest" else (0, 1)
        taps = [(base + k, (base + k >= 0) & (base + k < size)) for k in offsets]
        dims.append((pos, slope * scale, taps))
    return dims


def tap_weights(mode, pos, dt, vectorised):
    """The 1-D weights of a dim's taps at source position `pos`."""
    if mode == "nearest":
        return [None]
    base = np.floor(pos)
    if mode == "bicubic":
        return _cubic_coefficients((pos - base).astype(dt))
    if vectorised:
        frac = (pos - base).astype(dt)
        return [dt.type(1) - frac, frac]
    return [(base + 1 - pos).astype(dt), (pos - base).astype(dt)]


def _product(weights, combo):
    """A tap's weight, multiplied in torch's order (2-d: wy * wx; 3-d: (wx * wy) * wz)."""
    ws = [weights[d][k] for d, k in enumerate(combo)]
    if ws[0] is None:
        return None
    if len(ws) == 2:
        return ws[1] * ws[0]
    return ws[0] * ws[1] * ws[2]


class NumpyGrid:
    """Kernels for ember/_ops/nn_grid.py."""

    grid_taps = staticmethod(grid_taps)

    @staticmethod
    def grid_sample(x, grid, mode, padding, align_corners):
        """`x` (N, C, *in) sampled at `grid` (N, *out, nd): (N, C, *out)."""
        n, c = x.shape[:2]
        sizes = x.shape[2:]
        nd = len(sizes)
        wide = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)
        flat = x.reshape(n, c, -1).astype(wide, copy=False)
        dims = grid_taps(grid.reshape(n, -1, nd).astype(wide, copy=False), sizes, mode,
                         padding, align_corners)
        weights = [tap_weights(mode, pos, wide, nd == 2) for pos, _, _ in dims]
        strides = [math.prod(sizes[nd - d:]) for d in range(nd)]

        def value(combo):
            index, mask = 0, True
            for d, k in enumerate(combo):
                i, m = dims[d][2][k]
                index = index + np.where(m, i, 0) * strides[d]
                mask = mask & m
            got = np.take_along_axis(flat, index[:, None, :], axis=2)
            return np.where(mask[:, None, :], got, wide.type(0))
        out = None
        if mode == "bicubic":            # rows along x first, then y, as torch nests them
            for ky in range(4):
                row = None
                for kx in range(4):
                    term = weights[0][kx][:, None, :] * value((kx, ky))
                    row = term if row is None else row + term
                term = weights[1][ky][:, None, :] * row
                out = term if out is None else out + term
        else:
            for combo in itertools.product(*[range(len(w)) for w in weights[::-1]]):
                combo = combo[::-1]
                w = _product(weights, combo)
                term = value(combo) if w is None else value(combo) * w[:, None, :]
                out = term if out is None else out + term
        return out.reshape((n, c) + grid.shape[1:-1]).astype(x.dtype, copy=False)

    @staticmethod
    def affine_grid(theta, size, align_corners, linspace):
        """(grid, base grid) of torch's affine_grid_generator: `theta` (N, nd, nd+1) applied
        to the base grid of `size`; `linspace(start, end, steps)` gives torch's points."""
        spatial = size[2:]
        axes = []
        for steps in reversed(spatial):
            if steps <= 1:
                axes.append(np.zeros(1, theta.dtype))
                continue
            line = linspace(-1, 1, steps)
            if not align_corners:
                line = line * (steps - 1) / steps
            axes.append(line)
        mesh = list(np.meshgrid(*axes[::-1], indexing="ij"))[::-1]
        base = np.stack(mesh + [np.ones_like(mesh[0])], axis=-1)
        base = base.reshape(-1, len(spatial) + 1)
        out = np.matmul(base, np.swapaxes(theta, 1, 2))
        return out.reshape((theta.shape[0],) + tuple(spatial) + (len(spatial),)), base
