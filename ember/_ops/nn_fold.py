"""im2col / col2im (F.unfold / F.fold): sliding blocks of a 4-d input as columns and back,
each one graph node whose backward is the other."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._conv_args import conv_out_size
from ember._ops._registry import Op, apply

__all__ = []


class Im2ColBackward0(Op):
    """(N, C, H, W) -> (N, C*kh*kw, L) (the batch dim is optional)."""

    def forward(self, be, x, *, kernel, dilation, padding, stride):
        self.geom = (kernel, dilation, padding, stride)
        self.size = x.shape[-2:]
        batched = x.ndim == 4
        x = x if batched else x[None]
        out = conv_out_size(x.shape[2:], kernel, stride, padding, dilation)
        col = be.im2col(x, kernel, stride, padding, dilation, out)
        return col if batched else col[0]

    def backward(self, g):
        return apply(Col2ImBackward0, (g,), output_size=self.size, geom=self.geom)


class Col2ImBackward0(Op):
    """(N, C*kh*kw, L) -> (N, C, H, W), overlapping blocks summed (the batch dim is optional)."""

    def forward(self, be, col, *, output_size, geom):
        kernel, dilation, padding, stride = geom
        self.geom = geom
        batched = col.ndim == 3
        col = col if batched else col[None]
        out = conv_out_size(output_size, kernel, stride, padding, dilation)
        x = be.col2im(col, output_size, kernel, stride, padding, dilation, out)
        return x if batched else x[0]

    def backward(self, g):
        kernel, dilation, padding, stride = self.geom
        return apply(Im2ColBackward0, (g,), kernel=kernel, dilation=dilation, padding=padding,
                     stride=stride)


def _pairs(fn_args):
    for name, value in fn_args:
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")


def _check_geometry(kernel, dilation, padding, stride, order):
    checks = {
        "kernel": (all(k > 0 for k in kernel), "kernel size should be greater than zero, but "
                   f"got kernel_height: {kernel[0]} kernel_width: {kernel[1]}"),
        "dilation": (all(d > 0 for d in dilation), "dilation should be greater than zero, but "
                     f"got dilation_height: {dilation[0]} dilation_width: {dilation[1]}"),
        "padding": (all(p >= 0 for p in padding), "padding should be non-negative, but got "
                    f"pad_height: {padding[0]} pad_width: {padding[1]}"),
        "stride": (all(s > 0 for s in stride), "stride should be greater than zero, but got "
                   f"stride_height: {stride[0]} stride_width: {stride[1]}"),
    }
    for name in order:
        ok, message = checks[name]
        if not ok:
            raise RuntimeError(message)


def _check_dtype(dtype, kernel):
    if dtype.category == D.INT:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.type_name(dtype)}'")


def _fmt(values):
    return f"({values[0]}, {values[1]})"


def im2col(input, kernel_size, dilation, padding, stride):
    """Sliding blocks of (N, C, H, W) (or (C, H, W)) input as columns."""
    _pairs((("kernel_size", kernel_size), ("dilation", dilation), ("padding", padding),
            ("stride", stride)))
    _check_geometry(kernel_size, dilation, padding, stride,
                    ("kernel", "dilation", "padding", "stride"))
    ndim = input.dim()
    if ndim < 3:
        wrap_dim(2, ndim)
    shape = input.shape
    if ndim not in (3, 4) or 0 in shape[ndim - 3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: {list(shape)}")
    out = conv_out_size(shape[-2:], kernel_size, stride, padding, dilation)
    if any(o < 1 for o in out):
        raise RuntimeError(
            f"Given input with spatial size {_fmt(shape[-2:])}, kernel_size={_fmt(kernel_size)}"
            f", dilation={_fmt(dilation)}, padding={_fmt(padding)}, calculated shape of the "
            f"array of sliding blocks as {_fmt(out)}, but its components must be at least one.")
    _check_dtype(input.dtype, "im2col_out_cpu")
    return apply(Im2ColBackward0, (input,), kernel=tuple(kernel_size), dilation=tuple(dilation),
                 padding=tuple(padding), stride=tuple(stride))


def col2im(input, output_size, kernel_size, dilation, padding, stride):
    """Sum (N, C*kh*kw, L) (or (C*kh*kw, L)) columns back into (N, C, *output_size)."""
    _pairs((("output_size", output_size), ("kernel_size", kernel_size),
            ("dilation", dilation), ("padding", padding), ("stride", stride)))
    _check_geometry(kernel_size, dilation, padding, stride,
                    ("kernel", "stride", "dilation", "padding"))
    ndim = input.dim()
    shape = input.shape
    if ndim not in (2, 3) or 0 in shape[ndim - 2:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    kk = kernel_size[0] * kernel_size[1]
    if shape[-2] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={shape[-2]} and "
                           f"kernel_size={_fmt(kernel_size)}.")
    blocks = conv_out_size(output_size, kernel_size, stride, padding, dilation)
    head = (f"Given output_size={_fmt(output_size)}, kernel_size={_fmt(kernel_size)}, "
            f"dilation={_fmt(dilation)}, padding={_fmt(padding)}, stride={_fmt(stride)}, ")
    if shape[-1] != blocks[0] * blocks[1]:
        raise RuntimeError(f"{head}expected size of input's dimension 2 to match the calculated "
                           f"number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={shape[-1]}.")
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"{head}calculated shape of the array of sliding blocks as "
                           f"{_fmt(blocks)}, which is too small (non-positive)")
    _check_dtype(input.dtype, "col2im_out_cpu")
    return apply(Col2ImBackward0, (input,), output_size=tuple(output_size),
                 geom=(tuple(kernel_size), tuple(dilation), tuple(padding), tuple(stride)))
