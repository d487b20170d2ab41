"""Pooling over windows of their own: adaptive (average, max) and fractional max pooling,
and max-unpooling, with torch's checks. torch.adaptive_avg_pool1d / adaptive_max_pool1d and
the private torch._adaptive_avg_pool2d/3d are its top-level names.

The max variants record torch's flat plane indices; their backward is an op of its own (the
gradient added at those indices) whose backward gathers by them, so every order of gradient
exists. Adaptive average pooling's backward spreads each gradient over its window; its own
backward is the pooling again.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops._pool_args import FLOAT_TYPES, check_dtype, int_list, not_implemented
from ember._ops._registry import Op, apply
from ember._ops.nn_pooling import gather_planes
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "_adaptive_avg_pool2d",
           "_adaptive_avg_pool3d"]
FUNCTIONS_ONLY = tuple(__all__)


def _index(arr, be):
    return _wrap(arr, D.int64, be)


# --- adaptive average -------------------------------------------------------------------
class _AdaptiveAvg(Op):
    """Mean over torch's adaptive windows of the last nd dims."""

    grad_op = None

    def forward(self, be, x, *, outs):
        self.sizes = x.shape[x.ndim - len(outs):]
        return be.adaptive_avg(x, outs)

    def backward(self, grad):
        if 0 in grad.shape:
            raise RuntimeError(f"{self.grad_name}(): Expected grad_output to have non-zero size "
                               f"for non-batch dimensions, but grad_output has sizes "
                               f"{shape_str(grad.shape)} with dimension "
                               f"{list(grad.shape).index(0)} being empty")
        return apply(self.grad_op, (grad,), sizes=self.sizes)


class _AdaptiveAvgGrad(Op):
    """Each output gradient spread over its window; its gradient is the pooling again."""

    pool_op = None

    def forward(self, be, g, *, sizes):
        self.outs = g.shape[g.ndim - len(sizes):]
        return be.adaptive_avg_backward(g, sizes)

    def backward(self, gg):
        return apply(self.pool_op, (gg,), outs=self.outs)


class AdaptiveAvgPool2DBackwardBackward0(_AdaptiveAvgGrad):
    pass


class AdaptiveAvgPool3DBackwardBackward0(_AdaptiveAvgGrad):
    pass


class AdaptiveAvgPool2DBackward0(_AdaptiveAvg):
    grad_op = AdaptiveAvgPool2DBackwardBackward0
    grad_name = "adaptive_avg_pool2d_backward"


class AdaptiveAvgPool3DBackward0(_AdaptiveAvg):
    grad_op = AdaptiveAvgPool3DBackwardBackward0
    grad_name = "adaptive_avg_pool3d_backward"


AdaptiveAvgPool2DBackwardBackward0.pool_op = AdaptiveAvgPool2DBackward0
AdaptiveAvgPool3DBackwardBackward0.pool_op = AdaptiveAvgPool3DBackward0


def _adaptive_avg_pool(nd, input, output_size):
    """torch._adaptive_avg_pool2d / 3d (no shortcut for a 1x1 output)."""
    fn = f"adaptive_avg_pool{nd}d"
    outs = int_list(f"_{fn}", "output_size", output_size, 2)
    if len(outs) == 1:
        outs = outs * nd
    if len(outs) != nd:
        raise RuntimeError(f"{fn}: output_size must be {nd}")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{shape_str(input.shape)}")
    first = input.dim() - 2 if nd == 2 else 1
    for i in range(first, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {shape_str(input.shape)} with "
                               f"dimension {i} being empty")
    kernel = "adaptive_avg_pool2d" if nd == 2 else "adaptive_avg_pool3d_cpu"
    check_dtype(kernel, input.dtype, FLOAT_TYPES)
    op = AdaptiveAvgPool2DBackward0 if nd == 2 else AdaptiveAvgPool3DBackward0
    return apply(op, (input,), outs=outs)


def adaptive_avg_pool(nd, input, output_size):
    """torch's adaptive_avg_pool2d / 3d: a 1x1(x1) output is a mean over the pooled dims."""
    fn = f"adaptive_avg_pool{nd}d"
    outs = int_list(fn, "output_size", output_size, 2)
    if len(outs) == 1:
        outs = outs * nd
    if len(outs) != nd:
        raise RuntimeError(f"{fn}: output_size must be {nd}")
    if min(outs) < 0:
        sep = ", " if nd == 2 else ","
        shown = ", ".join(map(str, outs[:-1])) + sep + str(outs[-1])
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{shown}}}")
    if all(o == 1 for o in outs):
        return input.mean(tuple(range(-1, -nd - 1, -1)), keepdim=True)
    return _adaptive_avg_pool(nd, input, outs)


def _adaptive_avg_pool2d(input, output_size):
    """Adaptive average pooling over the last two dims (torch._adaptive_avg_pool2d)."""
    return _adaptive_avg_pool(2, input, output_size)


