"""The two pictures ``python -m ember.vision.train`` writes, drawn with Pillow only: the
training curves (loss and accuracy per epoch) and a grid of misclassified test images."""
from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFont

import ember
from ember.vision.transforms.functional import pil_to_tensor
from ember.vision.utils import make_grid, save_image

__all__ = ["plot_curves", "save_misclassified"]

SS = 2                        # supersampling factor: draw big, shrink with LANCZOS
LOSS_RGB = (31, 119, 180)     # blue
ACC_RGB = (230, 110, 20)      # orange
TRUE_RGB = (20, 120, 40)
PRED_RGB = (200, 30, 30)
INK, GRID, FRAME = (40, 40, 40), (225, 225, 225), (120, 120, 120)
BACKDROP = 0.92               # grey between the misclassified tiles (fraction of white)


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):      # Pillow < 10.1 or no FreeType: the small bitmap font
        return ImageFont.load_default()


def _nice_step(span, target):
    """A 1-2-5 step giving about ``target`` intervals over ``span``."""
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def _ticks(low, high, target=5):
    step = _nice_step(high - low, target)
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)], step


def _nice_top(v):
    """The smallest multiple of a 1-2-5 step at or above ``v`` (1 for v <= 0)."""
    if v <= 0:
        return 1.0
    step = _nice_step(v, 5)
    return math.ceil(v / step - 1e-9) * step


def _fmt(v, step):
    return f"{v:.0f}" if step >= 1 else f"{v:.{max(0, -math.floor(math.log10(step)))}f}"


def _text(draw, xy, text, font, fill=INK, anchor="la"):
    draw.text(xy, text, font=font, fill=fill, anchor=anchor)


def _vertical_label(img, text, font, center, fill):
    """Paste ``text`` rotated by 90 degrees, centred at ``center``."""
    box = font.getbbox(text)
    strip = Image.new("RGBA", (box[2] + 4, box[3] + 4), (255, 255, 255, 0))
    ImageDraw.Draw(strip).text((2, 2), text, font=font, fill=fill)
    strip = strip.rotate(90, expand=True)
    img.paste(strip, (int(center[0] - strip.width / 2), int(center[1] - strip.height / 2)),
              strip)


class _Axes:
    """Maps data coordinates (epoch, value) into the plot box of the supersampled image."""

    def __init__(self, box, xlim, ylim):
        self.box, self.xlim, self.ylim = box, xlim, ylim

    def __call__(self, x, y):
        left, top, right, bottom = self.box
        fx = (x - self.xlim[0]) / (self.xlim[1] - self.xlim[0])
        fy = (y - self.ylim[0]) / (self.ylim[1] - self.ylim[0])
        return left + fx * (right - left), bottom - fy * (bottom - top)


def _curve(draw, axes, xs, ys, rgb):
    points = [axes(x, y) for x, y in zip(xs, ys)]
    if len(points) > 1:
        draw.line(points, fill=rgb, width=3 * SS, joint="curve")
    r = 4 * SS
    for px, py in points:
        draw.ellipse((px - r, py - r, px + r, py + r), fill=rgb, outline="white", width=SS)


def _x_axis(draw, axes, epochs, font):
    left, top, right, bottom = axes.box
    step = 1 if epochs <= 15 else math.ceil(_nice_step(epochs - 1, 8))
    for e in range(1, epochs + 1):
        if e != 1 and e % step:
            continue
        x, _ = axes(e, 0)
        draw.line((x, bottom, x, bottom + 6 * SS), fill=FRAME, width=SS)
        _text(draw, (x, bottom + 9 * SS), str(e), font, anchor="mt")
    _text(draw, ((left + right) / 2, bottom + 34 * SS), "epoch", font, anchor="mt")


def _y_axes(draw, loss_axes, acc_axes, font):
    left, top, right, bottom = loss_axes.box
    ticks, step = _ticks(*loss_axes.ylim)
    for v in ticks:
        _, y = loss_axes(1, v)
        draw.line((left, y, right, y), fill=GRID, width=SS)
        draw.line((left - 6 * SS, y, left, y), fill=FRAME, width=SS)
        _text(draw, (left - 9 * SS, y), _fmt(v, step), font, LOSS_RGB, anchor="rm")
    ticks, step = _ticks(*acc_axes.ylim)
    for v in ticks:
        _, y = acc_axes(1, v)
        draw.line((right, y, right + 6 * SS, y), fill=FRAME, width=SS)
        _text(draw, (right + 9 * SS, y), _fmt(v, step), font, ACC_RGB, anchor="lm")
    draw.rectangle((left, top, right, bottom), outline=FRAME, width=SS)


def _acc_range(acc):
    low = min(acc)
    low = 0.0 if low < 50 else math.floor((low - 1) / 5) * 5
    return low, 100.0


