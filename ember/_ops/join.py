"""Joining tensors: cat (concat, concatenate), stack and its h/v/d/column/row forms,
atleast_1d/2d/3d, block_diag, meshgrid, cartesian_prod and combinations.

cat promotes its inputs to their common dtype; 1-d tensors of size 0 are skipped whatever
the other inputs' shapes (torch's legacy rule), though their dtype still takes part.
"""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._errors import shape_str, wrap_dim
from ember._ops._registry import ALL, Op, apply, write_out
from ember._tensor import Tensor, _wrap

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
           "column_stack", "row_stack", "atleast_1d", "atleast_2d", "atleast_3d",
           "block_diag", "meshgrid", "cartesian_prod", "combinations"]
FUNCTIONS_ONLY = frozenset(__all__)


def _legacy_empty(t):
    return t._arr.ndim == 1 and t._arr.shape[0] == 0


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def _cat_shape(tensors, dim):
    """(wrapped dim, output shape, per-input sizes along dim or None for a skipped input)."""
    for i, t in enumerate(tensors):
        if t._arr.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    ref = next((t for t in tensors if not _legacy_empty(t)), None)
    if ref is None:
        return wrap_dim(dim, 1), (0,), [0] * len(tensors)
    shape = ref._arr.shape
    dim = wrap_dim(dim, len(shape))
    before, after = shape[:dim], shape[dim + 1:]
    sizes, total = [], 0
    for i, t in enumerate(tensors):
        tshape = t._arr.shape
        if tshape[:dim] != before or tshape[dim + 1:] != after:
            if _legacy_empty(t):
                sizes.append(None)
                continue
            _cat_mismatch(shape, tshape, dim, i)
        sizes.append(tshape[dim])
        total += tshape[dim]
    return dim, before + (total,) + after, sizes


def _channels_last(t):
    """A 4-d tensor laid out channels-last and not plain contiguous (cat keeps that layout)."""
    from ember._layout import channels_last
    return t._arr.ndim == 4 and not t.is_contiguous() and \
        t.is_contiguous(memory_format=channels_last)


def _cat_mismatch(shape, tshape, dim, i):
    if len(tshape) != len(shape):
        raise RuntimeError(f"Tensors must have same number of dimensions: got {len(shape)} and "
                           f"{len(tshape)}")
    d = next(d for d, (a, b) in enumerate(zip(shape, tshape)) if d != dim and a != b)
    raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                       f"{shape[d]} but got size {tshape[d]} for tensor number {i} in the list.")


class CatBackward0(Op):
    def forward(self, be, *arrays, dim, shape, sizes, channels_last=False):
        self.dim, self.sizes = dim, sizes
        return be.cat(arrays, dim, shape, channels_last)

    def backward(self, g):
        grads, start = [], 0
        for size, need in zip(self.sizes, self.needs_input_grad):
            if size is None:
                grads.append(g.new_zeros(0) if need else None)
                continue
            grads.append(g.narrow(self.dim, start, size) if need else None)
            start += size
        return tuple(grads)


class _PromotingCat(CatBackward0):
    """CatBackward0 over inputs of several dtypes: apply() casts them to the common one."""

    promote = ALL


_PromotingCat.__name__ = _PromotingCat.__qualname__ = "CatBackward0"


def cat(tensors, dim=0, *, out=None, axis=None):
    """Concatenate `tensors` along an existing `dim`; all other sizes must match."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dim, shape, sizes = _cat_shape(tensors, dim if axis is None else axis)
    _check_cat_out(tensors, out)
    first = tensors[0].dtype
    cls = CatBackward0 if all(t.dtype is first for t in tensors) else _PromotingCat
    result = apply(cls, tensors, dim=dim, shape=shape, sizes=sizes,
                   channels_last=len(shape) == 4 and all(_channels_last(t) for t in tensors))
    return result if out is None else write_out(result, out)


def _check_cat_out(tensors, out):
    if out is not None and not D.can_cast(D.result_dtype(tensors), out.dtype):
        raise TypeError("torch.cat(): input types can't be cast to the desired output type "
                        f"{D.type_name(out.dtype)}")


def concat(tensors, dim=0, *, out=None, axis=None):
    """Alias of cat."""
    return cat(tensors, dim, out=out, axis=axis)


def concatenate(tensors, axis=0, out=None, *, dim=None):
    """Alias of cat."""
    return cat(tensors, axis if dim is None else dim, out=out)


class StackBackward0(Op):
    promote = ALL

    def forward(self, be, *arrays, dim):
        self.dim = dim
        return be.xp.stack(arrays, axis=dim)

    def backward(self, g):
        parts = g.unbind(self.dim)
        return tuple(p if need else None for p, need in zip(parts, self.needs_input_grad))


def stack(tensors, dim=0, *, out=None):
    """Join equally shaped `tensors` along a new dim `dim`."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    _check_cat_out(tensors, out)
    shape = tensors[0]._arr.shape
    for i, t in enumerate(tensors):
        if t._arr.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{shape_str(shape)} at entry 0 and {shape_str(t._arr.shape)} "
                               f"at entry {i}")
    dim = wrap_dim(dim, len(shape) + 1)
    result = apply(StackBackward0, tensors, dim=dim)
    return result if out is None else write_out(result, out)


