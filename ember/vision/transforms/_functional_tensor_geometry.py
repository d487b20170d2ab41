"""The tensor side of ``transforms.functional``: geometry, resampling and filtering.

As torchvision does, resizing goes through ``nn.functional.interpolate``, rotations, affine
and perspective warps through ``nn.functional.grid_sample`` on a generated sampling grid,
and blurs through a depthwise ``nn.functional.conv2d``.
"""
from __future__ import annotations

import warnings

import ember
from ember.nn import functional as F_nn
from ember.vision.transforms._functional_tensor import (_assert_channels, _assert_image_tensor,
                                                        _blend, get_dimensions)
from ember.vision.transforms._pad_index import pad_index

_INT_DTYPES = (ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64)


def vflip(img):
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img):
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img, top, left, height, width):
    """img[..., top:top+height, left:left+width], zero-padded where the box leaves the image."""
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right = left + width
    bottom = top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _parse_pad_padding(padding):
    """[left, right, top, bottom] (nn.functional.pad order) from an int or a 1/2/4-list."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def _pad_symmetric(img, padding):
    left, right, top, bottom = padding
    if min(padding) < 0:
        img = img[..., -min(top, 0):img.shape[-2] + min(bottom, 0),
                  -min(left, 0):img.shape[-1] + min(right, 0)]
        left, right, top, bottom = (max(p, 0) for p in padding)
    if img.ndim not in (3, 4):
        raise RuntimeError("Symmetric padding of N-D tensors are not supported yet")
    rows = pad_index(img.shape[-2], top, bottom, "symmetric").to(img.device)
    cols = pad_index(img.shape[-1], left, right, "symmetric").to(img.device)
    return img.index_select(-2, rows).index_select(-1, cols)


def pad(img, padding, fill=0, padding_mode="constant"):
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in [1, 2, 4]:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = _parse_pad_padding(list(padding) if isinstance(padding, tuple) else padding)
    if padding_mode == "symmetric":
        return _pad_symmetric(img, p)
    mode = "replicate" if padding_mode == "edge" else padding_mode
    need_squeeze = img.ndim < 4
    if need_squeeze:
        img = img.unsqueeze(dim=0)
    out_dtype = img.dtype
    # nn.functional.pad only reflects/replicates floating tensors
    need_cast = mode != "constant" and img.dtype not in (ember.float32, ember.float64)
    if need_cast:
        img = img.to(ember.float32)
    if mode == "constant":
        img = F_nn.pad(img, p, mode=mode, value=float(fill))
    else:
        img = F_nn.pad(img, p, mode=mode)
    if need_squeeze:
        img = img.squeeze(dim=0)
    return img.to(out_dtype) if need_cast else img


def _cast_squeeze_in(img, req_dtypes):
    need_squeeze = img.ndim < 4
    if need_squeeze:
        img = img.unsqueeze(dim=0)
    out_dtype = img.dtype
    need_cast = out_dtype not in req_dtypes
    if need_cast:
        img = img.to(req_dtypes[0])
    return img, need_cast, need_squeeze, out_dtype


def _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype):
    if need_squeeze:
        img = img.squeeze(dim=0)
    if need_cast:
        if out_dtype in _INT_DTYPES:
            img = ember.round(img)
        img = img.to(out_dtype)
    return img


def resize(img, size, interpolation="bilinear", antialias=True):
    _assert_image_tensor(img)
    size = list(size)
    if antialias is None or interpolation not in ["bilinear", "bicubic"]:
        antialias = False
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [ember.float32,
                                                                     ember.float64])
    align_corners = False if interpolation in ["bilinear", "bicubic"] else None
    img = F_nn.interpolate(img, size=size, mode=interpolation, align_corners=align_corners,
                           antialias=antialias)
    if interpolation == "bicubic" and out_dtype == ember.uint8:
        img = img.clamp(min=0, max=255)
    return _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype)


def _assert_grid_transform_inputs(img, matrix, interpolation, fill, modes, coeffs=None):
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be Tensor")
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError("Argument coeffs should have 8 float values")
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        warnings.warn("Argument fill should be either int, float, tuple or list")
    num_channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != num_channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number "
                         f"of channels of the image ({len(fill)} != {num_channels})")
    if interpolation not in modes:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _apply_grid_transform(img, grid, mode, fill):
    """grid_sample `img` at `grid`; outside pixels take `fill` (via a sampled ones-mask)."""
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [grid.dtype])
    if img.shape[0] > 1:
        grid = grid.expand(img.shape[0], grid.shape[1], grid.shape[2], grid.shape[3])
    if fill is not None:
        mask = ember.ones((img.shape[0], 1, img.shape[2], img.shape[3]), dtype=img.dtype,
                          device=img.device)
        img = ember.cat((img, mask), dim=1)
    img = F_nn.grid_sample(img, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        mask = img[:, -1:, :, :]
        img = img[:, :-1, :, :]
        mask = mask.expand_as(img)
        fill_list = fill if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = ember.tensor(fill_list, dtype=img.dtype, device=img.device)
        fill_img = fill_img.view(1, len(fill_list), 1, 1).expand_as(img)
        if mode == "nearest":
            mask = mask < 0.5
            img[mask] = fill_img[mask]
        else:
            img = img * mask + (1.0 - mask) * fill_img
    return _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype)


def _grid_coords(ow, oh, x0, y0, dtype, device):
    """Pixel-centre coordinates x (1, 1, ow, 1) and y (1, oh, 1, 1) starting at (x0, y0)."""
    x = ember.linspace(x0, x0 + ow - 1.0, steps=ow, device=device).to(dtype)
    y = ember.linspace(y0, y0 + oh - 1.0, steps=oh, device=device).to(dtype)
    return x.view(1, 1, ow, 1), y.view(1, oh, 1, 1)


def _apply_rows(x, y, m):
    """[x, y, 1] @ m for an m of shape (1, 3, 2), as the (1, oh, ow, 2) grid.

    NOTE(torch): written as x*m0 + y*m1 + m2, the summation torch's bmm does for this
    shape, so that nearest-neighbour sampling picks the same pixel at exact ties.
    """
    return x * m[:, 0] + y * m[:, 1] + m[:, 2]


def _gen_affine_grid(theta, w, h, ow, oh):
    # coordinates centred on the image; the result normalised to grid_sample's [-1, 1]
    x, y = _grid_coords(ow, oh, -ow * 0.5 + 0.5, -oh * 0.5 + 0.5, theta.dtype, theta.device)
    rescaled_theta = theta.transpose(1, 2) / ember.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype,
                                                          device=theta.device)
    return _apply_rows(x, y, rescaled_theta)


def affine(img, matrix, interpolation="nearest", fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    dtype = img.dtype if img.is_floating_point() else ember.float32
    theta = ember.tensor(matrix, dtype=dtype, device=img.device).reshape(1, 2, 3)
    shape = img.shape
    grid = _gen_affine_grid(theta, w=shape[-1], h=shape[-2], ow=shape[-1], oh=shape[-2])
    return _apply_grid_transform(img, grid, interpolation, fill=fill)


def _compute_affine_output_size(matrix, w, h):
    """(width, height) of the box holding all four corners after the transform."""
    pts = ember.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])
    theta = ember.tensor(matrix, dtype=ember.float).view(2, 3)
    new_pts = ember.matmul(pts, theta.T)
    min_vals = new_pts.min(dim=0).values + ember.tensor((w * 0.5, h * 0.5))
    max_vals = new_pts.max(dim=0).values + ember.tensor((w * 0.5, h * 0.5))
    # truncate at 1e-4 first so that float noise does not add a pixel
    tol = 1e-4
    cmax = ember.ceil((max_vals / tol).trunc_() * tol)
    cmin = ember.floor((min_vals / tol).trunc_() * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    dtype = img.dtype if img.is_floating_point() else ember.float32
    theta = ember.tensor(matrix, dtype=dtype, device=img.device).reshape(1, 2, 3)
    grid = _gen_affine_grid(theta, w=w, h=h, ow=ow, oh=oh)
    return _apply_grid_transform(img, grid, interpolation, fill=fill)


def _perspective_grid(coeffs, ow, oh, dtype, device):
    theta1 = ember.tensor([[[coeffs[0], coeffs[1], coeffs[2]], [coeffs[3], coeffs[4], coeffs[5]]]],
                          dtype=dtype, device=device)
    theta2 = ember.tensor([[[coeffs[6], coeffs[7], 1.0], [coeffs[6], coeffs[7], 1.0]]],
                          dtype=dtype, device=device)
    x, y = _grid_coords(ow, oh, 0.5, 0.5, dtype, device)
    rescaled_theta1 = theta1.transpose(1, 2) / ember.tensor([0.5 * ow, 0.5 * oh], dtype=dtype,
                                                            device=device)
    output_grid1 = _apply_rows(x, y, rescaled_theta1)
    output_grid2 = _apply_rows(x, y, theta2.transpose(1, 2))
    return output_grid1 / output_grid2 - 1.0


def perspective(img, perspective_coeffs, interpolation="bilinear", fill=None):
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be Tensor.")
    _assert_image_tensor(img)
    _assert_grid_transform_inputs(img, None, interpolation, fill, ["nearest", "bilinear"],
                                  coeffs=perspective_coeffs)
    ow, oh = img.shape[-1], img.shape[-2]
    dtype = img.dtype if img.is_floating_point() else ember.float32
    grid = _perspective_grid(perspective_coeffs, ow=ow, oh=oh, dtype=dtype, device=img.device)
    return _apply_grid_transform(img, grid, interpolation, fill=fill)


def _get_gaussian_kernel1d(kernel_size, sigma, dtype, device):
    ksize_half = (kernel_size - 1) * 0.5
    x = ember.linspace(-ksize_half, ksize_half, steps=kernel_size, dtype=dtype, device=device)
    pdf = ember.exp(-0.5 * (x / sigma).pow(2))
    return pdf / pdf.sum()


def _get_gaussian_kernel2d(kernel_size, sigma, dtype, device):
    kernel1d_x = _get_gaussian_kernel1d(kernel_size[0], sigma[0], dtype, device)
    kernel1d_y = _get_gaussian_kernel1d(kernel_size[1], sigma[1], dtype, device)
    return ember.mm(kernel1d_y[:, None], kernel1d_x[None, :])


def _depthwise(img, kernel):
    """conv2d of every channel of `img` with the same 2-D kernel (no padding)."""
    kernel = kernel.expand(img.shape[-3], 1, kernel.shape[0], kernel.shape[1])
    return F_nn.conv2d(img, kernel, groups=img.shape[-3])


def gaussian_blur(img, kernel_size, sigma):
    if not isinstance(img, ember.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    _assert_image_tensor(img)
    dtype = img.dtype if img.is_floating_point() else ember.float32
    kernel = _get_gaussian_kernel2d(kernel_size, sigma, dtype=dtype, device=img.device)
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [kernel.dtype])
    padding = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2,
               kernel_size[1] // 2]
    img = _depthwise(F_nn.pad(img, padding, mode="reflect"), kernel)
    return _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype)


def _blurred_degenerate_image(img):
    # PIL's SMOOTH filter: a 3x3 box with centre weight 5, borders left as they are
    dtype = img.dtype if img.is_floating_point() else ember.float32
    kernel = ember.ones((3, 3), dtype=dtype, device=img.device)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    result_tmp, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [kernel.dtype])
    result_tmp = _cast_squeeze_out(_depthwise(result_tmp, kernel), need_cast, need_squeeze,
                                   out_dtype)
    result = img.clone()
    result[..., 1:-1, 1:-1] = result_tmp
    return result


def adjust_sharpness(img, sharpness_factor):
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.size(-1) <= 2 or img.size(-2) <= 2:
        return img
    return _blend(img, _blurred_degenerate_image(img), sharpness_factor)


def elastic_transform(img, displacement, interpolation="bilinear", fill=None):
    if not isinstance(img, ember.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    size = list(img.shape[-2:])
    displacement = displacement.to(img.device)
    hw_space = [ember.linspace((-s + 1) / s, (s - 1) / s, s) for s in size]
    grid_y, grid_x = ember.meshgrid(hw_space, indexing="ij")
    identity_grid = ember.stack([grid_x, grid_y], -1).unsqueeze(0)
    return _apply_grid_transform(img, identity_grid.to(img.device) + displacement,
                                 interpolation, fill)
