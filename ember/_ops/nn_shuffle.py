"""Channel rearrangements: pixel_shuffle / pixel_unshuffle (depth to space and back) and
channel_shuffle, each one graph node whose backward is the inverse rearrangement."""
from __future__ import annotations

from ember._ops._registry import Op, apply

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]
FUNCTIONS_ONLY = tuple(__all__)


def _shuffle(be, x, r):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r), as a new C-contiguous array."""
    *lead, c, h, w = x.shape
    k = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    y = be.xp.transpose(y, tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return be.xp.ascontiguousarray(y).reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffle(be, x, r):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), as a new C-contiguous array."""
    *lead, c, h, w = x.shape
    k = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = be.xp.transpose(y, tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return be.xp.ascontiguousarray(y).reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffleBackward0(Op):
    def forward(self, be, x, *, factor):
        self.factor = factor
        return _shuffle(be, x, factor)

    def backward(self, g):
        return apply(PixelUnshuffleBackward0, (g,), factor=self.factor)


class PixelUnshuffleBackward0(Op):
    def forward(self, be, x, *, factor):
        self.factor = factor
        return _unshuffle(be, x, factor)

    def backward(self, g):
        return apply(PixelShuffleBackward0, (g,), factor=self.factor)


def _check_dims(fn, input):
    if input.dim() < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    """Rearrange (*, C*r^2, H, W) into (*, C, H*r, W*r), r = upscale_factor."""
    _check_dims("pixel_shuffle", input)
    r = upscale_factor
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    return apply(PixelShuffleBackward0, (input,), factor=r)


def pixel_unshuffle(input, downscale_factor):
    """Rearrange (*, C, H*r, W*r) into (*, C*r^2, H, W), r = downscale_factor."""
    _check_dims("pixel_unshuffle", input)
    r = downscale_factor
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for name, size in (("height", input.shape[-2]), ("width", input.shape[-1])):
        if size % r:
            axis = -2 if name == "height" else -1
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({axis})={size} is not "
                               f"divisible by {r}")
    return apply(PixelUnshuffleBackward0, (input,), factor=r)


def _channel_shuffle(be, x, groups):
    n, c = x.shape[:2]
    y = x.reshape((n, groups, c // groups) + x.shape[2:])
    return be.xp.ascontiguousarray(be.xp.swapaxes(y, 1, 2)).reshape(x.shape)


class ChannelShuffleBackward0(Op):
    def forward(self, be, x, *, groups):
        self.groups = groups
        return _channel_shuffle(be, x, groups)

    def backward(self, g):
        return apply(ChannelShuffleBackward0, (g,), groups=g.shape[1] // self.groups)


class _NativeChannelShuffle(Op):
    def forward(self, be, x, *, groups):
        return _channel_shuffle(be, x, groups)

    def backward(self, g):
        raise RuntimeError("derivative for aten::native_channel_shuffle is not implemented")


# NOTE(torch): torch records native_channel_shuffle with a node named NotImplemented
NotImplementedNode = type("NotImplemented", (_NativeChannelShuffle,), {"__module__": __name__})


def _check_channel_shuffle(input, groups):
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")


def channel_shuffle(input, groups):
    """Interleave the channels of (N, C, *) from `groups` groups: (g, C/g) -> (C/g, g)."""
    _check_channel_shuffle(input, groups)
    return apply(ChannelShuffleBackward0, (input,), groups=groups)


def native_channel_shuffle(input, groups):
    """channel_shuffle's kernel; as in torch it has no derivative."""
    _check_channel_shuffle(input, groups)
    return apply(NotImplementedNode, (input,), groups=groups)
