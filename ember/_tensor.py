"""Tensor: a strided view (shape, stride, offset, dtype) over a storage, plus autograd state.

The Tensor holds its backend array view (`_arr`) directly, so ops reach the data without
rebuilding views; the storage is the flat array that view spans (`_root_array()`).
Op methods (add, sum, view, ...) are attached by the op registry, not written here.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict

from ember import _dtype as D
from ember._errors import shape_str, wrap_dim
from ember._size import Size
from ember.utils.hooks import RemovableHandle

__all__ = ["Tensor"]

_new = object.__new__
_tuple_new = tuple.__new__


class VersionCounter:
    """Counts in-place writes to a storage region; shared by a tensor and its views."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


# Attributes ember keeps in a tensor's __dict__; everything else there belongs to the user.
INTERNAL_ATTRS = frozenset((
    "_requires_grad", "_grad_fn", "_output_nr", "_grad", "_vc", "_base", "_root", "_offset",
    "_grad_acc", "_backward_hooks", "_post_acc_hooks", "_retains_grad", "_inference",
    "_view_version"))


def user_attrs(t) -> dict:
    """The attributes a user set on tensor `t` (what pickling and deepcopy carry)."""
    return {k: v for k, v in t.__dict__.items() if k not in INTERNAL_ATTRS}


def _wrap(arr, dtype, be):
    """A fresh Tensor over backend array `arr` (no copy)."""
    if isinstance(arr, be.scalar_type):
        arr = be.xp.asarray(arr)
    t = _new(Tensor)
    t._arr = arr
    t.dtype = dtype
    t._be = be
    return t


