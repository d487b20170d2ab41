"""torchvision.utils: image grids, saving tensors as images, drawing boxes."""
from __future__ import annotations

import math
import warnings

from PIL import Image, ImageColor, ImageDraw, ImageFont

import ember
from ember.vision.transforms._functional_pil import _Image_fromarray
from ember.vision.transforms.functional import convert_image_dtype, pil_to_tensor

__all__ = ["_Image_fromarray", "make_grid", "save_image", "draw_bounding_boxes"]


def _check_tensor_list(tensor):
    if ember.is_tensor(tensor):
        return
    if not isinstance(tensor, list):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    for t in tensor:
        if not ember.is_tensor(t):
            raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")


def _as_batch(tensor):
    """A (B, C, H, W) batch from a list, an (H, W), a (C, H, W) or a (B, C, H, W) tensor."""
    if isinstance(tensor, list):
        tensor = ember.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = ember.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = ember.cat((tensor, tensor, tensor), 1)
    return tensor


def _normalize(tensor, value_range, scale_each):
    """Clamp to the range and map it to [0, 1]: (x - low) / max(high - low, 1e-5)."""
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are "
                        "numbers")
    if value_range is not None:
        low, high = value_range
    elif scale_each and tensor.dim() == 4:
        dims = tuple(range(1, tensor.dim()))
        low = tensor.amin(dim=dims, keepdim=True).double()
        high = tensor.amax(dim=dims, keepdim=True).double()
    else:
        low, high = float(tensor.min()), float(tensor.max())
    if isinstance(low, ember.Tensor):
        # per image: the same float32 rounding as torchvision's python-float bounds
        span = (high - low).clamp(min=1e-5).to(tensor.dtype)
        low, high = low.to(tensor.dtype), high.to(tensor.dtype)
        return tensor.clamp_(min=low, max=high).sub_(low).div_(span)
    return tensor.clamp_(min=low, max=high).sub_(low).div_(max(high - low, 1e-5))


@ember.no_grad()
def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Tile a batch of images into one (C, H', W') image, `nrow` images per row.

    Images are separated (and framed) by `padding` pixels of `pad_value`; 1-channel images
    become 3-channel. With `normalize`, values are mapped to [0, 1] from `value_range`
    (default: the min and max of the batch, or of each image with `scale_each`).
    """
    _check_tensor_list(tensor)
    tensor = _as_batch(tensor)
    if normalize is True:
        tensor = _normalize(tensor.clone(), value_range, scale_each)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    num_channels = tensor.size(1)
    # each image sits at the bottom-right of a (height, width) cell; the cells tile the grid
    cells = tensor.new_full((ymaps * xmaps, num_channels, height, width), pad_value)
    cells[:nmaps, :, padding:, padding:] = tensor
    grid = tensor.new_full((num_channels, height * ymaps + padding, width * xmaps + padding),
                           pad_value)
    grid[:, :height * ymaps, :width * xmaps] = (
        cells.view(ymaps, xmaps, num_channels, height, width).permute(2, 0, 3, 1, 4)
        .reshape(num_channels, ymaps * height, xmaps * width))
    return grid


@ember.no_grad()
def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or a batch, through make_grid) as an image file; values in [0, 1]."""
    grid = make_grid(tensor, **kwargs)
    # +0.5 rounds to the nearest integer when truncating to uint8
    ndarr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", ember.uint8)
    Image.fromarray(ndarr.numpy()).save(fp, format=format)


class _ImageDrawTV(ImageDraw.ImageDraw):
    """ImageDraw with the dashed-edge polygon torchvision draws for rotated boxes."""

    def oriented_rectangle(self, xy, fill=None, outline=None, width=1):
        self.dashed_line(((xy[0], xy[1]), (xy[2], xy[3])), width=width, fill=outline)
        for i in range(2, len(xy), 2):
            self.line(((xy[i], xy[i + 1]), (xy[(i + 2) % len(xy)], xy[(i + 3) % len(xy)])),
                      width=width, fill=outline)
        self.polygon(xy, fill=fill, outline=None, width=0)

    def dashed_line(self, xy, fill=None, width=0, joint=None, dash_length=5, space_length=5):
        drawing = True
        for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
            remaining = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
            angle = math.atan2(y2 - y1, x2 - x1)
            while remaining > 0:
                step = min(remaining, dash_length if drawing else space_length)
                end_x = x1 + math.cos(angle) * step
                end_y = y1 + math.sin(angle) * step
                if drawing:
                    self.line([(x1, y1), (end_x, end_y)], fill, width, joint)
                remaining -= step
                x1, y1 = end_x, end_y
                drawing = not drawing


