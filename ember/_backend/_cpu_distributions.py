"""The distributions of torch's CPU generator, bit for bit (torch 2.13, x86-64 AVX2 build).

Each function takes a CPUGenerator (_cpu_rng.py) first and is bound to it as a method. It draws
the generator's 32/64-bit words in the order torch's kernel draws them and returns a new NumPy
array of the requested dtype and shape, equal to what torch writes into a fresh contiguous tensor
(ATen/native/cpu/DistributionTemplates.h, ATen/core/DistributionsHelper.h). torch fills a
non-contiguous tensor element by element in memory order; for normal_ that changes the algorithm
(see normal_serial), for the others the caller scatters the same sequence in that order.

The installed wheel is an MKL build, but its bernoulli_(p) and exponential_ take the default
mt19937 paths (libtorch_cpu links no MKL VSL random-number code, and the outputs match), so every
result here is independent of torch's thread count.
"""
from __future__ import annotations

import math
import warnings

import ml_dtypes
import numpy as np

from ember._backend._cpu_float import (
    BF16, F32, F64, HALF, fma_scalar, from_double, from_int64, libm)
from ember._backend._cpu_normal32 import normal_fill_avx2

_MASK24 = np.uint32((1 << 24) - 1)
_MASK53 = np.uint64((1 << 53) - 1)
_U64 = (1 << 64) - 1
_CHUNK = 1 << 16                  # words converted per step


def _numel(shape):
    return math.prod(shape)


def _cast_bool(hit, dtype):
    return hit.astype(F32).astype(dtype) if dtype == BF16 else hit.astype(dtype, copy=False)


# --- uniform -----------------------------------------------------------------------------------

def uniform_float(gen, n):
    """n draws of uniform_real_distribution<float>(0, 1): (u32 & 0xFFFFFF) * 2**-24."""
    return _words_to_unit(gen.random_u32, n, F32, _MASK24, 2.0 ** -24)


def uniform_double(gen, n):
    """n draws of uniform_real_distribution<double>(0, 1): (u64 & (2**53 - 1)) * 2**-53."""
    return _words_to_unit(gen.random_u64, n, F64, _MASK53, 2.0 ** -53)


def _words_to_unit(draw, n, dtype, mask, scale):
    """(word & mask) * scale for n words, exactly. Words are drawn in cache-sized chunks, so
    the only large buffer is the result (it owns its memory: tensors adopt it as storage)."""
    out = np.empty(n, dtype)
    scale = dtype(scale)
    for lo in range(0, n, _CHUNK):
        w = draw(min(_CHUNK, n - lo))
        w &= mask
        part = out[lo:lo + w.size]
        np.copyto(part, w, casting="unsafe")
        part *= scale
    return out


