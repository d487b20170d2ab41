"""``Variable``: the pre-0.4 wrapper, now only a way of spelling "a tensor"."""
from __future__ import annotations

import warnings

from ember._tensor import Tensor

__all__ = ["Variable"]


class VariableMeta(type):
    # NOTE(torch): every Tensor is a Variable for isinstance, though Tensor is no subclass
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    """``Variable(data, requires_grad=False)`` returns a Tensor: `data` detached (sharing its
    storage), as a leaf with the given ``requires_grad``. ``volatile`` has no effect."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", stacklevel=2)
        if data is None:
            from ember._ops.creation import empty
            data = empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = data.detach()
        if requires_grad:
            if not (t.is_floating_point() or t.is_complex()):
                raise RuntimeError("Only Tensors of floating point and complex dtype can "
                                   "require gradients")
            t.requires_grad_(True)
        return t
