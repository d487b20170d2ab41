"""``transforms.functional``: colour adjustments, grayscale, blur and the PIL.ImageOps ops.

Each function takes a PIL image or a (..., C, H, W) tensor and dispatches to Pillow or to
the tensor implementation, as torchvision does.
"""
from __future__ import annotations

import ember
from ember.vision.transforms import _functional_pil as F_pil
from ember.vision.transforms import _functional_tensor as F_t
from ember.vision.transforms import _functional_tensor_geometry as F_tg
from ember.vision.transforms._functional_convert import pil_to_tensor, to_pil_image

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
           "adjust_gamma", "adjust_sharpness", "to_grayscale", "rgb_to_grayscale",
           "gaussian_blur", "invert", "posterize", "solarize", "autocontrast", "equalize"]


def _dispatch(name, img, *args):
    impl = F_t if isinstance(img, ember.Tensor) else F_pil
    return getattr(impl, name)(img, *args)


def adjust_brightness(img, brightness_factor):
    """Blend with black: 0 gives black, 1 the image, 2 twice as bright."""
    return _dispatch("adjust_brightness", img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    """Blend with the mean gray level of the image."""
    return _dispatch("adjust_contrast", img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    """Blend with the grayscale image: 0 gives gray, 1 the image."""
    return _dispatch("adjust_saturation", img, saturation_factor)


def adjust_hue(img, hue_factor):
    """Rotate the hue channel by `hue_factor` turns, in [-0.5, 0.5]."""
    return _dispatch("adjust_hue", img, hue_factor)


def adjust_gamma(img, gamma, gain=1):
    """``gain * img ** gamma`` on [0, 1] intensities."""
    return _dispatch("adjust_gamma", img, gamma, gain)


def adjust_sharpness(img, sharpness_factor):
    """Blend with PIL's smoothed image: 0 gives blurred, 1 the image, 2 sharper."""
    if not isinstance(img, ember.Tensor):
        return F_pil.adjust_sharpness(img, sharpness_factor)
    return F_tg.adjust_sharpness(img, sharpness_factor)


def to_grayscale(img, num_output_channels=1):
    """Grayscale version of a PIL image (1 or 3 channels)."""
    if F_pil._is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels=1):
    """L = 0.2989 R + 0.587 G + 0.114 B, repeated to 3 channels if asked."""
    if not isinstance(img, ember.Tensor):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def _check_blur_args(kernel_size, sigma):
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError("kernel_size should be int or a sequence of integers. Got "
                        f"{type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError("If kernel_size is a sequence its length should be 2. Got "
                         f"{len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got "
                             f"{kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    return kernel_size, sigma


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur with reflect padding; sigma defaults to 0.15 * k + 0.35."""
    kernel_size, sigma = _check_blur_args(kernel_size, sigma)
    t_img = img
    if not isinstance(img, ember.Tensor):
        if not F_pil._is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    output = F_tg.gaussian_blur(t_img, kernel_size, sigma)
    if not isinstance(img, ember.Tensor):
        output = to_pil_image(output, mode=img.mode)
    return output


def invert(img):
    """max - img."""
    return _dispatch("invert", img)


def posterize(img, bits):
    """Keep the top `bits` bits of each channel."""
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    return _dispatch("posterize", img, bits)


def solarize(img, threshold):
    """Invert the pixels at or above `threshold`."""
    return _dispatch("solarize", img, threshold)


def autocontrast(img):
    """Stretch each channel so that its darkest pixel is 0 and its brightest the maximum."""
    return _dispatch("autocontrast", img)


def equalize(img):
    """Equalise the histogram of each channel."""
    return _dispatch("equalize", img)
