"""Layer, group and RMS norm (torch.layer_norm, native_layer_norm, group_norm,
native_group_norm, rms_norm). Layer and group norm normalize rows of the input (the trailing
normalized_shape, or one group of channels of a sample) and are one fused graph node each;
rms_norm is torch's composite of elementwise ops.
"""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._norm_common import (
    affine_grads, check_floating, check_param_dtypes, row_norm_grad, row_stats, stat_dtype,
    wrap_like)
from ember._ops._registry import Op, apply
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["layer_norm", "native_layer_norm", "group_norm", "native_group_norm", "rms_norm"]
FUNCTIONS_ONLY = tuple(__all__)


def _flat(arr):
    return None if arr is None else arr.reshape(-1)


class _RowNorm(Op):
    """Rows (R, K) of the input normalized, then ``* weight + bias`` per channel of an
    (N, C, S) view of the result. Subclasses say how the input maps to rows and channels."""

    save_inputs = (0, 1)
    saved_for = {0: (0, 1), 1: (0,)}

    def _normalize(self, be, x, weight, bias, rows, chans, eps, keep, stats):
        self.rows, self.chans, self.eps = rows, chans, eps
        self.param_shapes = (None if weight is None else weight.shape,
                             None if bias is None else bias.shape)
        xhat, mean, rstd = be.row_norm_forward(x.reshape(rows), eps)
        self.rstd = rstd
        self.xhat = None
        if weight is None and bias is None:
            y = xhat.astype(x.dtype, copy=False)      # may be xhat itself: not kept
        else:
            y = be.channel_affine(xhat.reshape(chans), _flat(weight), _flat(bias), x.dtype)
            if keep:
                self.xhat = xhat
        y = y.reshape(x.shape)
        return (y, mean, rstd) if stats else y

    def backward(self, g, *_):
        x, weight = self.saved
        need = self.needs_input_grad
        if GRAD.grad:
            return self._graph_backward(g, x, weight, need)
        be = g._be
        xhat = self.xhat
        if xhat is None:
            xhat = be.row_norm_forward(x._arr.reshape(self.rows), self.eps)[0]
        gxhat, gw, gb = be.channel_affine_backward(
            g._arr.reshape(self.chans), xhat.reshape(self.chans),
            None if weight is None else _flat(weight._arr), need)
        gx = None
        if gxhat is not None:
            gx = be.row_norm_backward(gxhat.reshape(self.rows), xhat, self.rstd,
                                      be.np_dtype(x.dtype), x.shape)
            gx = _wrap(gx, x.dtype, be)
        meta = self._meta
        return (gx, None if gw is None else wrap_like(gw.reshape(meta[1][0]), meta[1][1], be),
                None if gb is None else wrap_like(gb.reshape(meta[2][0]), meta[2][1], be))

    def _graph_backward(self, g, x, weight, need):
        """The same gradients in ember ops, the row statistics recomputed from `x`."""
        xhat_rows, rstd = row_stats(x.reshape(self.rows), self.eps)
        w = None if weight is None else weight.reshape(-1)
        gxhat, gw, gb = affine_grads(g.reshape(self.chans), xhat_rows.reshape(self.chans), w,
                                     self.param_shapes, need)
        gx = None
        if gxhat is not None:
            gx = row_norm_grad(gxhat.reshape(self.rows), xhat_rows, rstd).reshape(x.shape)
        return gx, gw, gb


class NativeLayerNormBackward0(_RowNorm):
    """Layer norm over the last dims of the input, starting at `axis`."""

    def forward(self, be, x, weight, bias, *, axis, eps, keep, stats=False):
        r, k = math.prod(x.shape[:axis]), math.prod(x.shape[axis:])
        return self._normalize(be, x, weight, bias, (r, k), (r, k, 1), eps, keep, stats)


class NativeGroupNormBackward0(_RowNorm):
    """Group norm of (N, C, S) data: each sample's channels split into `group` groups."""

    def forward(self, be, x, weight, bias, *, n, c, hxw, group, eps, keep, stats=False):
        rows = (n * group, (c // group) * hxw)
        return self._normalize(be, x, weight, bias, rows, (n, c, hxw), eps, keep, stats)


def _wants_graph(*tensors):
    return GRAD.grad and any(t is not None and t._requires_grad for t in tensors)


# --- layer norm -------------------------------------------------------------------------
def _shape_arg(normalized_shape, fn):
    if isinstance(normalized_shape, int) or not hasattr(normalized_shape, "__iter__"):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(input, shape, params, sep):
    """torch's checks of normalized_shape against the parameters and the input's shape."""
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for name, t in params:
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(shape)}")
    k = len(shape)
    if input.dim() < k or tuple(input.shape[input.dim() - k:]) != shape:
        dims = ", ".join(str(s) for s in shape)
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{sep}{dims}], but got input of size{list(input.shape)}")


