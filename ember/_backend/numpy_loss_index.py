"""NumPy kernels behind the losses over class-index targets (CPU backend): nll_loss,
multi_margin_loss and multilabel_margin_loss.

nll_loss works on a prepared context, shared by forward, backward and double backward:
an advanced-index tuple picking each entry's target class (ignored entries point at class
0), each entry's weight (None when every weight is 1), the total weight that 'mean' divides
by, and the mask of counted entries (None when none is ignored).
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


def _opmath(x):
    return x.astype(np.float32) if x.dtype in _LOW else x


def _pick_index(target, shape, class_axis):
    """The index tuple of x[n, target[n, d...], d...] (or x[target] for a 1-D x)."""
    if class_axis == 0:
        return (target,)
    spatial = shape[2:]
    ndim = 1 + len(spatial)
    grids = [np.arange(s).reshape((1,) * i + (s,) + (1,) * (ndim - 1 - i))
             for i, s in enumerate((shape[0],) + tuple(spatial))]
    return (grids[0], target, *grids[1:])


class NumpyLossIndex:
    """Class-index loss kernels mixed into the NumPy backend."""

    @staticmethod
    def nll_prepare(target, weight, ignore_index, shape, class_axis, dtype):
        """The context of a class-index target for inputs of `shape`; raises torch's
        IndexError for a target outside [0, C) that is not `ignore_index`."""
        target = target.astype(np.intp, copy=False)
        n_classes = shape[class_axis]
        if ignore_index < 0 and target.size and target.min() >= 0:
            all_valid = True        # the common case, found with one reduction
        else:
            valid = target != ignore_index
            all_valid = bool(valid.all())
        counted = target if all_valid else target[valid]
        if counted.size and (counted.min() < 0 or counted.max() >= n_classes):
            bad = counted[(counted < 0) | (counted >= n_classes)]
            raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
        index = target if all_valid else np.where(valid, target, 0)
        op = np.float32 if dtype in _LOW else dtype
        if weight is None:
            w = None if all_valid else valid.astype(op)
        else:
            w = weight.astype(op, copy=False)[index]
            w = w if all_valid else np.where(valid, w, 0).astype(op, copy=False)
        total = target.size if w is None else w.sum()
        return _pick_index(index, shape, class_axis), w, total, None if all_valid else valid

    @staticmethod
    def nll_forward(x, ctx, reduction):
        """-x[target] * weight[target], reduced; mean divides by the total weight."""
        index, w, total, valid = ctx
        picked = _opmath(x[index])
        loss = -picked if w is None else -picked * w
        if valid is not None:
            loss = np.where(valid, loss, 0)
        if reduction == 1:
            loss = np.divide(loss.sum(), total)
        elif reduction == 2:
            loss = loss.sum()
        return np.asarray(loss).astype(x.dtype, copy=False)

    @staticmethod
    def nll_backward(g, ctx, reduction, shape):
        """The input gradient of nll_forward: -weight[target] * g at each target class."""
        index, w, total, valid = ctx
        scale = _opmath(g)
        if reduction == 1:
            scale = np.divide(scale, total)
        coef = -scale if w is None else -w * scale
        if valid is not None:
            coef = np.where(valid, coef, 0)
        grad = np.zeros(shape, g.dtype)
        grad[index] = coef
        return grad

    # --- margins over class indices ---------------------------------------------------
    @staticmethod
    def multi_margin(x, y, p, margin, w_y):
        """(per-sample loss, per-sample d loss / d x) of multi_margin_loss on (N, C) `x`
        with target indices `y` (N,) and target weights `w_y` (N,) or None."""
        n, c = x.shape
        rows = np.arange(n)
        z = margin - x[rows, y][:, None] + x
        active = z > 0
        active[rows, y] = False
        z = np.where(active, z, 0)
        scale = np.full(n, 1.0 / c, x.dtype) if w_y is None else w_y / c
        loss = (z if p == 1 else z * z).sum(axis=1) * scale
        slope = (active if p == 1 else 2 * z) * scale[:, None]
        slope[rows, y] = -slope.sum(axis=1)
        return loss.astype(x.dtype, copy=False), slope.astype(x.dtype, copy=False)

    @staticmethod
    def multilabel_margin(x, target):
        """(per-sample loss, d loss / d x) of multilabel_margin_loss on (N, C) `x`: each
        target class listed before the first -1 is compared with every non-target class;
        one step per listed position, vectorised over the batch and classes."""
        n, c = x.shape
        listed = np.cumprod(target != -1, axis=1).astype(bool)
        rows, slots = np.nonzero(listed)
        is_target = np.zeros((n, c), bool)
        is_target[rows, target[rows, slots]] = True
        loss = np.zeros(n, x.dtype)
        slope = np.zeros((n, c), x.dtype)
        for j in range(int(listed.sum(axis=1).max(initial=0))):
            has = listed[:, j]
            k = np.where(has, target[:, j], 0)
            z = 1 - x[np.arange(n), k][:, None] + x
            active = (z > 0) & ~is_target & has[:, None]
            loss += np.where(active, z, 0).sum(axis=1)
            slope += active
            slope[np.arange(n), k] -= active.sum(axis=1)
        return loss / c, slope / c
