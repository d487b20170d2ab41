"""torch.* odds and ends: math constants, process-wide settings (matmul precision, anomaly
mode), queries on a tensor's device and flags, buffers as tensors, and the functions torch
removed (which raise torch's message pointing at their replacements)."""
from __future__ import annotations

import math
import warnings

from ember._layout import contiguous_format
from ember._tensor import Tensor
from ember.autograd.grad_mode import is_grad_enabled
from ember._ops._registry import Op, apply

__all__ = ["e", "pi", "inf", "nan", "newaxis", "legacy_contiguous_format", "detach", "fill",
           "resolve_neg", "is_neg", "is_signed", "is_inference", "get_device",
           "is_distributed", "frombuffer", "empty_permuted", "get_float32_matmul_precision",
           "set_float32_matmul_precision", "init_num_threads", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled", "get_device_module",
           "thread_safe_generator", "eig", "lstsq", "solve", "matrix_rank"]

e, pi, inf, nan = math.e, math.pi, math.inf, math.nan
newaxis = None
legacy_contiguous_format = contiguous_format
_MATMUL_PRECISION = ["highest"]


def detach(input):
    return input.detach()


def fill(input, value):
    """A new tensor like `input` holding `value` everywhere (a number or a 0-dim tensor,
    whose gradient is the sum of the output's)."""
    from ember._ops.creation import full_like
    from ember._ops._registry import rename_node
    if isinstance(value, Tensor):
        if value.dim():
            raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor "
                               f"with {value.dim()} dimensions.")
        out = value.to(input.dtype).expand(input.shape).clone()
        return rename_node(out, "FillBackward1")
    if input._requires_grad and is_grad_enabled():
        return apply(FillBackward0, (input,), value=value)
    return full_like(input, value)


class FillBackward0(Op):
    """`value` everywhere; the input's gradient is zero."""

    def forward(self, be, x, *, value):
        return be.xp.full_like(x, value)

    def backward(self, g):
        return g.new_zeros(g.shape)


def resolve_neg(input):
    return input          # NOTE(torch): ember has no lazy negative bit


def is_neg(input) -> bool:
    return False


def is_signed(input) -> bool:
    return input.is_signed()


def is_inference(input) -> bool:
    return input.is_inference()


def get_device(input) -> int:
    return input.get_device()


def is_distributed(input) -> bool:
    return False


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over a Python buffer (bytes, bytearray, memoryview...), sharing memory."""
    from ember._backend import CPU_BACKEND as be
    from ember._ops.creation import from_numpy
    itemsize = dtype.itemsize
    length = memoryview(buffer).nbytes
    if offset < 0 or offset >= length and length:
        raise ValueError(f"both buffer length ({length}) and offset ({offset}) must be "
                         f"non-negative and smaller than the buffer length")
    if count < 0 and (length - offset) % itemsize:
        raise ValueError(f"buffer length ({length - offset} after offset) must be a multiple "
                         f"of element size ({itemsize})")
    if isinstance(buffer, bytes):
        warnings.warn("The given buffer is not writable, and PyTorch does not support "
                      "non-writable tensors. This means you can write to the underlying "
                      "(supposedly non-writable) buffer using the tensor. You may want to copy "
                      "the buffer to protect its data or make it writable before converting it "
                      "to a tensor. This type of warning will be suppressed for the rest of "
                      "this program.", UserWarning, stacklevel=2)
    out = from_numpy(be.buffer_view(buffer, dtype, count, offset))
    return out.requires_grad_() if requires_grad else out


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of logical shape `size` laid out in memory in the dim order
    `physical_layout` (outermost first)."""
    from ember._ops.creation import empty_strided
    size, order = tuple(size), tuple(physical_layout)
    if sorted(order) != list(range(len(size))):
        raise RuntimeError(f"physical_layout must be a permutation of the dims, got {order}")
    stride = [0] * len(size)
    acc = 1
    for d in reversed(order):
        stride[d] = acc
        acc *= max(size[d], 1)
    return empty_strided(size, stride, dtype=dtype, device=device, requires_grad=requires_grad)


def get_float32_matmul_precision() -> str:
    return _MATMUL_PRECISION[0]


def set_float32_matmul_precision(precision) -> None:
    """Accepted and remembered; ember's float32 matmul is always full precision."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision}")
    _MATMUL_PRECISION[0] = precision


def init_num_threads() -> None:
    """Nothing to do: BLAS threads are set up when ember is imported."""


def is_anomaly_enabled() -> bool:
    from ember.autograd import anomaly_mode
    return anomaly_mode.is_anomaly_enabled()


def is_anomaly_check_nan_enabled() -> bool:
    from ember.autograd import anomaly_mode
    return anomaly_mode.is_anomaly_check_nan_enabled()


def set_anomaly_enabled(enabled, check_nan=True) -> None:
    from ember.autograd import anomaly_mode
    anomaly_mode.STATE.enabled, anomaly_mode.STATE.check_nan = bool(enabled), bool(check_nan)


def get_device_module(device=None):
    """The module of a device type: ember.cuda for 'cuda', ember.cpu-like ember for 'cpu'."""
    import ember
    from ember._device import device as Device
    kind = "cpu" if device is None else (device if isinstance(device, str) else
                                        Device(device).type).split(":")[0]
    if kind == "cuda":
        return ember.cuda
    if kind == "cpu":
        from ember import cpu
        return cpu
    raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as "
                       f"'torch.{kind}'.")


def thread_safe_generator():
    """The generator of the current thread's worker context; None outside one (as torch)."""
    return None


_REMOVED = "This function was deprecated since version 1.9 and is now removed."


def eig(input, eigenvectors=False, *, e=None, out=None):
    raise RuntimeError(f"{_REMOVED} `torch.linalg.eig` returns complex tensors of dtype "
                       "`cfloat` or `cdouble` rather than real tensors mimicking complex tensors.")


def lstsq(input, A, *, out=None):
    raise RuntimeError(f"{_REMOVED} `torch.lstsq` is deprecated in favor of "
                       "`torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments and "
                       "does not return the QR decomposition in the returned tuple.")


def solve(input, A, *, out=None):
    raise RuntimeError(f"{_REMOVED} `torch.solve` is deprecated in favor of "
                       "`torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed "
                       "and does not return the LU factorization.")


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    raise RuntimeError(f"{_REMOVED}\nPlease use the `torch.linalg.matrix_rank` function "
                       "instead. The parameter 'symmetric' was renamed in "
                       "`torch.linalg.matrix_rank()` to 'hermitian'.")

