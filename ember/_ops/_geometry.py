"""Strided geometry: the (shape, stride, offset) each view op produces, as torch computes it.

Pure functions on tuples of ints, shared by the view ops (applied to a tensor's real
geometry) and by their scatter backwards (applied to a contiguous buffer's geometry).
"""
from __future__ import annotations

from ember._errors import shape_str, wrap_dim


def contiguous_strides(shape):
    strides = [1] * len(shape)
    acc = 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = acc
        acc *= max(shape[i], 1)
    return tuple(strides)


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def infer_size(shape, total):
    """`shape` with its -1 filled in for `total` elements; torch's errors otherwise."""
    shape = list(shape)
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if infer is not None:
        if known == 0:
            if total == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape "
                                   f"{shape_str(shape)} because the unspecified dimension "
                                   "size -1 can be any value and is ambiguous")
        elif total % known == 0:
            shape[infer] = total // known
            return tuple(shape)
    elif known == total:
        return tuple(shape)
    raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {total}")


def view_strides(shape, stride, new_shape):
    """Strides making `new_shape` a view of (shape, stride), or None when impossible."""
    if numel(shape) == 0:
        return contiguous_strides(new_shape) if tuple(shape) != tuple(new_shape) else stride
    new_stride = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = stride[-1] if stride else 1
    tensor_numel = 1
    view_numel = 1
    for d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and stride[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_stride[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = stride[d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_stride)


def transpose(shape, stride, d0, d1):
    shape, stride = list(shape), list(stride)
    shape[d0], shape[d1] = shape[d1], shape[d0]
    stride[d0], stride[d1] = stride[d1], stride[d0]
    return tuple(shape), tuple(stride)


def select(shape, stride, offset, dim, index):
    """Drop `dim` at `index` (already checked to be in range, and non-negative)."""
    return (shape[:dim] + shape[dim + 1:], stride[:dim] + stride[dim + 1:],
            offset + index * stride[dim])


def slice_(shape, stride, offset, dim, start, stop, step):
    """Python slice semantics (clamped, positive step) along `dim`."""
    size = shape[dim]
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start = 0 if start is None else (start + size if start < 0 else start)
    stop = size if stop is None else (stop + size if stop < 0 else stop)
    start = min(max(start, 0), size)
    stop = min(max(stop, start), size)
    length = (stop - start + step - 1) // step
    shape = shape[:dim] + (length,) + shape[dim + 1:]
    new_stride = stride[:dim] + (stride[dim] * step,) + stride[dim + 1:]
    return shape, new_stride, offset + start * stride[dim]


def unsqueeze(shape, stride, dim):
    new_stride = stride[dim] * shape[dim] if dim < len(shape) else 1
    return shape[:dim] + (1,) + shape[dim:], stride[:dim] + (new_stride,) + stride[dim:]


def expand(shape, stride, sizes, type_name):
    """torch's expand geometry; RuntimeError worded as torch's for bad sizes."""
    sizes = tuple(sizes)
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({type_name}{{{shape_str(shape)}}}, size={list(sizes)}): the number of "
            f"sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out_shape, out_stride = [], []
    for i, want in enumerate(sizes):
        j = i - lead
        if j < 0:
            if want < 0:
                raise RuntimeError(f"The expanded size of the tensor ({want}) isn't allowed in "
                                   "a leading, non-existing dimension " f"{i}")
            out_shape.append(want)
            out_stride.append(0)
            continue
        have = shape[j]
        if want == -1:
            want = have
        if have == want:
            out_shape.append(have)
            out_stride.append(stride[j])
        elif have == 1:
            out_shape.append(want)
            out_stride.append(0)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the "
                               f"existing size ({have}) at non-singleton dimension {i}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
    return tuple(out_shape), tuple(out_stride)


def diagonal(shape, stride, offset, diag_offset, dim1, dim2):
    n = len(shape)
    dim1, dim2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if diag_offset >= 0:
        length = max(min(shape[dim1], shape[dim2] - diag_offset), 0)
        start = offset + diag_offset * stride[dim2] if length else offset
    else:
        length = max(min(shape[dim1] + diag_offset, shape[dim2]), 0)
        start = offset - diag_offset * stride[dim1] if length else offset
    keep = [d for d in range(n) if d not in (dim1, dim2)]
    return (tuple(shape[d] for d in keep) + (length,),
            tuple(stride[d] for d in keep) + (stride[dim1] + stride[dim2],), start)


def unfold(shape, stride, dim, size, step):
    n = len(shape)
    dim = wrap_dim(dim, n)
    have = shape[dim] if n else 1
    if size > have:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {have} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if n == 0:
        return (size,), (1,)
    count = (have - size) // step + 1
    new_shape = shape[:dim] + (count,) + shape[dim + 1:] + (size,)
    new_stride = stride[:dim] + (stride[dim] * step,) + stride[dim + 1:] + (stride[dim],)
    return new_shape, new_stride


def overlaps(shape, stride):
    """Whether some two elements of the geometry share memory (conservative)."""
    pairs = sorted((st, sz) for sz, st in zip(shape, stride) if sz > 1)
    if any(sz == 0 for sz in shape):
        return False
    extent = 0
    for st, sz in pairs:
        if st <= extent:
            return True
        extent += st * (sz - 1)
    return False
