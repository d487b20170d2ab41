"""Op table entries for torch's top-level pooling and sampling functions (torch.max_pool2d,
torch.avg_pool1d, torch.grid_sampler, ...); F.* is covered by tests/nn/test_pooling.py and
tests/nn/test_upsampling.py."""
from __future__ import annotations

from opdb import FLOATS, OpInfo, Sample, values
from opdb import op as _op

MAX_DTYPES = FLOATS + ("int64", "uint8")


def _pool_samples(nd, extra=()):
    def make(dtype, rng):
        x = values(dtype, (2, 3) + (7,) * nd, rng)
        out = [Sample((x, 2)), Sample((x, 3, 2, 1)), Sample((x[0], 3), {"ceil_mode": True})]
        return out + [Sample((x,) + args, kw) for args, kw in extra]
    return make


def _adaptive_samples(dtype, rng):
    x = values(dtype, (2, 3, 9), rng)
    return [Sample((x, 4)), Sample((x, 9)), Sample((x[0], 2)), Sample((x, 1))]


def _adaptive2d_samples(dtype, rng):
    x = values(dtype, (2, 3, 7, 8), rng)
    return [Sample((x, (3, 5))), Sample((x[0], 4)), Sample((x, 1))]


def _grid_samples(dtype, rng):
    x = values(dtype, (2, 3, 4, 5), rng)
    grid = rng.uniform(-1.2, 1.2, (2, 3, 2, 2)).astype(dtype)
    return [Sample((x, grid, 0, 0, False)), Sample((x, grid, 1, 1, True)),
            Sample((x, grid, 2, 2, False))]


def _affine_samples(dtype, rng):
    return [Sample((values(dtype, (2, 2, 3), rng), (2, 3, 4, 5), False)),
            Sample((values(dtype, (2, 3, 4), rng), (2, 1, 2, 3, 4), True))]


OPS = [
    OpInfo("max_pool1d", _op("max_pool1d"), _pool_samples(1, [((2, 1, 1, 2), {})]),
           dtypes=FLOATS),
    OpInfo("max_pool1d_with_indices", _op("max_pool1d_with_indices"), _pool_samples(1),
           dtypes=MAX_DTYPES),
    OpInfo("max_pool2d", _op("max_pool2d"), _pool_samples(2, [((3, 2, 1, 2, True), {})]),
           dtypes=MAX_DTYPES),
    OpInfo("max_pool3d", _op("max_pool3d"), _pool_samples(3), dtypes=MAX_DTYPES),
    OpInfo("avg_pool1d", _op("avg_pool1d"), _pool_samples(1, [((3, 2, 1, True, False), {})]),
           dtypes=FLOATS + ("int64",)),
    OpInfo("adaptive_avg_pool1d", _op("adaptive_avg_pool1d"), _adaptive_samples,
           dtypes=FLOATS),
    OpInfo("adaptive_max_pool1d", _op("adaptive_max_pool1d"), _adaptive_samples,
           dtypes=FLOATS),
    OpInfo("_adaptive_avg_pool2d", _op("_adaptive_avg_pool2d"), _adaptive2d_samples,
           dtypes=FLOATS),
    # the second-order graph is built from ember ops (values checked, not the node names)
    OpInfo("grid_sampler", _op("grid_sampler"), _grid_samples, dtypes=FLOATS, rtol=1e-4,
           atol=1e-5),
    OpInfo("affine_grid_generator", _op("affine_grid_generator"), _affine_samples,
           dtypes=FLOATS),
]
