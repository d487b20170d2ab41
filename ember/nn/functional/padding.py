"""F.pad (torch.nn.functional): constant, reflect, replicate and circular padding."""
from __future__ import annotations

from ember._ops.nn_pad import _pad_list, constant_pad_nd, edge_pad, pad_circular

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing ``len(pad) // 2`` dims of `input`; `pad` runs from the last dim
    backwards: (left, right, top, bottom, front, back).

    'constant' pads any number of dims with `value` (negative entries crop); 'reflect',
    'replicate' and 'circular' pad the last 1, 2 or 3 dims of a (batched or not) input.
    """
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = _pad_list(pad, "pad")
    ndim = input.dim()
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {ndim}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0.0 if value is None else float(value))
    if value is not None:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    n = len(pad) // 2
    if n not in (1, 2, 3) or ndim not in (n + 1, n + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "circular":
        return pad_circular(input, pad)
    return edge_pad(input, pad, mode)
