"""Normalization (torch.nn.functional): batch, instance, layer, group, RMS and local response
norm, and ``normalize`` (division by a p-norm)."""
from __future__ import annotations

from ember._ops import nn_norm as N
from ember._ops import nn_norm_rows as R
from ember._ops.arith import div
from ember.nn.functional.padding import pad
from ember.nn.functional.pooling import avg_pool2d, avg_pool3d

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm", "normalize"]


def _verify_batch_size(size):
    values = 1
    for i, s in enumerate(size):
        if i != 1:
            values *= s
    if values == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) of `input` by the batch statistics (training; the
    running ones, when given, are updated in place with `momentum`) or by the running
    statistics (evaluation), then scale by `weight` and shift by `bias`.

    Example::

        >>> x = ember.tensor([[1.0, 2.0], [3.0, 6.0]])
        >>> batch_norm(x, None, None, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
    """
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return N.batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                        eps, True)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample of (N, C, *) `input` over its spatial dims."""
    if use_input_stats:
        size = input.size()
        values = 1
        for s in size[2:]:
            values *= s
        if values == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {size}")
    return N.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                           momentum, eps, True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the trailing `normalized_shape` dims, then scale and shift
    elementwise by `weight` and `bias` (of shape normalized_shape)."""
    return R.layer_norm(input, normalized_shape, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Divide by the root mean square over the trailing `normalized_shape` dims (plus
    `eps`, by default the dtype's epsilon), then scale elementwise by `weight`."""
    return R.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each of `num_groups` groups of channels of every sample, then scale and
    shift per channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups] +
                       list(input.size()[2:]))
    return R.group_norm(input, num_groups, weight, bias, eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """``input / (k + alpha * mean of squares over `size` neighbouring channels) ** beta``,
    the window centred on each channel (zeros beyond the edges count in the mean)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div_ = input.mul(input)
    if dim == 3:
        div_ = pad(div_.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div_ = avg_pool2d(div_, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.size()
        div_ = div_.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div_ = pad(div_, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div_ = avg_pool3d(div_, (size, 1, 1), stride=1).squeeze(1).view(sizes)
    div_ = div_.mul(alpha).add(k).pow(beta)
    return input / div_


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """`input` divided by its `p`-norm along `dim` (at least `eps`)."""
    if out is None:
        denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
        return input / denom
    denom = input.norm(p, dim, keepdim=True).clamp_min_(eps).expand_as(input)
    return div(input, denom, out=out)
