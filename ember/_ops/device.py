"""Copies between devices (``tensor.to('cuda')``): ToCopyBackward0, as in torch."""
from __future__ import annotations

from ember._backend import backend_for
from ember._ops._registry import Op, record
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE as GRAD

__all__ = []


class ToCopyBackward0(Op):
    """Gradient of a device copy: copy the gradient back to the source device."""

    def backward(self, g):
        return to_device(g, self.src_device)


def to_device(t, device):
    """A copy of `t` on `device` (the backend of that device does the transfer)."""
    be = backend_for(device)
    out = _wrap(be.from_host(t._be.to_host(t._arr)) if be is not t._be else t._arr, t.dtype, be)
    if GRAD.grad and t._requires_grad:
        op = Op.__new__(ToCopyBackward0)
        op.src_device = t.device
        record(op, (t,), (out,))
    return out

