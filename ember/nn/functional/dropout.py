"""Dropout (torch.nn.functional): elementwise, channel-wise (1d/2d/3d) and alpha dropout.

The masks come from the global generator exactly as torch draws them, so after the same
``manual_seed`` the same elements are dropped.
"""
from __future__ import annotations

import warnings

from ember._ops import nn_dropout as _D

__all__ = ["dropout", "alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
           "feature_alpha_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability `p` (in training) and scale the kept ones by
    ``1 / (1 - p)``.

    Example::

        >>> _ = ember.manual_seed(0)
        >>> dropout(ember.ones(6), 0.5)
        tensor([0., 0., 2., 0., 0., 0.])
    """
    _check_p(p)
    return _D.dropout_(input, p, training) if inplace else _D.dropout(input, p, training)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout keeping zero mean and unit variance (see torch.nn.AlphaDropout)."""
    _check_p(p)
    return _D.alpha_dropout_(input, p, training) if inplace else \
        _D.alpha_dropout(input, p, training)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels of (N, C, *) `input`."""
    _check_p(p)
    return _D.feature_alpha_dropout_(input, p, training) if inplace else \
        _D.feature_alpha_dropout(input, p, training)


def _feature(input, p, training, inplace, unbatched):
    """feature dropout, on `input` given one batch dim first when `unbatched`."""
    if unbatched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _D.feature_dropout_(input, p, training) if inplace else \
        _D.feature_dropout(input, p, training)
    if unbatched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def _deprecated_dim(name, ndim, spatial):
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will "
                  f"result in an error in a future release. To retain the behavior and "
                  f"silence this warning, please use dropout instead. Note that {name} exists "
                  f"to provide channel-wise dropout on inputs with {spatial} spatial "
                  f"dimensions, a channel dimension, and an optional batch dimension (i.e. "
                  f"{spatial + 1}D or {spatial + 2}D inputs).", stacklevel=3)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) `input` with probability `p`."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D "
                           "input. Note that dropout1d exists to provide channel-wise dropout "
                           "on inputs with 1 spatial dimension, a channel dimension, and an "
                           "optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature(input, p, training, inplace, ndim == 2)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) `input` with probability `p`.

    Differences from PyTorch: none; like torch, a 3-D input is read as (N, C, L)."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        _deprecated_dim("dropout2d", ndim, 2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      stacklevel=2)
    return _feature(input, p, training, inplace, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) `input` with probability
    `p`."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        _deprecated_dim("dropout3d", ndim, 3)
    return _feature(input, p, training, inplace, ndim != 5)
