"""clamp / clip and clamp_min / clamp_max, with scalar or tensor bounds."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._registry import ALL, Op, apply, apply_inplace, write_out
from ember._tensor import Tensor

__all__ = ["clamp", "clip", "clamp_min", "clamp_max"]


class ClampBackward1(Op):
    """Scalar bounds."""

    promote = ALL
    save_inputs = (0,)

    def forward(self, be, x, *, min, max):
        self.bounds = (min, max)
        return be.clip(x, min, max)

    def backward(self, g):
        (x,) = self.saved
        lo, hi = self.bounds
        keep = None
        if lo is not None:
            keep = x >= lo
        if hi is not None:
            keep = (x <= hi) if keep is None else keep & (x <= hi)
        return g * keep


class ClampMinBackward0(ClampBackward1):
    pass


class ClampMaxBackward0(ClampBackward1):
    pass


class ClampBackward0(Op):
    """Tensor bounds (either may be None)."""

    promote = ALL
    save_inputs = (0, 1, 2)

    def forward(self, be, x, lo, hi):
        return be.clip(x, lo, hi)

    def backward(self, g):
        x, lo, hi = self.saved
        keep = None
        if lo is not None:
            keep = x >= lo
        if hi is not None:
            keep = (x <= hi) if keep is None else keep & (x <= hi)
        grad_lo = grad_hi = None
        if lo is not None and self.needs_input_grad[1]:
            grad_lo = g * (x < lo)
        if hi is not None and self.needs_input_grad[2]:
            grad_hi = g * (x > hi)
            if lo is not None:
                grad_hi = grad_hi * (x >= lo)
        return g * keep, grad_lo, grad_hi


def _check(min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")


def _dtype_of(input, min, max):
    return D.result_dtype([v for v in (input, min, max) if v is not None])


def _clamp(cls, input, min, max, out):
    _check(min, max)
    dt = _dtype_of(input, min, max)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = apply(ClampBackward0, (input.to(dt), min, max))
    else:
        result = apply(cls, (input.to(dt),), min=min, max=max)
    return result if out is None else write_out(result, out)


def clamp(input, min=None, max=None, *, out=None):
    """Each element limited to [min, max]; NaN stays NaN."""
    return _clamp(ClampBackward1, input, min, max, out)


clip = clamp


def clamp_(self, min=None, max=None):
    _check(min, max)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return apply_inplace(ClampBackward0, (self, min, max))
    return apply_inplace(ClampBackward1, (self,), min=min, max=max)


def clamp_min(input, min, *, out=None):
    return _clamp(ClampMinBackward0, input, min, None, out)


def clamp_max(input, max, *, out=None):
    return _clamp(ClampMaxBackward0, input, None, max, out)


METHODS = {"clamp": clamp, "clip": clamp, "clamp_": clamp_, "clip_": clamp_,
           "clamp_min": clamp_min, "clamp_max": clamp_max,
           "clamp_min_": lambda self, min: clamp_(self, min=min),
           "clamp_max_": lambda self, max: clamp_(self, max=max)}
