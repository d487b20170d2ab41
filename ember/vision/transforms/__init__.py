"""torchvision.transforms: image transforms (v1 API) and ``functional``."""
from ember.vision.transforms import functional
from ember.vision.transforms.transforms import *
