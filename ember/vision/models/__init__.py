"""torchvision.models: AlexNet, VGG, ResNet (ResNeXt, Wide ResNet) and MobileNetV2.

Architectures, module names, parameter shapes and initialisation follow torchvision 0.28
(same seed, same weights). Pretrained weights cannot be downloaded: see ``_api``.
"""
from ember.vision.models._api import (WeightsEnum, get_model, get_model_builder,
                                      get_model_weights, get_weight, list_models)
from ember.vision.models.alexnet import *
from ember.vision.models.mobilenetv2 import *
from ember.vision.models.resnet import *
from ember.vision.models.vgg import *
