"""``transforms.functional``: resizing, cropping, padding, flips and geometric warps.

Each function takes a PIL image or a (..., C, H, W) tensor and dispatches to Pillow or to
the tensor implementation, as torchvision does.
"""
from __future__ import annotations

import math
import numbers
import warnings

import ember
from ember.vision.transforms import _functional_pil as F_pil
from ember.vision.transforms import _functional_tensor_geometry as F_tg
from ember.vision.transforms._functional_convert import (InterpolationMode,
                                                         _check_interpolation, get_dimensions,
                                                         pil_modes_mapping, pil_to_tensor,
                                                         to_pil_image)

__all__ = ["resize", "pad", "crop", "center_crop", "resized_crop", "hflip", "vflip",
           "five_crop", "ten_crop", "perspective", "rotate", "affine", "elastic_transform"]


def _compute_resized_output_size(image_size, size, max_size=None, allow_size_none=False):
    """[new_h, new_w]: `size` (h, w) as is, or [s] as the new short edge keeping the aspect."""
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if size is None:
        if not allow_size_none:
            raise ValueError("This should never happen!!")
        if not isinstance(max_size, int):
            raise ValueError("max_size must be an integer when size is None, but got "
                             f"{max_size} instead.")
        new_short, new_long = int(max_size * short / long), max_size
    elif len(size) == 1:
        requested_new_short = size if isinstance(size, int) else size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
    else:
        return [size[0], size[1]]
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to `size` (h, w), or make the short edge `size` (an int or [int])."""
    interpolation = _check_interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in [1, 2]:
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1 in torchscript mode.")
    _, image_height, image_width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((image_height, image_width), size, max_size)
    if [image_height, image_width] == output_size:
        return img
    if not isinstance(img, ember.Tensor):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                          "antialias is ignored.")
        return F_pil.resize(img, size=output_size, interpolation=pil_modes_mapping[interpolation])
    return F_tg.resize(img, size=output_size, interpolation=interpolation.value,
                       antialias=antialias)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad by an int, [lr, tb] or [l, t, r, b]; modes constant/edge/reflect/symmetric."""
    if not isinstance(img, ember.Tensor):
        return F_pil.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    return F_tg.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top, left, height, width):
    """The box at (top, left) of size (height, width); zero-padded outside the image."""
    if not isinstance(img, ember.Tensor):
        return F_pil.crop(img, top, left, height, width)
    return F_tg.crop(img, top, left, height, width)


def _pair(size):
    if isinstance(size, numbers.Number):
        return (int(size), int(size))
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return (size[0], size[0])
    return size


def center_crop(img, output_size):
    """The central (h, w) box, zero-padding first when the image is smaller."""
    crop_height, crop_width = _pair(output_size)
    _, image_height, image_width = get_dimensions(img)
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [(crop_width - image_width) // 2 if crop_width > image_width else 0,
                        (crop_height - image_height) // 2 if crop_height > image_height else 0,
                        (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
                        (crop_height - image_height + 1) // 2 if crop_height > image_height
                        else 0]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    """crop then resize."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    if not isinstance(img, ember.Tensor):
        return F_pil.hflip(img)
    return F_tg.hflip(img)


def vflip(img):
    if not isinstance(img, ember.Tensor):
        return F_pil.vflip(img)
    return F_tg.vflip(img)


def five_crop(img, size):
    """(top-left, top-right, bottom-left, bottom-right, center) crops of `size`."""
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        raise ValueError(f"Requested crop size {size} is bigger than input size "
                         f"{(image_height, image_width)}")
    tl = crop(img, 0, 0, crop_height, crop_width)
    tr = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bl = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    br = crop(img, image_height - crop_height, image_width - crop_width, crop_height,
              crop_width)
    center = center_crop(img, [crop_height, crop_width])
    return tl, tr, bl, br, center


def ten_crop(img, size, vertical_flip=False):
    """five_crop of the image and of its horizontal (or vertical) flip."""
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first_five = five_crop(img, size)
    img = vflip(img) if vertical_flip else hflip(img)
    return first_five + five_crop(img, size)


def _get_perspective_coeffs(startpoints, endpoints):
    """The 8 coefficients of the homography taking `endpoints` to `startpoints` (PIL's form)."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} "
                         f"startpoints and {len(endpoints)} endpoints.")
    rows = []
    for p1, p2 in zip(endpoints, startpoints):
        rows.append([p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]])
        rows.append([0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]])
    a_matrix = ember.tensor(rows, dtype=ember.float64)
    b_matrix = ember.tensor(startpoints, dtype=ember.float64).view(8)
    res = ember.linalg.lstsq(a_matrix, b_matrix, driver="gels").solution.to(ember.float32)
    return res.tolist()


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR,
                fill=None):
    """Warp so that the four `startpoints` corners land on `endpoints`."""
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _check_interpolation(interpolation)
    if not isinstance(img, ember.Tensor):
        return F_pil.perspective(img, coeffs, interpolation=pil_modes_mapping[interpolation],
                                 fill=fill)
    return F_tg.perspective(img, coeffs, interpolation=interpolation.value, fill=fill)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 2x3 matrix (flattened) of rotate/scale/shear about `center` then translate.

    With ``inverted`` it maps output pixels back to input pixels, which is what PIL's
    ``Image.transform`` and the sampling grid need.
    """
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # RSS without scaling
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [x * scale for x in [a, b, 0.0, c, d, 0.0]]
        matrix[2] += matrix[0] * -cx + matrix[1] * -cy
        matrix[5] += matrix[3] * -cx + matrix[4] * -cy
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def _tensor_center(img, center):
    """`center` in pixels -> offsets from the image centre (the tensor grid's origin)."""
    if center is None:
        return [0.0, 0.0]
    _, height, width = get_dimensions(img)
    return [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate counter-clockwise by `angle` degrees about `center` (default: the middle)."""
    interpolation = _check_interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not isinstance(img, ember.Tensor):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation],
                            expand=expand, center=center, fill=fill)
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), -angle, [0.0, 0.0], 1.0,
                                        [0.0, 0.0])
    return F_tg.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand,
                       fill=fill)


def _check_affine_args(angle, translate, scale, shear, center):
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, (list, tuple))):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    return float(angle), list(translate), shear


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):
    """Rotate by `angle`, scale, shear (degrees) about `center`, then translate (pixels)."""
    interpolation = _check_interpolation(interpolation)
    angle, translate, shear = _check_affine_args(angle, translate, scale, shear, center)
    _, height, width = get_dimensions(img)
    if not isinstance(img, ember.Tensor):
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation],
                            fill=fill)
    translate_f = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), angle, translate_f, scale,
                                        shear)
    return F_tg.affine(img, matrix=matrix, interpolation=interpolation.value, fill=fill)


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Move each pixel by `displacement` (1, H, W, 2), given in grid_sample's [-1, 1] units."""
    if isinstance(interpolation, int):
        warnings.warn("Argument interpolation should be of type InterpolationMode instead of "
                      "int. Please, use InterpolationMode enum.")
        interpolation = _check_interpolation(interpolation)
    if not isinstance(displacement, ember.Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    t_img = img
    if not isinstance(img, ember.Tensor):
        if not F_pil._is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    shape = (1,) + tuple(t_img.shape[-2:]) + (2,)
    if shape != tuple(displacement.shape):
        raise ValueError(f"Argument displacement shape should be {shape}, but given "
                         f"{displacement.shape}")
    output = F_tg.elastic_transform(t_img, displacement, interpolation=interpolation.value,
                                    fill=fill)
    if not isinstance(img, ember.Tensor):
        output = to_pil_image(output, mode=img.mode)
    return output
