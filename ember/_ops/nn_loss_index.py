"""Losses over class-index targets: nll_loss (``NllLossBackward0``, and
``NllLoss2DBackward0`` for spatial inputs), multi_margin_loss and multilabel_margin_loss,
each one graph node with torch's name and checks.

nll_loss's gradient is its own node (``NllLossBackwardBackward0``), linear in the incoming
gradient, whose backward is nll_loss again: double backward works as in torch. The margin
losses' gradient node is torch's ``NotImplemented``: a second derivative raises torch's
error.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str
from ember._ops._pointwise import not_implemented
from ember._ops._registry import Op, apply
from ember._ops.nn_loss import NoSecondDerivative, forbid_grad, no_second_derivative, same_device

__all__ = []


def _reduce_rows(be, loss, reduction):
    """Sum or mean of a per-sample loss array; the mean of no samples is 0 (torch's
    multi_margin_loss)."""
    if reduction == 1:
        total = loss.sum() / loss.size if loss.size else 0.0
        return be.xp.asarray(total).astype(loss.dtype)
    if reduction == 2:
        return be.xp.asarray(loss.sum())
    return loss


# --- nll_loss -----------------------------------------------------------------------------
class NllLossBackward0(Op):
    """-input[target] * weight[target] along the class axis; `ctx` is the backend's
    prepared target (index, weights, total weight, counted mask)."""

    save_inputs = (0,)

    def forward(self, be, x, *, ctx, reduction):
        self.ctx, self.reduction = ctx, reduction
        return be.nll_forward(x, ctx, reduction)

    def backward(self, g):
        # the input rides along (its gradient is zero) so that, as in torch, the gradient
        # node is recorded under create_graph whenever the input requires grad
        (x,) = self.saved
        return apply(self.grad_node, (g, x), ctx=self.ctx, reduction=self.reduction)


class NllLossBackwardBackward0(Op):
    """The input gradient of nll_loss: the incoming gradient placed at the target class."""

    loss_node = NllLossBackward0

    def forward(self, be, g, x, *, ctx, reduction):
        self.ctx, self.reduction = ctx, reduction
        return be.nll_backward(g, ctx, reduction, x.shape)

    def backward(self, gg):
        need_g, need_x = self.needs_input_grad
        gg_loss = apply(self.loss_node, (gg,), ctx=self.ctx,
                        reduction=self.reduction) if need_g else None
        return gg_loss, (gg.new_zeros(gg.shape) if need_x else None)


class NllLoss2DBackward0(NllLossBackward0):
    """nll_loss over (N, C, H, W) inputs."""


class NllLoss2DBackwardBackward0(NllLossBackwardBackward0):
    loss_node = NllLoss2DBackward0


NllLossBackward0.grad_node = NllLossBackwardBackward0
NllLoss2DBackward0.grad_node = NllLoss2DBackwardBackward0


def _check_nll_types(input, target, weight):
    if target.dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{D.type_name(target.dtype)}")
    if input.dtype.category != D.FLOAT:
        raise not_implemented("nll_loss_out_frame", input.dtype)
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found "
                           f"{D.type_name(weight.dtype)}")


def _nll(cls, input, target, weight, reduction, ignore_index):
    forbid_grad("nll_loss_forward" if cls is NllLossBackward0 else "nll_loss2d_forward",
                "weight", weight)
    same_device(input, target, weight)
    _check_nll_types(input, target, weight)
    class_axis = 0 if input.dim() == 1 else 1
    ctx = input._be.nll_prepare(target._arr, None if weight is None else weight._arr,
                                ignore_index, input._arr.shape, class_axis, input._arr.dtype)
    return apply(cls, (input,), ctx=ctx, reduction=reduction)


def _weight_error(weight, n_classes):
    return RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                        f"or no classes but got weight tensor of shape: "
                        f"{shape_str(weight.shape)}")


def nll_loss(input, target, weight, reduction, ignore_index):
    """torch's nll_loss on (C,) or (N, C) inputs with () or (N,) class-index targets."""
    if target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.dim() == 1 and target.dim() == 1:
        if target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target "
                             f"size: {target.shape[0]}")
        target = target.reshape(())
    n_classes = input.shape[-1]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise _weight_error(weight, n_classes)
    return _nll(NllLossBackward0, input, target, weight, reduction, ignore_index)


def nll_loss2d(input, target, weight, reduction, ignore_index):
    """torch's nll_loss2d: (N, C, H, W) inputs, (N, H, W) class-index targets."""
    if target.dim() != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {target.dim()}")
    if weight is not None and weight.numel() != input.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    n, _, h, w = input.shape
    if tuple(target.shape) != (n, h, w):
        raise RuntimeError(f"size mismatch (got input: {shape_str(input.shape)} , target: "
                           f"{shape_str(target.shape)}")
    return _nll(NllLoss2DBackward0, input, target, weight, reduction, ignore_index)


