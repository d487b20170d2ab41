"""Resampling primitives behind F.interpolate: torch's upsample_nearest/_nearest_exact
(1-3d), upsample_linear1d, bilinear2d, trilinear3d, bicubic2d and the antialiased
_upsample_bilinear2d_aa / _bicubic2d_aa / _lanczos2d_aa, each one graph node named as torch
names it (``UpsampleBilinear2DBackward0``).

An interpolation is linear in its input: its backward is the transposed resampling (its own
op, ``UpsampleBilinear2DBackwardBackward0``), whose backward is the resampling again.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops._pool_args import FLOAT_TYPES, not_implemented
from ember._ops._registry import Op, apply

__all__ = []


class _Resample(Op):
    """`x` resized over its last nd dims (mode and antialias set by the subclass)."""

    mode = antialias = grad_op = None

    def forward(self, be, x, *, outs, scales, align_corners):
        self.opts = {"scales": scales, "align_corners": align_corners}
        self.sizes = x.shape[x.ndim - len(outs):]
        return be.interpolate(x, outs, self.mode, align_corners, scales, self.antialias)

    def backward(self, grad):
        return apply(self.grad_op, (grad,), sizes=self.sizes, **self.opts)


class _ResampleGrad(Op):
    """The transposed resampling (the gradient); its gradient is the resampling."""

    mode = antialias = pool_op = None

    def forward(self, be, g, *, sizes, scales, align_corners):
        self.opts = {"scales": scales, "align_corners": align_corners}
        self.outs = g.shape[g.ndim - len(sizes):]
        return be.interpolate_backward(g, sizes, self.mode, align_corners, scales,
                                       self.antialias)

    def backward(self, gg):
        return apply(self.pool_op, (gg,), outs=self.outs, **self.opts)


def _node_pair(base, mode, antialias):
    """The forward node ``<base>Backward0`` and its gradient's ``<base>BackwardBackward0``."""
    attrs = {"mode": mode, "antialias": antialias, "__module__": __name__}
    fwd = type(f"{base}Backward0", (_Resample,), dict(attrs))
    grad = type(f"{base}BackwardBackward0", (_ResampleGrad,), dict(attrs))
    fwd.grad_op, grad.pool_op = grad, fwd
    return fwd


# (F.interpolate's mode, pooled dims, antialias) -> forward node
_NODES = {}
for _nd in (1, 2, 3):
    _NODES["nearest", _nd, False] = _node_pair(f"UpsampleNearest{_nd}D", "nearest", False)
    _NODES["nearest-exact", _nd, False] = _node_pair(f"UpsampleNearestExact{_nd}D",
                                                     "nearest-exact", False)
_NODES["linear", 1, False] = _node_pair("UpsampleLinear1D", "linear", False)
_NODES["bilinear", 2, False] = _node_pair("UpsampleBilinear2D", "linear", False)
_NODES["trilinear", 3, False] = _node_pair("UpsampleTrilinear3D", "linear", False)
_NODES["bicubic", 2, False] = _node_pair("UpsampleBicubic2D", "cubic", False)
_NODES["bilinear", 2, True] = _node_pair("UpsampleBilinear2DAa", "linear", True)
_NODES["bicubic", 2, True] = _node_pair("UpsampleBicubic2DAa", "cubic", True)
_NODES["lanczos", 2, True] = _node_pair("UpsampleLanczos2DAa", "lanczos", True)
globals().update({cls.__name__: cls for cls in _NODES.values()})
globals().update({cls.grad_op.__name__: cls.grad_op for cls in _NODES.values()})


def _kernel_name(mode, nd, antialias, input, outs):
    """The CPU kernel torch names when it refuses a dtype (it depends on the layout)."""
    if antialias:
        return "compute_index_ranges_weights"
    base = {"nearest": "nearest", "nearest-exact": "nearest", "linear": "linear",
            "bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}[mode]
    if nd == 2 and base != "cubic":
        channels_last = input.dim() == 4 and input.shape[1] > 3 and \
            input.is_contiguous(memory_format=_channels_last())
        if channels_last or sum(outs) <= 128:
            return f"upsample_{'bilinear' if base == 'linear' else 'nearest'}2d_channels_last"
    return f"compute_indices_weights_{base}"


def _channels_last():
    from ember._layout import channels_last
    return channels_last


def _check_sizes(nd, input, outs):
    names = ("W",) if nd == 1 else ("H", "W") if nd == 2 else ("D", "H", "W")
    sizes = input.shape[input.dim() - nd:]
    if min(sizes) <= 0 or min(outs) <= 0:
        got_in = ", ".join(f"{n}: {s}" for n, s in zip(names, sizes))
        got_out = ", ".join(f"{n}: {s}" for n, s in zip(names, outs))
        joint = " and output" if nd == 1 else " output"
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({got_in}){joint} ({got_out})")
    if input.numel() == 0 and 0 in input.shape[1:]:
        raise RuntimeError(f"Non-empty {nd + 2}D data tensor expected but got a tensor with "
                           f"sizes {shape_str(input.shape)}")


def upsample(input, mode, output_size, scale_factors, align_corners=False, antialias=False):
    """`input` (N, C, *spatial) resized to `output_size`, or to floor(size * scale) per dim
    with `scale_factors` also driving the coordinate mapping, as torch's upsample_* ops."""
    nd = input.dim() - 2
    if output_size is not None:
        outs = tuple(int(o) for o in output_size)
        scales = (None,) * nd
    else:
        scales = tuple(float(s) for s in scale_factors)
        outs = tuple(int(n * s) for n, s in zip(input.shape[2:], scales))
    _check_sizes(nd, input, outs)
    allowed = (D.float32, D.float64) if antialias else FLOAT_TYPES
    if mode in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        allowed = allowed + (D.uint8,)
    if input.dtype not in allowed:
        raise not_implemented(_kernel_name(mode, nd, antialias, input, outs), input.dtype)
    node = _NODES[mode, nd, antialias]
    return apply(node, (input,), outs=outs, scales=scales,
                 align_corners=bool(align_corners))