def plot_curves(history, path, title):
    """Write a PNG of the train loss (left axis) and test accuracy in % (right axis) per
    epoch; ``history`` has the lists ``train_loss`` and ``test_acc`` (fractions)."""
    loss, acc = history["train_loss"], [100 * a for a in history["test_acc"]]
    epochs = len(loss)
    w, h = 960 * SS, 540 * SS
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    small, big = _font(15 * SS), _font(20 * SS)
    box = (100 * SS, 90 * SS, w - 100 * SS, h - 80 * SS)
    xlim = (0.5, epochs + 0.5) if epochs < 3 else (1 - 0.03 * epochs, epochs * 1.03)
    loss_axes = _Axes(box, xlim, (0.0, _nice_top(max(loss) * 1.05)))
    acc_axes = _Axes(box, xlim, _acc_range(acc))
    _text(draw, (w / 2, 22 * SS), title, big, anchor="mt")
    _y_axes(draw, loss_axes, acc_axes, small)
    _x_axis(draw, loss_axes, epochs, small)
    _curve(draw, loss_axes, range(1, epochs + 1), loss, LOSS_RGB)
    _curve(draw, acc_axes, range(1, epochs + 1), acc, ACC_RGB)
    x, y = acc_axes(epochs, acc[-1])
    _text(draw, (x - 8 * SS, y - 10 * SS), f"{acc[-1]:.1f}%", small, ACC_RGB, anchor="rb")
    _legend(draw, box, small)
    _vertical_label(img, "train loss (cross-entropy)", small, (box[0] - 70 * SS,
                                                              (box[1] + box[3]) / 2), LOSS_RGB)
    _vertical_label(img, "test accuracy (%)", small, (box[2] + 70 * SS, (box[1] + box[3]) / 2),
                    ACC_RGB)
    img.resize((w // SS, h // SS), Image.LANCZOS).save(path)


def _legend(draw, box, font):
    x, y = box[0] + 4 * SS, 58 * SS
    for label, rgb in (("train loss", LOSS_RGB), ("test accuracy", ACC_RGB)):
        draw.line((x, y, x + 30 * SS, y), fill=rgb, width=3 * SS)
        _text(draw, (x + 38 * SS, y), label, font, anchor="lm")
        x += 48 * SS + font.getbbox(label)[2]


def _tile(image, true, pred, classes, scale, width, font):
    """One PIL tile: the image upscaled (dark ink on white for grayscale) over two caption
    lines, ``true`` in green and ``pred`` in red."""
    c, h, w = image.shape
    if c == 1:
        pic = Image.fromarray((255 - image[0]).numpy()).convert("RGB")
    else:
        pic = Image.fromarray(image.permute(1, 2, 0).contiguous().numpy())
    pic = pic.resize((w * scale, h * scale), Image.NEAREST)
    tile = Image.new("RGB", (width, pic.height + 44), "white")
    tile.paste(pic, ((width - pic.width) // 2, 4))
    draw = ImageDraw.Draw(tile)
    _text(draw, (width / 2, pic.height + 8), f"true {classes[true]}", font, TRUE_RGB, "mt")
    _text(draw, (width / 2, pic.height + 25), f"pred {classes[pred]}", font, PRED_RGB, "mt")
    return tile


def save_misclassified(images, true, pred, classes, path, title, limit=48):
    """Write a PNG grid (make_grid + save_image) of up to ``limit`` misclassified uint8
    (N, C, H, W) images, each captioned with its true and predicted class; returns how
    many were shown."""
    n = min(len(images), limit)
    if n == 0:
        return 0
    height = images.shape[2]
    scale = max(1, math.ceil(72 / height))
    font = _font(13)
    width = max(images.shape[3] * scale, max(font.getbbox(f"true {c}")[2] for c in classes) + 8)
    tiles = [pil_to_tensor(_tile(images[i], int(true[i]), int(pred[i]), classes, scale, width,
                                 font)) for i in range(n)]
    grid = make_grid(ember.stack(tiles).float().div_(255), nrow=min(8, n), padding=8,
                     pad_value=BACKDROP)
    title_font = _font(16)
    width = max(grid.shape[2], title_font.getbbox(title)[2] + 32)
    header = Image.new("RGB", (width, 36), (235, 235, 235))
    _text(ImageDraw.Draw(header), (width / 2, 18), title, title_font, anchor="mm")
    # a grid narrower than the title is centred under it
    canvas = ember.full((3, grid.shape[1], width), BACKDROP)
    left = (width - grid.shape[2]) // 2
    canvas[:, :, left:left + grid.shape[2]] = grid
    save_image(ember.cat([pil_to_tensor(header).float().div_(255), canvas], dim=1), path)
    return n
