"""Tensor indexing: ``x[...]`` and ``x[...] = v`` with torch's semantics, and index_put.

Basic indices (ints, slices, None, Ellipsis, Python bools) become views. Tensors, lists and
arrays are advanced indices: the result is a copy (IndexBackward0) whose dims are placed as
NumPy and torch both place them, and writes go through index_put_.
"""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops._index_common import check_no_overlap
from ember._ops._registry import Op, apply, apply_inplace
from ember._tensor import Tensor

__all__ = ["index_put", "index_put_"]

_SEQ = (list, tuple)


def _is_basic(item):
    return item is None or item is Ellipsis or isinstance(item, (int, slice)) and \
        not isinstance(item, bool) or item is True or item is False


def _as_index_tensor(item, device):
    """Advanced index as an int64 or bool Tensor."""
    if isinstance(item, Tensor):
        if item.dtype not in (D.int64, D.int32, D.int16, D.int8, D.uint8, D.bool):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if item.dtype is D.uint8:
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                          "dtype torch.bool instead.", UserWarning, stacklevel=4)
            return item.to(D.bool)
        return item
    from ember._ops.creation import tensor
    t = tensor(item, device=device)
    if t.dtype.category == D.FLOAT:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return t


def _normalize(self, index):
    """The index as a tuple of basic items and index Tensors."""
    if not isinstance(index, tuple):
        if isinstance(index, list) and index and any(
                isinstance(i, (_SEQ, slice, Tensor)) or i is None or i is Ellipsis
                for i in index):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is "
                          "deprecated; use x[tuple(seq)] instead of x[seq].", UserWarning,
                          stacklevel=3)
            index = tuple(index)
        else:
            index = (index,)
    out = []
    for item in index:
        if isinstance(item, Tensor) and item._arr.ndim == 0 and \
                item.dtype.category == D.INT and item.dtype is not D.uint8:
            out.append(int(item.item()))       # a 0-dim integer tensor selects, as an int
        elif _is_basic(item):
            out.append(item)
        elif hasattr(item, "__index__") and not hasattr(item, "__len__"):
            out.append(item.__index__())
        else:
            out.append(_as_index_tensor(item, self.device))
    return out


def _consumed(item):
    if item is None or item is Ellipsis or item is True or item is False:
        return 0
    if isinstance(item, Tensor) and item.dtype is D.bool:
        return max(item._arr.ndim, 1) if item._arr.ndim else 0
    return 1


def apply_basic(self, index):
    """(view after the basic indices, [(dim, index tensor), ...] still to apply)."""
    from ember._ops.view import select, slice_dim, unsqueeze
    items = _normalize(self, index)
    used = sum(_consumed(i) for i in items)
    ndim = self._arr.ndim
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    t, d, adv = self, 0, []
    seen_ellipsis = False
    for item in items:
        if item is Ellipsis:
            if not seen_ellipsis:
                d += ndim - used
                seen_ellipsis = True
        elif item is None or item is True:
            t = unsqueeze(t, d)
            d += 1
        elif item is False:
            t = slice_dim(unsqueeze(t, d), d, 0, 0, 1)
            d += 1
        elif isinstance(item, int):
            size = t._arr.shape[d]
            if not -size <= item < size:
                raise IndexError(f"index {item} is out of bounds for dimension {d} with size "
                                 f"{size}")
            t = select(t, d, item)
        elif isinstance(item, slice):
            step = 1 if item.step is None else item.step.__index__()
            if step <= 0:
                raise ValueError("step must be greater than zero")
            t = slice_dim(t, d, _int(item.start), _int(item.stop), step)
            d += 1
        else:
            adv.append((d, item))
            d += _consumed(item) if item.dtype is D.bool else 1
    if t is self and not adv:
        from ember._ops.view import alias
        t = alias(self)
    return t, adv


def _int(v):
    return None if v is None else v.__index__()


def _key(t, adv):
    """The backend index tuple for `t`: index arrays at their dims, full slices elsewhere.

    NOTE(torch): indices are only bounds-checked when the result has elements; for an empty
    result they are clipped into range so the backend accepts them.
    """
    if len(adv) == 1 and adv[0][1].dtype is D.bool and adv[0][1]._arr.ndim:
        return _mask_key(t, *adv[0])
    key = [slice(None)] * t._arr.ndim
    dims = []
    ints = []
    for d, idx in adv:
        if idx.dtype is D.bool:
            _check_mask(t, d, idx)
            if not idx._arr.ndim:                  # a 0-dim mask adds a dim of 1 or 0
                continue
            for j, arr in enumerate(t._be.xp.nonzero(idx._arr)):
                key[d + j] = arr
                dims.append(d + j)
        else:
            key[d] = idx._arr
            dims.append(d)
            ints.append(d)
    if dims and not _empty_result(t._arr.shape, key, dims):
        for d in ints:
            size = t._arr.shape[d]
            bad = t._be.out_of_bounds(key[d], size)
            if bad is not None:
                if not size:
                    raise IndexError("index is out of bounds for dimension with size 0")
                raise IndexError(f"index {bad} is out of bounds for dimension {d} with size "
                                 f"{size}")
    elif dims:
        for d in ints:
            key[d] = t._be.clip_index(key[d], t._arr.shape[d])
    return tuple(key)


