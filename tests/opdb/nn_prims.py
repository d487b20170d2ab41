"""Op table entries for the nn primitives: bilinear and the weight-norm interface."""
from __future__ import annotations

from opdb import FLOATS, OpInfo, Sample, values
from opdb import op as _op


def _bilinear_samples(dtype, rng):
    def v(*shape):
        return values(dtype, shape, rng)
    return [Sample((v(5, 2), v(5, 3), v(4, 2, 3), v(4))), Sample((v(5, 2), v(5, 3), v(4, 2, 3))),
            Sample((v(2, 5, 2), v(2, 5, 3), v(4, 2, 3), v(4))), Sample((v(2), v(3), v(1, 2, 3)))]


def _weight_norm_samples(dtype, rng):
    def v(*shape):
        return values(dtype, shape, rng, 0.5, 2.0)
    return [Sample((v(3, 4), v(3, 1), 0)), Sample((v(3, 4), v(1, 4), 1)),
            Sample((v(2, 3, 4), v(1, 1, 4), 2)), Sample((v(3, 4), v(), -1))]


OPS = [
    OpInfo("bilinear", _op("bilinear"), _bilinear_samples, dtypes=FLOATS, rtol=1e-4,
           atol=1e-5),
    # torch's own double backward of _weight_norm fails its gradgradcheck (ember's passes
    # ember.autograd.gradgradcheck: tests/nn/test_utils.py), so second order is not compared
    OpInfo("_weight_norm", _op("_weight_norm"), _weight_norm_samples, dtypes=FLOATS,
           rtol=1e-4, atol=1e-5, gradgrad=False),
]
