"""Broadcasting helpers: broadcast_to, broadcast_tensors, broadcast_shapes, and ravel."""
from __future__ import annotations

from ember._size import Size
from ember._errors import broadcast_shapes as _broadcast
from ember._tensor import Tensor

__all__ = ["broadcast_to", "broadcast_tensors", "broadcast_shapes", "ravel"]
FUNCTIONS_ONLY = frozenset({"broadcast_tensors", "broadcast_shapes"})


def broadcast_to(input, size):
    """`input` expanded (a view) to `size`; -1 keeps a dim's size."""
    return input.expand(size)


def broadcast_tensors(*tensors):
    """The inputs expanded to their common broadcast shape (an input already of that shape
    is returned as it is)."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    shape = _broadcast(*(t._arr.shape for t in tensors))
    return tuple(t if t._arr.shape == shape else t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes):
    """The shape that tensors of `shapes` broadcast to, without making tensors."""
    width = max((1 if isinstance(s, int) else len(s) for s in shapes), default=0)
    result = [1] * width
    for i, shape in enumerate(shapes):
        if isinstance(shape, int):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)):
            raise RuntimeError("Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {shape}")
        for j in range(-1, -1 - len(shape), -1):
            size = shape[j]
            if size < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if size == 1 or size == result[j]:
                continue
            if result[j] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {size} at "
                                   f"{j}! Mismatching argument at index {i} had {shape}; but "
                                   f"expected shape should be broadcastable to {result}")
            result[j] = size
    return Size(result)


def ravel(input):
    """A 1-d view of the contiguous input (a contiguous copy first when needed)."""
    return input.contiguous().view(-1)
