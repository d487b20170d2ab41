"""Stochastic gradient descent, with optional momentum and Nesterov momentum (torch.optim.SGD)."""
from __future__ import annotations

import ember
from ember._tensor import Tensor
from ember.optim.optimizer import (Optimizer, _check_fused, _check_fused_flags, _scalar_arg,
                                   _to_scalar, _use_grad_for_differentiable)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    """Stochastic gradient descent: ``p -= lr * g``, where `g` is the gradient plus
    ``weight_decay * p``, optionally passed through a momentum buffer
    ``b = momentum * b + (1 - dampening) * g`` (Nesterov: ``g + momentum * b``).

    Example:
        >>> p = ember.zeros(2, requires_grad=True)
        >>> opt = SGD([p], lr=0.1, momentum=0.9)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused_flags(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _init_group(self, group, params, grads, momentum_buffer_list):
        has_sparse_grad = False
        for p in group["params"]:
            if p.grad is None:
                continue
            if group["fused"]:
                _check_fused(p)
            params.append(p)
            grads.append(p.grad)
            has_sparse_grad |= p.grad.is_sparse
            if group["momentum"] != 0:
                momentum_buffer_list.append(self.state[p].get("momentum_buffer"))
        return has_sparse_grad

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One SGD step; `closure` (optional) recomputes and returns the loss."""
        loss = None
        if closure is not None:
            with ember.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params, grads, momentum_buffer_list = [], [], []
            has_sparse_grad = self._init_group(group, params, grads, momentum_buffer_list)
            sgd(params, grads, momentum_buffer_list, weight_decay=group["weight_decay"],
                momentum=group["momentum"], lr=group["lr"], dampening=group["dampening"],
                nesterov=group["nesterov"], maximize=group["maximize"],
                has_sparse_grad=has_sparse_grad, foreach=group["foreach"],
                fused=group["fused"])
            if group["momentum"] != 0:
                for p, buf in zip(params, momentum_buffer_list):
                    self.state[p]["momentum_buffer"] = buf
        return loss


def sgd(params, d_p_list, momentum_buffer_list, has_sparse_grad=False, foreach=None,
        fused=None, grad_scale=None, found_inf=None, *, weight_decay, momentum, lr, dampening,
        nesterov, maximize) -> None:
    """The SGD update on lists of tensors (torch.optim.sgd.sgd); new momentum buffers are
    written back into `momentum_buffer_list`."""
    if grad_scale is not None or found_inf is not None:
        raise AssertionError("Expected grad_scale and found_inf to be None")
    lr = _to_scalar(lr)
    if _fused_momentum_ok(params, d_p_list, momentum_buffer_list, lr, momentum, dampening,
                          weight_decay, maximize):
        for param, grad, buf in zip(params, d_p_list, momentum_buffer_list):
            param._be.sgd_momentum_(param._arr, grad._arr, buf._arr, lr, momentum, dampening,
                                    nesterov)
            param._bump_version()
            buf._bump_version()
        return
    for i, param in enumerate(params):
        grad = d_p_list[i] if not maximize else -d_p_list[i]
        if weight_decay != 0:
            if isinstance(weight_decay, Tensor) and weight_decay.requires_grad:
                grad = grad.addcmul_(param.clone(), weight_decay)
            else:
                grad = grad.add(param, alpha=_scalar_arg(weight_decay, "add", "alpha"))
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = grad.detach().clone()
                momentum_buffer_list[i] = buf
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buf, alpha=momentum) if nesterov else buf
        if isinstance(lr, Tensor) and lr.requires_grad:
            param.addcmul_(grad, lr, value=-1)
        else:
            param.add_(grad, alpha=_scalar_arg(-lr, "add_", "alpha"))


def _fused_momentum_ok(params, grads, bufs, lr, momentum, dampening, weight_decay, maximize):
    """The common case runs as one backend kernel per parameter: momentum buffers already
    exist, plain float hyperparameters, no weight decay or maximize, and nothing to record
    for autograd (float32/float64 tensors of matching dtype and shape)."""
    if not momentum or weight_decay != 0 or maximize or ember.is_grad_enabled():
        return False
    if not all(isinstance(v, float | int) for v in (lr, momentum, dampening)):
        return False
    for p, g, b in zip(params, grads, bufs):
        if b is None or p.dtype not in _FUSED_DTYPES or g.dtype is not p.dtype or \
                b.dtype is not p.dtype or g.shape != p.shape or b.shape != p.shape:
            return False
    return True


_FUSED_DTYPES = frozenset((ember.float32, ember.float64))
