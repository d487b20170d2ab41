"""Embeddings (torch.nn.functional): embedding lookups, bags of embeddings, one_hot."""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._ops import nn_embedding as E
from ember._ops.creation import arange, zeros
from ember.autograd.grad_mode import no_grad

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _padding_index(padding_idx, num_embeddings):
    """`padding_idx` made non-negative (-1 for none), with torch's range assertion."""
    if padding_idx is None:
        return -1
    if padding_idx > 0 and padding_idx >= num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if padding_idx < 0:
        if padding_idx < -num_embeddings:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx += num_embeddings
    return padding_idx


def _renorm(weight, input, max_norm, norm_type):
    with no_grad():
        E.embedding_renorm_(weight.detach(), input, max_norm, norm_type)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` (num_embeddings, D) at the integer `input`, shape ``input.shape +
    (D,)``. `padding_idx`'s row gets no gradient; with `max_norm` the looked-up rows of
    `weight` are first renormalized in place to at most that `norm_type`-norm.

    Differences from PyTorch: ``sparse=True`` is accepted but the gradient is dense.

    Example::

        >>> w = ember.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
        >>> embedding(ember.tensor([2, 0]), w)
        tensor([[4., 5.],
                [0., 1.]])
    """
    padding_idx = _padding_index(padding_idx, weight.size(0))
    if max_norm is not None:
        input = input.contiguous()
        _renorm(weight, input, max_norm, norm_type)
    return E.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def _bag_layout(input, offsets, per_sample_weights, include_last_offset):
    """(flat input, offsets, per_sample_weights, include_last_offset) of a 1-D or 2-D input."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {_type_str(offsets)}")
        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype,
                         device=input.device)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input.reshape(-1), offsets, per_sample_weights, False
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        return input, offsets, per_sample_weights, include_last_offset
    raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                     f"{input.dim()}")


def _type_str(obj):
    # NOTE(torch): torch prints the Python type of the offending offsets
    return str(type(obj)).replace("ember._tensor.Tensor", "ember.Tensor")


_MODES = {"sum": 0, "mean": 1, "max": 2}


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sum, mean or max of the embeddings of each bag: the rows of a 2-D `input`, or the
    runs ``input[offsets[i]:offsets[i + 1]]`` of a 1-D one; without building the
    intermediate (bag, length, D) embeddings.

    Differences from PyTorch: ``sparse=True`` is accepted but the gradient is dense.
    """
    if weight.dtype is D.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    input, offsets, per_sample_weights, include_last_offset = _bag_layout(
        input, offsets, per_sample_weights, include_last_offset)
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _renorm(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    return E.embedding_bag(weight, input, offsets, scale_grad_by_freq, _MODES[mode], sparse,
                           per_sample_weights, include_last_offset, padding_idx)[0]


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape ``tensor.shape + (num_classes,)`` with a 1 at each value of the
    int64 `tensor`; num_classes=-1 takes ``tensor.max() + 1``."""
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return zeros(tuple(tensor.shape) + (num_classes,), dtype=D.int64,
                     device=tensor.device)
    if int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    top = int(tensor.max())
    if num_classes == -1:
        num_classes = top + 1
    elif top >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = zeros(tuple(tensor.shape) + (num_classes,), dtype=D.int64, device=tensor.device)
    return out.scatter_(-1, tensor.unsqueeze(-1), 1)
