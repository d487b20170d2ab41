"""View ops: new geometry over the same storage, sharing the version counter.

Each computes torch's (shape, stride, offset) in `_geometry` and builds the view with one
backend call; its node's backward is written in ember ops.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str, wrap_dim, wrap_dims
from ember._ops import _geometry as G
from ember._ops._registry import Op, make_view, record
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["view", "view_as", "reshape", "reshape_as", "transpose", "swapaxes", "swapdims",
           "t", "permute", "expand", "expand_as", "squeeze", "unsqueeze", "narrow", "select",
           "as_strided", "diagonal", "unfold", "real", "imag", "view_as_real",
           "view_as_complex", "flatten", "unflatten", "movedim", "moveaxis", "adjoint"]

_new = object.__new__


def geometry(x):
    """(shape, stride, storage offset) of tensor `x`."""
    return x._arr.shape, x.stride(), x.storage_offset()


def apply_view(cls, x, shape, stride, offset, **attrs):
    """A `cls` view of `x` with the given geometry, recorded when autograd needs it."""
    be = x._be
    out = _wrap(be.view(x._root_array(), shape, stride, offset), x.dtype, be)
    out._offset = offset
    make_view(x, out)
    if GRAD.inference:
        out._inference = True
    elif GRAD.grad and x._requires_grad:
        op = _new(cls)
        op.__dict__.update(attrs)
        op.in_shape = x._arr.shape
        record(op, (x,), (out,))
    return out


def shape_args(args):
    """Sizes given as varargs or as one sequence, ints or integer scalars."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    out = []
    for s in args:
        if type(s) is not int:
            if isinstance(s, Tensor) or hasattr(s, "__index__"):
                s = s.__index__()
            else:
                raise TypeError(f"view(): argument 'size' must be tuple of ints, but found "
                                f"element of type {type(s).__name__}")
        out.append(s)
    return tuple(out)


class ViewOp(Op):
    view = True


class ViewBackward0(ViewOp):
    def backward(self, g):
        return g.reshape(self.in_shape)


class UnsafeViewBackward0(ViewBackward0):
    pass


class AliasBackward0(ViewOp):
    def backward(self, g):
        return g


def alias(input):
    """A view of the whole of `input` (what ``x[...]`` returns)."""
    shape, stride, offset = geometry(input)
    return apply_view(AliasBackward0, input, shape, stride, offset)