def nll_loss_nd(input, target, weight, reduction, ignore_index):
    """nll_loss over any number of dims: (C,), (N, C) or (N, C, d1, ...) inputs; other than
    1-, 2- and 4-D inputs are viewed as (N, C, 1, -1), as torch does."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    batch = target.shape[0] if target.dim() else 0
    if input.dim() != 1 and input.shape[0] != batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({batch}).")
    if input.dim() <= 2:
        return nll_loss(input, target, weight, reduction, ignore_index)
    if input.dim() == 4:
        return nll_loss2d(input, target, weight, reduction, ignore_index)
    n, c = input.shape[:2]
    out_size = (n,) + tuple(input.shape[2:])
    if tuple(target.shape[1:]) != out_size[1:]:
        raise RuntimeError(f"Expected target size {shape_str(out_size)}, got "
                           f"{shape_str(target.shape)}")
    input = input.contiguous()
    target = target.contiguous()
    input = input.view(n, c, 1, -1) if input.numel() else input.view(n, c, 0, 0)
    target = target.view(n, 1, -1) if target.numel() else target.view(n, 0, 0)
    out = nll_loss2d(input, target, weight, reduction, ignore_index)
    return out.view(out_size) if reduction == 0 else out


# --- margin losses ------------------------------------------------------------------------
@no_second_derivative
class _FixedSlopeGrad(NoSecondDerivative):
    """g times a slope fixed at forward time; torch has no second derivative here."""

    def forward(self, be, g, x, *, slope, aten):
        self.aten = aten
        per_row = g.reshape(-1, 1) if g.ndim else g
        return (per_row * slope).reshape(x.shape)


class _MarginLoss(Op):
    """A per-sample margin loss whose backend kernel gives (loss, slope) on (N, C); the
    input is saved only to stand in the gradient node, as torch's does."""

    aten = ""
    save_inputs = (0,)

    def backward(self, g):
        (x,) = self.saved
        if self.reduction == 1 and self.slope.shape[0]:
            g = g / self.slope.shape[0]
        grad = apply(_FixedSlopeGrad, (g, x), slope=self.slope, aten=self.aten)
        return (grad,) + (None,) * (len(self.needs_input_grad) - 1)


class MultiMarginLossBackward0(_MarginLoss):
    aten = "multi_margin_loss_backward"

    def forward(self, be, x, y, w, *, p, margin, reduction, out_shape):
        self.reduction = reduction
        c = x.shape[-1] if x.ndim else 1
        y = y.reshape(-1)
        if ((y < 0) | (y >= c)).any():
            raise RuntimeError("target out of range")
        x2 = x.reshape(y.size, c)
        loss, self.slope = be.multi_margin(x2, y, p, margin, None if w is None else w[y])
        out = _reduce_rows(be, loss, reduction)
        return out.reshape(out_shape) if reduction == 0 else out


class MultilabelMarginLossBackward0(_MarginLoss):
    aten = "multilabel_margin_loss_backward"

    def forward(self, be, x, target, *, reduction):
        self.reduction = reduction
        c = x.shape[-1] if x.ndim else 1
        if ((target < -1) | (target >= c)).any():
            raise RuntimeError("argument #2 'target' is out of range")
        loss, self.slope = be.multilabel_margin(x.reshape(-1, c), target.reshape(-1, c))
        out = _reduce_rows(be, loss, reduction)
        return out.reshape(x.shape[:-1] if x.ndim else ()) if reduction == 0 else out


def _margin_input(input, kernel):
    if input.dtype not in (D.float32, D.float64):
        raise not_implemented(kernel, input.dtype)
    nd = input.dim()
    if not (nd == 0 or (nd <= 2 and input.shape[-1] != 0)):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {shape_str(input.shape)}")


def _long_target(target):
    if target.dtype is not D.int64:
        raise RuntimeError(f"expected scalar type Long but found {D.type_name(target.dtype)}")


def multi_margin_loss(input, target, p, margin, weight, reduction):
    """torch's multi_margin_loss: sum over j != y of weight[y] max(0, margin - x[y] +
    x[j])^p / C per sample, for (C,) or (N, C) float32 / float64 inputs."""
    forbid_grad("multi_margin_loss", "weight", weight)
    same_device(input, target, weight)
    nd = input.dim()
    _margin_input(input, "multi_margin_loss_cpu_kernel")
    nframe = 1 if nd <= 1 else input.shape[0]
    dim = 1 if nd == 0 else input.shape[-1]
    if target.dim() > 1 or target.numel() != nframe:
        raise RuntimeError(
            f"multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{nframe}], but got "
            f"{shape_str(target.shape)}. Input has shape {shape_str(input.shape)}.")
    if weight is not None and (weight.dim() > 1 or weight.numel() != dim):
        raise RuntimeError(f"inconsistent weight size, expected {dim} but got "
                           f"{shape_str(weight.shape)}")
    _long_target(target)
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found "
                           f"{D.type_name(weight.dtype)}")
    return apply(MultiMarginLossBackward0, (input, target, weight), p=p, margin=margin,
                 reduction=reduction, out_shape=tuple(target.shape))


def multilabel_margin_loss(input, target, reduction):
    """torch's multilabel_margin_loss: the target lists class indices up to the first -1;
    each listed class is compared with every unlisted one through max(0, 1 - (x[y] - x[j]))
    summed and divided by C."""
    same_device(input, target)
    _margin_input(input, "multilabel_margin_loss_forward_out_frame")
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {shape_str(target.shape)} for input of "
                           f"size: {shape_str(input.shape)}")
    _long_target(target)
    return apply(MultilabelMarginLossBackward0, (input, target), reduction=reduction)