def _generate_color_palette(num_objects):
    palette = (2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1)
    return [tuple((i * p) % 255 for p in palette) for i in range(num_objects)]


def _parse_colors(colors, *, num_objects, dtype=ember.uint8):
    """One RGB tuple per object from None (a palette), a color, or a list of colors."""
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError("Number of colors must be equal or larger than the number of "
                             f"objects, but got {len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"colors must be a tuple or a string, or a list thereof, but got "
                         f"{colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    colors = [ImageColor.getrgb(color) if isinstance(color, str) else color for color in colors]
    if dtype.is_floating_point:
        colors = [tuple(v / 255 for v in color) for color in colors]
    return colors


def _check_box_image(image, boxes):
    if not isinstance(image, ember.Tensor):
        raise TypeError(f"Tensor expected, got {type(image)}")
    if not (image.dtype == ember.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) not in {1, 3}:
        raise ValueError("Only grayscale and RGB images are supported")
    if boxes.shape[-1] == 4 and ((boxes[:, 0] > boxes[:, 2]).any()
                                 or (boxes[:, 1] > boxes[:, 3]).any()):
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use "
                         "torchvision.ops.box_convert to convert them")


def _box_colors(colors, label_colors, label_background_colors, fill_labels, num_boxes):
    colors = _parse_colors(colors, num_objects=num_boxes)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else "black",
                                     num_objects=num_boxes)
    else:
        label_colors = colors.copy()
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_objects=num_boxes)
    else:
        label_background_colors = colors.copy()
    return colors, label_colors, label_background_colors


def _load_font(font, font_size):
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        return ImageFont.load_default()
    return ImageFont.truetype(font=font, size=font_size or 10)


@ember.no_grad()
def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width=1, font=None,
                        font_size=None, label_colors=None, label_background_colors=None,
                        fill_labels=False):
    """Draw (N, 4) xyxy boxes (or (N, 8) corner lists) on a (C, H, W) uint8/float image.

    Returns a new image of the input dtype; drawing is done by PIL.ImageDraw.
    """
    _check_box_image(image, boxes)
    num_boxes = boxes.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. "
                         "Please specify labels for each box.")
    colors, label_colors, label_bg_colors = _box_colors(
        colors, label_colors, label_background_colors, fill_labels, num_boxes)
    txt_font = _load_font(font, font_size)
    if image.size(0) == 1:
        image = ember.tile(image, (3, 1, 1))
    original_dtype = image.dtype
    if original_dtype.is_floating_point:
        image = convert_image_dtype(image, ember.uint8)
    img_to_draw = Image.fromarray(image.permute(1, 2, 0).numpy(force=True))
    draw = _ImageDrawTV(img_to_draw, "RGBA") if fill else _ImageDrawTV(img_to_draw)
    for bbox, color, label, label_color, label_bg in zip(boxes.to(ember.int64).tolist(), colors,
                                                         labels, label_colors, label_bg_colors):
        draw_method = draw.oriented_rectangle if len(bbox) > 4 else draw.rectangle
        draw_method(bbox, width=width, outline=color, fill=color + (100,) if fill else None)
        if label is not None:
            margin = width + 1
            if fill_labels:
                left, top, right, bottom = draw.textbbox((bbox[0] + margin, bbox[1] + margin),
                                                         label, font=txt_font)
                draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=label_bg)
            draw.text((bbox[0] + margin, bbox[1] + margin), label, fill=label_color,
                      font=txt_font)
    out = pil_to_tensor(img_to_draw)
    if original_dtype.is_floating_point:
        # NOTE(torch): torchvision's v2 to_dtype scales back by multiplying by 1/255
        out = out.to(original_dtype).mul_(1.0 / 255)
    return out
