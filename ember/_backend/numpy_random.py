"""Random-number kernels (CPU backend): torch's CPU generator streams, bit for bit.

The engine (_cpu_rng.CPUGenerator) draws the numbers; these kernels decide where they go.
A factory gets a fresh C-contiguous array. An in-place sampler fills its tensor's elements in
the order torch's TensorIterator visits them: memory order for a permuted or sliced tensor, one
draw per element. normal_ on a tensor that is not contiguous (or has fewer than 16 elements)
takes torch's serial Box-Muller instead of the 16-lane one.
"""
from __future__ import annotations

import math

import numpy as np

from ember._backend._cpu_rng import CPUGenerator
from ember._backend.dtypes import TO_NP

# sampler kind -> engine method: (engine, shape, np dtype, *params) -> fresh array
_SAMPLERS = {
    "uniform": CPUGenerator.uniform, "normal": CPUGenerator.normal,
    "log_normal": CPUGenerator.log_normal, "exponential": CPUGenerator.exponential,
    "geometric": CPUGenerator.geometric, "cauchy": CPUGenerator.cauchy,
    "bernoulli": CPUGenerator.bernoulli_scalar, "bernoulli_tensor": CPUGenerator.bernoulli_tensor,
    "randint": CPUGenerator.randint, "random": CPUGenerator.random_full,
}


def _bernoulli_until_bad(engine, view, p, bad):
    """torch draws element by element and raises at the first invalid probability."""
    k = int(bad.reshape(-1).argmax())
    head = CPUGenerator.bernoulli_tensor(engine, (k,), view.dtype, p.reshape(-1)[:k])
    view[np.unravel_index(np.arange(k), view.shape)] = head
    raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                       "this error message be improved?  If so, please report an enhancement "
                       "request to PyTorch.)")


class NumpyRandom:
    """Random-number kernels mixed into the NumPy backend."""

    @staticmethod
    def new_generator():
        """A fresh engine for an ember.Generator on this device, in torch's default state."""
        return CPUGenerator()

    @staticmethod
    def rng_sample(engine, kind, shape, d, *params):
        """A new C-contiguous array of `shape` and dtype `d` drawn by sampler `kind`."""
        return _SAMPLERS[kind](engine, tuple(shape), TO_NP[d], *params)

    @staticmethod
    def rng_fill(engine, kind, arr, axes, *params):
        """Fill `arr` (any strided view) in place, visiting its axes in the order `axes`
        (slowest first): torch's element order. `bernoulli_tensor` takes a probability array
        of `arr`'s shape; a probability outside [0, 1] stops the fill there, as in torch.
        """
        if arr.dtype.kind == "c":          # torch samples view_as_real(self)
            real = arr[..., None].view(arr.real.dtype)
            if kind == "normal":           # real and imaginary parts share the variance
                params = (params[0], params[1] / math.sqrt(2))
            NumpyRandom.rng_fill(engine, kind, real, (*axes, arr.ndim), *params)
            return
        view = arr.transpose(axes)
        if kind == "bernoulli_tensor":
            p = params[0].transpose(axes)
            bad = ~((p >= 0) & (p <= 1))
            if bad.any():
                _bernoulli_until_bad(engine, view, p, bad)
            params = (p,)
        if kind == "normal" and not arr.flags.c_contiguous:
            values = engine.normal_serial(view.size, arr.dtype, *params)
        else:
            values = _SAMPLERS[kind](engine, view.shape, arr.dtype, *params)
        view[...] = values.reshape(view.shape)

    @staticmethod
    def rng_randperm(engine, n, d):
        return engine.randperm(n, TO_NP[d])

    @staticmethod
    def rng_multinomial(engine, probs, num_samples, replacement):
        return engine.multinomial(probs, num_samples, replacement)

    @staticmethod
    def rng_poisson(engine, rates):
        return engine.poisson(rates)
