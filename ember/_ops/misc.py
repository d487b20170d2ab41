"""Tensor methods that are not ops: type_as, legacy new(), apply_/map_ (Python callables),
membership, memory pinning and sharing queries."""
from __future__ import annotations

import warnings

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


def map2_(self, x, y, callable):
    """Replace each element by ``callable(self_element, x_element, y_element)``."""
    _no_grad_check(self, "map2_")
    from ember._ops.creation import tensor as make
    xs = x.expand(self.shape).reshape(-1).tolist()
    ys = y.expand(self.shape).reshape(-1).tolist()
    values = [callable(a, b, c) for a, b, c in zip(self.reshape(-1).tolist(), xs, ys)]
    self.copy_(make(values, dtype=self.dtype).reshape(self.shape))
    return self


def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal for n > 2; for a tall matrix with `wrap`,
    restart the diagonal every ``ncols + 1`` rows, as torch does)."""
    n = self.dim()
    if n < 2:
        raise RuntimeError("dimensions must larger than 1")
    shape = self.shape
    if n > 2 and any(s != shape[0] for s in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    height, width = shape[0], shape[1]
    size = min(height, width)
    stride = sum(self.stride())
    if wrap and n == 2 and height > width + 1:
        size = (self.numel() + stride - 1) // stride if self.is_contiguous() else size
    diag = self.as_strided((size,), (stride,), self.storage_offset())
    diag.fill_(fill_value)
    return self


def as_subclass(self, cls):
    """`self`'s data viewed as an instance of Tensor subclass `cls` (no copy)."""
    out = self.detach()
    if cls is not Tensor:
        out = cls.__new__(cls, out) if hasattr(cls, "_make_subclass") else out
        out.__class__ = cls
    return out


def resize(self, *sizes):
    """Deprecated out-of-place resize: a reshaped copy; the element count must not change."""
    warnings.warn("non-inplace resize is deprecated", stacklevel=2)
    from ember._ops.view import shape_args
    shape = shape_args(sizes)
    n = 1
    for s in shape:
        n *= s
    if n != self.numel():
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, shape))} ({n} elements in total), but "
            f"the given tensor has a size of {'x'.join(map(str, self.shape))} "
            f"({self.numel()} elements). autograd's resize can only change the shape of a "
            "given tensor, while preserving the number of elements.")
    return self.reshape(shape).clone()


def resize_as(self, tensor):
    warnings.warn("non-inplace resize_as is deprecated", stacklevel=2)
    return resize(self, tensor.shape)


def _volatile(self):
    warnings.warn("volatile was removed (Variable.volatile is always False)", stacklevel=2)
    return False


def reinforce(self, reward):
    raise RuntimeError("reinforce() was removed.\nUse torch.distributions instead.\nSee "
                       "https://pytorch.org/docs/main/distributions.html")


def _removed(name):
    def method(self, *args, **kwargs):
        from ember import _torch_misc
        return getattr(_torch_misc, name)(self, *args, **kwargs)
    method.__name__ = name
    return method


def storage_type(self):
    return type(self.storage())


def _false(self, *args) -> bool:
    return False


def _same(self, *args, **kwargs):
    return self


METHODS = {"map2_": map2_, "fill_diagonal_": fill_diagonal_, "as_subclass": as_subclass,
           "resize": resize, "resize_as": resize_as, "volatile": property(_volatile),
           "reinforce": reinforce, "storage_type": storage_type,
           **{name: _removed(name) for name in ("eig", "lstsq", "solve")},
           "const_data_ptr": lambda self: self.data_ptr(), "is_neg": _false,
           "is_distributed": _false, "resolve_neg": _same, "to_dense": _same,
           "record_stream": lambda self, stream: None, "module_load": lambda self, other,
           assign=False: other, "name": None, "output_nr": property(lambda self: self._output_nr),
           "grad_dtype": property(lambda self: self.dtype),
           "dense_dim": lambda self: self.dim(),
           "is_nonzero": lambda self: _functional().is_nonzero(self),
           "is_same_size": lambda self, other: self.shape == other.shape,
           **{f"is_{d}": False for d in ("ipu", "maia", "mps", "mtia", "xla", "xpu")}}


def _functional():
    from ember import _functional
    return _functional


METHODS.update({"type_as": type_as, "new": new, "apply_": apply_, "map_": map_,
           "__contains__": __contains__, "__reversed__": __reversed__, "is_shared": is_shared,
           "share_memory_": share_memory_, "is_pinned": is_pinned, "pin_memory": pin_memory,
           "is_set_to": is_set_to, "dim_order": dim_order})
