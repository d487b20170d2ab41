"""Channel rearrangements (torch.nn.functional): pixel_shuffle, pixel_unshuffle,
channel_shuffle and native_channel_shuffle."""
from __future__ import annotations

from ember._ops.nn_shuffle import (channel_shuffle, native_channel_shuffle, pixel_shuffle,
                                   pixel_unshuffle)

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]
