"""Spatial sampling: torch.grid_sampler (grid_sampler_2d / 3d) and
torch.affine_grid_generator, each one graph node named as torch names it.

grid_sample's backward is written in ember ops over the saved input and grid: a sampled
value is a sum over taps of (input value at the tap) x (product of 1-D weights, functions of
the source position), and the source position is the grid coordinate times the slope of the
unnormalise-and-pad map plus a constant. So the gradients themselves are differentiable, in
the input, the grid and the incoming gradient, as torch's are.
"""
from __future__ import annotations

import itertools
import math

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops._pool_args import FLOAT_TYPES, not_implemented
from ember._ops._registry import Op, apply
from ember._tensor import _wrap

__all__ = ["grid_sampler", "grid_sampler_2d", "grid_sampler_3d", "affine_grid_generator"]
FUNCTIONS_ONLY = tuple(__all__)

MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")
CUBIC_A = -0.75


def _const(arr, be):
    return _wrap(arr, be.dtype_of(arr), be)


def _cubic(t):
    """Keys' cubic weights of the four taps around fractional position `t` and their
    derivatives, as ember expressions of `t`."""
    a = CUBIC_A

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def d_near(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def d_far(x):
        return (3 * a * x - 10 * a) * x + 8 * a
    weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    slopes = [d_far(t + 1), d_near(t), -d_near(1 - t), -d_far(2 - t)]
    return weights, slopes


def _dim_weights(mode, pos, base):
    """(weights, d weights / d pos) of one dim's taps; `pos` differentiable, `base` its
    floor (a constant)."""
    if mode == "nearest":
        return [None], [0]
    frac = pos - base
    if mode == "bilinear":
        return [1 - frac, frac], [-1, 1]
    return _cubic(frac)


def _mul(a, b):
    return b if a is None else a if b is None else a * b


def _dim_terms(points, taps, mode, be):
    """Per sampled dim: (tap weights, their derivatives by the source position, the slope of
    the source position by the grid coordinate). The position is rebuilt as grid coordinate
    x slope + constant, so the weights stay differentiable in the grid."""
    terms = []
    for d, (pos, scale, _) in enumerate(taps):
        coord = points[..., d]
        slope = _const(scale, be)
        moving = (coord - coord.detach()) * slope + _const(pos, be)
        weights, slopes = _dim_weights(mode, moving, _const(be.xp.floor(pos), be))
        terms.append((weights, slopes, slope))
    return terms


def _tap_at(taps, combo, sizes, be):
    """(flat input index, in-bounds mask) of one tap of every grid point."""
    index, mask = 0, True
    for d, k in enumerate(combo):
        i, m = taps[d][2][k]
        stride = math.prod(sizes[len(sizes) - d:])
        index = index + be.xp.where(m, i, 0) * stride
        mask = mask & m
    return _const(index, be), _const(mask, be)


def _grid_backward(grad, input, grid, mode, padding, align_corners, need):
    """(grad_input, grad_grid) of grid sampling, in ember ops."""
    be = input._be
    n, c = input.shape[:2]
    sizes = tuple(input.shape[2:])
    nd = len(sizes)
    points = grid.reshape(n, -1, nd)
    taps = be.grid_taps(points.detach()._arr, sizes, mode, padding, align_corners)
    terms = _dim_terms(points, taps, mode, be)
    g = grad.reshape(n, c, -1)
    flat = input.reshape(n, c, -1)
    grad_in = flat.new_zeros(flat.shape) if need[0] else None
    grad_pos = [0] * nd
    for combo in itertools.product(*[range(len(w)) for w, _, _ in terms]):
        index, mask = _tap_at(taps, combo, sizes, be)
        at = index.unsqueeze(1).expand(n, c, -1)
        keep = mask.to(input.dtype).unsqueeze(1)
        weight = None
        for d, k in enumerate(combo):
            weight = _mul(weight, terms[d][0][k])
        if need[0]:
            share = g * keep if weight is None else g * (weight.unsqueeze(1) * keep)
            grad_in = grad_in.scatter_add(2, at, share)
        if need[1] and mode != "nearest":
            seen = (g * flat.gather(2, at) * keep).sum(1)
            for d in range(nd):
                slope = terms[d][1][combo[d]]
                for e, k in enumerate(combo):
                    if e != d:
                        slope = slope * terms[e][0][k]
                grad_pos[d] = grad_pos[d] + seen * slope
    grad_grid = None
    if need[1] and mode == "nearest":
        grad_grid = grid.new_zeros(grid.shape)
    elif need[1]:
        parts = [p * slope for p, (_, _, slope) in zip(grad_pos, terms)]
        grad_grid = _stack_last(parts).reshape(grid.shape)
    return (grad_in.reshape(input.shape) if need[0] else None), grad_grid


def _stack_last(parts):
    from ember._ops.join import stack
    return stack(parts, -1)


class _GridSampler(Op):
    """`input` sampled at the points of `grid` (normalised to [-1, 1] per dim)."""

    save_inputs = (0, 1)

    def forward(self, be, x, grid, *, mode, padding, align_corners):
        self.opts = (mode, padding, align_corners)
        return be.grid_sample(x, grid, mode, padding, align_corners)

    def backward(self, grad):
        input, grid = self.saved
        return _grid_backward(grad, input, grid, *self.opts, self.needs_input_grad)


class GridSampler2DBackward0(_GridSampler):
    pass


class GridSampler3DBackward0(_GridSampler):
    pass


def _check_grid(input, grid, interpolation_mode):
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {shape_str(input.shape)} and grid with "
                           f"sizes {shape_str(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in "
                           f"last dimension, but got grid with sizes {shape_str(grid.shape)}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {shape_str(input.shape)} with "
                               f"dimension {i} being empty")