def view(self, *shape):
    """A tensor with the same data and a new shape (or dtype); it shares storage."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(self, shape[0])
    shape = G.infer_size(shape_args(shape), self._arr.size)
    if self._arr.flags.c_contiguous and self._arr.size:
        return apply_view(ViewBackward0, self, shape, G.contiguous_strides(shape),
                          self.storage_offset())
    old_shape, old_stride, offset = geometry(self)
    stride = G.view_strides(old_shape, old_stride, shape)
    if stride is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return apply_view(ViewBackward0, self, shape, stride, offset)


def _view_dtype(self, dtype):
    """The same bytes read as `dtype`; with a different element size the last dim (which
    must be contiguous) shrinks or grows by the size ratio, as in torch."""
    if self._requires_grad and GRAD.grad and dtype is not self.dtype:
        raise RuntimeError("Cannot change data type of a Tensor that requires grad")
    be = self._be
    old, new = self.dtype.itemsize, dtype.itemsize
    root = self._root_array()
    if old == new:
        out = _wrap(be.reinterpret(self._arr, dtype), dtype, be)
        out._root = be.reinterpret(root, dtype)
    else:
        shape, stride, offset = _dtype_view_geometry(self, dtype, old, new)
        root = be.reinterpret(root[:root.size * old // new * new // old], dtype)
        out = _wrap(be.view(root, shape, stride, offset), dtype, be)
        out._root, out._offset = root, offset
    out._vc = self._version_counter()
    out._base = self if self._base is None else self._base
    return out


def _dtype_view_geometry(self, dtype, old, new):
    what = (f"to view {D.type_name(self.dtype)} as {D.type_name(dtype)} (different element "
            "sizes), but got")
    shape, stride, offset = geometry(self)
    if not shape:
        raise RuntimeError(f"self.dim() cannot be 0 {what[:what.rindex(', but')]}")
    if stride[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what} {stride[-1]}")
    if new < old:
        k = old // new
        return (shape[:-1] + (shape[-1] * k,), tuple(s * k for s in stride[:-1]) + (1,),
                offset * k)
    k = new // old
    if shape[-1] % k:
        raise RuntimeError(f"self.size(-1) must be divisible by {k} {what} {shape[-1]}")
    if offset % k:
        raise RuntimeError(f"self.storage_offset() must be divisible by {k} {what} {offset}")
    for d, s in enumerate(stride[:-1]):
        if s % k:
            raise RuntimeError(f"self.stride({d}) must be divisible by {k} {what} {s}")
    return shape[:-1] + (shape[-1] // k,), tuple(s // k for s in stride[:-1]) + (1,), offset // k


def view_as(self, other):
    return view(self, other._arr.shape)


def reshape(input, *shape):
    """A view when the strides allow one, else a contiguous copy."""
    shape = G.infer_size(shape_args(shape), input._arr.size)
    if input._arr.flags.c_contiguous and input._arr.size:
        return apply_view(ViewBackward0, input, shape, G.contiguous_strides(shape),
                          input.storage_offset())
    old_shape, old_stride, offset = geometry(input)
    stride = G.view_strides(old_shape, old_stride, shape)
    if stride is not None:
        return apply_view(ViewBackward0, input, shape, stride, offset)
    from ember._layout import contiguous_format
    from ember._ops.copy import clone
    # NOTE: clone's default (preserve_format) would keep a channels-last-like layout
    out = apply_view(UnsafeViewBackward0, clone(input, memory_format=contiguous_format), shape,
                     G.contiguous_strides(shape), 0)
    out._base = None
    out._view_version = None
    return out


def reshape_as(self, other):
    return reshape(self, other._arr.shape)


class TransposeBackward0(ViewOp):
    def backward(self, g):
        return g.transpose(self.d0, self.d1)


def transpose(input, dim0, dim1):
    n = input._arr.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    shape, stride, offset = geometry(input)
    shape, stride = G.transpose(shape, stride, d0, d1)
    return apply_view(TransposeBackward0, input, shape, stride, offset, d0=d0, d1=d1)


swapaxes = swapdims = transpose


class TBackward0(ViewOp):
    def backward(self, g):
        return g.t()


def t(input):
    """Transpose a tensor of at most 2 dimensions."""
    n = input._arr.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    shape, stride, offset = geometry(input)
    if n == 2:
        shape, stride = G.transpose(shape, stride, 0, 1)
    return apply_view(TBackward0, input, shape, stride, offset)


class PermuteBackward0(ViewOp):
    def backward(self, g):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return g.permute(inverse)


def permute(input, *dims):
    dims = shape_args(dims)
    n = input._arr.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{n} is not equal to len(dims) = {len(dims)}")
    wrapped = tuple(wrap_dim(d, n) for d in dims)
    if len(set(wrapped)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    shape, stride, offset = geometry(input)
    return apply_view(PermuteBackward0, input, tuple(shape[d] for d in wrapped),
                      tuple(stride[d] for d in wrapped), offset, dims=wrapped)


def movedim(input, source, destination):
    """Move dims `source` to positions `destination` (ints or sequences)."""
    n = input._arr.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src, dst = wrap_dims(src, n), wrap_dims(dst, n)
    order = [-1] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in src)
    order = [next(rest) if o == -1 else o for o in order]
    return permute(input, order)


moveaxis = movedim


class ExpandBackward0(ViewOp):
    def backward(self, g):
        return g.sum_to_size(self.in_shape)


def expand(self, *sizes):
    shape, stride, offset = geometry(self)
    new_shape, new_stride = G.expand(shape, stride, shape_args(sizes), self.type())
    return apply_view(ExpandBackward0, self, new_shape, new_stride, offset)


def expand_as(self, other):
    return expand(self, other._arr.shape)


class SqueezeBackward0(ViewOp):
    def backward(self, g):
        return g.reshape(self.in_shape)


class SqueezeBackward1(SqueezeBackward0):
    pass


class SqueezeBackward2(SqueezeBackward0):
    pass


def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those among `dim`)."""
    shape, stride, offset = geometry(input)
    n = len(shape)
    if dim is None:
        drop, cls = {d for d in range(n) if shape[d] == 1}, SqueezeBackward0
    elif isinstance(dim, (tuple, list)):
        drop, cls = {d for d in wrap_dims(dim, n) if n and shape[d] == 1}, SqueezeBackward2
    else:
        d = wrap_dim(dim, n)
        drop, cls = ({d} if n and shape[d] == 1 else set()), SqueezeBackward1
    keep = [d for d in range(n) if d not in drop]
    return apply_view(cls, input, tuple(shape[d] for d in keep), tuple(stride[d] for d in keep),
                      offset)