def _adaptive_avg_pool3d(input, output_size):
    """Adaptive average pooling over the last three dims (torch._adaptive_avg_pool3d)."""
    return _adaptive_avg_pool(3, input, output_size)


def adaptive_avg_pool1d(input, output_size):
    """Adaptive average pooling over the last dim (torch.adaptive_avg_pool1d)."""
    (out,) = int_list("adaptive_avg_pool1d", "output_size", output_size, 2, one=True)
    _check_1d("adaptive_avg_pool1d", input)
    return adaptive_avg_pool(2, input.unsqueeze(-2), (1, out)).squeeze(-2)


def _check_1d(fn, input):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for {fn})")


# --- max over index windows (adaptive, fractional) --------------------------------------
class _IndexedMax(Op):
    """(max over windows, torch's flat plane index of it); `windows(be, x, *rest)` computes
    both for the last `nd` dims."""

    nd = 2
    grad_op = None

    def forward(self, be, x, *rest, windows):
        out, index = windows(be, x, *rest)
        self.index, self.plane, self.extra = index, x.shape[x.ndim - self.nd:], len(rest)
        return out, index

    def backward(self, grad, _):
        g = apply(self.grad_op, (grad,), index=self.index, plane=self.plane)
        return (g,) + (None,) * self.extra if self.extra else g


class _ScatterGrad(Op):
    """Gradients added at flat plane positions; its own gradient gathers them back."""

    def forward(self, be, g, *, index, plane):
        self.index, self.nd, self.be = index, len(plane), be
        return be.scatter_planes(g, index, plane)

    def backward(self, gg):
        return gather_planes(gg, _index(self.index, self.be), self.nd)


class AdaptiveMaxPool2DBackwardBackward0(_ScatterGrad):
    pass


class AdaptiveMaxPool3DBackwardBackward0(_ScatterGrad):
    pass


class FractionalMaxPool2DBackwardBackward0(_ScatterGrad):
    pass


class FractionalMaxPool3DBackwardBackward0(_ScatterGrad):
    pass


class AdaptiveMaxPool2DBackward0(_IndexedMax):
    grad_op = AdaptiveMaxPool2DBackwardBackward0


class AdaptiveMaxPool3DBackward0(_IndexedMax):
    nd = 3
    grad_op = AdaptiveMaxPool3DBackwardBackward0


class FractionalMaxPool2DBackward0(_IndexedMax):
    grad_op = FractionalMaxPool2DBackwardBackward0


class FractionalMaxPool3DBackward0(_IndexedMax):
    nd = 3
    grad_op = FractionalMaxPool3DBackwardBackward0


def _negative_dims(input, nd, outs):
    shape = tuple(input.shape[:input.dim() - nd]) + tuple(outs)
    bad = next(o for o in outs if o < 0)
    return RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                        f"{shape_str(shape)}")


def adaptive_max_pool(nd, input, output_size):
    """(values, indices) of torch's adaptive_max_pool2d / 3d."""
    fn = f"adaptive_max_pool{nd}d"
    outs = int_list(fn, "output_size", output_size, 2)
    if len(outs) == 1:
        outs = outs * nd
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{shape_str(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {shape_str(input.shape)} with "
                               f"dimension {i} being empty")
    if len(outs) != nd:
        raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {nd}")
    if min(outs) < 0:
        raise _negative_dims(input, nd, outs)
    check_dtype(fn if nd == 2 else "adaptive_max_pool3d_cpu", input.dtype, FLOAT_TYPES)
    op = AdaptiveMaxPool2DBackward0 if nd == 2 else AdaptiveMaxPool3DBackward0
    return apply(op, (input,), windows=lambda be, x: be.adaptive_max(x, outs))


def adaptive_max_pool1d(input, output_size):
    """(values, indices) of adaptive max pooling over the last dim
    (torch.adaptive_max_pool1d)."""
    fn = "adaptive_max_pool1d"
    (out,) = int_list(fn, "output_size", output_size, 2, one=True)
    _check_1d(fn, input)
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {shape_str(input.shape)} with "
                               f"dimension {i} being empty")
    values, index = adaptive_max_pool(2, input.unsqueeze(-2), (1, out))
    return values.squeeze(-2), index.squeeze(-2)


# --- fractional max ---------------------------------------------------------------------
def _check_samples(nd, input, samples):
    if samples.dtype is not input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batch, planes = (1, input.shape[0]) if input.dim() == nd + 1 else input.shape[:2]
    n, c, d = samples.shape
    if n < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if c != planes:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if d != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {d}.")


