"""Embedding lookups (torch.embedding, embedding_renorm_, embedding_bag).

A lookup is one EmbeddingBackward0 node whose gradient is the dense (num_embeddings, D) sum of
the output rows at their indices (torch's `sparse=True` gradient is given densely), computed
by one sorted segment-sum kernel that is itself a differentiable node, as in torch.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._registry import Op, apply
from ember._tensor import _wrap
from ember.autograd.grad_mode import no_grad

__all__ = ["embedding", "embedding_renorm_", "embedding_bag"]
FUNCTIONS_ONLY = tuple(__all__)

_INDEX_TYPES = (D.int64, D.int32)


def _check_indices(indices, position, name, fn):
    if indices.dtype not in _INDEX_TYPES:
        raise RuntimeError(f"Expected tensor for argument #{position} '{name}' to have one of "
                           f"the following scalar types: Long, Int; but got {indices.type()} "
                           f"instead (while checking arguments for {fn})")


def _long(arr, be):
    return _wrap(arr.astype(be.np_dtype(D.int64), copy=False), D.int64, be)


class EmbeddingBackward0(Op):
    """``weight[indices]``: rows of `weight` gathered into shape ``indices.shape + (D,)``.
    The indices (an option, not a graph input, as in torch) are kept as a copy."""

    def forward(self, be, weight, *, indices, padding_idx, scale_grad_by_freq, sparse):
        self.indices = indices.copy()
        self.padding_idx, self.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        self.sparse = sparse
        return be.xp.take(weight, indices, axis=0)

    def backward(self, g):
        if self.sparse and self.scale_grad_by_freq:
            raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with "
                               "sparse gradients")
        return apply(EmbeddingDenseBackwardBackward0, (g,), indices=self.indices,
                     weight_shape=self._meta[0][0], padding_idx=self.padding_idx,
                     scale_grad_by_freq=self.scale_grad_by_freq)


class EmbeddingDenseBackwardBackward0(Op):
    """torch's embedding_dense_backward: the sums of the gradient's rows per index (padding
    skipped, optionally divided by each index's count), in the weight's shape. Its own
    gradient is the lookup of the incoming gradient at the indices, padding rows zero.
    NOTE(torch): as in torch, that lookup is not divided by the counts."""

    def forward(self, be, grad, *, indices, weight_shape, padding_idx, scale_grad_by_freq):
        self.indices, self.padding_idx = indices, padding_idx
        rows = grad.reshape(indices.size, -1)
        out = be.embedding_backward(rows, indices, weight_shape[0], padding_idx,
                                    scale_grad_by_freq)
        # a view would be copied when accumulated into weight.grad; reshape only if needed
        return out if out.shape == tuple(weight_shape) else out.reshape(weight_shape)

    def backward(self, gg):
        idx = _long(self.indices.reshape(-1), gg._be)
        rows = gg.reshape(gg.shape[0], -1).index_select(0, idx)
        if self.padding_idx >= 0:
            rows = rows * (idx != self.padding_idx).unsqueeze(1).to(rows.dtype)
        return rows.reshape(self._meta[0][0])


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` at integer `indices`; `padding_idx`'s row gets no gradient, and with
    `scale_grad_by_freq` each row's gradient is divided by its index's count in `indices`."""
    if weight.dim() < 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, 1, "indices", "embedding")
    if indices._be.first_outside(indices._arr, 0, weight.shape[0]) is not None:
        raise IndexError("index out of range in self")
    return apply(EmbeddingBackward0, (weight,), indices=indices._arr, padding_idx=padding_idx,
                 scale_grad_by_freq=bool(scale_grad_by_freq), sparse=bool(sparse))


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale in place, without recording a gradient, the rows of `input` named by `indices`
    whose `norm_type`-norm exceeds `max_norm`, to norm ``max_norm`` (within 1e-7)."""
    if input.dim() != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {input.dim()}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "embedding_renorm_)")
    _check_indices(indices, 2, "indices", "embedding_renorm_")
    with no_grad():
        rows = indices.reshape(-1).unique()
        picked = input.index_select(0, rows)
        # NOTE(torch): the norm is taken in the input's dtype, the scale in double
        norms = picked.norm(norm_type, 1).double()
        over = norms > max_norm
        scale = (max_norm / (norms + 1e-7)).to(input.dtype)
        if bool(over.any()):
            input.index_copy_(0, rows[over], picked[over] * scale[over].unsqueeze(1))
    return input


# --- embedding_bag ----------------------------------------------------------------------
def _freq_divisor(xp, idx, num_weights):
    """The count each index's gradient is divided by with scale_grad_by_freq.
    NOTE(torch): torch's CPU kernel divides the gradient of the i-th smallest distinct index
    by the count of the i-th smallest index (repeats included), not by its own count."""
    rank = xp.unique(idx, return_inverse=True)[1]
    return xp.bincount(idx, minlength=num_weights)[xp.sort(idx)[rank]]


class EmbeddingBagBackward0(Op):
    """Per-bag sum / mean / max of the rows of `weight` at the indices, with torch's three
    bookkeeping outputs (offset2bag, bag_size, max_indices)."""

    save_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, be, weight, per_sample_weights, *, indices, offsets, mode,
                include_last_offset, padding_idx, scale_grad_by_freq):
        xp = be.xp
        num_bags = offsets.size - 1 if include_last_offset else offsets.size
        idx = indices.astype(xp.intp)
        # NOTE(torch): the last offset is not read as an end: indices past offsets[-2] (with
        # include_last_offset) fall into the last bag
        bag = xp.searchsorted(offsets[1:num_bags], xp.arange(idx.size), side="right")
        valid = idx != padding_idx if padding_idx is not None else xp.ones(idx.size, bool)
        out, sizes, argmax = be.embedding_bag(weight, idx, bag, num_bags, mode,
                                              per_sample_weights, valid)
        scale = valid.astype(xp.float64)
        if mode == 1:
            scale /= xp.maximum(sizes, 1)[bag]
        if scale_grad_by_freq:
            scale /= _freq_divisor(xp, idx, weight.shape[0])
        self.mode, self.idx, self.bag, self.argmax, self.valid = mode, idx, bag, argmax, valid
        self.scale, self.nonempty = scale.astype(weight.dtype), sizes > 0
        zeros = xp.zeros(num_bags, xp.int64)
        if mode == 0:
            fast = weight.dtype == xp.float32 and padding_idx is None
            offset2bag = xp.zeros(0, xp.int64) if fast else bag.astype(xp.int64)
            return out, offset2bag, zeros, zeros.copy()
        return out, bag.astype(xp.int64), sizes, sizes.copy() if mode == 1 else argmax

    def backward(self, g, *_):
        weight, per_sample_weights = self.saved
        need = self.needs_input_grad
        be = g._be
        bag, idx = _long(self.bag, be), _long(self.idx, be)
        gw = gp = None
        if need[0] and self.mode == 2:
            keep = _wrap(self.nonempty, D.bool, be).unsqueeze(1).to(g.dtype)
            gw = g.new_zeros(self._meta[0][0]).scatter_add(0, _long(self.argmax, be), g * keep)
        elif need[0]:
            scale = _wrap(self.scale, g.dtype, be)
            if per_sample_weights is not None:
                scale = scale * per_sample_weights
            rows = g.index_select(0, bag) * scale.unsqueeze(1)
            gw = g.new_zeros(self._meta[0][0]).index_add(0, idx, rows)
        if need[1]:
            valid = _wrap(self.valid, D.bool, be).to(g.dtype)
            gp = (g.index_select(0, bag) * weight.index_select(0, idx)).sum(1) * valid
        return gw, gp


def _check_offsets(offsets, length):
    offs = offsets.tolist()
    if offs and offs[0] != 0:
        # NOTE(torch): torch's message ends with a printout of an empty tensor
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the "
                           "mini-batch has to start from position 0. However, got "
                           f"{offs[0]}\n[ {offsets.type()}{{}} ]")
    if offs and offs[-1] > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but "
                           f"got offsets[-1] of {offs[-1]}")
    if any(a > b for a, b in zip(offs, offs[1:])):
        raise RuntimeError("Expected i < index_size to be true, but got false.  (Could this "
                           "error message be improved?  If so, please report an enhancement "
                           "request to PyTorch.)")


def _check_bag_args(weight, indices, offsets, per_sample_weights, mode, padding_idx):
    _check_indices(indices, 1, "indices", "embedding_bag")
    _check_indices(offsets, 1, "offsets", "embedding_bag")
    if per_sample_weights is not None and per_sample_weights.dtype is not weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as "
                           f"tensor for argument #1 'per_sample_weights'; but type "
                           f"{weight.type()} does not equal {per_sample_weights.type()} (while "
                           "checking arguments for embedding_bag)")
    n = weight.shape[0]
    if padding_idx is not None and not -n <= padding_idx < n:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} "
                           f"through {n - 1}, but got {padding_idx}")
    _check_offsets(offsets, indices.numel())
    flat = indices._arr.reshape(-1)
    bad = indices._be.xp.flatnonzero((flat < 0) | (flat >= n))
    if bad.size:
        pos, value = int(bad[0]), int(flat[bad[0]])
        if weight.dtype is D.float32 and mode != 2 and padding_idx is None:
            raise RuntimeError(f"Index {pos} of input takes value {value} which is not in the "
                               f"valid range [0, {n})")
        raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but "
                           f"found idx to be {value}")


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """(output, offset2bag, bag_size, max_indices): bags of rows of `weight` reduced by
    `mode` (0 sum, 1 mean, 2 max). Bag b holds ``indices[offsets[b]:offsets[b + 1]]``;
    `padding_idx` entries are skipped, `per_sample_weights` scale the rows in sum mode."""
    _check_bag_args(weight, indices, offsets, per_sample_weights, mode, padding_idx)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return apply(EmbeddingBagBackward0, (weight, per_sample_weights),
                 indices=indices._arr.reshape(-1), offsets=offsets._arr.reshape(-1),
                 mode=int(mode), include_last_offset=bool(include_last_offset),
                 padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq))
