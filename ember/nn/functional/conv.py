"""Convolutions and sliding blocks (torch.nn.functional): conv1d/2d/3d, their transposes,
conv_tbc, unfold (im2col) and fold (col2im)."""
from __future__ import annotations

from ember._ops.nn_conv import (conv1d, conv2d, conv3d, conv_tbc, conv_transpose1d,
                                conv_transpose2d, conv_transpose3d)
from ember._ops.nn_fold import col2im, im2col
from ember.nn.modules.utils import _pair

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "conv_tbc", "unfold", "fold"]


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) batch as columns: (N, C*prod(kernel_size), L)."""
    return im2col(input, _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns (N, C*prod(kernel_size), L) of sliding blocks into (N, C, *output_size)."""
    return col2im(input, _pair(output_size), _pair(kernel_size), _pair(dilation),
                  _pair(padding), _pair(stride))
