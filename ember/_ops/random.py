"""Random factories: rand, randn, randint, randperm and rand_like, randn_like, randint_like,
bit for bit torch's CPU streams (DESIGN.md §6).

A factory is torch's in-place sampler on a new tensor: the same checks, the same draws.
``out=`` fills the given tensor in place, in its dtype and element order, as torch does. The
seeding functions and ember.Generator are re-exported here for ``ember.*``.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._layout import channels_last, contiguous_format, preserve_format
from ember._ops._sampling import (check_out, draw_into, int64, is_int, iteration_axes,
                                  normal_params, not_implemented, random_params, resize_out,
                                  sample, uniform_params)
from ember._ops.creation import backend, empty_strided, size_args
from ember._random import (Generator, default_generator, engine_for, get_rng_state,
                           initial_seed, manual_seed, seed, set_rng_state)
from ember._tensor import _wrap

__all__ = ["rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
           "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state"]
FUNCTIONS_ONLY = frozenset(__all__)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         pin_memory=False, requires_grad=False):
    """Uniform draws from [0, 1)."""
    return sample("rand", size_args(size, "rand"), "uniform", uniform_params, (0.0, 1.0),
                   generator, out, dtype, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          pin_memory=False, requires_grad=False):
    """Standard normal draws."""
    return sample("randn", size_args(size, "randn"), "normal", normal_params, (0.0, 1.0),
                   generator, out, dtype, device, requires_grad)


def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None,
            pin_memory=False, requires_grad=False, **kwargs):
    """randint(high, size) or randint(low, high, size): integers in [low, high) (int64)."""
    low, high, size = _randint_args(args, kwargs)
    return sample("randint", size, "randint", random_params, (low, high), generator, out,
                   dtype or (out.dtype if out is not None else D.int64), device, requires_grad)


def _randint_args(args, kwargs):
    """(low, high, size) of randint(high, size) / randint(low, high, size)."""
    given = len(args) + len(kwargs)
    names = ("low", "high", "size") if given >= 3 else ("high", "size")
    values = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in names or key in values:
            raise TypeError(f"randint() got an unexpected keyword argument '{key}'")
        values[key] = value
    missing = [k for k in ("high", "size") if k not in values]
    if missing and kwargs:
        raise TypeError(f"randint() missing {len(missing)} required positional argument: "
                        + ", ".join(f'"{k}"' for k in missing))
    low, high, size = values.get("low", 0), values.get("high"), values.get("size")
    if missing or not (is_int(low) and is_int(high)) or not isinstance(size, (tuple, list)):
        got = ", ".join(type(v).__name__ for v in values.values())
        raise TypeError(f"randint() received an invalid combination of arguments - got ({got}),"
                        " but expected one of:\n * (int high, tuple of ints size, *, "
                        "ember.Generator generator = None)\n * (int low, int high, tuple of "
                        "ints size, *, ember.Generator generator = None)\n")
    return int64(low), int64(high), size_args((size,), "randint")


_INT_C_TYPES = {D.uint8: "uint8_t", D.int8: "int8_t", D.int16: "int16_t", D.int32: "int",
                D.int64: "int64_t"}


_PRECISION = {D.float16: (11, "2049", "Half"), D.float32: (24, "2^24+1", "Float"),
              D.float64: (53, "2^53+1", "Double")}


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    """A random permutation of 0 .. n-1 (torch's forward Fisher-Yates shuffle)."""
    if not is_int(n):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    n = int(n)
    size_args((n,), "randperm")
    if out is not None:
        check_out("randperm", out, dtype)
    dt = out.dtype if out is not None else (dtype or D.int64)
    be = out._be if out is not None else backend(device)
    engine = engine_for(generator, be, "randperm")
    if requires_grad and dt.category < D.FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    _check_randperm(n, dt)
    arr = be.rng_randperm(engine, n, dt)
    if out is None:
        t = _wrap(arr, dt, be)
        return t.requires_grad_(True) if requires_grad else t
    resize_out(out, (n,))
    be.copy_into(out._arr, arr)
    out._bump_version()
    return out


def _check_randperm(n, dt):
    top = max(n - 1, 0)
    if dt in _INT_C_TYPES and top > D.iinfo(dt).max:
        raise RuntimeError(f"value cannot be converted to type {_INT_C_TYPES[dt]} without "
                           "overflow")
    if dt is D.bool or dt.category == D.COMPLEX:
        raise not_implemented("randperm", dt)
    if dt in _PRECISION:
        bits, shown, name = _PRECISION[dt]
        if n > (1 << bits) + 1:
            raise RuntimeError(f"n cannot be greater than {shown} for {name} type.")


# --- *_like ------------------------------------------------------------------------------

def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None, pin_memory=False):
    """rand in the shape (and, by default, the memory layout) of `input`."""
    return _like("rand_like", input, "uniform", uniform_params, (0.0, 1.0), generator, dtype,
                 device, requires_grad, memory_format)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None, pin_memory=False):
    """randn in the shape (and, by default, the memory layout) of `input`."""
    return _like("randn_like", input, "normal", normal_params, (0.0, 1.0), generator, dtype,
                 device, requires_grad, memory_format)