class UnsqueezeBackward0(ViewOp):
    def backward(self, g):
        return g.squeeze(self.dim)


def unsqueeze(input, dim):
    shape, stride, offset = geometry(input)
    dim = wrap_dim(dim, len(shape) + 1)
    shape, stride = G.unsqueeze(shape, stride, dim)
    return apply_view(UnsqueezeBackward0, input, shape, stride, offset, dim=dim)


def flatten(input, start_dim=0, end_dim=-1):
    n = input._arr.ndim
    if n == 0:
        return reshape(input, 1)
    s, e = wrap_dim(start_dim, n), wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._arr.shape
    return reshape(input, shape[:s] + (G.numel(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input, dim, sizes):
    shape = input._arr.shape
    dim = wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = G.infer_size(sizes, shape[dim])
    elif G.numel(sizes) != shape[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to "
                           f"the size of dim {dim} ({shape[dim]}) in the input tensor")
    return view(input, shape[:dim] + sizes + shape[dim + 1:]) if input.is_contiguous() \
        else reshape(input, shape[:dim] + sizes + shape[dim + 1:])


class SliceBackward0(ViewOp):
    def backward(self, g):
        from ember._ops.scatter_view import slice_scatter
        return slice_scatter(g.new_zeros(self.in_shape), g, self.dim, self.start, self.stop,
                             self.step)


def slice_dim(input, dim, start, stop, step):
    """``input[..., start:stop:step, ...]`` along `dim` (Python slice clamping)."""
    shape, stride, offset = geometry(input)
    size = shape[dim]
    start, stop, step = slice(start, stop, step).indices(size) if step > 0 else (0, 0, step)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    new_shape, new_stride, new_offset = G.slice_(shape, stride, offset, dim, start, stop, step)
    return apply_view(SliceBackward0, input, new_shape, new_stride, new_offset, dim=dim,
                      start=start, stop=stop, step=step)


def narrow(input, dim, start, length):
    n = input._arr.ndim
    if n == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, n)
    size = input._arr.shape[dim]
    start = start.__index__() if isinstance(start, Tensor) else start
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return slice_dim(input, dim, start, start + length, 1)


class SelectBackward0(ViewOp):
    def backward(self, g):
        from ember._ops.scatter_view import select_scatter
        return select_scatter(g.new_zeros(self.in_shape), g, self.dim, self.index)


def select(input, dim, index):
    shape, stride, offset = geometry(input)
    n = len(shape)
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, n)
    index = index.__index__() if not isinstance(index, int) else index
    size = shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{shape_str(shape)} at dimension {dim}")
    index = index + size if index < 0 else index
    new_shape, new_stride, new_offset = G.select(shape, stride, offset, dim, index)
    return apply_view(SelectBackward0, input, new_shape, new_stride, new_offset, dim=dim,
                      index=index)


class DiagonalBackward0(ViewOp):
    def backward(self, g):
        from ember._ops.scatter_view import diagonal_scatter
        return diagonal_scatter(g.new_zeros(self.in_shape), g, self.diag_offset, self.dim1,
                                self.dim2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    shape, stride, off = geometry(input)
    new_shape, new_stride, new_off = G.diagonal(shape, stride, off, offset, dim1, dim2)
    n = len(shape)
    return apply_view(DiagonalBackward0, input, new_shape, new_stride, new_off, diag_offset=offset,
                      dim1=wrap_dim(dim1, n), dim2=wrap_dim(dim2, n))


class AsStridedBackward0(ViewOp):
    def backward(self, g):
        from ember._ops.scatter_view import as_strided_backward
        return as_strided_backward(g, self.in_geometry, self.out_geometry)


def as_strided(input, size, stride, storage_offset=None):
    """A view with explicit geometry over the input's storage (offset in elements)."""
    shape_in, stride_in, off_in = geometry(input)
    offset = off_in if storage_offset is None else storage_offset
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in size):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    needed = 0 if 0 in size else offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))
    have = input._root_array().size
    if needed > have:
        item = input.dtype.itemsize
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {item} requiring a storage size of "
                           f"{needed * item} are out of bounds for storage of size "
                           f"{have * item}")
    return apply_view(AsStridedBackward0, input, size, stride, offset,
                      in_geometry=(shape_in, stride_in, off_in),
                      out_geometry=(size, stride, offset))


