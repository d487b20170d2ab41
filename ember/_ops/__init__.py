"""Every primitive op, one module per family; importing this attaches their Tensor methods."""
from ember._ops import (arith, blas, clamp, compare, copy, creation, indexing, reduce,
                        resize, scatter_view, unary, view, where)
from ember._tensor import Tensor

FAMILIES = (arith, blas, clamp, compare, copy, creation, indexing, reduce, resize, scatter_view,
            unary, view, where)

# Functions whose first parameter is the tensor double as methods of the same name.
_NOT_METHODS = frozenset(creation.__all__) | {"where"}


def _attach():
    for module in FAMILIES:
        for name in module.__all__:
            if name not in _NOT_METHODS and not hasattr(Tensor, name):
                setattr(Tensor, name, getattr(module, name))
        for table in ("METHODS", "OPERATORS"):
            for name, fn in getattr(module, table, {}).items():
                setattr(Tensor, name, fn)


_attach()
