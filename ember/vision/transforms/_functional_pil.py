"""The PIL-image side of ``transforms.functional``: each op is Pillow's own operation.

Pixel results equal torchvision's because both call the same Pillow routines; the few
places where torchvision goes through NumPy (hue shift, non-constant padding, 3-channel
grayscale) are written here with Pillow lookup tables or ember index maps that give the
same bytes.
"""
from __future__ import annotations

import numbers

from PIL import Image, ImageEnhance, ImageOps

import ember
from ember.vision.transforms._pad_index import pad_index

_PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def _Image_fromarray(obj, mode):
    """A PIL image of `mode` read from the raw bytes of the (H, W[, C]) ndarray `obj`.

    NOTE(torch): Pillow >= 11.3 infers the mode from the array and ignores ``mode``;
    torchvision relies on the older reading (the array's bytes interpreted in ``mode``),
    which ``Image.frombuffer`` still gives.
    """
    shape = obj.shape
    size = (1 if len(shape) == 1 else shape[1], shape[0])
    return Image.frombuffer(mode, size, obj.tobytes(), "raw", mode, 0, 1)


def _is_pil_image(img):
    return isinstance(img, Image.Image)


def _check(img):
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_dimensions(img):
    if _is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img):
    if _is_pil_image(img):
        return list(img.size)
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_num_channels(img):
    if _is_pil_image(img):
        return len(img.getbands())
    raise TypeError(f"Unexpected type {type(img)}")


def hflip(img):
    _check(img)
    return img.transpose(Image.FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(Image.FLIP_TOP_BOTTOM)


def _enhance(enhancer, img, factor):
    _check(img)
    return enhancer(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    return _enhance(ImageEnhance.Brightness, img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    return _enhance(ImageEnhance.Contrast, img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    return _enhance(ImageEnhance.Color, img, saturation_factor)


def adjust_sharpness(img, sharpness_factor):
    return _enhance(ImageEnhance.Sharpness, img, sharpness_factor)


def adjust_hue(img, hue_factor):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check(img)
    input_mode = img.mode
    if input_mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    # NOTE(torch): torchvision adds int32(hue_factor * 255) cast to uint8, wrapping mod 256.
    shift = int(hue_factor * 255) % 256
    h = h.point([(i + shift) % 256 for i in range(256)])
    return Image.merge("HSV", (h, s, v)).convert(input_mode)


def adjust_gamma(img, gamma, gain=1.0):
    _check(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    input_mode = img.mode
    img = img.convert("RGB")
    gamma_map = [int((255 + 1 - 1e-3) * gain * pow(ele / 255.0, gamma)) for ele in range(256)]
    return img.point(gamma_map * 3).convert(input_mode)


def _parse_padding(padding):
    """[left, top, right, bottom] from an int or a 1/2/4-sequence."""
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def _check_pad_args(padding, fill, padding_mode):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in [1, 2, 4]:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in _PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad a PIL image: ImageOps.expand for 'constant', an index map for the other modes."""
    _check(img)
    _check_pad_args(padding, fill, padding_mode)
    if padding_mode == "constant":
        if isinstance(padding, (tuple, list)) and len(padding) == 1:
            padding = padding[0]
        border = padding if isinstance(padding, numbers.Number) else tuple(padding)
        out = ImageOps.expand(img, border=border, **_parse_fill(fill, img, name="fill"))
        if img.mode == "P":
            out.putpalette(img.getpalette())
        return out
    left, top, right, bottom = _parse_padding(padding)
    # negative padding crops first, as np.pad cannot
    crop = [-min(p, 0) for p in (left, top, right, bottom)]
    if any(crop):
        img = img.crop((crop[0], crop[1], img.width - crop[2], img.height - crop[3]))
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    arr = _pil_to_hwc(img)
    rows = pad_index(arr.shape[0], top, bottom, padding_mode)
    cols = pad_index(arr.shape[1], left, right, padding_mode)
    out = _hwc_to_pil(arr.index_select(0, rows).index_select(1, cols), img.mode)
    if img.mode == "P":
        out.putpalette(img.getpalette())
    return out


def _pil_to_hwc(img):
    """The pixels as an (H, W, C) tensor in the image's own dtype."""
    arr = ember.tensor(img)
    return arr if arr.dim() == 3 else arr.unsqueeze(-1)


def _hwc_to_pil(arr, mode):
    """A PIL image of `mode` from an (H, W, C) tensor laid out as NumPy lays out that mode."""
    height, width, _ = arr.shape
    if mode == "1":
        data = (arr.to(ember.uint8) * 255).contiguous().numpy().tobytes()
        return Image.frombytes("L", (width, height), data).convert("1", dither=Image.NONE)
    return Image.frombytes(mode, (width, height), arr.contiguous().numpy().tobytes())


def crop(img, top, left, height, width):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation=Image.BILINEAR):
    _check(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def _parse_fill(fill, img, name="fillcolor"):
    """Pillow's fill keyword: one value per band, ints unless the image is float ('F')."""
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {num_channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, (list, tuple)) else int(fill)
    return {name: fill}


def affine(img, matrix, interpolation=Image.NEAREST, fill=None):
    _check(img)
    return img.transform(img.size, Image.AFFINE, matrix, interpolation, **_parse_fill(fill, img))


def rotate(img, angle, interpolation=Image.NEAREST, expand=False, center=None, fill=None):
    _check(img)
    return img.rotate(angle, interpolation, expand, center, **_parse_fill(fill, img))


def perspective(img, perspective_coeffs, interpolation=Image.BICUBIC, fill=None):
    _check(img)
    return img.transform(img.size, Image.PERSPECTIVE, perspective_coeffs, interpolation,
                         **_parse_fill(fill, img))


def to_grayscale(img, num_output_channels):
    _check(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        gray = img.convert("L")
        return Image.merge("RGB", (gray, gray, gray))
    raise ValueError("num_output_channels should be either 1 or 3")


def invert(img):
    _check(img)
    return ImageOps.invert(img)


def posterize(img, bits):
    _check(img)
    return ImageOps.posterize(img, bits)


def solarize(img, threshold):
    _check(img)
    return ImageOps.solarize(img, threshold)


def autocontrast(img):
    _check(img)
    return ImageOps.autocontrast(img)


def equalize(img):
    _check(img)
    return ImageOps.equalize(img)
