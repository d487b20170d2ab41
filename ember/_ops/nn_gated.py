"""Activations with a second operand: glu (the input gates itself, halved along a dim) and
prelu (a learned slope per channel), each one graph node named as torch names it."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._registry import Op, apply
from ember._ops.join import cat
from ember._ops.nn_activation import check_floating
from ember._ops.where import where
from ember._tensor import Tensor

__all__ = ["prelu"]


# --- glu --------------------------------------------------------------------------------
class GluBackwardBackward0(Op):
    """The gradient of glu, ``[g s, g a s (1 - s)]`` for ``x = [a, b]`` and s = sigmoid(b),
    in one kernel; differentiable again."""

    save_inputs = (0, 1)
    saved_for = {0: (1,)}

    def forward(self, be, g, x, *, dim):
        self.dim = dim
        return be.activation("glu_backward", g, x, dim=dim)

    def backward(self, gg):
        g, x = self.saved
        need_g, need_x = self.needs_input_grad
        a, b = x.chunk(2, self.dim)
        gg_a, gg_b = gg.chunk(2, self.dim)
        s = b.sigmoid()
        ds = s * (1 - s)
        grad_g = gg_a * s + gg_b * a * ds if need_g else None
        grad_x = None
        if need_x:
            grad_a = gg_b * g * ds
            grad_b = (gg_a + gg_b * a * (1 - 2 * s)) * g * ds
            grad_x = cat([grad_a, grad_b], self.dim)
        return grad_g, grad_x


class GluBackward0(Op):
    """a * sigmoid(b), where a and b are the two halves of the input along `dim`."""

    save_inputs = (0,)

    def forward(self, be, x, *, dim):
        check_floating(be, x, "glu_cpu")
        self.dim = dim
        return be.activation("glu", x, dim=dim)

    def backward(self, g):
        (x,) = self.saved
        return apply(GluBackwardBackward0, (g, x), dim=self.dim)


def glu(input, dim=-1):
    """The gated linear unit: the first half of `input` along `dim` times the sigmoid of
    the second half."""
    dim = wrap_dim(dim, input.dim())
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{size}")
    return apply(GluBackward0, (input,), dim=dim)


# --- prelu ------------------------------------------------------------------------------
class PreluKernelBackward0(Op):
    """x above 0, weight * x elsewhere (weight broadcast over the input)."""

    save_inputs = (0, 1)

    def forward(self, be, x, w):
        check_floating(be, x, "prelu_cpu")
        return be.activation("prelu", x, w)

    def backward(self, g):
        x, w = self.saved
        need_x, need_w = self.needs_input_grad
        positive = x > 0
        grad_x = where(positive, g, w * g) if need_x else None
        grad_w = where(positive, 0.0, x * g) if need_w else None
        return grad_x, grad_w


def _check_prelu(input, weight):
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{D.type_name(input.dtype)} and {D.type_name(weight.dtype)}")
    n = weight.numel()
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() > 1 else 1
        if channels != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")


def prelu(input, weight):
    """x above 0, weight * x elsewhere, with one weight per channel (dim 1) or one shared
    weight."""
    _check_prelu(input, weight)
    ndim = input.dim()
    if ndim != weight.dim():
        shape = [1] * ndim
        if ndim > 1:
            shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return apply(PreluKernelBackward0, (input, weight))
