"""Convolution and transposed convolution over 1 to 3 spatial dims, each one graph node
(ConvolutionBackward0) whose backward is again one node (ConvolutionBackwardBackward0) built
on the same three backend kernels, so derivatives of every order work.

In the kernels' terms (see ember/_backend/numpy_conv.py) a conv maps the "big" tensor to the
"small" one and a transposed conv maps small to big; the input gradient of one is the other,
and both share one weight-gradient kernel.
"""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._layout import channels_last, is_contiguous
from ember._ops import _conv_args as A
from ember._ops._registry import Op, apply
from ember.amp.autocast_mode import LOWER
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["convolution", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
           "conv_transpose2d", "conv_transpose3d", "conv_tbc"]
FUNCTIONS_ONLY = tuple(__all__)


# the largest im2col columns (bytes) a conv keeps from its forward for the weight gradient
KEEP_COLUMNS_BYTES = 64 << 20


class ConvolutionBackward0(Op):
    """``conv(x, w) + b`` (or its transposed form), output spatial size `size`. With `keep`
    the forward's columns are kept (when small enough) for the weight gradient."""

    autocast = LOWER
    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}
    columns = None

    def forward(self, be, x, w, b, *, geom, transposed, size, keep=False,
                channels_last=False):
        stride, padding, dilation, groups = geom
        self.geom, self.transposed = geom, transposed
        self.x_shape, self.w_shape = x.shape, w.shape
        if transposed:
            y = be.conv_transpose(x, w, b, stride, padding, dilation, groups, size)
        elif not keep:
            y = be.conv_forward(x, w, b, stride, padding, dilation, groups, size)
        else:
            y, col = be.conv_forward(x, w, b, stride, padding, dilation, groups, size,
                                     keep=True)
            if col is not None and col.nbytes <= KEEP_COLUMNS_BYTES:
                self.columns = col
        return be.channels_last_copy(y) if channels_last else y

    def backward(self, g):
        x, w = self.saved
        mask = self.needs_input_grad
        outs = apply(ConvolutionBackwardBackward0, (g, x, w), geom=self.geom,
                     transposed=self.transposed, x_shape=self.x_shape, w_shape=self.w_shape,
                     mask=mask, columns=self.columns if mask[1] else None)
        return _spread(outs, mask)

    def _release(self):
        super()._release()
        self.columns = None


class ConvolutionBackwardBackward0(Op):
    """The (input, weight, bias) gradients of a convolution from its output gradient `g`,
    those flagged in `mask` only; differentiable again in g, x and w."""

    save_inputs = (0, 1, 2)
    saved_for = {0: (1, 2), 1: (0,), 2: (0,)}

    def forward(self, be, g, x, w, *, geom, transposed, x_shape, w_shape, mask, columns=None):
        stride, padding, dilation, groups = geom
        self.geom, self.transposed, self.mask = geom, transposed, mask
        self.x_shape, self.w_shape, self.g_size = x_shape, w_shape, g.shape[2:]
        outs = []
        if mask[0]:
            kernel = be.conv_forward if transposed else be.conv_transpose
            outs.append(kernel(g, w, None, stride, padding, dilation, groups, x_shape[2:]))
        if mask[1]:
            big, small = (g, x) if transposed else (x, g)
            outs.append(be.conv_weight(big, small, w_shape[2:], stride, padding, dilation,
                                       groups, columns))
        if len(mask) > 2 and mask[2]:
            channels = w_shape[1] * groups if transposed else w_shape[0]
            outs.append(be.conv_bias_grad(g, channels))
        return tuple(outs)

    def backward(self, *grads):
        ggx, ggw, ggb = _spread(grads, self.mask + (False,) * (3 - len(self.mask)))
        g, x, w = self.saved
        need_g, need_x, need_w = self.needs_input_grad
        forward_size, adjoint_size = self.g_size, self.x_shape[2:]
        dg = dx = dw = None
        if need_g:
            # d/dg of <gx, ggx> + <gw, ggw> + <gb, ggb>: the forward op applied to them
            terms = []
            if ggx is not None:
                terms.append(self._conv(ggx, w, self.transposed, forward_size))
            if ggw is not None:
                terms.append(self._conv(x, ggw, self.transposed, forward_size))
            if ggb is not None:
                view = (1, -1) + (1,) * (g.dim() - 2)
                terms.append(ggb.reshape(view).expand(g.shape))
            dg = _sum(terms)
        if need_x and ggw is not None:
            dx = self._conv(g, ggw, not self.transposed, adjoint_size)
        if need_w and ggx is not None:
            dw = apply(ConvolutionBackwardBackward0, (g, ggx, None), geom=self.geom,
                       transposed=self.transposed, x_shape=self.x_shape,
                       w_shape=self.w_shape, mask=(False, True))[0]
        return dg, dx, dw

    def _conv(self, a, weight, transposed, size):
        return apply(ConvolutionBackward0, (a, weight, None), geom=self.geom,
                     transposed=transposed, size=tuple(size))