def uniform(gen, shape, dtype, low=0.0, high=1.0):
    """torch.rand / Tensor.uniform_(low, high).

    float64 works in double, every other dtype in float32 (24-bit uniforms, then rounded): x*(to -
    from) + from as one fused multiply-add, and a value that rounds up to `to` becomes `from`.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "c":                     # torch fills view_as_real(self)
        return _complex(uniform(gen, tuple(shape) + (2,), _real(dtype), low, high), dtype)
    n = _numel(shape)
    if dtype == F64:
        x, lo, hi = uniform_double(gen, n), F64(low), F64(high)
    else:
        x, lo, hi = uniform_float(gen, n), F32(low), F32(high)
    unit = lo == 0 and hi == 1
    if not unit:
        x = fma_scalar(x, hi - lo, lo, x.dtype)
    out = x.astype(dtype, copy=False)
    if not (unit and out is x):             # plain float/double draws stay below 1
        top = np.asarray(hi).astype(dtype)
        out[out == top] = np.asarray(lo).astype(dtype)
    return out.reshape(shape)


def _real(dtype):
    return np.dtype(F32 if dtype == np.complex64 else F64)


def _complex(real, dtype):
    """(..., 2) real and imaginary parts as a new complex array of `dtype`."""
    out = np.empty(real.shape[:-1], dtype)
    out.view(real.dtype).reshape(real.shape)[...] = real
    return out


# --- normal ------------------------------------------------------------------------------------

def normal(gen, shape, dtype, mean=0.0, std=1.0):
    """torch.randn / Tensor.normal_(mean, std) on a contiguous tensor.

    With 16 or more elements torch fills 16-blocks by Box-Muller (the first 8 uniforms give radii,
    the next 8 angles) and, when numel % 16 != 0, redoes the last 16 outputs from 16 fresh
    uniforms. float32 uses the AVX2 polynomial kernel; float16/bfloat16 run that float32 kernel
    block by block (drawing 16 uniforms per block, not numel first) and round; float64 uses libm.
    Fewer than 16 elements take normal_serial. torch.normal(mean_t, std_t) is
    normal(shape, dtype) * std_t + mean_t, rounded after each operation.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "c":                     # real and imaginary parts share the variance
        return _complex(normal(gen, tuple(shape) + (2,), _real(dtype), mean,
                               std / math.sqrt(2)), dtype)
    n = _numel(shape)
    if n < 16:
        return normal_serial(gen, n, dtype, mean, std).reshape(shape)
    tail = n % 16
    if dtype == F64:
        out = uniform_double(gen, n)
        out[: n - tail] = _normal_fill_double(out[: n - tail], mean, std)
        if tail:
            out[n - 16:] = _normal_fill_double(uniform_double(gen, 16), mean, std)
        return out.reshape(shape)
    mean, std = F32(mean), F32(std)
    if dtype == F32:
        out = uniform_float(gen, n)
        normal_fill_avx2(out[: n - tail], mean, std)
    else:
        out = np.empty(n, F32)
        out[: n - tail] = normal_fill_avx2(uniform_float(gen, n - tail), mean, std)
    if tail:
        out[n - 16:] = normal_fill_avx2(uniform_float(gen, 16), mean, std)
    return out.astype(dtype, copy=False).reshape(shape)


def _normal_fill_double(u, mean, std):
    """normal_fill_16<double> on every 16-block of `u` (libm log/cos/sin, fma for std/mean)."""
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(-2.0 * libm("log")(1.0 - blocks[:, :8]))
    theta = 2.0 * math.pi * blocks[:, 8:]
    out = np.empty_like(blocks)
    out[:, :8] = fma_scalar(radius * libm("cos")(theta), std, mean, np.dtype(F64))
    out[:, 8:] = fma_scalar(radius * libm("sin")(theta), std, mean, np.dtype(F64))
    return out.reshape(-1)


def _standard_normal_serial(gen, n):
    """n draws of normal_distribution<double>: Box-Muller on two 53-bit uniforms, returning
    r*cos and caching r*sin in the generator for the next draw."""
    out = np.empty(n, F64)
    k = 0
    if n and gen.next_double_normal is not None:
        out[0], gen.next_double_normal, k = gen.next_double_normal, None, 1
    pairs = (n - k + 1) // 2
    if pairs:
        u = uniform_double(gen, 2 * pairs).reshape(pairs, 2)
        r = np.sqrt(-2.0 * libm("log1p")(-u[:, 1]))
        theta = 2.0 * math.pi * u[:, 0]
        seq = np.stack([r * libm("cos")(theta), r * libm("sin")(theta)], axis=1).reshape(-1)
        out[k:] = seq[: n - k]
        if (n - k) % 2:
            gen.next_double_normal = float(seq[-1])
    return out


def normal_serial(gen, n, dtype, mean=0.0, std=1.0):
    """n values of normal_ on a non-contiguous tensor or one with < 16 elements, in memory order.

    torch then draws one normal_distribution<double> per element (sharing the generator's cached
    second value), computes fma(z, std, mean) in double and casts.
    """
    z = fma_scalar(_standard_normal_serial(gen, n), std, mean, np.dtype(F64))
    return from_double(z, dtype)


def log_normal(gen, shape, dtype, mean=1.0, std=2.0):
    """Tensor.log_normal_(mean, std): exp of normal_serial draws, element by element."""
    z = fma_scalar(_standard_normal_serial(gen, _numel(shape)), std, mean, np.dtype(F64))
    return from_double(libm("exp")(z), dtype).reshape(shape)


