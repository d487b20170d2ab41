"""Collating samples into batches (default_collate) and converting them (default_convert).

``collate`` dispatches on the type of a batch's first element through ``collate_fn_map``
(exact type first, then ``isinstance`` in the map's order) and recurses into mappings,
namedtuples and sequences, as torch's does.
"""
from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable

from ember._backend import CPU_BACKEND
from ember._tensor import Tensor

__all__ = ["collate", "collate_tensor_fn", "collate_numpy_array_fn", "collate_numpy_scalar_fn",
           "collate_float_fn", "collate_int_fn", "collate_str_fn", "default_collate",
           "default_collate_fn_map", "default_collate_err_msg_format", "default_convert"]

# dtype kinds default_collate refuses in NumPy arrays: bytes, unicode, object
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}")


def _rebuild_mapping(proto, value_of):
    """A mapping with ``proto``'s keys and type (where possible) and ``value_of(key)``."""
    try:
        if isinstance(proto, collections.abc.MutableMapping):
            clone = copy.copy(proto)
            clone.update({key: value_of(key) for key in proto})
            return clone
        return type(proto)({key: value_of(key) for key in proto})
    except TypeError:  # the mapping type can't be built from a dict
        return {key: value_of(key) for key in proto}


def _rebuild_sequence(proto, items):
    """``items`` (a list) in the sequence type of ``proto`` where that type allows it."""
    try:
        if isinstance(proto, collections.abc.MutableSequence):
            clone = copy.copy(proto)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(proto)(items)
    except TypeError:
        return items


def default_convert(data):
    """Turn NumPy arrays and scalars into tensors, recursing into mappings, namedtuples and
    sequences (tuples become lists); everything else (tensors, str, numbers) is kept.
    NumPy arrays of strings or objects are kept as they are."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" \
                and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        from ember import as_tensor
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, lambda key: default_convert(data[key]))
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate a list of samples: the handler for the first sample's type in
    ``collate_fn_map``, else field by field for mappings, namedtuples and sequences (which
    must all have one length; tuples give lists)."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(
            elem, lambda key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map))
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        return columns if isinstance(elem, tuple) else _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack tensors along a new first dim (equal sizes required)."""
    from ember import stack
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """NumPy arrays become tensors, then are collated as tensors (no str/object arrays)."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    from ember import as_tensor
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    from ember import as_tensor
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats become one float64 tensor."""
    from ember import float64, tensor
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints (and bools) become one int64 (bool) tensor."""
    from ember import tensor
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes stay a list."""
    return batch


_np = CPU_BACKEND.xp
# NOTE(torch): the order matters: isinstance is tried in insertion order (bool -> int).
default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    _np.ndarray: collate_numpy_array_fn,
    (_np.bool_, _np.number, _np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Collate a list of samples into a batch, keeping the samples' structure.

    Tensors are stacked on a new first dim, NumPy arrays and scalars become tensors, Python
    floats a float64 tensor, ints an int64 tensor, strings stay a list; mappings,
    namedtuples and sequences are collated field by field (tuples give lists).

    Example:
        >>> default_collate([(0, 1.5), (1, 2.5)])
        [tensor([0, 1]), tensor([1.5000, 2.5000], dtype=ember.float64)]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