def randint_like(input, *args, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, pin_memory=False, **kwargs):
    """randint_like(input, high) or (input, low, high), in input's shape and dtype."""
    names = ("low", "high") if len(args) + len(kwargs) >= 2 else ("high",)
    values = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in names or key in values:
            raise TypeError(f"randint_like() got an unexpected keyword argument '{key}'")
        values[key] = value
    if "high" not in values or not all(is_int(v) for v in values.values()):
        got = ", ".join(type(v).__name__ for v in (input, *values.values()))
        raise TypeError(f"randint_like() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n * (Tensor input, int high, *, "
                        "ember.Generator generator = None)\n * (Tensor input, int low, int "
                        "high, *, ember.Generator generator = None)\n")
    return _like("randint_like", input, "randint", random_params,
                 (int64(values.get("low", 0)), int64(values["high"])), generator, dtype,
                 device, requires_grad, memory_format)


def _like(name, input, kind, check, args, generator, dtype, device, requires_grad,
          memory_format):
    dt = dtype or input.dtype
    dev = device if device is not None else input.device
    be = backend(dev)
    engine = engine_for(generator, be, name)
    if requires_grad and dt.category < D.FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    shape = input._arr.shape
    strides = _like_strides(input, memory_format)
    out = empty_strided(shape, strides, dtype=dt, device=dev)
    draw_into(out, engine, kind, check(dt, out._arr.size, *args))
    return out.requires_grad_(True) if requires_grad else out


def _like_strides(input, memory_format):
    """torch's empty_like strides: preserve_format keeps a dense layout's strides, and
    otherwise lays elements out densely in the order of input's strides."""
    shape, stride = input._arr.shape, input.stride()
    if memory_format in (None, preserve_format):
        if _is_dense(shape, stride):
            return tuple(stride)
        return _dense_strides(shape, iteration_axes(shape, stride))
    if memory_format is contiguous_format:
        return _dense_strides(shape, range(len(shape)))
    rank = 4 if memory_format is channels_last else 5
    if len(shape) != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {memory_format._name} format")
    # NOTE(torch): channels-last strides multiply the raw sizes (a 0-size dim gives stride 0).
    return _dense_strides(shape, (0, *range(2, rank), 1), raw=True)


def _dense_strides(shape, order, raw=False):
    """Strides laying `shape` out densely with axes `order` from slowest to fastest."""
    out, acc = [0] * len(shape), 1
    for d in reversed(tuple(order)):
        out[d] = acc
        acc *= shape[d] if raw else max(shape[d], 1)
    return tuple(out)


def _is_dense(shape, stride):
    """torch's is_non_overlapping_and_dense."""
    dims = sorted((stride[d], shape[d]) for d in range(len(shape)) if shape[d] > 1)
    expected = 1
    for st, n in dims:
        if st != expected:
            return False
        expected *= n
    return True
