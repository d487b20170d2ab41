"""VGG 11/13/16/19 (Simonyan & Zisserman, 2014), with or without BatchNorm."""
from __future__ import annotations

import ember
from ember import nn
from ember.vision.models._api import builder, weights_enum

__all__ = ["VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
           "vgg19_bn", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights",
           "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights"]

VGG11_Weights = weights_enum("VGG11_Weights")
VGG11_BN_Weights = weights_enum("VGG11_BN_Weights")
VGG13_Weights = weights_enum("VGG13_Weights")
VGG13_BN_Weights = weights_enum("VGG13_BN_Weights")
VGG16_Weights = weights_enum("VGG16_Weights", ("IMAGENET1K_V1", "IMAGENET1K_FEATURES"),
                             "IMAGENET1K_V1")
VGG16_BN_Weights = weights_enum("VGG16_BN_Weights")
VGG19_Weights = weights_enum("VGG19_Weights")
VGG19_BN_Weights = weights_enum("VGG19_BN_Weights")

# output channels of each 3x3 conv, "M" for a 2x2 max-pool (configurations A, B, D, E)
cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512,
          "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512,
          512, 512, 512, "M"],
}


class VGG(nn.Module):
    """``features`` then 7x7 average pooling and a 3-layer classifier with dropout.

    With ``init_weights``, convs get kaiming_normal_(fan_out, relu) and zero bias, BatchNorm
    ones and zeros, Linear N(0, 0.01) and zero bias (after the layers' own default init).
    """

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            self._init_weights()

    def _init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(ember.flatten(x, 1))


def make_layers(cfg, batch_norm: bool = False) -> nn.Sequential:
    """The convolutional trunk for one configuration list (see ``cfgs``)."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _vgg(cfg, batch_norm, **kwargs):
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


@builder(VGG11_Weights)
def vgg11(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-11 (configuration A); ``kwargs`` go to :class:`VGG`."""
    return _vgg("A", False, **kwargs)


@builder(VGG11_BN_Weights)
def vgg11_bn(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-11 with BatchNorm after every conv."""
    return _vgg("A", True, **kwargs)


@builder(VGG13_Weights)
def vgg13(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-13 (configuration B)."""
    return _vgg("B", False, **kwargs)


@builder(VGG13_BN_Weights)
def vgg13_bn(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-13 with BatchNorm after every conv."""
    return _vgg("B", True, **kwargs)


@builder(VGG16_Weights)
def vgg16(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-16 (configuration D)."""
    return _vgg("D", False, **kwargs)


@builder(VGG16_BN_Weights)
def vgg16_bn(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-16 with BatchNorm after every conv."""
    return _vgg("D", True, **kwargs)


@builder(VGG19_Weights)
def vgg19(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-19 (configuration E)."""
    return _vgg("E", False, **kwargs)


@builder(VGG19_BN_Weights)
def vgg19_bn(*, weights=None, progress=True, **kwargs) -> VGG:
    """VGG-19 with BatchNorm after every conv."""
    return _vgg("E", True, **kwargs)