# --- other continuous and discrete transforms --------------------------------------------------

def exponential(gen, shape, dtype, lambd=1.0):
    """Tensor.exponential_(lambd): (-1 / lambd) * log1p(-u) in double, then cast."""
    u = uniform_double(gen, _numel(shape))
    return from_double((-1.0 / lambd) * libm("log1p")(-u), dtype).reshape(shape)


def geometric(gen, shape, dtype, p):
    """Tensor.geometric_(p): ceil(log(u) / log(1 - p)) in double, then cast."""
    u = uniform_double(gen, _numel(shape))
    return from_double(np.ceil(libm("log")(u) / math.log(1.0 - p)), dtype).reshape(shape)


def cauchy(gen, shape, dtype, median=0.0, sigma=1.0):
    """Tensor.cauchy_(median, sigma): fma(sigma, tan(pi * (u - 0.5)), median) in double."""
    u = uniform_double(gen, _numel(shape))
    t = libm("tan")(math.pi * (u - 0.5))
    return from_double(fma_scalar(t, sigma, median, np.dtype(F64)), dtype).reshape(shape)


def bernoulli_scalar(gen, shape, dtype, p=0.5):
    """Tensor.bernoulli_(p) for a float p (dropout's mask): 53-bit uniform < p."""
    hit = uniform_double(gen, _numel(shape)) < p
    return _cast_bool(hit, np.dtype(dtype)).reshape(shape)


def bernoulli_tensor(gen, shape, dtype, p):
    """Tensor.bernoulli_(p_tensor) / torch.bernoulli(p): p broadcast to `shape`, compared with a
    53-bit uniform when p is float64 and a 24-bit float uniform otherwise."""
    p = np.broadcast_to(np.asarray(p), shape).reshape(-1)
    if p.dtype == F64:
        hit = uniform_double(gen, p.size) < p
    else:
        hit = uniform_float(gen, p.size) < p.astype(F32)
    return _cast_bool(hit, np.dtype(dtype)).reshape(shape)


# --- integers ----------------------------------------------------------------------------------

_FULL_RANGE_DTYPES = {np.dtype(np.int64), np.dtype(F64), np.dtype(F32), BF16}
_DIGITS = {np.dtype(F64): 53, np.dtype(F32): 24, HALF: 11, BF16: 8}   # mantissa bits
_INT64_MIN = -(1 << 63)
# the C type names torch's bounds messages use
_C_NAMES = {np.dtype(F64): "double", np.dtype(F32): "float", HALF: "c10::Half",
            BF16: "c10::BFloat16", np.dtype(np.int64): "long int", np.dtype(np.int32): "int",
            np.dtype(np.int16): "short int", np.dtype(np.int8): "signed char",
            np.dtype(np.uint8): "unsigned char", np.dtype(np.bool_): "bool"}


def _to_int64(x):
    """static_cast<int64_t>(float) on x86-64: truncation, INT64_MIN when out of range."""
    return int(x) if math.isfinite(x) and abs(x) < 2.0 ** 63 else _INT64_MIN


def _update_from(low, dtype):
    """torch's update_from: raise `from` to the next integer the float dtype holds exactly."""
    rounded = _to_int64(float(from_int64(np.array([low + 1]), dtype)[0]))
    if rounded < low:
        low = rounded + (1 << (abs(low + 1).bit_length() - _DIGITS[dtype]))
    return low


def _update_to(high, dtype):
    """torch's update_to: lower `to` to the previous integer the float dtype holds exactly."""
    rounded = _to_int64(float(from_int64(np.array([high - 1]), dtype)[0]))
    if rounded >= high:
        high = rounded - (1 << (abs(high - 1).bit_length() - _DIGITS[dtype]))
    return high


