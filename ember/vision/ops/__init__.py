"""torchvision.ops: the building blocks the models use (no C++ detection kernels here)."""
from ember.vision.ops.misc import Conv2dNormActivation, Conv3dNormActivation

__all__ = ["Conv2dNormActivation", "Conv3dNormActivation"]
