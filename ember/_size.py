"""torch.Size: the shape of a tensor, a tuple of ints."""
from __future__ import annotations

__all__ = ["Size"]


class Size(tuple):
    """A tuple of dimension sizes, printed as ``ember.Size([2, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        return tuple.__new__(cls, (_as_int(s) for s in sizes))

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"ember.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


def _as_int(s):
    if type(s) is int:
        return s
    if hasattr(s, "__index__"):
        return s.__index__()
    raise TypeError(f"torch.Size() takes an iterable of 'int' (item 0 is "
                    f"'{type(s).__name__}')")
