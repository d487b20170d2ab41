"""Averaged stochastic gradient descent (torch.optim.ASGD)."""
from __future__ import annotations

import ember
from ember._tensor import Tensor
from ember.optim.optimizer import (Optimizer, _check_capturable, _get_scalar_dtype, _get_value,
                                   _to_scalar, _use_grad_for_differentiable)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """Averaged SGD: ``p = p * (1 - lambd * eta) - eta * g`` with a decaying step size
    ``eta = lr / (1 + lambd * lr * step) ** alpha``; ``state['ax']`` holds the running average
    of the iterates, averaged from step `t0` on.

    Example:
        >>> p = ember.zeros(2, requires_grad=True)
        >>> opt = ASGD([p], lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                for key in ("step", "eta", "mu") if len(p_state) != 0 else ():
                    if not ember.is_tensor(p_state[key]):
                        p_state[key] = ember.tensor(float(p_state[key]),
                                                    dtype=_get_scalar_dtype(), device=p.device)

    def _init_group(self, group, params, grads, mus, axs, etas, state_steps):
        for p in group["params"]:
            if p.grad is None:
                continue
            params.append(p)
            if p.grad.is_sparse:
                raise RuntimeError("ASGD does not support sparse gradients")
            grads.append(p.grad)
            state = self.state[p]
            if len(state) == 0:
                dtype = _get_scalar_dtype()
                state["step"] = ember.zeros((), device=p.device, dtype=dtype)
                state["eta"] = ember.as_tensor(_to_scalar(group["lr"]), device=p.device,
                                               dtype=dtype).clone().detach()
                state["mu"] = ember.ones((), device=p.device, dtype=dtype)
                state["ax"] = ember.zeros_like(p, memory_format=ember.preserve_format)
            mus.append(state["mu"])
            axs.append(state["ax"])
            etas.append(state["eta"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One ASGD step; `closure` (optional) recomputes and returns the loss."""
        loss = None
        if closure is not None:
            with ember.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params, grads, mus, axs, etas, state_steps = [], [], [], [], [], []
            self._init_group(group, params, grads, mus, axs, etas, state_steps)
            asgd(params, grads, axs, mus, etas, state_steps, lambd=group["lambd"],
                 lr=group["lr"], t0=group["t0"], alpha=group["alpha"],
                 weight_decay=group["weight_decay"], foreach=group["foreach"],
                 maximize=group["maximize"], differentiable=group["differentiable"],
                 capturable=group["capturable"])
        return loss


def asgd(params, grads, axs, mus, etas, state_steps, foreach=None, maximize=False,
         differentiable=False, capturable=False, has_complex=False, *, lambd, lr, t0, alpha,
         weight_decay) -> None:
    """The ASGD update on lists of tensors (torch.optim.asgd.asgd)."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        mu, ax, eta, step_t = mus[i], axs[i], etas[i], state_steps[i]
        if capturable:
            _check_capturable(param, mu, eta, step_t,
                              names="params, mus, etas, and state_steps")
        if ember.is_complex(param):
            grad = ember.view_as_real(grad)
            param = ember.view_as_real(param)
            ax = ember.view_as_real(ax)
        step_t += 1
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        if capturable:
            param.mul_(1 - lambd * eta)
            param.addcmul_(grad, eta, value=-1)
        else:
            eta_value = _get_value(eta)
            param.mul_(1 - lambd * eta_value)
            param.add_(grad, alpha=-eta_value)
        if capturable or mu.item() != 1:
            ax.add_(param.sub(ax).mul_(mu))
        else:
            ax.copy_(param)
        _asgd_schedule(eta, mu, step_t, lr, lambd, alpha, t0, capturable)


def _asgd_schedule(eta, mu, step_t, lr, lambd, alpha, t0, capturable):
    """Advance the step size `eta` and the averaging weight `mu` to the new step."""
    if capturable:
        eta.copy_(lr / ((1 + lambd * lr * step_t) ** alpha))
        mu.copy_(1 / ember.maximum(step_t - t0, ember.ones_like(step_t)))
    else:
        step = _get_value(step_t)
        eta.copy_(ember.as_tensor(lr / ((1 + lambd * lr * step) ** alpha)))
        mu.copy_(ember.as_tensor(1 / max(1, step - t0)))