def _check_in_range(low, high_inc, dtype):
    """torch's check_from_to_in_range: both ends must fit the dtype, and a float dtype warns
    beyond its mantissa, where not every integer can be drawn."""
    name = _C_NAMES.get(dtype)
    if name is None:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and "
                           "boolean types")
    digits = _DIGITS.get(dtype)
    if digits is not None:
        top = float(ml_dtypes.finfo(dtype).max)
        lo, hi = -top, top
    elif dtype == np.bool_:
        lo, hi = 0, 1
    else:
        lo, hi = int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
    for value, what in ((low, "from"), (high_inc, "to - 1")):
        if not lo <= value <= hi:
            raise RuntimeError(f"{what} is out of bounds for {name}")
    if digits is not None:
        for value, what in ((low, "from"), (high_inc, "to - 1")):
            if not -(1 << digits) <= value <= 1 << digits:
                warnings.warn(
                    f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {name} can support discrete uniform distribution only within "
                    "this range. This warning will become an error in version 1.7 release, "
                    "please fix the code in advance", UserWarning, stacklevel=2)


def _random_full_range(gen, n, dtype):
    """random_(-2**63, None): the raw 64-bit word, for the dtypes torch allows."""
    if dtype not in _FULL_RANGE_DTYPES:
        if dtype in (HALF, np.dtype(np.bool_)):
            name = "Half" if dtype == HALF else "Bool"
            raise NotImplementedError(
                f'"random_full_64_bits_range_kernel_cpu" not implemented for \'{name}\'')
        raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                           "float and bfloat16")
    return from_int64(gen.random_u64(n).view(np.int64), dtype)


def _bounds(low, high, dtype):
    """torch's random_from_to checks: the range [low, high) the words are reduced into."""
    digits = _DIGITS.get(dtype)
    if high is not None:
        if low >= high:
            raise RuntimeError("random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        if digits is not None:
            low, high = _update_from(low, dtype), _update_to(high, dtype)
            if low >= high:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' "
                                   f"casted to dtype, but got from={low} >= to={high}")
        _check_in_range(low, high - 1, dtype)
        return low, high
    if digits is not None:
        high = min(1 << digits, (1 << 63) - 1)
        low = _update_from(low, dtype)
        if low >= high:
            raise RuntimeError("random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={low} > to_inc={high}")
    elif dtype.kind in "iub":
        high = 1 if dtype == np.bool_ else int(np.iinfo(dtype).max)
    else:
        raise RuntimeError("random_from_to_impl handles only integral, floating-point and "
                           "boolean types")
    _check_in_range(low, high, dtype)
    return low, high + 1


def randint(gen, shape, dtype, low, high=None):
    """torch.randint(low, high) / Tensor.random_(low, high), or random_(low) when high is None.

    The result is (word % range) + low. A range of 2**28 or more draws 64-bit words, a smaller
    one 32-bit words, whatever the dtype; the full int64 range (random_(-2**63)) takes the raw
    64-bit word. For floating dtypes torch first moves low/high inwards to values the dtype holds
    exactly; high=None means the dtype's maximum (2**mantissa_bits for floats), inclusive.
    Bad bounds raise torch's errors before anything is drawn.
    """
    dtype, n = np.dtype(dtype), _numel(shape)
    if high is None and low == _INT64_MIN:
        return _random_full_range(gen, n, dtype).reshape(shape)
    low, high = _bounds(low, high, dtype)
    span = high - low
    w = gen.random_u64(n) if span >= 1 << 28 else gen.random_u32(n).astype(np.uint64)
    w %= np.uint64(span)
    w += np.uint64(low & _U64)
    return from_int64(w.view(np.int64), dtype).reshape(shape)


def random_full(gen, shape, dtype):
    """Tensor.random_() without bounds: [0, 2**mantissa] for floats, [0, max] for integers.

    int64 and float64 reduce a 64-bit word, the rest a 32-bit one; bool takes its lowest bit.
    """
    dtype, n = np.dtype(dtype), _numel(shape)
    if dtype == np.bool_:
        return (gen.random_u32(n) & np.uint32(1)).astype(bool).reshape(shape)
    if dtype in _DIGITS:
        modulus = (1 << _DIGITS[dtype]) + 1
    else:
        modulus = int(np.iinfo(dtype).max) + 1
    w = gen.random_u64(n) if dtype in (F64, np.int64) else gen.random_u32(n).astype(np.uint64)
    return from_int64((w % np.uint64(modulus)).view(np.int64), dtype).reshape(shape)

