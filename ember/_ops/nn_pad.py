"""Padding: constant (any number of trailing dims, negative entries crop), reflection and
replication (1 to 3 trailing dims) as one graph node each, named as torch names them, and
circular padding composed of slice copies as torch composes it (so its node is CopySlices).

A pad list runs from the last dim backwards: (left, right, top, bottom, front, back).
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops._index_common import check_scalar
from ember._ops._registry import Op, apply

__all__ = ["constant_pad_nd"]
FUNCTIONS_ONLY = ("constant_pad_nd",)


# --- constant ---------------------------------------------------------------------------
class ConstantPadNdBackward0(Op):
    """`x` with `pad` cells of `value` around its trailing dims (negative pads crop)."""

    def forward(self, be, x, *, pad, value):
        self.pad = pad
        return be.constant_pad(x, pad, value)

    def backward(self, g):
        return apply(ConstantPadNdBackward0, (g,), pad=tuple(-p for p in self.pad), value=0)


def constant_pad_nd(input, pad, value=0):
    """torch.constant_pad_nd: pad the trailing ``len(pad) // 2`` dims with `value`."""
    pad = _pad_list(pad, "constant_pad_nd")
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    ndim = input.dim()
    if len(pad) // 2 > ndim:
        raise RuntimeError(f"Length of pad should be no more than twice the number of "
                           f"dimensions of the input. Pad length is {len(pad)}while the input "
                           f"has {ndim}dimensions.")
    shape = input._arr.shape
    for i in range(len(pad) // 2):
        # negative pads narrow the input first, as torch does
        if shape[ndim - 1 - i] + min(pad[2 * i], 0) + min(pad[2 * i + 1], 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    if any(p > 0 for p in pad):
        value = check_scalar(value, input.dtype)
    return apply(ConstantPadNdBackward0, (input,), pad=pad, value=value)


def _pad_list(pad, fn):
    out = []
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not hasattr(p, "__index__"):
            raise TypeError(f"{fn}(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type(p).__name__} at pos {i}")
        out.append(p.__index__())
    return tuple(out)


# --- reflection and replication ---------------------------------------------------------
class _EdgePad(Op):
    """Pad by mirroring (reflect) or repeating (replicate) the edge cells; the backward
    node (the fold of the pad's index map) is the pad's own adjoint."""

    mode = None
    fold_cls = None

    def forward(self, be, x, *, pad):
        self.pad, self.in_shape = pad, x.shape
        return be.edge_pad(x, pad, self.mode)

    def backward(self, g):
        return apply(self.fold_cls, (g,), pad=self.pad, in_shape=self.in_shape)


class _EdgePadFold(Op):
    """Sum a padded gradient back onto the cells each padded cell copied."""

    mode = None
    pad_cls = None

    def forward(self, be, g, *, pad, in_shape):
        self.pad = pad
        return be.edge_pad_backward(g, pad, self.mode, in_shape)

    def backward(self, gg):
        return apply(self.pad_cls, (gg,), pad=self.pad)


def _edge_nodes(name, mode):
    pad_cls = type(f"{name}Backward0", (_EdgePad,), {"mode": mode, "__module__": __name__})
    fold_cls = type(f"{name}BackwardBackward0", (_EdgePadFold,),
                    {"mode": mode, "__module__": __name__})
    pad_cls.fold_cls, fold_cls.pad_cls = fold_cls, pad_cls
    return pad_cls


# {(mode, number of padded dims): node class}
EDGE_NODES = {(mode, n): _edge_nodes(f"{title}Pad{n}D", mode)
              for mode, title in (("reflect", "Reflection"), ("replicate", "Replication"))
              for n in (1, 2, 3)}

_AXIS_NAMES = ("D", "H", "W")


def edge_pad(input, pad, mode):
    """reflection_pad{n}d / replication_pad{n}d of `input` with torch's checks."""
    n = len(pad) // 2
    ndim = input.dim()
    fn = f"{'reflection' if mode == 'reflect' else 'replication'}_pad{n}d"
    if 0 in (input.shape[1:] if ndim == n + 2 else input.shape):
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 "
                           f"batch size and other non-zero dimensions for input, but got: "
                           f"{shape_str(input.shape)}")
    sizes = input.shape[ndim - n:]
    if mode == "reflect":
        for i in range(n):          # width first, as torch checks
            lo, hi = pad[2 * i], pad[2 * i + 1]
            size, dim = sizes[n - 1 - i], ndim - 1 - i
            if lo >= size or hi >= size:
                raise RuntimeError(
                    f"Argument #{4 + 2 * i}: Padding size should be less than the "
                    f"corresponding input dimension, but got: padding ({lo}, {hi}) at dimension "
                    f"{dim} of input {shape_str(input.shape)}")
    out = [sizes[n - 1 - i] + pad[2 * i] + pad[2 * i + 1] for i in range(n)][::-1]
    _check_edge_out(input, sizes, out, mode)
    if input.dtype is D.bool:
        raise NotImplementedError(f"\"{fn}\" not implemented for 'Bool'")
    return apply(EDGE_NODES[mode, n], (input,), pad=tuple(pad))


def _check_edge_out(input, sizes, out, mode):
    n = len(sizes)
    if n == 3:
        if any(o < 0 for o in out):
            full = tuple(input.shape[:-3]) + tuple(out)
            bad = next(o for o in out if o < 0)
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                               f"{shape_str(full)}")
        return
    if all(o >= 1 for o in out):
        return
    names = _AXIS_NAMES[-n:]
    inp = ", ".join(f"{a}: {s}" for a, s in zip(names, sizes))
    if n == 2 and mode == "replicate":
        inp += " "
    calc = " ".join(f"{a}: {o}" for a, o in zip(names, out))
    raise RuntimeError(f"input ({inp}) is too small. Calculated output {calc}")


# --- circular ---------------------------------------------------------------------------
def pad_circular(input, pad):
    """Wrap-around padding of the trailing ``len(pad) // 2`` dims, built from slice copies
    into a new tensor as torch builds it."""
    n = len(pad) // 2
    ndim = input.dim()
    in_shape = tuple(input.shape)
    out_shape = list(in_shape)
    for i in range(n):
        dim = ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if lo > in_shape[dim] or hi > in_shape[dim]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_shape[dim] = in_shape[dim] + lo + hi
        if out_shape[dim] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = input.new_empty(out_shape)
    out_idx = [slice(None)] * ndim
    in_idx = [slice(None)] * ndim
    for i in range(n):
        dim = ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        out_idx[dim] = slice(max(lo, 0), out_shape[dim] - max(hi, 0))
        in_idx[dim] = slice(max(-lo, 0), in_shape[dim] - max(-hi, 0))
    out[tuple(out_idx)] = input[tuple(in_idx)]
    for i in range(n):
        dim = ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        end = out_shape[dim]
        if lo > 0:
            out[_along(ndim, dim, 0, lo)] = out[_along(ndim, dim, end - lo - max(hi, 0),
                                                       end - max(hi, 0))]
        if hi > 0:
            out[_along(ndim, dim, end - hi, end)] = out[_along(ndim, dim, max(lo, 0),
                                                               max(lo, 0) + hi)]
    return out


def _along(ndim, dim, start, stop):
    return (slice(None),) * dim + (slice(start, stop),)