def _grid_sampler(nd, input, grid, interpolation_mode, padding_mode, align_corners):
    _check_grid(input, grid, interpolation_mode)
    if input.dim() != nd + 2 or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected {nd + 2}D input and grid with same number "
                           f"of dimensions, but got input with sizes {shape_str(input.shape)} "
                           f"and grid with sizes {shape_str(grid.shape)}")
    if nd == 3 and interpolation_mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype not in FLOAT_TYPES:
        raise not_implemented(f"grid_sampler_{nd}d_cpu_kernel_impl"
                              if nd == 2 else "grid_sampler_3d_cpu", input.dtype)
    if grid.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found "
                           f"{D.type_name(grid.dtype)}")
    op = GridSampler2DBackward0 if nd == 2 else GridSampler3DBackward0
    return apply(op, (input, grid), mode=MODES[interpolation_mode],
                 padding=PADDINGS[padding_mode], align_corners=bool(align_corners))


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    """Sample (N, C, H, W) `input` at (N, H', W', 2) `grid` points (x, y in [-1, 1]);
    modes 0/1/2 = bilinear/nearest/bicubic, padding 0/1/2 = zeros/border/reflection."""
    return _grid_sampler(2, input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    """Sample (N, C, D, H, W) `input` at (N, D', H', W', 3) `grid` points (x, y, z)."""
    return _grid_sampler(3, input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """grid_sampler_2d for a 4-d input, grid_sampler_3d otherwise (torch.grid_sampler)."""
    _check_grid(input, grid, interpolation_mode)
    nd = 2 if input.dim() == 4 else 3
    return _grid_sampler(nd, input, grid, interpolation_mode, padding_mode, align_corners)


# --- affine grids -----------------------------------------------------------------------
class AffineGridGeneratorBackward0(Op):
    """theta (N, nd, nd+1) applied to the base grid of normalised coordinates."""

    def forward(self, be, theta, *, size, align_corners):
        def points(start, end, steps):
            return be.linspace(start, end, steps, be.dtype_of(theta))
        grid, self.base = be.affine_grid(theta, size, align_corners, points)
        self.be = be
        return grid

    def backward(self, grad):
        n = grad.shape[0]
        base = _const(self.base, self.be)
        flat = grad.reshape(n, -1, grad.shape[-1])
        return flat.transpose(1, 2).matmul(base)


def affine_grid_generator(theta, size, align_corners):
    """The sampling grid of affine maps `theta` for an output of `size` (N, C, *spatial)
    (torch.affine_grid_generator)."""
    size = [int(s) for s in size]
    if len(size) not in (4, 5):
        raise RuntimeError("AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.")
    n = size[0]
    if theta.dim() != 3 or theta.shape[0] != n:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{n}, {theta.shape[-1]}] but got: [{theta.shape[0]}, "
                           f"{theta.shape[-1]}].")
    return apply(AffineGridGeneratorBackward0, (theta,), size=tuple(size),
                 align_corners=bool(align_corners))
