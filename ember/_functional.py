"""Small torch.* functions about tensors themselves: is_tensor, numel, typename, ..."""
from __future__ import annotations

from ember._tensor import Tensor

__all__ = ["is_tensor", "is_storage", "numel", "typename", "is_nonzero", "is_same_size",
           "set_num_threads", "get_num_threads", "set_num_interop_threads",
           "get_num_interop_threads"]


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
