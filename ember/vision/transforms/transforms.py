"""torchvision.transforms (v1): callable image transforms for PIL images and tensors.

Composition and conversion classes live here; geometric, warping and photometric ones in
``_transforms_geometry``, ``_transforms_warp`` and ``_transforms_color`` (all re-exported).
Classes that torch makes ``nn.Module`` subclasses are ``ember.nn.Module`` subclasses here.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

import ember
from ember.nn import Module
from ember.vision.transforms import functional as F
from ember.vision.transforms._transforms_color import (ColorJitter, ElasticTransform,
                                                       GaussianBlur, Grayscale,
                                                       RandomAdjustSharpness,
                                                       RandomAutocontrast, RandomEqualize,
                                                       RandomErasing, RandomGrayscale,
                                                       RandomInvert, RandomPosterize,
                                                       RandomSolarize)
from ember.vision.transforms._transforms_geometry import (CenterCrop, FiveCrop, Pad,
                                                          RandomCrop, RandomHorizontalFlip,
                                                          RandomResizedCrop, RandomVerticalFlip,
                                                          Resize, TenCrop)
from ember.vision.transforms._transforms_warp import (RandomAffine, RandomPerspective,
                                                      RandomRotation)
from ember.vision.transforms.functional import InterpolationMode

__all__ = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "ToPILImage", "Normalize",
           "Resize", "CenterCrop", "Pad", "Lambda", "RandomApply", "RandomChoice",
           "RandomOrder", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "RandomResizedCrop", "FiveCrop", "TenCrop", "LinearTransformation", "ColorJitter",
           "RandomRotation", "RandomAffine", "Grayscale", "RandomGrayscale",
           "RandomPerspective", "RandomErasing", "GaussianBlur", "InterpolationMode",
           "RandomInvert", "RandomPosterize", "RandomSolarize", "RandomAdjustSharpness",
           "RandomAutocontrast", "RandomEqualize", "ElasticTransform"]

def _list_repr(name, transforms, head=""):
    """``Name(`` + one indented line per transform + ``)``, as torchvision prints lists."""
    lines = [name + "(" + head] + [f"    {t}" for t in transforms]
    return "\n".join(lines) + "\n)"


class Compose:
    """Apply the transforms one after the other."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _list_repr(self.__class__.__name__, self.transforms)


class ToTensor:
    """PIL image or HWC ndarray -> CHW float tensor in [0, 1] (uint8 input is divided by 255)."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class PILToTensor:
    """PIL image -> CHW tensor of the image's dtype, values unchanged."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class ConvertImageDtype(Module):
    """Convert a tensor image to `dtype`, rescaling its values."""

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class ToPILImage:
    """CHW tensor or HWC ndarray -> PIL image (mode inferred unless given)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        mode = "" if self.mode is None else f"mode={self.mode}"
        return f"{self.__class__.__name__}({mode})"


class Normalize(Module):
    """(x - mean) / std per channel of a float tensor image."""

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Wrap a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class RandomTransforms:
    """Base of the transforms that pick among a sequence of transforms."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError()

    def __repr__(self):
        return _list_repr(self.__class__.__name__, self.transforms)


class RandomApply(Module):
    """Apply all the transforms, or none, with probability p."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, img):
        if self.p < ember.rand(1):
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _list_repr(self.__class__.__name__, self.transforms, f"\n    p={self.p}")


class RandomOrder(RandomTransforms):
    """Apply the transforms in an order shuffled by Python's ``random``."""

    def __call__(self, img):
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        for i in order:
            img = self.transforms[i](img)
        return img


class RandomChoice(RandomTransforms):
    """Apply one transform picked by Python's ``random.choices`` (weights `p`)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        self.p = p

    def __call__(self, *args):
        t = random.choices(self.transforms, weights=self.p)[0]
        return t(*args)

    def __repr__(self):
        return f"{super().__repr__()}(p={self.p})"


class LinearTransformation(Module):
    """Flatten each (C, H, W) image, subtract `mean_vector`, multiply by the square matrix."""

    def __init__(self, transformation_matrix, mean_vector):
        super().__init__()
        shape = tuple(transformation_matrix.size())
        if transformation_matrix.size(0) != transformation_matrix.size(1):
            raise ValueError(f"transformation_matrix should be square. Got {shape} rectangular "
                             "matrix.")
        if mean_vector.size(0) != transformation_matrix.size(0):
            raise ValueError(f"mean_vector should have the same length {mean_vector.size(0)} as "
                             f"any one of the dimensions of the transformation_matrix [{shape}]")
        if transformation_matrix.device != mean_vector.device:
            raise ValueError(f"Input tensors should be on the same device. Got "
                             f"{transformation_matrix.device} and {mean_vector.device}")
        if transformation_matrix.dtype != mean_vector.dtype:
            raise ValueError(f"Input tensors should have the same dtype. Got "
                             f"{transformation_matrix.dtype} and {mean_vector.dtype}")
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def forward(self, tensor):
        shape = tensor.shape
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError("Input tensor and transformation matrix have incompatible shape."
                             f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != "
                             f"{self.transformation_matrix.shape[0]}")
        if tensor.device.type != self.mean_vector.device.type:
            raise ValueError("Input tensor should be on the same device as transformation "
                             f"matrix and mean vector. Got {tensor.device} vs "
                             f"{self.mean_vector.device}")
        flat_tensor = tensor.view(-1, n) - self.mean_vector
        matrix = self.transformation_matrix.to(flat_tensor.dtype)
        return ember.mm(flat_tensor, matrix).view(shape)

    def __repr__(self):
        return (f"{self.__class__.__name__}(transformation_matrix="
                f"{self.transformation_matrix.tolist()}, mean_vector="
                f"{self.mean_vector.tolist()})")
