"""Window pooling primitives (max and average over 1 to 3 trailing dims) and torch's top-level
pooling functions (torch.max_pool1d/2d/3d, max_pool1d_with_indices, avg_pool1d).

Max pooling's backward is its own op (``MaxPool2DWithIndicesBackwardBackward0``: the gradient
added at each window's argmax), whose backward gathers by the same indices, so gradients of
any order exist; average pooling's backward is the transposed pooling, whose backward is the
pooling again. 1-d pooling runs as 2-d pooling of ``input.unsqueeze(-2)``, as in torch.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._pool_args import (FLOAT_TYPES, check_dtype, int_list, is_int, pool1d_args,
                                   pool_geometry)
from ember._ops._registry import Op, apply
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d", "avg_pool1d"]
FUNCTIONS_ONLY = tuple(__all__)

MAX_TYPES = FLOAT_TYPES + (D.uint8, D.int8, D.int16, D.int32, D.int64)


def gather_planes(t, index, nd):
    """``t``'s values at flat plane positions `index` (of shape lead + out): the backward of
    a scatter into planes, in differentiable ember ops."""
    lead = tuple(index.shape[:index.dim() - nd])
    picked = t.reshape(*lead, -1).gather(-1, index.reshape(*lead, -1))
    return picked.reshape(index.shape)


# --- max pooling ------------------------------------------------------------------------
class _MaxPool(Op):
    """Max over each window; output 1 (if asked) is torch's flat plane index of the max."""

    grad_op = None

    def forward(self, be, x, *, dims, with_indices, keep):
        out, taps = be.max_pool(x, dims, with_indices or keep)
        self.dims, self.taps, self.index = dims, taps, None
        if with_indices:
            self.index = be.pool_indices(taps, dims)
            return out, self.index
        return out

    def backward(self, grad, *_):
        return apply(self.grad_op, (grad,), dims=self.dims, taps=self.taps, index=self.index)


class _MaxPoolGrad(Op):
    """The gradient of max pooling: each output's gradient added at its window's max."""

    def forward(self, be, g, *, dims, taps, index):
        self.dims, self.taps, self.index = dims, taps, index
        self.be = be
        return be.max_pool_backward(g, taps, dims)

    def backward(self, gg):
        be = self.be
        index = self.index if self.index is not None else be.pool_indices(self.taps, self.dims)
        return gather_planes(gg, _wrap(index, D.int64, be), len(self.dims))


class MaxPool2DWithIndicesBackwardBackward0(_MaxPoolGrad):
    pass


class MaxPool3DWithIndicesBackwardBackward0(_MaxPoolGrad):
    pass


class MaxPool2DWithIndicesBackward0(_MaxPool):
    grad_op = MaxPool2DWithIndicesBackwardBackward0


class MaxPool3DWithIndicesBackward0(_MaxPool):
    grad_op = MaxPool3DWithIndicesBackwardBackward0


