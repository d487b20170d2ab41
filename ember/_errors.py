"""Formatters of torch-worded error messages, so each wording exists once."""
from __future__ import annotations


def wrap_dim(dim, ndim, scalar_ok=True):
    """`dim` in [0, ndim); IndexError worded as torch's otherwise."""
    if not isinstance(dim, int):
        if hasattr(dim, "__index__"):
            dim = dim.__index__()
        else:
            raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    n = ndim if ndim > 0 or not scalar_ok else 1
    if -n <= dim < n:
        return dim + n if dim < 0 else dim
    if ndim == 0 and not scalar_ok:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                     f"but got {dim})")


def wrap_dims(dims, ndim):
    """A tuple of distinct wrapped dims; RuntimeError on repeats, as torch."""
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        d = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def broadcast_error(shape_a, shape_b):
    """RuntimeError for two shapes that do not broadcast, naming the first bad dim."""
    na, nb = len(shape_a), len(shape_b)
    for i in range(1, max(na, nb) + 1):
        a = shape_a[-i] if i <= na else 1
        b = shape_b[-i] if i <= nb else 1
        if a != b and a != 1 and b != 1:
            return RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                f"non-singleton dimension {max(na, nb) - i}")
    return RuntimeError(f"shapes {shape_str(shape_a)} and {shape_str(shape_b)} cannot be "
                        "broadcast")


def broadcast_shapes(*shapes):
    """The broadcast of `shapes`, or torch's RuntimeError."""
    out = []
    for shape in shapes:
        shape = tuple(shape)
        if len(shape) > len(out):
            out = [1] * (len(shape) - len(out)) + out
        for i in range(1, len(shape) + 1):
            s, o = shape[-i], out[-i]
            if s == o or s == 1:
                continue
            if o == 1:
                out[-i] = s
            else:
                raise broadcast_error(tuple(out), shape)
    return tuple(out)
