"""torchvision.transforms.functional: stateless image ops on PIL images and tensors.

Tensors are images of shape (..., C, H, W): uint8 (or another integer dtype) with values in
[0, max], or floating with values in [0, 1]. PIL images are handled by Pillow, tensors by
ember ops, each following torchvision's formulas.
"""
from ember.vision.transforms._functional_color import (adjust_brightness, adjust_contrast,
                                                       adjust_gamma, adjust_hue,
                                                       adjust_saturation, adjust_sharpness,
                                                       autocontrast, equalize, gaussian_blur,
                                                       invert, posterize, rgb_to_grayscale,
                                                       solarize, to_grayscale)
from ember.vision.transforms._functional_convert import (InterpolationMode,
                                                         _interpolation_modes_from_int,
                                                         _is_numpy, _is_pil_image,
                                                         convert_image_dtype, erase,
                                                         get_dimensions, get_image_num_channels,
                                                         get_image_size, normalize,
                                                         pil_modes_mapping, pil_to_tensor,
                                                         to_pil_image, to_tensor)
from ember.vision.transforms._functional_geometry import (_compute_resized_output_size,
                                                          _get_inverse_affine_matrix,
                                                          _get_perspective_coeffs, affine,
                                                          center_crop, crop, elastic_transform,
                                                          five_crop, hflip, pad, perspective,
                                                          resize, resized_crop, rotate, ten_crop,
                                                          vflip)

__all__ = [
    "InterpolationMode", "_compute_resized_output_size", "_get_inverse_affine_matrix",
    "_get_perspective_coeffs", "_interpolation_modes_from_int", "_is_numpy", "_is_pil_image",
    "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation",
    "adjust_sharpness", "affine", "autocontrast", "center_crop", "convert_image_dtype", "crop",
    "elastic_transform", "equalize", "erase", "five_crop", "gaussian_blur", "get_dimensions",
    "get_image_num_channels", "get_image_size", "hflip", "invert", "normalize", "pad",
    "perspective", "pil_modes_mapping", "pil_to_tensor", "posterize", "resize", "resized_crop",
    "rgb_to_grayscale", "rotate", "solarize", "ten_crop", "to_grayscale", "to_pil_image",
    "to_tensor", "vflip",
]