def _max_pool(fn, input, kernel_size, stride, padding, dilation, ceil_mode, with_indices):
    """2-d or 3-d max pooling as torch's `fn` (max_pool2d, max_pool3d, ..._with_indices)."""
    base = fn[:10]
    kernel = int_list(fn, "kernel_size", kernel_size, 2)
    stride = int_list(fn, "stride", stride, 3) if stride is not None else ()
    padding = int_list(fn, "padding", padding, 4)
    dilation = int_list(fn, "dilation", dilation, 5)
    dims = pool_geometry(base, input, kernel, stride, padding, dilation, ceil_mode)
    check_dtype(base, input.dtype, MAX_TYPES)
    op = MaxPool2DWithIndicesBackward0 if len(dims) == 2 else MaxPool3DWithIndicesBackward0
    keep = GRAD.grad and input._requires_grad
    return apply(op, (input,), dims=dims, with_indices=with_indices, keep=keep)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max over sliding windows of the last two dims (torch.max_pool2d)."""
    return _max_pool("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     False)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max over sliding windows of the last three dims (torch.max_pool3d)."""
    return _max_pool("max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     False)


def max_pool2d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """(max_pool2d, flat index of each max within its input plane)."""
    return _max_pool("max_pool2d_with_indices", input, kernel_size, stride, padding, dilation,
                     ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """(max_pool3d, flat index of each max within its input volume)."""
    return _max_pool("max_pool3d_with_indices", input, kernel_size, stride, padding,
                     dilation, ceil_mode, True)


def _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode):
    """torch.max_pool1d's own checks (its no-indices kernel words them differently)."""
    shape = tuple(input.shape)
    if input.dim() not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:[{', '.join(map(str, shape))}]")
    fn = "max_pool1d"
    lists = [int_list(fn, n, v, i) for n, v, i in
             (("kernel_size", kernel_size, 2), ("stride", stride, 3), ("padding", padding, 4),
              ("dilation", dilation, 5))]
    kernel, stride, padding, dilation = lists
    what = ("kernel_size must be an int, list of ints or tuple of ints",
            "stride must be None, an int, list of ints, or tuple of ints",
            "padding must be an int, list of ints, or tuple of ints",
            "dilation must be an int, list of ints or tuple of ints")
    for values, text, empty_ok in zip(lists, what, (False, True, False, False)):
        if len(values) != 1 and not (empty_ok and not values):
            raise RuntimeError(f"max_pool1d() {text} of size 1 but got size {len(values)}")
    (k,), (p,), (d,) = kernel, padding, dilation
    s = stride[0] if stride else k
    for ok, text in ((k > 0, f"kernel_size must be greater than zero, but got {k}"),
                     (s > 0, f"stride must be greater than zero, but got {s}"),
                     (p >= 0, f"padding must be non-negative, but got {p}"),
                     (p <= k // 2, f"padding should be at most half of kernel size, but got "
                      f"padding={p} and kernel_size={k}"),
                     (d > 0, f"dilation must be greater than zero, but got {d}")):
        if not ok:
            raise RuntimeError(f"max_pool1d() {text}")
    out = (shape[-1] + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= shape[-1] + p:
        out -= 1
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    return (k,), (s,), (p,), (d,)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max over sliding windows of the last dim (torch.max_pool1d)."""
    k, s, p, d = _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    if not (GRAD.grad and input._requires_grad):
        check_dtype("max_pool1d_impl", input.dtype, FLOAT_TYPES)
    out = _max_pool("max_pool2d", input.unsqueeze(-2), (1,) + k, (1,) + s, (0,) + p,
                    (1,) + d, ceil_mode, False)
    return out.squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """(max_pool1d, index of each max within its row) (torch.max_pool1d_with_indices)."""
    k, s, p, d = pool1d_args("max_pool1d", input, kernel_size, stride, padding, dilation)
    out, index = _max_pool("max_pool2d", input.unsqueeze(-2), (1,) + k, (1,) + s, (0,) + p,
                           (1,) + d, ceil_mode, True)
    return out.squeeze(-2), index.squeeze(-2)


# --- average pooling --------------------------------------------------------------------
class _AvgPool(Op):
    """Mean over each window, divided as torch divides (count_include_pad, divisor)."""

    grad_op = None

    def forward(self, be, x, *, dims, count_include_pad, divisor):
        self.opts = {"dims": dims, "count_include_pad": count_include_pad,
                     "divisor": divisor}
        return be.avg_pool(x, dims, count_include_pad, divisor)

    def backward(self, grad):
        return apply(self.grad_op, (grad,), **self.opts)


class _AvgPoolGrad(Op):
    """The gradient of average pooling (the transposed pooling); its own gradient is the
    pooling again."""

    pool_op = None

    def forward(self, be, g, *, dims, count_include_pad, divisor):
        self.opts = {"dims": dims, "count_include_pad": count_include_pad,
                     "divisor": divisor}
        return be.avg_pool_backward(g, dims, count_include_pad, divisor)

    def backward(self, gg):
        return apply(self.pool_op, (gg,), **self.opts)


class AvgPool2DBackwardBackward0(_AvgPoolGrad):
    pass


class AvgPool3DBackwardBackward0(_AvgPoolGrad):
    pass


class AvgPool2DBackward0(_AvgPool):
    grad_op = AvgPool2DBackwardBackward0


class AvgPool3DBackward0(_AvgPool):
    grad_op = AvgPool3DBackwardBackward0


AvgPool2DBackwardBackward0.pool_op = AvgPool2DBackward0
AvgPool3DBackwardBackward0.pool_op = AvgPool3DBackward0


def _avg_pool(fn, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    """2-d or 3-d average pooling as torch's `fn` (avg_pool2d, avg_pool3d)."""
    kernel = int_list(fn, "kernel_size", kernel_size, 2)
    stride = int_list(fn, "stride", stride, 3) if stride is not None else ()
    padding = int_list(fn, "padding", padding, 4)
    if divisor_override is not None and not is_int(divisor_override):
        raise TypeError(f"{fn}(): argument 'divisor_override' must be int, not "
                        f"{type(divisor_override).__name__}")
    dims = pool_geometry(fn, input, kernel, stride, padding, (1,), ceil_mode, avg=True,
                         divisor=divisor_override)
    nd = len(dims)
    allowed = FLOAT_TYPES + (D.int64,) if nd == 2 else (D.float32, D.float64, D.int64)
    check_dtype("avg_pool2d" if nd == 2 else "avg_pool3d_out_frame", input.dtype, allowed)
    op = AvgPool2DBackward0 if nd == 2 else AvgPool3DBackward0
    return apply(op, (input,), dims=dims, count_include_pad=count_include_pad,
                 divisor=divisor_override)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of the last two dims (torch.nn.functional.avg_pool2d)."""
    return _avg_pool("avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of the last three dims (torch.nn.functional.avg_pool3d)."""
    return _avg_pool("avg_pool3d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over sliding windows of the last dim (torch.avg_pool1d)."""
    k, s, p, _ = pool1d_args("avg_pool1d", input, kernel_size, stride, padding)
    out = _avg_pool("avg_pool2d", input.unsqueeze(-2), (1,) + k, (1,) + s, (0,) + p,
                    ceil_mode, count_include_pad, None)
    return out.squeeze(-2)
