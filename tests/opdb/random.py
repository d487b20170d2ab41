"""Op table entries for the random samplers, each drawing from a freshly seeded generator so
that ember and torch must give the same numbers (the table compares values too).

Gradients are not checked here: torch defines them as zero, which finite differences (ember's
gradcheck over this table) would contradict; tests/test_random.py compares them with torch.
"""
from __future__ import annotations

from opdb import ALL_FLOATS, OpInfo, Sample, values

OPS: list[OpInfo] = []
NO_GRAD = {"grad": False, "gradgrad": False}


def _gen(lib, seed=0):
    return lib.Generator().manual_seed(seed)


def _pairs(low=-2.0, high=2.0, std=False):
    """(mean, std)-style pairs of shapes that broadcast, including 0-dim and empty."""
    def make(dtype, rng):
        out = []
        for sa, sb in (((3, 4), (3, 4)), ((20,), ()), ((2, 1, 17), (3, 1)), ((), (5,)),
                       ((0, 3), (3,))):
            b = values(dtype, sb, rng, 0.1, 2.0) if std else values(dtype, sb, rng, low, high)
            out.append(Sample((values(dtype, sa, rng, low, high), b)))
        return out
    return make


def _unary(low, high, shapes=((), (5,), (3, 4), (2, 0, 3), (4, 17))):
    def make(dtype, rng):
        return [Sample((values(dtype, s, rng, low, high),)) for s in shapes]
    return make


def _probs(dtype, rng):
    return [Sample((values(dtype, (3, 7), rng, 0.0, 1.0), 4)),
            Sample((values(dtype, (12,), rng, 0.0, 1.0), 1)),
            Sample((values(dtype, (2, 5), rng, 0.0, 1.0), 9), {"replacement": True})]


OPS.extend([
    OpInfo("normal_tensor_tensor", lambda lib, m, s: lib.normal(m, s, generator=_gen(lib)),
           _pairs(std=True), dtypes=ALL_FLOATS, **NO_GRAD),
    OpInfo("normal_tensor_float", lambda lib, m: lib.normal(m, 0.37, generator=_gen(lib)),
           _unary(-2.0, 2.0), dtypes=ALL_FLOATS, **NO_GRAD),
    OpInfo("normal_float_tensor", lambda lib, s: lib.normal(-0.5, s, generator=_gen(lib)),
           _unary(0.1, 2.0), dtypes=ALL_FLOATS, **NO_GRAD),
    OpInfo("bernoulli", lambda lib, p: lib.bernoulli(p, generator=_gen(lib)),
           _unary(0.0, 1.0), dtypes=ALL_FLOATS, **NO_GRAD),
    OpInfo("bernoulli_float_p", lambda lib, x: lib.bernoulli(x, 0.3, generator=_gen(lib)),
           _unary(-1.0, 1.0), dtypes=ALL_FLOATS, **NO_GRAD),
    OpInfo("poisson", lambda lib, r: lib.poisson(r, _gen(lib)), _unary(0.0, 30.0),
           dtypes=ALL_FLOATS, **NO_GRAD),
    OpInfo("multinomial", lambda lib, p, n, **kw: lib.multinomial(p, n, generator=_gen(lib),
                                                                  **kw),
           _probs, dtypes=ALL_FLOATS, **NO_GRAD),
    OpInfo("rand_like", lambda lib, x: lib.rand_like(x, generator=_gen(lib)),
           _unary(-1.0, 1.0), dtypes=ALL_FLOATS + ("complex64",), **NO_GRAD),
    OpInfo("randn_like", lambda lib, x: lib.randn_like(x, generator=_gen(lib)),
           _unary(-1.0, 1.0), dtypes=ALL_FLOATS + ("complex128",), **NO_GRAD),
    OpInfo("randint_like", lambda lib, x: lib.randint_like(x, -3, 40, generator=_gen(lib)),
           _unary(-1.0, 1.0), dtypes=ALL_FLOATS + ("int64", "int32", "int16", "int8"),
           **NO_GRAD),
])
