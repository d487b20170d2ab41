"""The tensor side of ``transforms.functional``: dtype conversion and colour ops.

Images are (..., C, H, W) tensors, uint8/integer with values in [0, max of the dtype] or
floating in [0, 1]. The arithmetic follows torchvision's formulas step for step (same
constants, same float32 intermediates), so results agree with it bit for bit.
Geometric ops live in ``_functional_tensor_geometry``.
"""
from __future__ import annotations

import ember

_MAX_VALUE = {ember.uint8: 255, ember.int8: 127, ember.int16: 32767, ember.int32: 2147483647,
              ember.int64: 9223372036854775807}


def _max_value(dtype):
    """The value that means full intensity: 1 for floats, the top of the range for ints."""
    return _MAX_VALUE.get(dtype, 1)


def _assert_image_tensor(img):
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def _assert_min_3d(img):
    if img.ndim < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")


def get_dimensions(img):
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    height, width = img.shape[-2:]
    return [channels, height, width]


def get_image_size(img):
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img):
    _assert_image_tensor(img)
    return 1 if img.ndim == 2 else img.shape[-3]


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but "
                        f"found {c}")


def convert_image_dtype(image, dtype=ember.float):
    """Convert and rescale: float [0, 1] <-> integer [0, max]; integers shift ranges."""
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == ember.float32 and dtype in (ember.int32, ember.int64)) or (
                image.dtype == ember.float64 and dtype == ember.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed "
                               "safely.")
        # NOTE(torch): scale by max + 1 - eps so that the top bucket is as wide as the others
        return image.mul(float(_max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return ember.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def normalize(tensor, mean, std, inplace=False):
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = ember.as_tensor(mean, dtype=dtype, device=tensor.device)
    std = ember.as_tensor(std, dtype=dtype, device=tensor.device)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to "
                         "division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def erase(img, i, j, h, w, v, inplace=False):
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        # ITU-R 601-2 luma, as PIL's convert('L') (which rounds; this truncates for ints)
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    if num_output_channels == 3:
        return l_img.expand(img.shape)
    return l_img


def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def _check_factor(value, name):
    if value < 0:
        raise ValueError(f"{name} ({value}) is not non-negative.")


def adjust_brightness(img, brightness_factor):
    _check_factor(brightness_factor, "brightness_factor")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, ember.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    _check_factor(contrast_factor, "contrast_factor")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    dtype = img.dtype if img.is_floating_point() else ember.float32
    gray = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = ember.mean(gray.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    _check_factor(saturation_factor, "saturation_factor")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def adjust_hue(img, hue_factor):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be Tensor image")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    h, s, v = _rgb2hsv(convert_image_dtype(img, ember.float32)).unbind(dim=-3)
    h = (h + hue_factor) % 1.0
    rgb = _hsv2rgb(ember.stack((h, s, v), dim=-3))
    return convert_image_dtype(rgb, orig_dtype)


def adjust_gamma(img, gamma, gain=1):
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    dtype = img.dtype
    result = img if img.is_floating_point() else convert_image_dtype(img, ember.float32)
    result = (gain * result.pow(gamma)).clamp(0, 1)
    return convert_image_dtype(result, dtype)


def _rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = ember.max(img, dim=-3).values
    minc = ember.min(img, dim=-3).values
    # grey pixels (max == min) would divide by zero; their hue and saturation are 0
    eqc = maxc == minc
    cr = maxc - minc
    ones = ember.ones_like(maxc)
    s = cr / ember.where(eqc, ones, maxc)
    cr_divisor = ember.where(eqc, ones, cr)
    rc = (maxc - r) / cr_divisor
    gc = (maxc - g) / cr_divisor
    bc = (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = ember.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return ember.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = ember.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(dtype=ember.int32) % 6
    p = ember.clamp(v * (1.0 - s), 0.0, 1.0)
    q = ember.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = ember.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    mask = i.unsqueeze(dim=-3) == ember.arange(6, device=i.device).view(-1, 1, 1)
    a1 = ember.stack((v, q, p, p, t, v), dim=-3)
    a2 = ember.stack((t, v, v, q, p, p), dim=-3)
    a3 = ember.stack((p, p, t, v, v, q), dim=-3)
    a4 = ember.stack((a1, a2, a3), dim=-4)
    return ember.einsum("...ijk, ...xijk -> ...xjk", mask.to(dtype=img.dtype), a4)


def invert(img):
    _assert_image_tensor(img)
    _assert_min_3d(img)
    _assert_channels(img, [1, 3])
    return _max_value(img.dtype) - img


def posterize(img, bits):
    _assert_image_tensor(img)
    _assert_min_3d(img)
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    return img & -int(2 ** (8 - bits))


def solarize(img, threshold):
    _assert_image_tensor(img)
    _assert_min_3d(img)
    _assert_channels(img, [1, 3])
    if threshold > _max_value(img.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return ember.where(img >= threshold, invert(img), img)


def autocontrast(img):
    _assert_image_tensor(img)
    _assert_min_3d(img)
    _assert_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    dtype = img.dtype if img.is_floating_point() else ember.float32
    minimum = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    maximum = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    scale = bound / (maximum - minimum)
    # flat channels (max == min) are left unchanged
    flat = ember.isfinite(scale).logical_not()
    minimum[flat] = 0
    scale[flat] = 1
    return ((img - minimum) * scale).clamp(0, bound).to(img.dtype)


def equalize(img):
    """Histogram equalisation of each channel of a uint8 (C, H, W) or (N, C, H, W) image."""
    _assert_image_tensor(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    flat = img.reshape(-1, img.shape[-2] * img.shape[-1]).to(ember.int64)
    return _equalize_rows(flat).view(img.shape)


def _equalize_rows(flat):
    """PIL's ImageOps.equalize on each row: a lookup table from the cumulative histogram."""
    rows = flat.shape[0]
    offsets = ember.arange(rows).mul_(256).unsqueeze(1)
    hist = ember.bincount((flat + offsets).view(-1), minlength=256 * rows).view(rows, 256)
    # the histogram total less its last non-empty bin (the bin of the brightest pixel)
    top = hist.gather(1, flat.amax(dim=1, keepdim=True))
    step = ember.div(flat.shape[1] - top, 255, rounding_mode="floor")
    safe_step = ember.where(step == 0, ember.ones_like(step), step)
    lut = ember.div(hist.cumsum(1) + ember.div(safe_step, 2, rounding_mode="floor"), safe_step,
                    rounding_mode="floor")
    lut = ember.cat([lut.new_zeros(rows, 1), lut[:, :-1]], dim=1).clamp(0, 255)
    # a channel with a single non-empty bin (step 0) is returned unchanged
    return ember.where(step == 0, flat, lut.gather(1, flat)).to(ember.uint8)
