"""AlexNet (Krizhevsky et al., 2012) in torchvision's single-tower layout."""
from __future__ import annotations

import ember
from ember import nn
from ember.vision.models._api import builder, weights_enum

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]

AlexNet_Weights = weights_enum("AlexNet_Weights")


class AlexNet(nn.Module):
    """Five convolutions and three fully connected layers over 6x6 pooled features.

    Shape: (N, 3, H, W) -> (N, num_classes), H and W at least 63. Layers keep PyTorch's
    default initialisation.
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(ember.flatten(x, 1))


@builder(AlexNet_Weights)
def alexnet(*, weights=None, progress=True, **kwargs) -> AlexNet:
    """AlexNet; ``kwargs`` go to :class:`AlexNet` (num_classes, dropout)."""
    return AlexNet(**kwargs)