def _spread(outs, mask):
    """The outputs computed for the True entries of `mask`, None elsewhere."""
    it = iter(outs)
    return tuple(next(it) if m else None for m in mask)


def _sum(terms):
    total = None
    for t in terms:
        total = t if total is None else total + t
    return total


# --- torch.convolution ------------------------------------------------------------------
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """A convolution (or transposed convolution) with every parameter given per spatial dim."""
    fn = "convolution"
    return _convolution(input, weight, bias, A.int_tuple(stride, "stride", fn, 1),
                        A.int_tuple(padding, "padding", fn, 1),
                        A.int_tuple(dilation, "dilation", fn, 1), transposed,
                        A.int_tuple(output_padding, "output_padding", fn, 1), groups)


def _convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                 groups):
    """torch's _convolution: the checks in torch's order, then one ConvolutionBackward0."""
    dim = weight._arr.ndim - 2
    if dim <= 0:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    stride = A.expand_param(stride, "stride", dim)
    padding = A.expand_param(padding, "padding", dim)
    dilation = A.expand_param(dilation, "dilation", dim)
    output_padding = A.expand_param(output_padding, "output_padding", dim)
    A.check_conv_shapes(input, weight, bias, stride, padding, output_padding, transposed,
                        groups)
    shape = input._arr.shape
    if not transposed:
        A.check_kernel_fits(input, weight, padding, dilation)
    if shape[0] and shape[1] and input._arr.size == 0:
        raise RuntimeError("Only zero batch or zero channel inputs are supported, but got "
                           f"input shape: {list(shape)}")
    A.check_conv_dtypes(input, weight, bias, dilation, transposed)
    A.check_kernel_dtype(input.dtype, dim, max(dilation) != 1, transposed)
    kernel = weight._arr.shape[2:]
    if transposed:
        size = A.transposed_out_size(shape[2:], kernel, stride, padding, dilation,
                                     output_padding)
        A.check_transposed_geometry(input, size, stride, dilation, output_padding)
        if bias is not None and bias.dtype is not input.dtype:
            bias = bias.to(input.dtype)
    else:
        size = A.conv_out_size(shape[2:], kernel, stride, padding, dilation)
    keep = GRAD.grad and weight._requires_grad and not transposed
    return apply(ConvolutionBackward0, (input, weight, bias),
                 geom=(stride, padding, dilation, groups), transposed=transposed, size=size,
                 keep=keep, channels_last=dim == 2 and (_channels_last(input) or
                                                        _channels_last(weight)))


def _channels_last(t):
    """Whether 4-d `t` is laid out channels-last (and not also plain contiguous): torch's
    CPU convolutions then answer in channels-last too."""
    shape = t._arr.shape
    if shape[1] == 1 or t.is_contiguous():
        return False
    return is_contiguous(shape, t.stride(), channels_last)


# --- conv1d/2d/3d and their transposes --------------------------------------------------
def _batchify(input, nd, fn):
    ndim = input._arr.ndim
    if ndim == nd + 2:
        return input, True
    if ndim != nd + 1:
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{fn}, but got input of size: {list(input.shape)}")
    return input.unsqueeze(0), False


def _conv_nd(nd, fn, input, weight, bias, stride, padding, dilation, groups):
    if bias is not None and bias.dtype is not input.dtype and not input.dtype.is_complex:
        raise A.bias_type_error(input, bias)
    x, batched = _batchify(input, nd, fn)
    stride = A.int_tuple(stride, "stride", fn, nd)
    dilation = A.int_tuple(dilation, "dilation", fn, nd)
    if isinstance(padding, str):
        args = (stride, padding, dilation, groups)
        conv = _conv_mode
    else:
        args = (stride, A.int_tuple(padding, "padding", fn, nd), dilation, False, (0,) * nd,
                groups)
        conv = _convolution
    if input.dtype.is_complex:
        out = _complex(conv, x, weight, bias, args)
    else:
        out = conv(x, weight, bias, *args)
    return out if batched else out.squeeze(0)


