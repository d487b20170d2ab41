"""Every primitive op, one module per family. Importing this attaches their Tensor methods
and collects their public torch.* functions into ``__all__``.

A family module declares ``__all__`` (its torch.* functions; each is also a Tensor method of
the same name unless listed in ``FUNCTIONS_ONLY``), and optionally ``METHODS`` and
``OPERATORS`` (Tensor-only methods and dunders). Add a new family to ``FAMILY_NAMES``.
"""
import importlib

from ember._tensor import Tensor

FAMILY_NAMES = (
    "arith", "blas", "clamp", "compare", "copy", "creation", "indexing", "misc", "nn_prims",
    "reduce", "resize", "scatter_view", "unary", "view", "where",
    "blas_extra", "blas_products", "einsum", "distance", "linalg_decomp", "linalg_lu",
    "linalg_solve", "linalg_inverse", "linalg_det", "linalg_products", "spectral",
    "trig", "explog", "rounding", "predicates", "pointwise_binary", "complex_ops",
    "special_ops", "activation_fns", "softmax",
    "gather_scatter", "index_ops", "take_put", "mask_ops", "join", "split", "reorder", "tri",
    "broadcast",
    "reduce_stats", "reduce_extrema", "reduce_order", "reduce_norm", "scan", "calculus",
    "histogram", "sort", "unique",
    "random", "random_dist",
    "view_copy", "norms_legacy",
    "nn_rnn",
    "nn_norm", "nn_norm_rows", "nn_dropout", "nn_embedding",
    "nn_activation", "nn_gated",
    "nn_pooling", "nn_adaptive", "nn_grid",
    "nn_loss", "nn_loss_composite", "nn_ctc",
    "nn_conv", "nn_pad", "nn_shuffle",
)

FAMILIES = tuple(importlib.import_module(f"ember._ops.{name}") for name in FAMILY_NAMES)

__all__ = []


def _attach():
    for module in FAMILIES:
        skip = getattr(module, "FUNCTIONS_ONLY", ())
        for name in module.__all__:
            fn = getattr(module, name)
            globals()[name] = fn
            __all__.append(name)
            if name not in skip and not hasattr(Tensor, name):
                setattr(Tensor, name, fn)
        for table in ("METHODS", "OPERATORS"):
            for name, fn in getattr(module, table, {}).items():
                setattr(Tensor, name, fn)


_attach()
