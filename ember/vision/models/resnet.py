"""ResNet (He et al., 2015) in torchvision's v1.5 layout (stride on the 3x3 conv), plus the
ResNeXt and Wide ResNet variants."""
from __future__ import annotations

import ember
from ember import nn
from ember.vision.models._api import _ovewrite_named_param, builder, weights_enum

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50",
           "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d",
           "wide_resnet50_2", "wide_resnet101_2", "ResNet18_Weights", "ResNet34_Weights",
           "ResNet50_Weights", "ResNet101_Weights", "ResNet152_Weights",
           "ResNeXt50_32X4D_Weights", "ResNeXt101_32X8D_Weights", "ResNeXt101_64X4D_Weights",
           "Wide_ResNet50_2_Weights", "Wide_ResNet101_2_Weights"]

_V2 = ("IMAGENET1K_V1", "IMAGENET1K_V2")
ResNet18_Weights = weights_enum("ResNet18_Weights")
ResNet34_Weights = weights_enum("ResNet34_Weights")
ResNet50_Weights = weights_enum("ResNet50_Weights", _V2)
ResNet101_Weights = weights_enum("ResNet101_Weights", _V2)
ResNet152_Weights = weights_enum("ResNet152_Weights", _V2)
ResNeXt50_32X4D_Weights = weights_enum("ResNeXt50_32X4D_Weights", _V2)
ResNeXt101_32X8D_Weights = weights_enum("ResNeXt101_32X8D_Weights", _V2)
ResNeXt101_64X4D_Weights = weights_enum("ResNeXt101_64X4D_Weights")
Wide_ResNet50_2_Weights = weights_enum("Wide_ResNet50_2_Weights", _V2)
Wide_ResNet101_2_Weights = weights_enum("Wide_ResNet101_2_Weights", _V2)


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1) -> nn.Conv2d:
    """3x3 convolution, padded to keep the size at stride 1, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation,
                     groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1) -> nn.Conv2d:
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convs with a residual connection (ResNet-18/34)."""

    expansion: int = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 dilation=1, norm_layer=None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        # the shortcut runs after the main path, as in torchvision (hook order)
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (strided, grouped), 1x1 expand by 4, with a residual connection."""

    expansion: int = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 dilation=1, norm_layer=None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class ResNet(nn.Module):
    """A 7x7 stem, four stages of ``block`` (``layers`` blocks each), global pooling and fc.

    Convs get kaiming_normal_(fan_out, relu), norm layers ones and zeros; with
    ``zero_init_residual`` the last norm of every block starts at zero (each block starts
    as the identity). ``replace_stride_with_dilation`` (3 flags, stages 2-4) trades a
    stage's stride for dilation.
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1,
                 width_per_group=64, replace_stride_with_dilation=None, norm_layer=None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, "
                             f"got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], 2, replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], 2, replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], 2, replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights(zero_init_residual)

    def _init_weights(self, zero_init_residual):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False) -> nn.Sequential:
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                        previous_dilation, norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups,
                                base_width=self.base_width, dilation=self.dilation,
                                norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.avgpool(x)
        return self.fc(ember.flatten(x, 1))

    def forward(self, x):
        return self._forward_impl(x)


def _resnet(block, layers, **kwargs) -> ResNet:
    return ResNet(block, layers, **kwargs)


@builder(ResNet18_Weights)
def resnet18(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNet-18; ``kwargs`` go to :class:`ResNet`."""
    return _resnet(BasicBlock, [2, 2, 2, 2], **kwargs)


@builder(ResNet34_Weights)
def resnet34(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNet-34."""
    return _resnet(BasicBlock, [3, 4, 6, 3], **kwargs)


@builder(ResNet50_Weights)
def resnet50(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNet-50 (v1.5: the stride sits on the 3x3 conv of the bottleneck)."""
    return _resnet(Bottleneck, [3, 4, 6, 3], **kwargs)


@builder(ResNet101_Weights)
def resnet101(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNet-101."""
    return _resnet(Bottleneck, [3, 4, 23, 3], **kwargs)


@builder(ResNet152_Weights)
def resnet152(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNet-152."""
    return _resnet(Bottleneck, [3, 8, 36, 3], **kwargs)


def _grouped(layers, fixed_groups, fixed_width, kwargs) -> ResNet:
    """A Bottleneck ResNet whose groups (None: the caller's) and width_per_group are fixed;
    ``kwargs`` may repeat them only with the same values."""
    if fixed_groups is not None:
        _ovewrite_named_param(kwargs, "groups", fixed_groups)
    _ovewrite_named_param(kwargs, "width_per_group", fixed_width)
    return _resnet(Bottleneck, layers, **kwargs)


@builder(ResNeXt50_32X4D_Weights)
def resnext50_32x4d(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNeXt-50 32x4d: 32 groups of width 4 in the bottleneck's 3x3 conv."""
    return _grouped([3, 4, 6, 3], 32, 4, kwargs)


@builder(ResNeXt101_32X8D_Weights)
def resnext101_32x8d(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNeXt-101 32x8d."""
    return _grouped([3, 4, 23, 3], 32, 8, kwargs)


@builder(ResNeXt101_64X4D_Weights)
def resnext101_64x4d(*, weights=None, progress=True, **kwargs) -> ResNet:
    """ResNeXt-101 64x4d."""
    return _grouped([3, 4, 23, 3], 64, 4, kwargs)


@builder(Wide_ResNet50_2_Weights)
def wide_resnet50_2(*, weights=None, progress=True, **kwargs) -> ResNet:
    """Wide ResNet-50-2: bottlenecks twice as wide as ResNet-50's."""
    return _grouped([3, 4, 6, 3], None, 64 * 2, kwargs)


@builder(Wide_ResNet101_2_Weights)
def wide_resnet101_2(*, weights=None, progress=True, **kwargs) -> ResNet:
    """Wide ResNet-101-2."""
    return _grouped([3, 4, 23, 3], None, 64 * 2, kwargs)