def _conv_mode(input, weight, bias, stride, padding, dilation, groups):
    """torch's _convolution_mode: padding 'valid' (none) or 'same' (output size = input's)."""
    if padding == "valid":
        return _convolution(input, weight, bias, stride, (0,), dilation, False, (0,), groups)
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    k = weight.dim()
    if k <= 2:
        raise RuntimeError("weight should have at least three dimensions")
    dim = k - 2
    if k != input.dim():
        raise RuntimeError(f"Expected {k}-dimensional input for {k}-dimensional weight"
                           f"{list(weight.shape)}, but got {input.dim()}-dimensional input of "
                           f"size {list(input.shape)} instead")
    for name, values in (("stride", stride), ("dilation", dilation)):
        if len(values) not in (1, dim):
            raise RuntimeError(f"{name} cannot broadcast to {dim} dimensions")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    dilation = A.expand_param(dilation, "dilation", dim)
    left, right = [], []
    for d, kk in zip(dilation, weight.shape[2:]):
        total = d * (kk - 1)
        left.append(total // 2)
        right.append(total - total // 2)
    if left == right:
        return _convolution(input, weight, bias, stride, tuple(left), dilation, False,
                            (0,) * dim, groups)
    _warn_same_once()
    # pad the input's far side by the difference, leaving a symmetric padding for the conv
    pad_nd = [0] * (2 * dim)
    for i in range(dim):
        pad_nd[2 * (dim - 1 - i) + 1] = right[i] - left[i]
    from ember._ops.nn_pad import constant_pad_nd
    return _convolution(constant_pad_nd(input, pad_nd, 0), weight, bias, stride, tuple(left),
                        dilation, False, (0,) * dim, groups)


_WARNED = []


def _warn_same_once():
    if not _WARNED:
        _WARNED.append(True)
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                      "require a zero-padded copy of the input be created", UserWarning,
                      stacklevel=5)


def _complex(conv, input, weight, bias, args):
    """torch's complex convolution: three real ones (Gauss's trick)."""
    from ember._legacy import legacy_type_name
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype is not input.dtype:
            raise RuntimeError(f"Input type ({legacy_type_name(input.dtype, input._be)}) and "
                               f"{what} type ({legacy_type_name(t.dtype, t._be)}) should be "
                               "the same")
    xr, xi = _parts(input)
    wr, wi = _parts(weight)
    if bias is None:
        a = conv(xr, wr, None, *args)
        c = conv(xr + xi, wr + wi, None, *args)
    else:
        br, bi = _parts(bias)
        a = conv(xr, wr, br, *args)
        c = conv(xr + xi, wr + wi, br + bi, *args)
    b = conv(xi, wi, None, *args)
    return a - b + 1j * (c - a - b)


def _parts(t):
    from ember._ops.view import view_as_real
    pair = view_as_real(t.resolve_conj())
    last = pair.dim() - 1
    return pair.select(last, 0), pair.select(last, 1)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) or (C, L) input."""
    return _conv_nd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) or (C, H, W) input."""
    return _conv_nd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over (N, C, D, H, W) or (C, D, H, W) input."""
    return _conv_nd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose_nd(nd, fn, input, weight, bias, stride, padding, output_padding, groups,
                       dilation):
    if isinstance(padding, str):
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
    x, batched = _batchify(input, nd, fn)
    args = (A.int_tuple(stride, "stride", fn, nd), A.int_tuple(padding, "padding", fn, nd),
            A.int_tuple(dilation, "dilation", fn, nd), True,
            A.int_tuple(output_padding, "output_padding", fn, nd), groups)
    if input.dtype.is_complex:
        out = _complex(_convolution, x, weight, bias, args)
    else:
        out = _convolution(x, weight, bias, *args)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution (the input gradient of conv1d)."""
    return _conv_transpose_nd(1, "conv_transpose1d", input, weight, bias, stride, padding,
                              output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution (the input gradient of conv2d)."""
    return _conv_transpose_nd(2, "conv_transpose2d", input, weight, bias, stride, padding,
                              output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-d transposed convolution (the input gradient of conv3d)."""
    return _conv_transpose_nd(3, "conv_transpose3d", input, weight, bias, stride, padding,
                              output_padding, groups, dilation)


# --- conv_tbc ---------------------------------------------------------------------------
class ConvTbcBackward0(Op):
    """1-d convolution in (time, batch, channel) layout with a (k, C_in, C_out) weight."""

    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, be, x, w, b, *, pad):
        xp = be.xp
        xt, wt = xp.transpose(x, (1, 2, 0)), xp.transpose(w, (2, 1, 0))
        self.pad, self.shapes = pad, (xt.shape, wt.shape)
        size = (x.shape[0] + 2 * pad - w.shape[0] + 1,)
        y = be.conv_forward(xt, wt, b, (1,), (pad,), (1,), 1, size)
        return xp.ascontiguousarray(xp.transpose(y, (2, 0, 1)))

    def backward(self, g):
        x, w = self.saved
        mask = self.needs_input_grad
        outs = apply(ConvolutionBackwardBackward0,
                     (g.permute(1, 2, 0), x if x is None else x.permute(1, 2, 0),
                      w if w is None else w.permute(2, 1, 0)),
                     geom=((1,), (self.pad,), (1,), 1), transposed=False,
                     x_shape=self.shapes[0], w_shape=self.shapes[1], mask=mask)
        gx, gw, gb = _spread(outs, mask)
        return (None if gx is None else gx.permute(2, 0, 1),
                None if gw is None else gw.permute(2, 1, 0), gb)


def conv_tbc(input, weight, bias, pad=0):
    """torch.conv_tbc: input (T, B, C_in), weight (k, C_in, C_out), bias (C_out,)."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output "
                           "channels).")
    if input.dtype is not weight.dtype or input.dtype.category < D.FLOAT:
        A.check_conv_dtypes(input, weight, None, (1,), False)
    return apply(ConvTbcBackward0, (input, weight, bias.to(input.dtype)), pad=pad)
