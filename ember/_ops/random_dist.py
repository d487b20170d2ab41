"""Sampling ops with graph nodes: the in-place samplers (Tensor.uniform_, normal_, random_,
bernoulli_, exponential_, geometric_, cauchy_, log_normal_) and normal, bernoulli,
multinomial and poisson, bit for bit torch's CPU streams (DESIGN.md §6).

A sample does not depend on the old values or on the inputs' values along any path torch
differentiates, so every node's gradient is zero, as torch defines it.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import broadcast_shapes
from ember._ops._registry import Op, check_inplace
from ember._ops._sampling import (Sampled, bernoulli_params, cauchy_params, check_out,
                                  draw_into, exponential_params, geometric_params, is_float, is_int,
                                  log_normal_params, normal_params, not_implemented, random_params,
                                  random_full_params, recorded, resize_out, sample,
                                  uniform_params)
from ember._ops.creation import empty, full, size_args
from ember._ops.inplace import record_inplace
from ember._random import engine_for
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE as GRAD
from ember.autograd.grad_mode import no_grad

__all__ = ["normal", "bernoulli", "multinomial", "poisson"]
FUNCTIONS_ONLY = frozenset({"normal", "poisson"})


class UniformBackward0(Sampled):
    pass


class NormalBackward0(Sampled):
    pass


class RandomBackward0(Sampled):
    pass


class RandomBackward1(Sampled):
    pass


class RandomBackward2(Sampled):
    pass


class BernoulliBackward1(Sampled):
    pass


class BernoulliBackward2(Sampled):
    pass


class ExponentialBackward0(Sampled):
    pass


class GeometricBackward0(Sampled):
    pass


class CauchyBackward0(Sampled):
    pass


class LogNormalBackward0(Sampled):
    pass


class NormalBackward1(Sampled):
    pass


class NormalBackward2(Sampled):
    pass


class NormalBackward3(Sampled):
    pass


class BernoulliBackward0(Sampled):
    pass


class PoissonBackward0(Sampled):
    pass


class _BernoulliFloatP(Op):
    """torch.bernoulli(input, p): torch records a node with no derivative."""

    def backward(self, grad):
        raise RuntimeError("derivative for aten::bernoulli is not implemented")


_BernoulliFloatP.__name__ = _BernoulliFloatP.__qualname__ = "NotImplemented"


# --- in-place samplers (Tensor methods) -----------------------------------------------

def _sample_(self, name, node, generator, kind, check, *args, inputs=None):
    """The in-place sampler `name`: check, draw, then record `node` as torch does."""
    engine = engine_for(generator, self._be, name)
    check_inplace(self)
    draw_into(self, engine, kind, check(self.dtype, self._arr.size, *args))
    inputs = inputs or (self,)
    if GRAD.grad and any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
        record_inplace(Op.__new__(node), inputs, self)
    else:
        self._bump_version()
    return self


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fill with draws from U[from, to) (float32 draws 24-bit, float64 53-bit uniforms)."""
    from_ = kwargs.pop("from", from_)
    _no_extra("uniform_", kwargs)
    return _sample_(self, "uniform_", UniformBackward0, generator, "uniform", uniform_params,
                    float(from_), float(to))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with draws from N(mean, std**2)."""
    return _sample_(self, "normal_", NormalBackward0, generator, "normal", normal_params,
                    float(mean), float(std))


def random_(self, *args, generator=None, **kwargs):
    """random_(from, to): integers in [from, to); random_(to): [0, to); random_(): [0, the
    dtype's maximum] (for floats, up to 2**mantissa_bits)."""
    bounds = _random_overload(args, kwargs)
    if bounds is None:
        return _sample_(self, "random_", RandomBackward2, generator, "random",
                        random_full_params)
    low, high, node = bounds
    return _sample_(self, "random_", node, generator, "randint", random_params, low, high)


def _random_overload(args, kwargs):
    """(from, to, node) of random_'s three overloads, or None for random_()."""
    extra = set(kwargs) - {"from", "to"}
    if extra or len(args) > 2 or (len(args) + len(kwargs) == 1 and "from" in kwargs) or \
            any(v is not None and not is_int(v) for v in (*args, *kwargs.values())) or \
            (len(args) == 1 and args[0] is None):
        got = ", ".join([type(a).__name__ for a in args] +
                        [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
        raise TypeError(f"random_() received an invalid combination of arguments - got ({got}"
                        "), but expected one of:\n * (*, ember.Generator generator = None)\n "
                        "* (int from, int to, *, ember.Generator generator = None)\n * (int "
                        "to, *, ember.Generator generator = None)\n")
    values = dict(zip(("from", "to"), args)) if len(args) == 2 else \
        ({"to": args[0]} if args else {})
    values.update(kwargs)
    if not values:
        return None
    if "from" not in values:
        return 0, int(values["to"]), RandomBackward1
    to = values["to"]
    return int(values["from"]), None if to is None else int(to), RandomBackward0


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability p (a float, or a tensor broadcastable to self), else 0."""
    if isinstance(p, Tensor):
        return _sample_(self, "bernoulli_", BernoulliBackward1, generator, "bernoulli_tensor",
                        tensor_p_params(self), p, inputs=(self, p))
    return _sample_(self, "bernoulli_", BernoulliBackward2, generator, "bernoulli",
                    bernoulli_params, float(p))


def tensor_p_params(self):
    def check(dtype, numel, p):
        if numel == 0:
            return None
        if dtype.category == D.COMPLEX:
            raise not_implemented("bernoulli_tensor_cpu_self_", dtype)
        wide = p.detach().expand(self._arr.shape)
        if not is_float(p.dtype):
            raise not_implemented("bernoulli_tensor_cpu_p_", p.dtype)
        return (wide._arr, wide.stride())
    return check


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with draws from Exp(lambd)."""
    return _sample_(self, "exponential_", ExponentialBackward0, generator, "exponential",
                    exponential_params, float(lambd))


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    return _sample_(self, "geometric_", GeometricBackward0, generator, "geometric",
                    geometric_params, float(p))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with draws from Cauchy(median, sigma)."""
    return _sample_(self, "cauchy_", CauchyBackward0, generator, "cauchy", cauchy_params,
                    float(median), float(sigma))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp of draws from N(mean, std**2)."""
    return _sample_(self, "log_normal_", LogNormalBackward0, generator, "log_normal",
                    log_normal_params, float(mean), float(std))


def _no_extra(name, kwargs):
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")


# --- normal, bernoulli, multinomial, poisson ------------------------------------------

def normal(*args, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False, **kwargs):
    """Normal draws: normal(mean, std) with tensor and/or float mean and std (broadcast), or
    normal(mean, std, size) with floats. A tensor overload is randn scaled in place:
    ``out.mul_(std).add_(mean)``, each rounded as torch rounds it; its gradients are zero."""
    mean, std, size = _normal_args(args, kwargs)
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        return sample("normal", size_args((size,), "normal"), "normal", normal_params,
                       (float(mean), float(std)), generator, out, dtype, device, requires_grad)
    if isinstance(std, Tensor):
        if std._arr.size and not bool((std >= 0).all()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    tensors = tuple(x for x in (mean, std) if isinstance(x, Tensor))
    shape = broadcast_shapes(*(x._arr.shape for x in tensors))
    proto = mean if isinstance(mean, Tensor) else std
    engine = engine_for(generator, proto._be, "normal")
    if out is not None:
        check_out("normal", out, None, tensors)
        resize_out(out, shape, warn=True)
        _normal_into(out, engine, mean, std)
        out._bump_version()
        return out
    result = empty(shape, dtype=proto.dtype, device=proto.device)
    _normal_into(result, engine, mean, std)
    node = NormalBackward3 if len(tensors) == 2 else \
        (NormalBackward1 if tensors[0] is mean else NormalBackward2)
    return recorded(node, tensors, result)


def _normal_args(args, kwargs):
    values = dict(zip(("mean", "std", "size"), args))
    for key, value in kwargs.items():
        if key not in ("mean", "std", "size") or key in values:
            raise TypeError(f"normal() got an unexpected keyword argument '{key}'")
        values[key] = value
    mean, std, size = values.get("mean"), values.get("std", 1.0), values.get("size")
    tensor_call = isinstance(mean, Tensor) or isinstance(std, Tensor)
    if mean is None or (size is None) == (not tensor_call):
        got = ", ".join(type(v).__name__ for v in values.values())
        raise TypeError(f"normal() received an invalid combination of arguments - got ({got}), "
                        "but expected one of:\n * (Tensor mean, Tensor std, *, ember.Generator "
                        "generator = None, Tensor out = None)\n * (Tensor mean, float std = 1, "
                        "*, ember.Generator generator = None, Tensor out = None)\n * (float "
                        "mean, Tensor std, *, ember.Generator generator = None, Tensor out = "
                        "None)\n * (float mean, float std, tuple of ints size, *, "
                        "ember.Generator generator = None, Tensor out = None, ember.dtype dtype "
                        "= None, ember.layout layout = None, ember.device device = None, bool "
                        "pin_memory = False, bool requires_grad = False)\n")
    return mean, std, size


def _normal_into(out, engine, mean, std):
    """torch's normal_out_impl: N(0, 1) (or N(0, std) for a float std), then scaled in place.
    torch scales below autograd, so `out`'s version is left as it was."""
    version = out._version
    scale = std if not isinstance(std, Tensor) else 1.0
    draw_into(out, engine, "normal", normal_params(out.dtype, out._arr.size, 0.0, float(scale)))
    with no_grad():
        if isinstance(std, Tensor):
            out.mul_(std)
        if not isinstance(mean, Tensor) and out.dtype in (D.float16, D.bfloat16):
            # NOTE(torch): a Python scalar is rounded to the half dtype, then added in float32.
            mean = full((), mean, dtype=out.dtype).item()
            out.copy_(out.float().add_(mean))
        else:
            out.add_(mean)
    out._version_counter().value = version


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability `input` (elementwise), else 0; or with probability `p` for all."""
    engine = engine_for(generator, input._be, "bernoulli")
    if p is not None:
        if isinstance(p, Tensor) or out is not None:
            raise TypeError("bernoulli() received an invalid combination of arguments")
        result = empty(input._arr.shape, dtype=input.dtype, device=input.device)
        draw_into(result, engine, "bernoulli",
                  bernoulli_params(result.dtype, result._arr.size, float(p)))
        return recorded(_BernoulliFloatP, (input,), result)
    if out is not None:
        check_out("bernoulli", out, None, (input,))
        resize_out(out, input._arr.shape)
        draw_into(out, engine, "bernoulli_tensor",
                  tensor_p_params(out)(out.dtype, out._arr.size, input))
        out._bump_version()
        return out
    result = empty(input._arr.shape, dtype=input.dtype, device=input.device)
    draw_into(result, engine, "bernoulli_tensor",
              tensor_p_params(result)(result.dtype, result._arr.size, input))
    return recorded(BernoulliBackward0, (input,), result)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categories of each row of `input` (weights, not normalised)."""
    if not is_int(num_samples):
        raise TypeError("multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    engine = engine_for(generator, input._be, "multinomial")
    _check_multinomial(input, int(num_samples), replacement, out)
    shape = input._arr.shape[:-1] + (num_samples,)
    if input._arr.ndim == 2 and input._arr.shape[0] == 0:
        arr = input._be.empty(shape, D.int64)
    elif input._arr.shape[-1] == 0:
        if num_samples == 1:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    else:
        arr = input._be.rng_multinomial(engine, input._arr, num_samples, replacement)
    if out is None:
        return _wrap(arr, D.int64, input._be)
    resize_out(out, shape)
    out._be.copy_into(out._arr, arr)
    out._bump_version()
    return out


def _check_multinomial(input, num_samples, replacement, out):
    if not 1 <= input._arr.ndim <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if input.dtype.category != D.FLOAT:
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{D.type_name(input.dtype)}")
    if out is not None and out.dtype is not D.int64:
        raise RuntimeError(f"multinomial expects Long tensor out, got: {D.type_name(out.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input._arr.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if input._arr.shape[-1] > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")


def poisson(input, generator=None):
    """Poisson draws with rates `input` (torch's CPU sampler; zero gradient)."""
    engine = engine_for(generator, input._be, "poisson")
    if input.dtype.category != D.FLOAT:
        raise not_implemented("poisson_cpu", input.dtype)
    arr = input._be.rng_poisson(engine, input._arr)
    return recorded(PoissonBackward0, (input,), _wrap(arr, input.dtype, input._be))


METHODS = {"uniform_": uniform_, "normal_": normal_, "random_": random_,
           "bernoulli_": bernoulli_, "exponential_": exponential_, "geometric_": geometric_,
           "cauchy_": cauchy_, "log_normal_": log_normal_}
