"""Flatten and Unflatten (torch.nn.modules.flatten)."""
from __future__ import annotations

from ember.nn.modules.module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flattens dims ``start_dim`` to ``end_dim`` into one.

    Shape: (*, S_start, ..., S_end, *) -> (*, S_start * ... * S_end, *).
    """

    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expands dim `dim` into the shape ``unflattened_size`` (a tuple or list of ints).

    Shape: (*, S_dim, *) -> (*, U_1, ..., U_n, *).
    """

    __constants__ = ["dim", "unflattened_size"]

    def __init__(self, dim, unflattened_size):
        super().__init__()
        _require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


def _require_tuple_int(value):
    if not isinstance(value, (tuple, list)):
        raise TypeError("unflattened_size must be a tuple of ints, but found type "
                        f"{type(value).__name__}")
    for i, elem in enumerate(value):
        if not isinstance(elem, int):
            raise TypeError("unflattened_size must be tuple of ints, but found element of "
                            f"type {type(elem).__name__} at pos {i}")
