"""What the normalization primitives share: torch's dtype checks, and the gradients written
in ember ops that serve double backward (create_graph=True).

The first-order backward of each norm runs as one fused backend kernel; when the graph of the
gradient itself is wanted, the same gradient is built here from differentiable ember ops, with
the statistics recomputed from the input so that their dependence on it is part of the graph.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._pointwise import not_implemented
from ember._tensor import _wrap

_REDUCED = (D.float16, D.bfloat16)


def check_floating(input, kernel):
    """torch's NotImplementedError for a non-floating input of `kernel`."""
    if input.dtype.category != D.FLOAT:
        raise not_implemented(kernel, input.dtype)


def check_param_dtypes(input, *params):
    """torch's CPU rule: parameters share the input's dtype, or (mixed) the input is half or
    bfloat16 and every parameter is float32. The first defined parameter decides."""
    defined = [p for p in params if p is not None]
    if not defined or defined[0].dtype is input.dtype:
        for p in defined:
            if p.dtype is not input.dtype:
                raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found "
                                   f"{D.type_name(p.dtype)}")
        return
    if any(p.dtype is not D.float32 for p in defined):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if input.dtype not in _REDUCED:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def stat_dtype(input, *params):
    """dtype of the saved statistics: float32 for a mixed half/bfloat16 call, else the input's."""
    if input.dtype in _REDUCED and any(p is not None and p.dtype is D.float32 for p in params):
        return D.float32
    return input.dtype


def wrap_like(arr, dtype, be):
    """A Tensor over `arr` cast to `dtype` (a backend array of any float dtype)."""
    return _wrap(arr.astype(be.np_dtype(dtype), copy=False), dtype, be)


def row_stats(xr, eps):
    """(xhat, rstd) of 2-D `xr` normalized per row, in ember ops."""
    xc = xr - xr.mean(1, keepdim=True)
    rstd = ((xc * xc).mean(1, keepdim=True) + eps).rsqrt()
    return xc * rstd, rstd


def row_norm_grad(gxhat, xhat, rstd):
    """grad of the rows of `row_stats`'s input from grad of xhat (all 2-D), in ember ops."""
    proj = (gxhat * xhat).mean(1, keepdim=True)
    return rstd * (gxhat - gxhat.mean(1, keepdim=True) - xhat * proj)


def affine_grads(g3, xhat3, weight, shapes, need):
    """(grad of xhat, grad_weight, grad_bias) of ``xhat * w + b`` per channel of (N, C, S);
    `shapes` are the parameters' shapes."""
    gw = gb = gxhat = None
    if need[1]:
        gw = (g3 * xhat3).sum((0, 2)).reshape(shapes[0])
    if need[2]:
        gb = g3.sum((0, 2)).reshape(shapes[1])
    if need[0]:
        gxhat = g3 if weight is None else g3 * weight.reshape(1, -1, 1)
    return gxhat, gw, gb
