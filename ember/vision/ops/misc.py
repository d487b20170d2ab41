"""Convolution + normalization + activation blocks (torchvision.ops.misc)."""
from __future__ import annotations

import warnings
from collections.abc import Sequence

from ember import nn

__all__ = ["ConvNormActivation", "Conv2dNormActivation", "Conv3dNormActivation"]


def _same_padding(kernel_size, dilation):
    """The padding that keeps the spatial size at stride 1: (k - 1) // 2 * d per dim."""
    if isinstance(kernel_size, int) and isinstance(dilation, int):
        return (kernel_size - 1) // 2 * dilation
    n = len(kernel_size) if isinstance(kernel_size, Sequence) else len(dilation)
    kernel_size = tuple(kernel_size) if isinstance(kernel_size, Sequence) else (kernel_size,) * n
    dilation = tuple(dilation) if isinstance(dilation, Sequence) else (dilation,) * n
    return tuple((k - 1) // 2 * d for k, d in zip(kernel_size, dilation))


class ConvNormActivation(nn.Sequential):
    """A Sequential of conv, optional norm layer and optional activation.

    ``padding=None`` keeps the size at stride 1; ``bias=None`` gives the conv a bias only
    when there is no norm layer; ``inplace`` goes to the activation (None: not passed).
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None,
                 groups=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1,
                 inplace=True, bias=None, conv_layer=nn.Conv2d):
        if padding is None:
            padding = _same_padding(kernel_size, dilation)
        if bias is None:
            bias = norm_layer is None
        layers = [conv_layer(in_channels, out_channels, kernel_size, stride, padding,
                             dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer() if inplace is None
                          else activation_layer(inplace=inplace))
        super().__init__(*layers)
        self.out_channels = out_channels
        if self.__class__ == ConvNormActivation:
            warnings.warn("Don't use ConvNormActivation directly, please use Conv2dNormActivation "
                          "and Conv3dNormActivation instead.")


class Conv2dNormActivation(ConvNormActivation):
    """Conv2d, then BatchNorm2d and ReLU by default (see ConvNormActivation)."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None,
                 groups=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1,
                 inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups,
                         norm_layer, activation_layer, dilation, inplace, bias, nn.Conv2d)


class Conv3dNormActivation(ConvNormActivation):
    """Conv3d, then BatchNorm3d and ReLU by default (see ConvNormActivation)."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None,
                 groups=1, norm_layer=nn.BatchNorm3d, activation_layer=nn.ReLU, dilation=1,
                 inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups,
                         norm_layer, activation_layer, dilation, inplace, bias, nn.Conv3d)
