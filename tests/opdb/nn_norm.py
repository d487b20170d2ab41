"""Op table entries for normalization, embedding lookups and F.normalize (the dropout family
is random: tests/nn/test_dropout.py)."""
from __future__ import annotations

import numpy as np

from opdb import ALL_FLOATS, FLOATS, OpInfo, Sample, values


def _f(name, **fixed):
    """``lib.nn.functional.<name>(*args, **fixed, **kwargs)``."""
    def call(lib, *args, **kwargs):
        return getattr(lib.nn.functional, name)(*args, **fixed, **kwargs)
    call.__name__ = name
    return call


def _v(dtype, rng, *shape):
    return values(dtype, shape, rng)


def _layer_norm_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 3, 4, 5), (5,), _v(dtype, rng, 5), _v(dtype, rng, 5))),
            Sample((_v(dtype, rng, 2, 3, 4), (3, 4), _v(dtype, rng, 3, 4))),
            Sample((_v(dtype, rng, 4, 6), [6]), {"eps": 1e-3})]


def _group_norm_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 3, 4, 5), 2, _v(dtype, rng, 4), _v(dtype, rng, 4))),
            Sample((_v(dtype, rng, 2, 6, 2, 3), 3)), Sample((_v(dtype, rng, 5, 4), 4))]


def _batch_norm_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 4, 3, 5), None, None, _v(dtype, rng, 3), _v(dtype, rng, 3)),
                   {"training": True}),
            Sample((_v(dtype, rng, 6, 3), None, None), {"training": True})]


def _instance_norm_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 2, 3, 5),), {"weight": None}),
            Sample((_v(dtype, rng, 2, 3, 2, 3), None, None, _v(dtype, rng, 3),
                    _v(dtype, rng, 3)))]


def _rms_norm_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 3, 4, 5), (5,), _v(dtype, rng, 5))),
            Sample((_v(dtype, rng, 2, 3, 4), (3, 4)), {"eps": 0.1})]


def _lrn_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 2, 5, 3), 3)),
            Sample((_v(dtype, rng, 2, 4, 2, 3), 2), {"alpha": 0.1, "beta": 0.5, "k": 2.0})]


def _normalize_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 3, 4),)), Sample((_v(dtype, rng, 3, 4), 1.0, 0)),
            Sample((_v(dtype, rng, 2, 3, 4), 3, -1))]


def _embedding_samples(dtype, rng):
    idx = rng.integers(0, 6, (3, 4))
    return [Sample((idx, _v(dtype, rng, 6, 3))),
            Sample((idx, _v(dtype, rng, 6, 3)), {"padding_idx": 2}),
            Sample((idx.reshape(-1), _v(dtype, rng, 6, 2)), {"scale_grad_by_freq": True})]


def _embedding_bag_samples(dtype, rng):
    flat = rng.integers(0, 6, 10)
    offsets = np.array([0, 3, 3, 7])
    return [Sample((flat, _v(dtype, rng, 6, 3), offsets)),
            Sample((flat, _v(dtype, rng, 6, 3), offsets), {"mode": "sum", "padding_idx": 1}),
            Sample((flat.reshape(2, 5), _v(dtype, rng, 6, 3)), {"mode": "max"})]


OPS = [
    OpInfo("layer_norm", _f("layer_norm"), _layer_norm_samples, dtypes=ALL_FLOATS, rtol=1e-4,
           atol=1e-5, low_rtol=3e-2),
    OpInfo("group_norm", _f("group_norm"), _group_norm_samples, dtypes=ALL_FLOATS, rtol=1e-4,
           atol=1e-5, low_rtol=3e-2),
    OpInfo("batch_norm", _f("batch_norm"), _batch_norm_samples, dtypes=FLOATS, rtol=1e-4,
           atol=1e-5),
    OpInfo("instance_norm", _f("instance_norm"), _instance_norm_samples, dtypes=FLOATS,
           rtol=1e-4, atol=1e-5),
    OpInfo("rms_norm", _f("rms_norm"), _rms_norm_samples, dtypes=ALL_FLOATS, rtol=1e-4,
           atol=1e-5, low_rtol=3e-2),
    OpInfo("local_response_norm", _f("local_response_norm"), _lrn_samples, dtypes=FLOATS,
           rtol=1e-4, atol=1e-5),
    OpInfo("normalize", _f("normalize"), _normalize_samples, dtypes=FLOATS, rtol=1e-5,
           atol=1e-6),
    OpInfo("embedding", _f("embedding"), _embedding_samples, dtypes=ALL_FLOATS, rtol=1e-6,
           atol=1e-7),
    # torch has no second derivative for embedding_bag
    OpInfo("embedding_bag", _f("embedding_bag"), _embedding_bag_samples, dtypes=FLOATS,
           rtol=1e-5, atol=1e-6, gradgrad=False),
]
