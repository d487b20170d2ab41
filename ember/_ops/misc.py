"""Tensor methods that are not ops: type_as, legacy new(), apply_/map_ (Python callables),
membership, memory pinning and sharing queries."""
from __future__ import annotations

from ember._tensor import Tensor

__all__ = []


def type_as(self, tensor):
    """`self` converted to `tensor`'s dtype (itself when they already match)."""
    return self.to(tensor.dtype)


def new(self, *args, **kwargs):
    """Legacy constructor with `self`'s dtype and device (``x.new(2, 3)``, ``x.new([1, 2])``)."""
    from ember._legacy import legacy_new
    kwargs.setdefault("device", self.device)
    return legacy_new(self.dtype, *args, **kwargs)


def _no_grad_check(self, name):
    if self._requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")


def apply_(self, callable):
    """Replace each element by ``callable(element)`` (CPU only; slow, as in torch)."""
    _no_grad_check(self, "apply_")
    from ember._ops.creation import tensor
    values = [callable(v) for v in self.reshape(-1).tolist()]
    self.copy_(tensor(values, dtype=self.dtype).reshape(self.shape))
    return self


def map_(self, tensor, callable):
    """Replace each element by ``callable(self_element, tensor_element)``."""
    _no_grad_check(self, "map_")
    from ember._ops.creation import tensor as make
    other = tensor.expand(self.shape).reshape(-1).tolist()
    values = [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other)]
    self.copy_(make(values, dtype=self.dtype).reshape(self.shape))
    return self


def __contains__(self, element):
    if isinstance(element, (Tensor, int, float, bool, complex)):
        return bool((self == element).any())
    raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed "
                       f"in a {type(element)}.")


def __reversed__(self):
    return self.flip(0) if self.dim() else self


def is_shared(self) -> bool:
    return False


def share_memory_(self):
    return self


def is_pinned(self, device=None) -> bool:
    return False


def pin_memory(self, device=None):
    """A no-op on the CPU backend (no page-locked memory to pin)."""
    return self


def is_set_to(self, tensor) -> bool:
    return (self._root_array() is tensor._root_array() and self.shape == tensor.shape and
            self.stride() == tensor.stride() and
            self.storage_offset() == tensor.storage_offset())


def dim_order(self, *, ambiguity_check=False):
    stride = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: -stride[d]))


METHODS = {"type_as": type_as, "new": new, "apply_": apply_, "map_": map_,
           "__contains__": __contains__, "__reversed__": __reversed__, "is_shared": is_shared,
           "share_memory_": share_memory_, "is_pinned": is_pinned, "pin_memory": pin_memory,
           "is_set_to": is_set_to, "dim_order": dim_order}