class Tensor:
    """A multi-dimensional array with autograd support (torch.Tensor)."""

    __slots__ = ("_arr", "dtype", "_be", "__dict__", "__weakref__")
    __array_priority__ = 1000

    # Defaults read from the class; an instance stores its own only when it differs.
    _requires_grad = False
    _grad_fn = None
    _output_nr = 0
    _grad = None
    _vc = None
    _base = None
    _root = None
    _offset = None
    _grad_acc = None
    _backward_hooks = None
    _multi_view = None        # the node of split/unbind/chunk, whose views refuse in-place
    _post_acc_hooks = None
    _retains_grad = False
    _inference = False
    _view_version = None

    def __new__(cls, *args, **kwargs):
        from ember._legacy import legacy_new
        t = legacy_new(D.get_default_dtype(), *args, **kwargs)
        return t if cls is Tensor else Tensor._make_subclass(cls, t)

    @staticmethod
    def _make_subclass(cls, data, require_grad=False):
        """A `cls` instance sharing `data`'s storage, a leaf (torch.Tensor._make_subclass)."""
        t = _new(cls)
        t._arr = data._arr
        t.dtype = data.dtype
        t._be = data._be
        t._root = data._root
        t._offset = data._offset
        t._vc = data._version_counter()
        if require_grad:
            t.requires_grad = True
        return t

    # --- geometry -------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return _tuple_new(Size, self._arr.shape)

    def size(self, dim=None):
        shape = self._arr.shape
        if dim is None:
            return _tuple_new(Size, shape)
        return shape[wrap_dim(dim, len(shape), scalar_ok=False)]

    def stride(self, dim=None):
        arr = self._arr
        if arr.size == 0 and arr.base is None:
            strides = _contiguous_strides(arr.shape)
        else:
            item = arr.itemsize
            strides = tuple(s // item for s in arr.strides)
        return strides if dim is None else strides[wrap_dim(dim, arr.ndim, scalar_ok=False)]

    @property
    def ndim(self) -> int:
        return self._arr.ndim

    def dim(self) -> int:
        return self._arr.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._arr.size

    nelement = numel

    def element_size(self) -> int:
        return self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._arr.size * self.dtype.itemsize

    def is_contiguous(self, memory_format=None) -> bool:
        from ember._layout import is_contiguous
        return is_contiguous(self._arr.shape, self.stride(), memory_format)

    def storage_offset(self) -> int:
        off = self._offset
        if off is None:
            arr = self._arr
            if arr.base is None:
                off = 0
            else:
                be = self._be
                off = (be.base_ptr(arr) - be.base_ptr(self._root_array())) // arr.itemsize
            self._offset = off
        return off

    def data_ptr(self) -> int:
        return self._be.data_ptr(self._arr)

    def untyped_storage(self):
        from ember._storage import UntypedStorage
        return UntypedStorage._from_root(self._root_array(), self._be)

    def storage(self):
        from ember._storage import TypedStorage
        return TypedStorage._from_tensor(self)

    def _root_array(self):
        root = self._root
        if root is None:
            root = self._root = self._be.root(self._arr)
        return root

    def _is_view(self) -> bool:
        return self._base is not None

    # --- devices and types ----------------------------------------------------------
    @property
    def device(self):
        return self._be.device

    @property
    def is_cuda(self) -> bool:
        return self._be.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._be.device.type == "cpu"

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False

    @property
    def layout(self):
        from ember._layout import strided
        return strided

    def get_device(self) -> int:
        index = self._be.device.index
        return -1 if self._be.device.type == "cpu" else (index or 0)

    def is_floating_point(self) -> bool:
        return self.dtype.category == D.FLOAT

    def is_complex(self) -> bool:
        return self.dtype.category == D.COMPLEX

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def is_inference(self) -> bool:
        return self._inference

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """The legacy type string ('ember.FloatTensor'), or a copy converted to `dtype`."""
        from ember._legacy import convert_type, legacy_type_name
        if dtype is None:
            return legacy_type_name(self.dtype, self._be)
        return convert_type(self, dtype)

    # --- autograd state -------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach().")
        if value and self.dtype.category < D.FLOAT:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        if self._view_version is not None and self._grad_fn is not None:
            from ember._ops.inplace import regenerate_view_grad_fn
            regenerate_view_grad_fn(self)
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information.",
                UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' to a "
                    f"tensor with grad_dtype '{D.type_name(self.dtype)}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype).")
            if value._arr.shape != self._arr.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{shape_str(value.shape)}' to a "
                    f"tensor of size '{shape_str(self.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in ``.grad`` after backward (no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self.grad_fn._retain_grad(self)
        self._retains_grad = True

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self._grad_fn is not None:
            return self.grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._backward_hooks is None:
            self._backward_hooks = OrderedDict()
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        """``hook(tensor)`` runs after the gradient is accumulated into this leaf's .grad."""
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = OrderedDict()
        handle = RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (see autograd.backward)."""
        from ember.autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def _version_counter(self) -> VersionCounter:
        vc = self._vc
        if vc is None:
            vc = self._vc = VersionCounter()
        return vc

    @property
    def _version(self) -> int:
        vc = self._vc
        return 0 if vc is None else vc.value

    def _bump_version(self):
        vc = self._vc
        if vc is None:
            vc = self._vc = VersionCounter()
        vc.value += 1

    def _accumulate_grad(self, g, create_graph, given):
        """AccumulateGrad: add `g` into ``self.grad`` (in place unless building a graph)."""
        if self._grad is None:
            if create_graph:      # torch stores a differentiable copy (CopyBackwards)
                g = g.new_empty(g.shape).copy_(g)
            else:
                # Keep the engine's fresh gradient itself, as torch steals an unshared one;
                # copy it when a user holds it, another .grad shares its memory, or it is a
                # strided view into something larger.
                be = g._be
                owner = be.owner(g._arr)
                if id(g) in given or id(owner) in given or g._grad_fn is not None or \
                        not be.is_whole(g._arr):
                    g = _wrap(g._arr.copy(), g.dtype, be)
                    owner = g._arr
                given.add(id(owner))
            given.add(id(g))
            self._grad = g
        elif create_graph:
            self._grad = self._grad + g
        else:
            self._grad.add_(g)
        if self._post_acc_hooks:
            for hook in list(self._post_acc_hooks.values()):
                hook(self)

    def _accumulate_retained(self, g):
        self._grad = g.clone() if self._grad is None else self._grad + g

    @property
    def data(self) -> "Tensor":
        t = _wrap(self._arr, self.dtype, self._be)
        t._root = self._root
        t._offset = self._offset
        return t

    @data.setter
    def data(self, value):
        self._arr = value._arr
        self.dtype = value.dtype
        self._be = value._be
        self._root = value._root
        self._offset = value._offset

    def detach(self) -> "Tensor":
        """A tensor sharing storage and version counter, cut from the graph."""
        t = _wrap(self._arr, self.dtype, self._be)
        t._root = self._root
        t._offset = self._offset
        t._vc = self._version_counter()
        t._inference = self._inference
        return t

    def detach_(self) -> "Tensor":
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    # --- Python protocol ------------------------------------------------------------
    def item(self):
        if self._arr.size != 1:
            raise RuntimeError(f"a Tensor with {self._arr.size} elements cannot be converted "
                               "to Scalar")
        return self._be.item(self._arr)

    def tolist(self):
        return self._be.tolist(self._arr)

    def numpy(self, *, force=False):
        """The data as a NumPy array sharing memory (CPU tensors that need no grad)."""
        if not force:
            if self._requires_grad:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                   "tensor.detach().numpy() instead.")
            if self._be.device.type != "cpu":
                raise TypeError(f"can't convert {self._be.device} device type tensor to "
                                "numpy. Use Tensor.cpu() to copy the tensor to host memory "
                                "first.")
        if self.dtype is D.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self._be.to_host(self._arr)

    def __array__(self, dtype=None, copy=None):
        arr = self.detach().numpy(force=True) if self.dtype is not D.bfloat16 else \
            self._be.to_host(self._arr)
        return arr if dtype is None else arr.astype(dtype)

    def _scalar(self, kind):
        if self._arr.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self._be.item(self._arr))

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __complex__(self):
        return self._scalar(complex)

    def __index__(self):
        if self.dtype.category > D.INT or self._arr.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._be.item(self._arr))

    def __bool__(self):
        n = self._arr.size
        if n == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if n > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._be.item(self._arr))

    def __len__(self):
        if self._arr.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._arr.shape[0]

    def __iter__(self):
        if self._arr.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        from ember._tensor_str import tensor_repr
        return tensor_repr(self, tensor_contents=tensor_contents)

    def __format__(self, spec):
        if self._arr.ndim == 0 and not self._requires_grad:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __dir__(self):
        return sorted(set(dir(type(self))) | set(self.__dict__))

    def __reduce_ex__(self, protocol):
        from ember._tensor_pickle import reduce_tensor
        return reduce_tensor(self)

    def __deepcopy__(self, memo):
        from ember._tensor_pickle import deepcopy_tensor
        return deepcopy_tensor(self, memo)


def _contiguous_strides(shape):
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _c_name(d):
    """C type names torch uses in some messages ('float', 'double', 'long int')."""
    return {D.float32: "float", D.float64: "double", D.int64: "long int", D.int32: "int",
            D.float16: "c10::Half", D.bfloat16: "c10::BFloat16", D.bool: "bool",
            D.uint8: "unsigned char", D.int8: "signed char", D.int16: "short int",
            D.complex64: "c10::complex<float>",
            D.complex128: "c10::complex<double>"}[d]


# As torch.Tensor is reported as torch.Tensor (not torch._tensor.Tensor).
Tensor.__module__ = "ember"