def _check_mask(t, d, mask):
    mshape = mask._arr.shape
    for i, (m, s) in enumerate(zip(mshape, t._arr.shape[d:d + len(mshape)])):
        if m != s:
            raise IndexError(f"The shape of the mask {shape_str(mshape)} at index {i} does not "
                             f"match the shape of the indexed tensor {shape_str(t._arr.shape)} "
                             f"at index {d + i}")


def _mask_key(t, d, mask):
    """A lone boolean mask stays a mask in the key (the backend selects with it directly)."""
    _check_mask(t, d, mask)
    rest = t._arr.ndim - d - mask._arr.ndim
    return (slice(None),) * d + (mask._arr,) + (slice(None),) * rest


def _empty_result(shape, key, dims):
    """Whether indexing an array of `shape` with `key` (index arrays at `dims`) gives no
    elements: a dim left whole is empty, or the index arrays broadcast to an empty shape."""
    from ember._errors import broadcast_shapes
    shapes = [key[d].shape for d in dims]
    try:
        common = broadcast_shapes(*shapes)
    except RuntimeError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {', '.join(shape_str(s) for s in shapes)}") from None
    return 0 in common or any(shape[d] == 0 for d in range(len(shape)) if d not in dims)


class IndexBackward0(Op):
    def forward(self, be, x, *, key):
        self.in_shape = x.shape
        self.key = key
        return be.take_index(x, key)

    def backward(self, g):
        return apply(IndexPutBackward0, (g.new_zeros(self.in_shape), g), key=self.key,
                     accumulate=True)


class IndexPutBackward0(Op):
    def forward(self, be, x, values, *, key, accumulate, inplace=False):
        self.key, self.accumulate = key, accumulate
        self.values_shape = values.shape
        if inplace:         # index_put_ / setitem: write straight into self's memory
            return be.index_put_into(x, key, values, accumulate)
        return be.index_put(x, key, values, accumulate)

    def backward(self, g):
        from ember._ops.reduce import sum_to
        need_x, need_v = self.needs_input_grad
        gx = gv = None
        if need_x:
            gx = g if self.accumulate else apply(
                IndexPutBackward0, (g, g.new_zeros(())), key=self.key, accumulate=False)
        if need_v:
            gv = sum_to(apply(IndexBackward0, (g,), key=self.key), self.values_shape)
        return gx, gv


def getitem(self, index):
    """``self[index]``: a view for basic indices, a copy for advanced ones."""
    if type(index) is int:
        from ember._ops.view import select
        size = self._arr.shape[0] if self._arr.ndim else 0
        if self._arr.ndim and -size <= index < size:
            return select(self, 0, index)
    t, adv = apply_basic(self, index)
    if not adv:
        return t
    return _index_zero_dim_masks(apply(IndexBackward0, (t,), key=_key(t, adv)), t, adv)


def _index_zero_dim_masks(result, t, adv):
    """A 0-dim bool index adds a leading dim of size 1 (True) or 0 (False)."""
    for d, idx in adv:
        if idx.dtype is D.bool and idx._arr.ndim == 0:
            result = result.unsqueeze(d)
            if not idx.item():
                result = result.narrow(d, 0, 0)
    return result


def _value_for(self, value, shape):
    """`value` as a tensor broadcastable to `shape`, leading unit dims dropped."""
    from ember._ops.creation import full
    if not isinstance(value, Tensor):
        return full((), value, dtype=self.dtype, device=self.device)
    while value._arr.ndim > len(shape) and value._arr.shape[0] == 1:
        value = value.squeeze(0)
    return value


def setitem(self, index, value):
    """``self[index] = value``: a copy into the view, or index_put_ for advanced indices."""
    t, adv = apply_basic(self, index)
    if not adv:
        v = _value_for(self, value, t._arr.shape)
        t.copy_(v.expand(t._arr.shape) if v._arr.shape != t._arr.shape else v)
        return
    key = _key(t, adv)
    check_no_overlap(t, value)
    v = _value_for(self, value, ())
    if v.dtype is not t.dtype:
        v = v.to(t.dtype)
    apply_inplace(IndexPutBackward0, (t, v), key=key, accumulate=False, inplace=True)


def _indices_key(self, indices):
    adv = [(d, _as_index_tensor(i, self.device)) for d, i in enumerate(indices)
           if i is not None]
    return _key(self, adv)


def index_put(input, indices, values, accumulate=False):
    """A copy of `input` with ``input[indices] = values`` (or += when accumulating)."""
    return apply(IndexPutBackward0, (input, values.to(input.dtype)),
                 key=_indices_key(input, indices), accumulate=accumulate)


def index_put_(self, indices, values, accumulate=False):
    check_no_overlap(self, values)
    return apply_inplace(IndexPutBackward0, (self, values.to(self.dtype)),
                         key=_indices_key(self, indices), accumulate=accumulate, inplace=True)


METHODS = {"__getitem__": getitem, "__setitem__": setitem, "index_put": index_put,
           "index_put_": index_put_}
