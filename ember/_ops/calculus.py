"""Finite differences and integrals: diff, gradient, trapezoid, trapz, cumulative_trapezoid.

All are compositions of ember ops, as in torch, so their graphs end in the same nodes
(SubBackward0, MulBackward1, DivBackward1, CumsumBackward0).
"""
from __future__ import annotations

import numbers

from ember import _dtype as D
from ember._errors import wrap_dim, wrap_dims
from ember._ops._registry import Op, apply
from ember._tensor import Tensor

__all__ = ["diff", "gradient", "trapezoid", "trapz", "cumulative_trapezoid"]
FUNCTIONS_ONLY = frozenset({"gradient", "trapezoid", "trapz", "cumulative_trapezoid"})


class MulBackward1(Op):
    """A tensor times a Python number (torch's mul.Scalar)."""

    def forward(self, be, x, *, other):
        self.other = other
        return x * be.xp.asarray(other, x.dtype)

    def backward(self, g):
        return g * self.other


class DivBackward1(MulBackward1):
    """A tensor divided by a Python number (torch's div.Scalar)."""

    def forward(self, be, x, *, other):
        self.other = other
        return x / be.xp.asarray(other, x.dtype)

    def backward(self, g):
        return g / self.other


def _scalar_op(cls, t, number):
    dt = D.result_dtype((t, number))
    if dt.category < D.FLOAT and cls is DivBackward1:
        dt = D.get_default_dtype()
    return apply(cls, (t if t.dtype is dt else t.to(dt),), other=number)


def _slice(t, dim, start, stop=None):
    """``t[..., start:stop, ...]`` along `dim` (negative bounds count from the end)."""
    n = t._arr.shape[dim]
    lo = max(0, start + n if start < 0 else min(start, n))
    hi = n if stop is None else max(0, stop + n if stop < 0 else min(stop, n))
    return t.narrow(dim, lo, max(0, hi - lo))


def _concat(parts, dim):
    from ember._ops.join import cat
    return cat(parts, dim)


