"""The connectionist temporal classification loss (torch.ctc_loss): one ``CtcLossBackward0``
node over the backend's log-space alpha recursion; its gradient (torch's formula, which
assumes log_softmax inputs) comes from the beta recursion and cannot be differentiated
again, as in torch."""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._pointwise import not_implemented
from ember._ops._registry import Op, apply
from ember._ops.creation import tensor, zeros
from ember._ops.nn_loss import NoSecondDerivative, no_second_derivative, same_device
from ember._ops.where import where
from ember._tensor import Tensor

__all__ = ["ctc_loss"]
FUNCTIONS_ONLY = ("ctc_loss",)

_WHILE = " (while checking arguments for ctc_loss_allocate_outputs)"


class CtcLossBackward0(Op):
    """Per-sample negative log likelihood of (T, N, C) log-probabilities."""

    save_inputs = (0,)

    def forward(self, be, lp, targets, *, input_lengths, target_lengths, blank, zero_infinity):
        xp = be.xp
        il = xp.asarray(input_lengths, dtype=xp.int64)
        tl = xp.asarray(target_lengths, dtype=xp.int64)
        if targets.ndim == 1:
            targets = be.ctc_pad_targets(targets, tl)
        nll, self.ctx = be.ctc_loss(lp, targets, il, tl, blank)
        self.zero_infinity = zero_infinity
        return nll

    def backward(self, g):
        (lp,) = self.saved
        return apply(_CtcGrad, (g, lp), ctx=self.ctx, zero_infinity=self.zero_infinity), None


@no_second_derivative
class _CtcGrad(NoSecondDerivative):
    aten = "_ctc_loss_backward"

    def forward(self, be, g, lp, *, ctx, zero_infinity):
        return be.ctc_loss_backward(g, lp, ctx, zero_infinity)


def _invalid_arguments(*args):
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args)
    return TypeError(
        f"ctc_loss() received an invalid combination of arguments - got ({got}), but expected "
        "one of:\n * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of "
        "ints target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool "
        "zero_infinity = False)\n * (Tensor log_probs, Tensor targets, Tensor input_lengths, "
        "Tensor target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool "
        "zero_infinity = False)\n")


def _lengths(args):
    """(input_lengths, target_lengths) as tuples of ints: both Tensors of an integer dtype,
    or both sequences of ints."""
    il, tl = args[2], args[3]
    if isinstance(il, Tensor) and isinstance(tl, Tensor):
        for name, t in (("input_lengths", il), ("target_lengths", tl)):
            if t.dtype.category != D.INT:
                raise RuntimeError(f"{name} must be integral")
        return tuple(il.reshape(-1).tolist()), tuple(tl.reshape(-1).tolist())
    if all(isinstance(s, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool)
                                                for v in s) for s in (il, tl)):
        return tuple(il), tuple(tl)
    raise _invalid_arguments(*args)


def _check_targets(targets, batch, tl):
    for v in tl:
        if v < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got "
                               f"value {v}{_WHILE}")
    want = sum(tl) if targets.dim() == 1 else batch
    if targets.shape[0] != want:
        raise RuntimeError(f"Expected tensor to have size {want} at dimension 0, but got size "
                           f"{targets.shape[0]} for argument #2 'targets'{_WHILE}")
    longest = max(tl, default=0)
    if targets.dim() == 2 and targets.shape[1] < longest:
        raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, "
                           f"but got size {targets.shape[1]} for argument #2 'targets'{_WHILE}")


def _check(lp, targets, il, tl, blank):
    """torch's checks of _ctc_loss, in its order."""
    if lp.dtype not in (D.float32, D.float64):
        raise not_implemented("ctc_loss_cpu", lp.dtype)
    if lp.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if lp.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.dim()}-dimensional "
                           f"tensor for argument #1 'log_probs'{_WHILE}")
    if not 1 <= targets.dim() <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.dim()}-dimensional "
                           f"tensor for argument #2 'targets'{_WHILE}")
    t_max, batch, n_labels = lp.shape
    if not 0 <= blank < n_labels:
        raise RuntimeError("blank must be in label range")
    for name, lengths in (("input_lengths", il), ("target_lengths", tl)):
        if len(lengths) != batch:
            raise RuntimeError(f"{name} must be of size batch_size")
    _check_targets(targets, batch, tl)
    for v in il:
        if v < 0 or v > t_max:
            bound, word = (0, "least") if v < 0 else (t_max, "most")
            raise RuntimeError(f"Expected input_lengths to have value at {word} {bound}, but "
                               f"got value {v}{_WHILE}")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
             zero_infinity=False):
    """The CTC loss of log-probabilities (T, N, C) (or (T, C) unbatched) against targets,
    padded (N, S) or concatenated (sum of target_lengths,); lengths as int Tensors or
    sequences. Mean reduction divides each loss by its target length (at least 1) first;
    `zero_infinity` replaces infinite losses (impossible alignments) and their gradients by
    zero.

    NOTE(torch): the torch.* function's default reduction behaves as 0 (none), although
    torch documents Mean.
    """
    il, tl = _lengths((log_probs, targets, input_lengths, target_lengths, blank, reduction,
                       zero_infinity))
    same_device(log_probs, targets)
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    _check(lp, targets, il, tl, blank)
    res = apply(CtcLossBackward0, (lp, targets.long()), input_lengths=il, target_lengths=tl,
                blank=blank, zero_infinity=zero_infinity)
    if zero_infinity:
        res = where(res == math.inf, zeros((), dtype=res.dtype), res)
    if reduction == 1:
        return (res / tensor(tl, dtype=res.dtype).clamp_min(1)).mean()
    if reduction == 2:
        return res.sum()
    return res if batched else res.squeeze(0)