def _nonempty(tensors, name):
    tensors = _tensor_list(tensors, name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None):
    """cat along dim 1 (dim 0 for 1-d inputs), 0-d inputs as 1-d."""
    tensors = atleast_1d(_nonempty(tensors, "hstack"))
    return cat(tensors, 0 if tensors[0]._arr.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """cat along dim 0 of the inputs made at least 2-d (1-d as rows)."""
    return cat(atleast_2d(_nonempty(tensors, "vstack")), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """cat along dim 2 of the inputs made at least 3-d."""
    return cat(atleast_3d(_nonempty(tensors, "dstack")), 2, out=out)


def column_stack(tensors, *, out=None):
    """hstack of the inputs with 0-d and 1-d ones turned into columns."""
    tensors = _nonempty(tensors, "column_stack")
    cols = [t.reshape(t._arr.size, 1) if t._arr.ndim <= 1 else t for t in tensors]
    return hstack(cols, out=out)


def _atleast(fix, tensors):
    if len(tensors) == 1:
        only = tensors[0]
        if isinstance(only, Tensor):
            return fix(only)
        tensors = only
    return tuple(fix(t) for t in _tensor_list(tensors, "atleast"))


def _at1(t):
    return t.reshape(1) if t._arr.ndim == 0 else t


def _at2(t):
    n = t._arr.ndim
    return t.reshape(1, 1) if n == 0 else t.unsqueeze(0) if n == 1 else t


def _at3(t):
    n = t._arr.ndim
    if n == 0:
        return t.reshape(1, 1, 1)
    if n == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if n == 2 else t


def atleast_1d(*tensors):
    """Each input viewed with at least one dim (a tuple for several inputs)."""
    return _atleast(_at1, tensors)


def atleast_2d(*tensors):
    """Each input viewed with at least two dims (1-d as a row)."""
    return _atleast(_at2, tensors)


def atleast_3d(*tensors):
    """Each input viewed with at least three dims (1-d as (1, n, 1), 2-d as (m, n, 1))."""
    return _atleast(_at3, tensors)


class BlockDiagBackward0(Op):
    promote = ALL

    def forward(self, be, *arrays):
        self.shapes = [a.shape for a in arrays]
        blocks = [a.reshape(_as_2d(a.shape)) for a in arrays]
        return be.block_diag(blocks, arrays[0].dtype)

    def backward(self, g):
        grads, r, c = [], 0, 0
        for shape, need in zip(self.shapes, self.needs_input_grad):
            h, w = _as_2d(shape)
            grads.append(g[r:r + h, c:c + w].reshape(shape) if need else None)
            r, c = r + h, c + w
        return tuple(grads)


def _as_2d(shape):
    return (1, 1) if not shape else (1, shape[0]) if len(shape) == 1 else shape


def block_diag(*tensors):
    """A block-diagonal matrix of the inputs (0-d as 1x1, 1-d as a row)."""
    tensors = _tensor_list(tensors, "block_diag")
    for i, t in enumerate(tensors):
        if t._arr.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t._arr.ndim} dimensions")
    if not tensors:
        from ember._ops.creation import empty
        return empty(1, 0)
    return apply(BlockDiagBackward0, tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids (views) from 0-d or 1-d tensors: ``indexing='ij'`` gives dim i the
    i-th input, 'xy' swaps the first two dims (Cartesian)."""
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        tensors = tuple(tensors[0])
    tensors = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t._arr.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    shape = [t._arr.size for t in tensors]
    grids = []
    for i, t in enumerate(tensors):
        view_shape = [1] * len(tensors)
        view_shape[i] = -1
        grids.append(t.view(view_shape).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _vectors(tensors):
    for t in tensors:
        if t._arr.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {shape_str(t._arr.shape)}")


def cartesian_prod(*tensors):
    """Rows of all combinations of one element from each 1-d input (itertools.product)."""
    tensors = _tensor_list(tensors, "cartesian_prod")
    _vectors(tensors)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Rows of the length-`r` combinations of a 1-d input (itertools.combinations, or
    combinations_with_replacement)."""
    _vectors((input,))
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty(0)
    be = input._be
    mask = be.combinations_mask(input._arr.shape[0], r, with_replacement)
    mask = _wrap(mask, D.bool, be)
    grids = meshgrid(*([input] * r), indexing="ij")
    return stack([g.masked_select(mask) for g in grids], 1)