def _check_diff_part(input, t, dim):
    if t._arr.ndim != input._arr.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for d in range(input._arr.ndim):
        if d != dim and t._arr.shape[d] != input._arr.shape[d]:
            raise RuntimeError(
                "diff expects the shape of tensor to prepend or append to match that of input "
                f"except along the differencing dimension; input.size({d}) = "
                f"{input._arr.shape[d]}, but got tensor.size({d}) = {t._arr.shape[d]}")


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim` (logical xor for bool), after optionally
    concatenating `prepend` and `append`."""
    if input._arr.ndim < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input._arr.ndim)
    for name, t in (("prepend", prepend), ("append", append)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
        if t is not None:
            _check_diff_part(input, t, d)
    if n == 0:
        from ember._ops.creation import zeros_like
        return zeros_like(input).copy_(input)
    x = input
    if prepend is not None or append is not None:
        x = _concat([t for t in (prepend, input, append) if t is not None], d)
    length = x._arr.shape[d] - 1
    for _ in range(min(n, x._arr.shape[d])):
        hi, lo = x.narrow(d, 1, length), x.narrow(d, 0, length)
        x = hi ^ lo if x.dtype is D.bool else hi - lo
        length -= 1
    return x


def _gradient_checks(input, spacing_len, dims_given, dims, edge_order):
    if input.dtype is D.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if spacing_len is not None and not dims_given and spacing_len != input._arr.ndim:
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {input._arr.ndim}', since dim argument was not given, but "
            f"got a list of length {spacing_len}")
    if spacing_len is not None and dims_given and spacing_len != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{spacing_len} and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if input._arr.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")


def _gradient_uniform(x, d, h, edge_order):
    s = _slice
    center = (s(x, d, 2) - s(x, d, 0, -2)) / h
    if edge_order == 1:
        first = (s(x, d, 1, 2) - s(x, d, 0, 1)) / h
        last = (s(x, d, -1) - s(x, d, -2, -1)) / h
    else:
        first = (-1.5 * s(x, d, 0, 1) + 2 * s(x, d, 1, 2) - 0.5 * s(x, d, 2, 3)) / h
        last = (0.5 * s(x, d, -3, -2) - 2 * s(x, d, -2, -1) + 1.5 * s(x, d, -1)) / h
    return _concat([first, center / 2, last], d)


def _gradient_coords(x, d, coords, edge_order):
    s = _slice
    if coords._arr.ndim != 1:
        raise RuntimeError("torch.gradient expected each element of spacing to have one "
                           f"dimension, but got an element with {coords._arr.ndim} dimensions!")
    shape = [1] * x._arr.ndim
    shape[d] = -1
    h = coords.diff(1, 0)
    h1, h2 = s(h, 0, 0, -1), s(h, 0, 1)
    a = (-h2 / (h1 * (h1 + h2))).reshape(shape)
    b = ((h2 - h1) / (h1 * h2)).reshape(shape)
    c = (h1 / (h2 * (h1 + h2))).reshape(shape)
    center = a * s(x, d, 0, -2) + b * s(x, d, 1, -1) + c * s(x, d, 2)
    if edge_order == 1:
        first = (s(x, d, 1, 2) - s(x, d, 0, 1)) / h[0]
        last = (s(x, d, -1) - s(x, d, -2, -1)) / h[-1]
    else:
        p, q = h[0], h[1]
        first = (-(2.0 * p + q) / (p * (p + q))) * s(x, d, 0, 1) + \
            ((p + q) / (p * q)) * s(x, d, 1, 2) + (-p / (q * (p + q))) * s(x, d, 2, 3)
        p, q = h[-1], h[-2]
        last = (p / (q * (p + q))) * s(x, d, -3, -2) + (-(p + q) / (p * q)) * s(x, d, -2, -1) + \
            ((2 * p + q) / (p * (p + q))) * s(x, d, -1)
    return _concat([first, center, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimates of the derivative of `input` along each of `dim` (all dims by default) by
    central differences; `spacing` is a step (scalar or one per dim) or coordinate tensors."""
    ndim = input._arr.ndim
    dims_given = dim is not None
    dims = (wrap_dim(dim, ndim),) if isinstance(dim, int) else \
        (wrap_dims(dim, ndim) if dims_given else tuple(range(ndim)))
    spacing_len = None if isinstance(spacing, (numbers.Number, Tensor)) and \
        not (isinstance(spacing, Tensor) and spacing._arr.ndim) else len(spacing)
    _gradient_checks(input, spacing_len, dims_given, dims, edge_order)
    steps = [spacing] * len(dims) if spacing_len is None else list(spacing)
    out = []
    for d, h in zip(dims, steps):
        if isinstance(h, Tensor) and h._arr.ndim:
            out.append(_gradient_coords(input, d, h, edge_order))
        else:
            out.append(_gradient_uniform(input, d, h, edge_order))
    return tuple(out)


def _check_dx(name, dx):
    if isinstance(dx, (bool, complex)):
        raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")


def _x_view(name, x, y, d):
    if x._arr.ndim == 1:
        if x._arr.shape[0] != y._arr.shape[d]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y._arr.ndim
        shape[d] = x._arr.shape[0]
        return x.view(shape)
    if x._arr.ndim < y._arr.ndim:
        return x.view((1,) * (y._arr.ndim - x._arr.ndim) + tuple(x._arr.shape))
    return x


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of `y` along `dim` by the trapezoidal rule, with sample points `x` or a
    constant spacing `dx` (default 1)."""
    d = wrap_dim(dim, y._arr.ndim)
    if y._arr.shape[d] == 0:
        from ember._ops.creation import zeros
        shape = tuple(s for i, s in enumerate(y._arr.shape) if i != d)
        return zeros(shape, dtype=y.dtype, device=y.device)
    if isinstance(x, Tensor):
        if y.dtype is D.bool or x.dtype is D.bool:
            raise RuntimeError("trapezoid: received a bool input for `x` or `y`, but bool is "
                               "not supported")
        xv = _x_view("trapezoid", x, y, d)
        step = _slice(xv, d, 1) - _slice(xv, d, 0, -1)
        return _scalar_op(DivBackward1, (step * (_slice(y, d, 1) + _slice(y, d, 0, -1))).sum(d),
                          2.0)
    if y.dtype is D.bool:
        raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not supported")
    dx = 1 if dx is None else dx
    _check_dx("trapezoid", dx)
    edges = (y.select(d, 0) + y.select(d, -1)) * 0.5
    return _scalar_op(MulBackward1, y.sum(d) - edges, float(dx))


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral of `y` along `dim` (one element shorter than `y`)."""
    d = wrap_dim(dim, y._arr.ndim)
    left, right = _slice(y, d, 0, -1), _slice(y, d, 1)
    if isinstance(x, Tensor):
        if y.dtype is D.bool or x.dtype is D.bool:
            raise RuntimeError("cumulative_trapezoid: received a bool input for `x` or `y`, but "
                               "bool is not supported")
        xv = _x_view("cumulative_trapezoid", x, y, d)
        step = _slice(xv, d, 1) - _slice(xv, d, 0, -1)
        return _scalar_op(DivBackward1, (step * (left + right)).cumsum(d), 2.0)
    if y.dtype is D.bool:
        raise RuntimeError("cumulative_trapezoid: received a bool input for `y`, but bool is "
                           "not supported")
    dx = 1 if dx is None else dx
    _check_dx("cumulative_trapezoid", dx)
    return _scalar_op(MulBackward1, left + right, float(dx) / 2.0).cumsum(d)
