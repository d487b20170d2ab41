"""Sorting and searching: sort, argsort, msort, topk, searchsorted, bucketize, isin.

Differences from PyTorch: with ``stable=False`` torch leaves equal elements of rows longer
than 16 in whatever order its CPU introsort produces; ember always returns the stable order
(which is torch's order for shorter rows and for ``stable=True``). topk's order of equal
elements is torch's.
"""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types
from ember._errors import shape_str, wrap_dim
from ember._ops._index_grad import constant, select_backward
from ember._ops._reduce_out import check_out, write_pair
from ember._ops._registry import Op, apply, write_out
from ember._tensor import Tensor

__all__ = ["sort", "argsort", "msort", "topk", "searchsorted", "bucketize", "isin"]
FUNCTIONS_ONLY = frozenset({"searchsorted", "bucketize", "isin"})


class SortBackward0(Op):
    save_outputs = (1,)

    def forward(self, be, x, *, dim, descending):
        self.in_shape, self.dim = x.shape, dim
        return be.sort(x, dim, descending)

    def backward(self, g, _):
        (index,) = self.saved
        return select_backward(g, index, self.in_shape, self.dim, True)


class TopkBackward0(SortBackward0):
    def forward(self, be, x, *, k, dim, largest, sorted_):
        self.in_shape, self.dim = x.shape, dim
        return be.topk(x, k, dim, largest, sorted_)


def _no_complex(input, what):
    if input.dtype.category == D.COMPLEX:
        raise RuntimeError(f" {what} does not support complex dtypes on CPU")


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """(values, indices) sorted along `dim`; NaN sorts after every number. Equal elements
    keep their input order (see the module note on ``stable=False``)."""
    _no_complex(input, "Sort")
    d = wrap_dim(dim, input._arr.ndim)
    values, indices = apply(SortBackward0, (input,), dim=d, descending=bool(descending))
    if out is not None:
        values, indices = write_pair(values, indices, out)
    return return_types.sort((values, indices))


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort `input` along `dim`."""
    return sort(input.detach(), dim, descending, stable=stable)[1]


def msort(input, *, out=None):
    """`input` sorted along its first dim."""
    result = sort(input, 0)[0]
    if out is not None:
        check_out(out, result.dtype)
    return result if out is None else write_out(result, out)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """(values, indices) of the `k` largest (smallest) elements along `dim`."""
    _no_complex(input, "topk")
    if input.dtype is D.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = wrap_dim(dim, input._arr.ndim)
    size = input._arr.shape[d] if input._arr.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values, indices = apply(TopkBackward0, (input,), k=k, dim=d, largest=bool(largest),
                            sorted_=bool(sorted))
    if out is not None:
        values, indices = write_pair(values, indices, out)
    return return_types.topk((values, indices))


def _as_tensor(value, like):
    from ember._ops.creation import tensor
    return value if isinstance(value, Tensor) else tensor(value, device=like.device)


def _check_side(right, side):
    if side is None:
        return right
    if side not in ("left", "right"):
        raise RuntimeError("torch.searchsorted(): side can only be 'left' or 'right' but got "
                           f"{side}")
    if right and side != "right":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                           f"got side of {side} while right was True")
    return side == "right"


def _check_sorter(sorter, boundaries):
    if tuple(sorter._arr.shape) != tuple(boundaries._arr.shape):
        raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, "
                           f"but got boundary tensor {shape_str(boundaries._arr.shape)}and got "
                           f"sorter tensor {shape_str(sorter._arr.shape)}")
    if sorter.dtype is not D.int64:
        raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but got "
                           f"dtype {D.type_name(sorter.dtype)}")
    if sorter._arr.size and not bool(((sorter >= 0) &
                                      (sorter < sorter._arr.shape[-1])).all()):
        raise RuntimeError("torch.searchsorted(): sorter index out of range")


def _check_search_shapes(boundaries, values):
    b, v = boundaries._arr, values._arr
    if v.ndim == 0 and b.ndim != 1:
        raise RuntimeError("torch.searchsorted(): input value can be a scalar only when "
                           "boundaries tensor dimension is 1, but we got boundaries tensor "
                           f"dim({b.ndim}) and input value's dim({v.ndim}) numel({v.size})")
    if b.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if b.ndim != 1 and (b.ndim != v.ndim or b.shape[:-1] != v.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           f"tensor must match, but we got boundaries tensor {shape_str(b.shape)}"
                           f" and input value tensor {shape_str(v.shape)}")


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Indices at which `input` would be inserted into the sorted last dim of
    `sorted_sequence` to keep it sorted (after equal elements when `right`)."""
    right = _check_side(right, side)
    values = _as_tensor(input, sorted_sequence)
    if sorter is not None:
        _check_sorter(sorter, sorted_sequence)
    _check_search_shapes(sorted_sequence, values)
    dt = D.promote_types(sorted_sequence.dtype, values.dtype)
    if dt is D.bool or dt.category == D.COMPLEX:
        raise NotImplementedError(f"\"searchsorted_out_cpu\" not implemented for "
                                  f"'{D.type_name(dt)}'")
    be = sorted_sequence._be
    pos = be.searchsorted(sorted_sequence.to(dt)._arr, values.to(dt)._arr, right,
                          None if sorter is None else sorter._arr)
    result = constant(be.xp.asarray(pos, be.np_dtype(D.int32 if out_int32 else D.int64)), be)
    return result if out is None else write_out(result, out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each element of `input` among the 1-D sorted `boundaries`."""
    if boundaries._arr.ndim != 1:
        raise RuntimeError("boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries._arr.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` occurs in `test_elements` (negated by `invert`)."""
    like = elements if isinstance(elements, Tensor) else test_elements
    a, b = _as_tensor(elements, like), _as_tensor(test_elements, like)
    for t in (a, b):
        if t.dtype is D.bool or t.dtype.category == D.COMPLEX:
            raise RuntimeError(f"Unsupported input type encountered for isin(): "
                               f"{D.type_name(t.dtype)}")
    dt = D.promote_types(a.dtype, b.dtype)
    be = like._be
    return constant(be.isin(a.to(dt)._arr, b.to(dt)._arr, invert), be)
