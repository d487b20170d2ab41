"""What every sampler shares: torch's argument checks, torch's element order, the draw into a
tensor, and the graph node of a sampled result (DESIGN.md §6).

A check takes (dtype, numel, *args) and returns the backend sampler's parameters, or None when
torch draws nothing (an empty tensor); it raises torch's errors in torch's order, so a
rejected call leaves the generator untouched.
"""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops._registry import Op, record
from ember._ops.creation import backend, zeros_like
from ember._random import engine_for
from ember._tensor import _c_name, _wrap
from ember.autograd.grad_mode import STATE as GRAD


def not_implemented(kernel, dtype):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D.type_name(dtype)}'")


def is_float(dtype):
    return dtype.category == D.FLOAT


# --- argument checks ---------------------------------------------------------------------

_FLOAT_MAX = {d: D.finfo(d).max for d in (D.float16, D.bfloat16, D.float32, D.float64)}


def uniform_params(dtype, numel, low, high):
    real = dtype.to_real()
    if not is_float(real):
        raise not_implemented("check_uniform_bounds", dtype)
    top = _FLOAT_MAX[real]
    for value, what in ((low, "from"), (high, "to")):
        if not -top <= value <= top:
            raise RuntimeError(f"{what} is out of bounds for {_c_name(real)}")
    if not low <= high:
        raise RuntimeError("uniform_ expects to return a [from, to) range, but found "
                           f"from={low:g} > to={high:g}")
    if not high - low <= top:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{D.type_name(real)}>::max(), but found to={high:g} and from="
                           f"{low:g} which result in to-from to exceed the limit")
    return (low, high)


def normal_params(dtype, numel, mean, std):
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if numel == 0:
        return None
    if dtype.category < D.FLOAT:
        raise not_implemented("normal_kernel_cpu", dtype)
    return (mean, std)


def bernoulli_params(dtype, numel, p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    if numel == 0:
        return None
    if dtype.category == D.COMPLEX:
        raise not_implemented("bernoulli_scalar_cpu_", dtype)
    return (p,)


def exponential_params(dtype, numel, lambd):
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    if numel == 0:
        return None
    if not is_float(dtype):
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{D.type_name(dtype)}")
    return (lambd,)


def geometric_params(dtype, numel, p):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    if numel == 0:
        return None
    if dtype is D.bool or dtype.category == D.COMPLEX:
        raise not_implemented("geometric_cpu", dtype)
    return (p,)


def cauchy_params(dtype, numel, median, sigma):
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    if not is_float(dtype):
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {_c_name(dtype)}")
    return (median, sigma) if numel else None


def log_normal_params(dtype, numel, mean, std):
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    if numel == 0:
        return None
    if not is_float(dtype):
        raise not_implemented("log_normal_cpu", dtype)
    return (mean, std)


def random_params(dtype, numel, low, high):
    """random_(low, high) and random_(low, None); the backend checks the bounds, except that
    the full int64 range (random_(-2**63, None)) draws nothing into an empty tensor."""
    if high is None and low == -(1 << 63) and numel == 0:
        return None
    if dtype.category == D.COMPLEX:
        if high is None:
            raise RuntimeError("random_from_to_impl handles only integral, floating-point and "
                               "boolean types")
        if low >= high:
            raise RuntimeError("random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        raise RuntimeError("check_random_bounds handles only integral, floating-point and "
                           "boolean types")
    return (low, high)


def random_full_params(dtype, numel):
    """random_() without bounds."""
    if numel == 0:
        return None
    if dtype.category == D.COMPLEX:
        raise not_implemented("random_kernel_cpu", dtype)
    return ()


# --- drawing into a tensor ----------------------------------------------------------------

_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def iteration_axes(shape, *strides):
    """Axes from slowest to fastest in the order torch's TensorIterator visits elements of
    operands with these strides (the output's decide; the inputs' only break its ties).

    torch insertion-sorts the dims, starting from the reversed order, by increasing stride; a
    zero stride is no evidence, and of equal strides the smaller size goes first. A dense
    tensor is visited in memory order.
    """
    perm = list(range(len(shape) - 1, -1, -1))

    def should_swap(d0, d1):
        for st in strides:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    for i in range(1, len(perm)):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            order = should_swap(perm[d0], perm[d1])
            if order > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif order < 0:
                break
    return tuple(perm[::-1])


def check_no_overlap(t):
    """torch refuses to write a tensor that repeats an element (a broadcast dim)."""
    if any(st == 0 and n > 1 for n, st in zip(t._arr.shape, t.stride())):
        raise RuntimeError(_OVERLAP)


def draw_into(t, engine, kind, params):
    """Fill `t` in place by sampler `kind` (no autograd, no version bump); None: no draw."""
    if params is None:
        return
    check_no_overlap(t)
    strides = (t.stride(),)
    if kind == "bernoulli_tensor":
        strides += (params[1],)
        params = params[:1]
    t._be.rng_fill(engine, kind, t._arr, iteration_axes(t._arr.shape, *strides), *params)


# --- results --------------------------------------------------------------------------

class Sampled(Op):
    """A sampler's node: the draws do not depend on the inputs, so every gradient is zero."""

    def backward(self, grad):
        zero = zeros_like(grad)
        needs = self.needs_input_grad
        return zero if len(needs) == 1 else tuple(zero if need else None for need in needs)


def recorded(node, inputs, out):
    """Make a `node` the grad_fn of the new tensor `out` when an input needs gradients."""
    if GRAD.inference:
        out._inference = True
    elif GRAD.grad and any(x._requires_grad for x in inputs):
        record(Op.__new__(node), inputs, (out,))
    return out


def check_out(name, out, dtype, inputs=()):
    if dtype is not None and dtype is not out.dtype:
        raise RuntimeError(f"dtype {D.type_name(dtype)} does not match dtype of out parameter "
                           f"({D.type_name(out.dtype)})")
    if GRAD.grad and (out._requires_grad or any(x._requires_grad for x in inputs)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def resize_out(out, shape, warn=False):
    """torch's resize_output: keep out's strides when its shape already fits."""
    if tuple(out._arr.shape) != tuple(shape):
        if warn and out._arr.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{shape_str(out._arr.shape)}, which does not match the required output shape "
                f"{shape_str(shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).", UserWarning, stacklevel=3)
        out.resize_(shape)


def is_int(v):
    return not isinstance(v, (bool, float)) and hasattr(v, "__index__")


def int64(v):
    v = int(v)
    if not -(1 << 63) <= v < 1 << 63:
        raise ValueError("Overflow when unpacking long long")
    return v


def sample(name, shape, kind, check, args, generator, out, dtype, device, requires_grad):
    """A factory: sampler `kind` on a new tensor (or in place on `out`)."""
    if out is not None:
        check_out(name, out, dtype)
        engine = engine_for(generator, out._be, name)
        resize_out(out, shape)
        draw_into(out, engine, kind, check(out.dtype, out._arr.size, *args))
        out._bump_version()
        return out
    be = backend(device)
    engine = engine_for(generator, be, name)
    dt = dtype or D.DEFAULTS.dtype
    if requires_grad and dt.category < D.FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    params = check(dt, numel(shape), *args)
    arr = be.empty(shape, dt) if params is None else be.rng_sample(engine, kind, shape, dt,
                                                                   *params)
    t = _wrap(arr, dt, be)
    return t.requires_grad_(True) if requires_grad else t


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n
