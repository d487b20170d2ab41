"""Batch and instance norm (torch.batch_norm, native_batch_norm, instance_norm): one fused
NativeBatchNormBackward0 node over (input, weight, bias). Training normalizes by the batch
statistics and updates the running ones in place; evaluation normalizes by the running ones.
"""
from __future__ import annotations

import math

from ember._ops._norm_common import (
    affine_grads, check_floating, check_param_dtypes, row_norm_grad, row_stats, stat_dtype,
    wrap_like)
from ember._ops._registry import Op, apply
from ember._ops.creation import empty
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["batch_norm", "native_batch_norm", "instance_norm"]
FUNCTIONS_ONLY = tuple(__all__)


def _ncs(shape):
    """(N, C, S): batch, channels and the flattened spatial extent of an (N, C, *) shape."""
    return (shape[0], shape[1], math.prod(shape[2:]))


def _shape_of(arr):
    return None if arr is None else arr.shape


class NativeBatchNormBackward0(Op):
    """Batch norm of (N, C, *) input per channel; stats saved for backward as torch's are."""

    save_inputs = (0, 1)
    saved_for = {0: (0, 1), 1: (0,)}

    def forward(self, be, x, weight, bias, *, running_mean, running_var, training, momentum,
                eps, stats=False):
        x3 = x.reshape(_ncs(x.shape))
        if training:
            y, mean, invstd, var_sum = be.batch_norm_train(x3, weight, bias, eps)
            be.batch_norm_update(running_mean, running_var, mean, var_sum,
                                 x3.shape[0] * x3.shape[2], momentum)
        else:
            y, invstd = be.batch_norm_eval(x3, weight, bias, running_mean, running_var, eps)
            mean = running_mean.copy()
        self.training, self.eps = training, eps
        self.mean, self.invstd = mean, invstd
        self.param_shapes = (_shape_of(weight), _shape_of(bias))
        return (y.reshape(x.shape), mean, invstd) if stats else y.reshape(x.shape)

    def backward(self, g, *_):
        x, weight = self.saved
        need = self.needs_input_grad
        if GRAD.grad:
            return self._graph_backward(g, x, weight, need)
        be = g._be
        s3 = _ncs(x.shape)
        gx, gw, gb = be.batch_norm_backward(
            g._arr.reshape(s3), x._arr.reshape(s3), None if weight is None else weight._arr,
            self.mean, self.invstd, self.training, need, x.shape)
        meta = self._meta
        return (None if gx is None else _wrap(gx, x.dtype, be),
                None if gw is None else wrap_like(gw.reshape(meta[1][0]), meta[1][1], be),
                None if gb is None else wrap_like(gb.reshape(meta[2][0]), meta[2][1], be))

    def _graph_backward(self, g, x, weight, need):
        """The same gradients in ember ops, the batch statistics recomputed from `x`."""
        n, c, s = _ncs(x.shape)
        g3, x3 = g.reshape(n, c, s), x.reshape(n, c, s)
        if self.training:
            xhat_rows, rstd = row_stats(x3.transpose(0, 1).reshape(c, n * s), self.eps)
            xhat3 = xhat_rows.reshape(c, n, s).transpose(0, 1)
        else:
            mean = wrap_like(self.mean, x.dtype, x._be).reshape(1, c, 1)
            invstd = wrap_like(self.invstd, x.dtype, x._be).reshape(1, c, 1)
            xhat3 = (x3 - mean) * invstd
        gxhat, gw, gb = affine_grads(g3, xhat3, weight, self.param_shapes, need)
        gx = None
        if gxhat is not None:
            if self.training:
                rows = row_norm_grad(gxhat.transpose(0, 1).reshape(c, n * s), xhat_rows, rstd)
                gx = rows.reshape(c, n, s).transpose(0, 1).reshape(x.shape)
            else:
                gx = (gxhat * invstd).reshape(x.shape)
        return gx, gw, gb


def _check_size(name, expected, t):
    if t is not None and t.numel() != expected:
        raise RuntimeError(f"{name} should contain {expected} elements not {t.numel()}")


def _check_batch_norm(input, weight, bias, running_mean, running_var, training):
    channels = input.size(1)
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        _check_size(name, channels, t)
        if t is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    _check_size("weight", channels, weight)
    _check_size("bias", channels, bias)
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither "
                         "be None")
    check_floating(input, "batch_norm")
    check_param_dtypes(input, weight, bias, running_mean, running_var)
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if GRAD.grad and t is not None and t.requires_grad:
            raise RuntimeError(f"The function 'native_batch_norm' is not differentiable with "
                               f"respect to argument '{name}'. This input cannot have "
                               "requires_grad True.")


def _arr(t):
    return None if t is None else t._arr


def _batch_norm_node(input, weight, bias, running_mean, running_var, training, momentum, eps,
                     stats=False):
    return apply(NativeBatchNormBackward0, (input, weight, bias),
                 running_mean=_arr(running_mean), running_var=_arr(running_var),
                 training=bool(training), momentum=momentum, eps=eps, stats=stats)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """(output, save_mean, save_invstd): batch norm of (N, C, *) `input`; in training the
    batch statistics (returned) normalize it and update the running ones in place. In
    evaluation the running statistics normalize it and the returned ones are empty."""
    _check_batch_norm(input, weight, bias, running_mean, running_var, training)
    if input.numel() == 0:
        raise RuntimeError(f"input tensor must have at least one element, but got "
                           f"input_sizes = {list(input.shape)}")
    sdt = stat_dtype(input, weight, bias, running_mean, running_var)
    if training:
        out, mean, invstd = _batch_norm_node(input, weight, bias, running_mean, running_var,
                                             True, momentum, eps, stats=True)
        # NOTE(torch): the saved statistics are outputs without a gradient
        return out, mean.detach().to(sdt), invstd.detach().to(sdt)
    out = _batch_norm_node(input, weight, bias, running_mean, running_var, False, momentum,
                           eps)
    return out, empty(0, dtype=sdt), empty(0, dtype=sdt)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    """Batch norm of (N, C, *) `input` per channel (see native_batch_norm); an empty input
    comes back as a copy scaled by ``weight[0]`` and shifted by ``bias[0]``."""
    if input.numel() == 0:
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        return out if bias is None else out + bias[0]
    _check_batch_norm(input, weight, bias, running_mean, running_var, training)
    return _batch_norm_node(input, weight, bias, running_mean, running_var, training,
                            momentum, eps)


def _repeat(t, times):
    return None if t is None else t.repeat(times)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    """Batch norm of every (sample, channel) plane on its own: the input viewed as one batch of
    N * C channels. Running statistics, when given, are updated with the mean over samples."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    b, c = input.shape[0], input.shape[1]
    mean_b, var_b = _repeat(running_mean, b), _repeat(running_var, b)
    shaped = input.contiguous().view((1, b * c) + tuple(input.shape[2:]))
    out = batch_norm(shaped, _repeat(weight, b), _repeat(bias, b), mean_b, var_b,
                     use_input_stats, momentum, eps, cudnn_enabled)
    for stat, repeated in ((running_mean, mean_b), (running_var, var_b)):
        if stat is not None:
            stat._be.copy_into(stat._arr, repeated.view(b, c).mean(0)._arr)
    return out.view(input.shape)
