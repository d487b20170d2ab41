"""Small torch.* functions about tensors themselves: is_tensor, numel, typename, ..."""
from __future__ import annotations

from ember._tensor import Tensor

__all__ = ["is_tensor", "is_storage", "numel", "typename", "is_nonzero", "is_same_size",
           "set_num_threads", "get_num_threads", "set_num_interop_threads",
           "get_num_interop_threads"]

# torch.* in-place functions that are the Tensor method of the same name: torch.exp_(x) is
# x.exp_(). Those defined by an op family are not repeated here.
_INPLACE_METHODS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_",
    "clamp_", "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_",
    "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_",
    "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_",
    "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_",
    "relu_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_",
    "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_")


def _method_function(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``."
    return fn


def _add_inplace_functions():
    from ember import _ops
    for name in _INPLACE_METHODS:
        if name not in _ops.__all__ and hasattr(Tensor, name):
            globals()[name] = _method_function(name)
            __all__.append(name)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_storage(obj) -> bool:
    from ember._storage import TypedStorage, UntypedStorage
    return isinstance(obj, (TypedStorage, UntypedStorage))


def numel(input) -> int:
    return input.numel()


def typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def is_nonzero(input) -> bool:
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_same_size(input, other) -> bool:
    return input.shape == other.shape


def set_num_threads(int) -> None:   # noqa: A002  (torch's parameter name)
    """Set the number of threads the CPU kernels (BLAS) use."""
    from ember._backend.threads import set_num_threads as set_blas
    set_blas(int)


def get_num_threads() -> int:
    from ember._backend.threads import get_num_threads as get_blas
    return get_blas()


def set_num_interop_threads(int) -> None:   # noqa: A002
    from ember._backend.threads import set_num_interop_threads as setter
    setter(int)


def get_num_interop_threads() -> int:
    from ember._backend.threads import get_num_interop_threads as getter
    return getter()


_add_inplace_functions()