def _layer_norm(input, normalized_shape, weight, bias, eps, stats, fn):
    shape = _shape_arg(normalized_shape, fn)
    _check_normalized(input, shape, (("weight", weight), ("bias", bias)), ", ")
    check_floating(input, "LayerNormKernelImpl")
    check_param_dtypes(input, weight, bias)
    return apply(NativeLayerNormBackward0, (input, weight, bias), axis=input.dim() - len(shape),
                 eps=eps, keep=_wants_graph(input, weight, bias), stats=stats)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """Normalize over the trailing `normalized_shape` dims (mean 0, biased variance 1), then
    scale by `weight` and shift by `bias` (both of normalized_shape) when given."""
    return _layer_norm(input, normalized_shape, weight, bias, eps, False, "layer_norm")


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(output, mean, rstd) of layer_norm; mean and rstd keep the normalized dims as 1."""
    out, mean, rstd = _layer_norm(input, normalized_shape, weight, bias, eps, True,
                                  "native_layer_norm")
    k = len(tuple(normalized_shape))
    kept = tuple(input.shape[:input.dim() - k]) + (1,) * k
    sdt = stat_dtype(input, weight, bias)
    # NOTE(torch): the statistics are outputs without a gradient
    return out, mean.detach().to(sdt).view(kept), rstd.detach().to(sdt).view(kept)


# --- group norm -------------------------------------------------------------------------
def _group_node(input, weight, bias, n, c, hxw, group, eps, stats):
    if group <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {group}")
    if input.numel() != n * c * hxw:
        raise RuntimeError("Expected X.numel() == N * C * HxW to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    check_floating(input, "GroupNormKernelImpl")
    check_param_dtypes(input, weight, bias)
    return apply(NativeGroupNormBackward0, (input, weight, bias), n=n, c=c, hxw=hxw,
                 group=group, eps=eps, keep=_wants_graph(input, weight, bias), stats=stats)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """Normalize each group of `num_groups` channel groups of every sample of (N, C, *)
    `input`, then scale and shift per channel by `weight` and `bias` (C,) when given."""
    n, c = input.size(0), input.size(1)
    if num_groups and c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    shown = list(weight.shape) if weight is not None else [0]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            # NOTE(torch): the bias message shows the weight's shape
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {shown} and input "
                               f"of shape {list(input.shape)}")
    hxw = math.prod(input.shape[2:])
    return _group_node(input.contiguous(), weight, bias, n, c, hxw, num_groups, eps, False)


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """(output, mean, rstd) of group norm of `input` seen as (N, C, HxW); mean and rstd are
    (N, group)."""
    out, mean, rstd = _group_node(input, weight, bias, N, C, HxW, group, eps, True)
    sdt = stat_dtype(input, weight, bias)
    # NOTE(torch): the statistics are outputs without a gradient
    return out, mean.detach().to(sdt).view(N, group), rstd.detach().to(sdt).view(N, group)


# --- rms norm ---------------------------------------------------------------------------
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``input * rsqrt(mean(input**2) + eps) * weight`` over the trailing `normalized_shape`
    dims, in float32 for half and bfloat16 inputs; eps defaults to that dtype's epsilon."""
    shape = _shape_arg(normalized_shape, "rms_norm")
    _check_normalized(input, shape, (("weight", weight),), "")
    if input.dtype.category not in (D.FLOAT, D.COMPLEX):
        check_floating(input, "rms_norm")
    opmath = D.float32 if input.dtype in (D.float16, D.bfloat16) else input.dtype
    if eps is None:
        eps = D.finfo(opmath).eps
    x = input.to(opmath)
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    result = x.mul(x.pow(2).mean(dims, keepdim=True).add_(eps).rsqrt())
    if weight is not None:
        result = result.mul(weight)
    return result.type_as(input)