def fractional_max_pool(nd, input, kernel_size, output_size, random_samples):
    """(values, indices) of torch's fractional_max_pool2d / 3d with given samples."""
    fn = f"fractional_max_pool{nd}d"
    kernel = int_list(fn, "kernel_size", kernel_size, 2)
    outs = int_list(fn, "output_size", output_size, 3)
    kernel, outs = (v * nd if len(v) == 1 else v for v in (kernel, outs))
    ints = "Ints" if nd == 2 else "three Ints"
    if len(kernel) != nd:
        raise RuntimeError(f"{fn}: kernel_size must either be a single Int or tuple of {ints}")
    if len(outs) != nd:
        raise RuntimeError(f"{fn}: output_size must either be a single Int or tuple of {ints}")
    _check_samples(nd, input, random_samples)
    if GRAD.grad and random_samples.requires_grad:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           "'random_samples'. This input cannot have requires_grad True.")
    where = "fractional_max_pool2d()" if nd == 2 else "fractional_max_pool3d_out()"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{shape_str(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{shape_str(input.shape)} with dimension "
                               f"{i} being empty.")
    names = ("height", "width") if nd == 2 else ("time", "height", "width")
    for name, n, o, k in zip(names, input.shape[input.dim() - nd:], outs, kernel):
        if not (o + k - 1 <= n if nd == 2 else o + k - 1 < n):
            raise RuntimeError(f"{where}: pool {name} {k} too large relative to input {name} "
                               f"{n}")
    if min(outs) < 0:
        raise _negative_dims(input, nd, outs)
    kernel_name = "fractional_max_pool2d_out_frame" if nd == 2 else \
        "fractional_max_pool3d_out_frame"
    check_dtype(kernel_name, input.dtype, FLOAT_TYPES)
    op = FractionalMaxPool2DBackward0 if nd == 2 else FractionalMaxPool3DBackward0
    return apply(op, (input, random_samples),
                 windows=lambda be, x, u: be.fractional_max(x, u, outs, kernel))


# --- max unpooling ----------------------------------------------------------------------
class _MaxUnpool(Op):
    """Zeros with each input value written at its flat plane index."""

    def forward(self, be, x, index, *, plane):
        self.index, self.nd, self.be = index, len(plane), be
        return be.max_unpool(x, index, plane)

    def backward(self, grad):
        return gather_planes(grad, _index(self.index, self.be), self.nd), None


class MaxUnpool2DBackward0(_MaxUnpool):
    pass


class MaxUnpool3DBackward0(_MaxUnpool):
    pass


def _check_unpool_input(nd, input, indices):
    if input.shape != indices.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({shape_str(input.shape)}) but got indices tensor with shape: "
                           f"{shape_str(indices.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"max_unpooling{nd}d_forward_out_cpu(): Expected input to have "
                               f"non-zero size for non-batch dimensions, but got "
                               f"{shape_str(input.shape)} with dimension {i} being empty.")


def _unpool(nd, input, indices, plane):
    if input.dtype not in FLOAT_TYPES:
        raise not_implemented(f"max_unpool{nd}d", input.dtype)
    if indices.numel():
        size = 1
        for n in plane:
            size *= n
        bad = ((indices < 0) | (indices >= size)).reshape(-1).nonzero()
        if bad.numel():
            value = indices.reshape(-1)[bad[0, 0]].item()
            raise RuntimeError(f"Found an invalid max index: {value} (output volumes are of "
                               f"size {'x'.join(map(str, plane))})")
    op = MaxUnpool2DBackward0 if nd == 2 else MaxUnpool3DBackward0
    return apply(op, (input, indices), plane=tuple(plane))


def max_unpool2d(input, indices, output_size):
    """Scatter `input` into zero planes of `output_size` at `indices`
    (torch._C._nn.max_unpool2d)."""
    plane = int_list("max_unpool2d", "output_size", output_size, 3)
    if indices.dtype is not D.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{D.type_name(indices.dtype)}")
    if len(plane) != 2:
        raise RuntimeError(f"There should be exactly two elements (height, width) in "
                           f"output_size, but got {len(plane)} elements.")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a "
                           f"tensor with {input.dim()} dimensions.")
    _check_unpool_input(2, input, indices)
    return _unpool(2, input, indices, plane)


def max_unpool3d(input, indices, output_size, stride, padding):
    """Scatter `input` into zero volumes of `output_size` at `indices`
    (torch._C._nn.max_unpool3d)."""
    plane = int_list("max_unpool3d", "output_size", output_size, 3)
    stride = int_list("max_unpool3d", "stride", stride, 4)
    padding = int_list("max_unpool3d", "padding", padding, 5)
    if indices.dtype is not D.int64:
        raise RuntimeError("elements in indices should be type int64")
    if input.dim() not in (4, 5):
        raise RuntimeError(f"Input to max_unpooling3d should be a 4d or 5d Tensor, but got a "
                           f"tensor with {input.dim()} dimensions.")
    for name, values in (("output_size", plane), ("stride", stride), ("padding", padding)):
        if len(values) != 3:
            colon = ":" if name != "output_size" else ""
            raise RuntimeError(f"There should be exactly three elements (depth, height, width) "
                               f"in {name}, but got{colon} {len(values)} elements.")
    _check_unpool_input(3, input, indices)
    if min(stride) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: "
                           f"{shape_str(stride)}")
    return _unpool(3, input, indices, plane)