class UnfoldBackward0(ViewOp):
    def backward(self, g):
        from ember._ops.scatter_view import unfold_backward
        return unfold_backward(g, self.in_shape, self.dim, self.size, self.step)


def unfold(self, dimension, size, step):
    shape, stride, offset = geometry(self)
    new_shape, new_stride = G.unfold(shape, stride, dimension, size, step)
    return apply_view(UnfoldBackward0, self, new_shape, new_stride, offset,
                      dim=wrap_dim(dimension, max(len(shape), 1)), size=size, step=step)


class ViewAsRealBackward0(ViewOp):
    def backward(self, g):
        return view_as_complex(g.contiguous() if g.stride(-1) != 1 else g)


class ViewAsComplexBackward0(ViewOp):
    def backward(self, g):
        return view_as_real(g)


def view_as_real(input):
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    shape, stride, offset = geometry(input)
    real_dt = input.dtype.to_real()
    be = input._be
    root = be.reinterpret(input._root_array(), real_dt)
    out = _wrap(be.view(root, shape + (2,), tuple(2 * s for s in stride) + (1,), 2 * offset),
                real_dt, be)
    return _finish_dtype_view(ViewAsRealBackward0, input, out, root, 2 * offset)


def view_as_complex(input):
    if input.dtype not in (D.float32, D.float64, D.float16):
        raise RuntimeError("view_as_complex is only supported for float and double tensors, "
                           f"but got a tensor of scalar type: {D.type_name(input.dtype)}")
    shape, stride, offset = geometry(input)
    if not shape or shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if stride[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in stride[:-1]) or offset % 2:
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last "
                           "dimension")
    cdt = input.dtype.to_complex()
    be = input._be
    root = be.reinterpret(input._root_array(), cdt)
    out = _wrap(be.view(root, shape[:-1], tuple(s // 2 for s in stride[:-1]), offset // 2),
                cdt, be)
    return _finish_dtype_view(ViewAsComplexBackward0, input, out, root, offset // 2)


def _finish_dtype_view(cls, input, out, root, offset):
    out._root = root
    out._offset = offset
    out._vc = input._version_counter()
    out._base = input if input._base is None else input._base
    if GRAD.grad and input._requires_grad and not GRAD.inference:
        op = _new(cls)
        op.in_shape = input._arr.shape
        record(op, (input,), (out,))
    return out


def real(input):
    if not input.dtype.is_complex:
        return input
    return select(view_as_real(input), -1, 0)


def imag(input):
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return select(view_as_real(input), -1, 1)


def adjoint(input):
    out = transpose(input, -2, -1)
    return out.conj() if input.dtype.is_complex else out


METHODS = {"T": property(lambda self: permute(self, tuple(range(self._arr.ndim - 1, -1, -1)))),
           "mT": property(lambda self: transpose(self, -2, -1)),
           "H": property(lambda self: adjoint(self) if self._arr.ndim == 2 else
                         _matrix_only("H")),
           "mH": property(adjoint),
           "real": property(real), "imag": property(imag)}


def _matrix_only(name):
    raise RuntimeError(f"tensor.{name} is only supported on matrices (2-D tensors).")


# --- in-place view ops: `self` takes the geometry (and grad_fn) of the view -----------
def _inplace_name(name, n):
    """torch's node name for the in-place form: TransposeBackward0 -> TransposeBackward1."""
    stem = name[:name.rfind("Backward") + len("Backward")]
    return stem + str(int(name[len(stem):]) + n)


def _inplace_view(fn, shift=1):
    def method(self, *args, **kwargs):
        from ember._ops._registry import check_inplace, rename_node
        check_inplace(self)
        out = fn(self, *args, **kwargs)
        self._arr, self._offset = out._arr, out._offset
        if out._grad_fn is not None and out._grad_fn is not self._grad_fn:
            rename_node(out, _inplace_name(type(out._grad_fn).__name__, shift))
            self._grad_fn, self._output_nr = out._grad_fn, 0
            if self._base is not None:
                self._view_version = self._version
        self._bump_version()
        return self
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place {fn.__name__}: `self` becomes the view."
    return method


METHODS.update({"squeeze_": _inplace_view(squeeze, 3), "unsqueeze_": _inplace_view(unsqueeze),
                "t_": _inplace_view(t), "transpose_": _inplace_view(transpose),
                "swapdims_": _inplace_view(transpose), "swapaxes_": _inplace_view(transpose),
                "as_strided_": _inplace_view(as_strided)})
