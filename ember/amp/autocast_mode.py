"""Automatic mixed precision (torch.autocast / torch.amp.autocast).

Inside ``autocast(device_type)``, ops that gain from lower precision (matmuls, convolutions;
an op class sets ``autocast = LOWER``) cast their float32 inputs to the autocast dtype
(bfloat16 by default on the CPU), and ops that need range (losses, ``autocast = FP32`` or
the ``fp32_inputs`` call at the top of a composite) cast lower-precision inputs up to
float32. The casts are differentiable, so gradients come back in the leaves' dtypes.
float64 inputs are never cast, as in torch.
"""
from __future__ import annotations

import functools
import threading
import warnings

from ember import _dtype as D

__all__ = ["autocast", "custom_fwd", "custom_bwd", "is_autocast_available",
           "LOWER", "FP32", "fp32_inputs"]

LOWER, FP32 = "lower", "fp32"
_DEFAULT_DTYPES = {"cpu": D.bfloat16, "cuda": D.float16, "xpu": D.bfloat16,
                   "ipu": D.float16, "xla": D.bfloat16, "hpu": D.bfloat16, "mps": D.float16}
_SUPPORTED = {"cpu": (D.bfloat16, D.float16), "cuda": (D.float16, D.bfloat16)}


class _State(threading.local):
    def __init__(self):
        self.enabled = {}                     # device type -> bool
        self.dtype = dict(_DEFAULT_DTYPES)    # device type -> dtype
        self.cache_enabled = True
        self.nesting = 0
        self.on = False                       # any device enabled: the ops' fast check

    def set_enabled(self, device_type, enabled):
        self.enabled[device_type] = bool(enabled)
        self.on = any(self.enabled.values())


STATE = _State()


def is_autocast_available(device_type: str) -> bool:
    return device_type in _DEFAULT_DTYPES


def cast_inputs(kind, inputs):
    """`inputs` with eligible floating tensors cast as op kind LOWER or FP32 wants."""
    from ember._tensor import Tensor
    out = []
    for x in inputs:
        if isinstance(x, Tensor) and STATE.enabled.get(x._be.device.type):
            dt = x.dtype
            if kind is LOWER:
                target = STATE.dtype[x._be.device.type]
                if dt.is_floating_point and dt is not D.float64 and dt is not target:
                    x = x.to(target)
            elif dt in (D.float16, D.bfloat16):
                x = x.to(D.float32)
        out.append(x)
    return out


def fp32_inputs(*tensors):
    """For composites on torch's float32 list (losses): their inputs in float32 under
    autocast, unchanged otherwise."""
    if not STATE.on:
        return tensors
    return tuple(cast_inputs(FP32, tensors))


class autocast:
    """Context manager and decorator that enables autocasting for `device_type`.

    ``dtype`` defaults to the device's autocast dtype (bfloat16 on the CPU); ``enabled``
    False turns autocast off inside; ``cache_enabled`` is accepted (ember re-casts weights
    each time, there is no cast cache to keep).
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: "
                             f"`{type(device_type)}`")
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        self.fast_dtype = STATE.dtype[device_type] if dtype is None else dtype
        self._enabled = bool(enabled)
        self._cache_enabled = STATE.cache_enabled if cache_enabled is None else cache_enabled
        supported = _SUPPORTED.get(device_type)
        if self._enabled and supported and self.fast_dtype not in supported:
            names = ", ".join(str(d).replace("ember.", "torch.") for d in supported)
            warnings.warn(f"In {device_type.upper()} autocast, but the target dtype is not "
                          f"supported. Disabling autocast.\n{device_type.upper()} Autocast only "
                          f"supports dtypes of {names} currently.", stacklevel=2)
            self._enabled = False

    def __enter__(self):
        self.prev = (STATE.enabled.get(self.device, False), STATE.dtype[self.device],
                     STATE.cache_enabled)
        STATE.set_enabled(self.device, self._enabled)
        STATE.dtype[self.device] = self.fast_dtype
        STATE.cache_enabled = self._cache_enabled
        STATE.nesting += 1
        return self

    def __exit__(self, *exc):
        enabled, STATE.dtype[self.device], STATE.cache_enabled = self.prev
        STATE.set_enabled(self.device, enabled)
        STATE.nesting -= 1
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)
        return wrapper


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorate a custom Function's forward: run it with the surrounding autocast state, or
    with floating inputs cast to `cast_inputs` and autocast off inside."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        from ember._tensor import Tensor
        args[0]._fwd_used_autocast = STATE.enabled.get(device_type, False)
        args[0]._dtype = STATE.dtype[device_type]
        if cast_inputs is None or not STATE.enabled.get(device_type, False):
            return fwd(*args, **kwargs)

        def cast(x):
            return x.to(cast_inputs) if isinstance(x, Tensor) and x.is_floating_point() else x
        with autocast(device_type, enabled=False):
            return fwd(*[cast(a) for a in args], **{k: cast(v) for k, v in kwargs.items()})
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorate a custom Function's backward: run it under the autocast state its forward
    ran under."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type, getattr(ctx, "_dtype", None),
                      enabled=getattr(ctx, "_fwd_used_autocast", False)):
            return bwd(*args, **kwargs)
    return decorate_bwd
