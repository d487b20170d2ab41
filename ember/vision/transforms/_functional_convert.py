"""``transforms.functional``: interpolation modes, image sizes and PIL/array/tensor conversion."""
from __future__ import annotations

import sys
from enum import Enum

import ember
from ember._backend import CPU_BACKEND
from ember.vision.transforms import _functional_pil as F_pil
from ember.vision.transforms import _functional_tensor as F_t

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
           "to_tensor", "pil_to_tensor", "convert_image_dtype", "to_pil_image", "normalize",
           "erase"]


class InterpolationMode(Enum):
    """Resampling filters; the values are nn.functional.interpolate's mode names."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    # PIL only
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _interpolation_modes_from_int(i):
    inverse_modes_mapping = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
                             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
                             5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
    return inverse_modes_mapping[i]


pil_modes_mapping = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2,
                     InterpolationMode.BICUBIC: 3, InterpolationMode.NEAREST_EXACT: 0,
                     InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
                     InterpolationMode.LANCZOS: 1}

_is_pil_image = F_pil._is_pil_image


def _check_interpolation(interpolation):
    """An InterpolationMode from a mode or a Pillow integer constant."""
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a "
                        "corresponding Pillow integer constant")
    return interpolation


def get_dimensions(img):
    """[channels, height, width] of a PIL image or a (..., C, H, W) tensor."""
    if isinstance(img, ember.Tensor):
        return F_t.get_dimensions(img)
    return F_pil.get_dimensions(img)


def get_image_size(img):
    """[width, height] of the image."""
    if isinstance(img, ember.Tensor):
        return F_t.get_image_size(img)
    return F_pil.get_image_size(img)


def get_image_num_channels(img):
    if isinstance(img, ember.Tensor):
        return F_t.get_image_num_channels(img)
    return F_pil.get_image_num_channels(img)


def _is_numpy(img):
    return CPU_BACKEND.is_host_array(img)


# PIL modes whose pixels torchvision reads with a dtype other than uint8
_MODE_DTYPE = {"I": ember.int32, "I;16" if sys.byteorder == "little" else "I;16B": ember.int16,
               "F": ember.float32}


def _pil_array(pic):
    """The (H, W, C) pixels of a PIL image as a tensor (NumPy's reading of the image)."""
    if pic.mode.startswith("I;16"):
        # 16-bit modes: read the raw words as int16, as np.array(pic, np.int16) does
        words = ember.tensor(bytearray(pic.tobytes()))
        arr = words.view(-1, 2).to(ember.int64)
        lo, hi = (0, 1) if pic.mode == "I;16" else (1, 0)
        arr = (arr[:, lo] + arr[:, hi] * 256).to(ember.int16)
    else:
        arr = ember.tensor(pic)
    return arr.view(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))


def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 data is scaled to [0, 1] floats."""
    if not (_is_pil_image(pic) or _is_numpy(pic)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if _is_numpy(pic) and pic.ndim not in {2, 3}:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    default_float_dtype = ember.get_default_dtype()
    if _is_numpy(pic):
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = ember.from_numpy(pic.transpose((2, 0, 1))).contiguous()
    else:
        img = _pil_array(pic)
        img = img.to(_MODE_DTYPE.get(pic.mode, ember.uint8))
        if pic.mode == "1":
            img = 255 * img
        img = img.permute((2, 0, 1)).contiguous()
    if img.dtype == ember.uint8:
        return img.to(dtype=default_float_dtype).div(255)
    return img


def pil_to_tensor(pic):
    """PIL image -> (C, H, W) tensor of the image's own dtype, values unscaled."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    return _pil_array(pic).permute((2, 0, 1))


def convert_image_dtype(image, dtype=ember.float):
    """Convert a tensor image to `dtype`, rescaling values to the new dtype's range."""
    if not isinstance(image, ember.Tensor):
        raise TypeError("Input img should be Tensor Image")
    return F_t.convert_image_dtype(image, dtype)


def _pil_mode_for(npimg, mode):
    """The PIL mode to build an (H, W, C) array with, checking a requested `mode`."""
    channels = npimg.shape[2]
    if channels == 1:
        expected = {"uint8": "L", "int16": "I;16" if sys.byteorder == "little" else "I;16B",
                    "int32": "I", "float32": "F"}.get(str(npimg.dtype))
        if mode is not None and mode != expected:
            # NOTE(torch): torchvision formats the np.dtype class here, not the array's dtype
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type <class "
                             f"'numpy.dtype'>. Should be {expected}")
        return expected
    permitted = {2: ["LA"], 4: ["RGBA", "CMYK", "RGBX"]}.get(channels, ["RGB", "YCbCr", "HSV"])
    if mode is not None and mode not in permitted:
        what = {2: "2D", 4: "4D"}.get(channels, "3D")
        raise ValueError(f"Only modes {permitted} are supported for {what} inputs")
    if mode is None and npimg.dtype == "uint8":
        mode = permitted[0]
    return mode


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image; floats are scaled by 255 (unless mode 'F')."""
    if isinstance(pic, ember.Tensor):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = pic.numpy(force=True)
    elif not _is_numpy(pic):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = pic[:, :, None]
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    npimg = pic
    if npimg.dtype.kind == "f" and mode != "F":
        npimg = (npimg * 255).astype("uint8")
    mode = _pil_mode_for(npimg, mode)
    if npimg.shape[2] == 1:
        npimg = npimg[:, :, 0]
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return F_pil._Image_fromarray(npimg, mode=mode)


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean) / std per channel of a float (..., C, H, W) tensor."""
    if not isinstance(tensor, ember.Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


def erase(img, i, j, h, w, v, inplace=False):
    """Set img[..., i:i+h, j:j+w] to `v` (a copy unless `inplace`)."""
    if not isinstance(img, ember.Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_t.erase(img, i, j, h, w, v, inplace=inplace)
