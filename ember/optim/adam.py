"""Adam, with optional AMSGrad and decoupled (AdamW-style) weight decay (torch.optim.Adam)."""
from __future__ import annotations

import ember
from ember._tensor import Tensor
from ember.optim.optimizer import (Optimizer, _check_capturable, _check_fused, _check_fused_flags,
                                   _get_value, _new_step, _restore_tensor_steps, _scalar_arg,
                                   _to_scalar, _use_grad_for_differentiable)

__all__ = ["Adam", "adam"]


def _check_beta(betas, index, capturable, foreach):
    beta = betas[index]
    if isinstance(beta, Tensor):
        if not capturable and foreach:
            raise ValueError(f"betas[{index}] as a Tensor is not supported for "
                             "capturable=False and foreach=True")
        if beta.numel() != 1:
            raise ValueError(f"Tensor betas[{index}] must be 1-element")


class Adam(Optimizer):
    """Adam: bias-corrected running averages of the gradient (``betas[0]``) and of its square
    (``betas[1]``); ``p -= lr * m_hat / (sqrt(v_hat) + eps)``. ``amsgrad`` uses the running
    maximum of `v`; ``decoupled_weight_decay`` shrinks `p` by ``lr * weight_decay`` instead of
    adding ``weight_decay * p`` to the gradient.

    Differences from PyTorch: ``fused=True`` runs the single-tensor algorithm.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_beta(betas, 0, capturable, foreach)
        _check_beta(betas, 1, capturable, foreach)
        betas = tuple(map(_to_scalar, betas))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        _check_fused_flags(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
        _restore_tensor_steps(self)

    def _init_group(self, group, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
                    state_steps):
        for p in group["params"]:
            if p.grad is None:
                continue
            params.append(p)
            if p.grad.is_sparse:
                raise RuntimeError("Adam does not support sparse gradients, please consider "
                                   "SparseAdam instead")
            grads.append(p.grad)
            state = self.state[p]
            if len(state) == 0:
                if group["fused"]:
                    _check_fused(p)
                state["step"] = _new_step(p, group["capturable"] or group["fused"],
                                          group["fused"])
                state["exp_avg"] = ember.zeros_like(p, memory_format=ember.preserve_format)
                state["exp_avg_sq"] = ember.zeros_like(p, memory_format=ember.preserve_format)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = ember.zeros_like(
                        p, memory_format=ember.preserve_format)
            exp_avgs.append(state["exp_avg"])
            exp_avg_sqs.append(state["exp_avg_sq"])
            if group["amsgrad"]:
                max_exp_avg_sqs.append(state["max_exp_avg_sq"])
            if group["differentiable"] and state["step"].requires_grad:
                raise RuntimeError("`requires_grad` is not supported for `step` in "
                                   "differentiable mode")
            if group["foreach"] and ember.is_tensor(group["lr"]) and not group["capturable"]:
                raise RuntimeError("lr as a Tensor is not supported for capturable=False and "
                                   "foreach=True")
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One Adam step; `closure` (optional) recomputes and returns the loss."""
        loss = None
        if closure is not None:
            with ember.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps = [], [], [], [], [], []
            beta1, beta2 = group["betas"]
            self._init_group(group, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
                             steps)
            adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps,
                 amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2, lr=group["lr"],
                 weight_decay=group["weight_decay"], eps=group["eps"],
                 maximize=group["maximize"], foreach=group["foreach"],
                 capturable=group["capturable"], differentiable=group["differentiable"],
                 fused=group["fused"], decoupled_weight_decay=group["decoupled_weight_decay"])
        return loss


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, foreach=None,
         capturable=False, differentiable=False, fused=None, grad_scale=None, found_inf=None,
         has_complex=False, decoupled_weight_decay=False, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize) -> None:
    """The Adam update on lists of tensors (torch.optim.adam.adam)."""
    if not all(isinstance(t, Tensor) for t in state_steps):
        raise RuntimeError("API has changed, `state_steps` argument must contain a list of "
                           "singleton tensors")
    if grad_scale is not None or found_inf is not None:
        raise AssertionError("Expected grad_scale and found_inf to be None")
    lr, beta1, beta2 = _to_scalar(lr), _to_scalar(beta1), _to_scalar(beta2)
    hp = (beta1, beta2, lr, weight_decay, eps, amsgrad, capturable, differentiable,
          decoupled_weight_decay)
    beta1_cache = {} if isinstance(beta1, Tensor) else None
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        step_t = state_steps[i]
        if capturable:
            _check_capturable(param, step_t)
        step_t += 1
        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            elif differentiable and isinstance(weight_decay, Tensor) and \
                    weight_decay.requires_grad:
                grad = grad.addcmul_(param.clone(), weight_decay)
            else:
                grad = grad.add(param, alpha=_scalar_arg(weight_decay, "add", "alpha"))
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        max_exp_avg_sq = max_exp_avg_sqs[i] if amsgrad else None
        if ember.is_complex(param):
            grad = ember.view_as_real(grad)
            exp_avg = ember.view_as_real(exp_avg)
            exp_avg_sq = ember.view_as_real(exp_avg_sq)
            if amsgrad:
                max_exp_avg_sq = ember.view_as_real(max_exp_avg_sq)
            param = ember.view_as_real(param)
        _adam_moments(grad, exp_avg, exp_avg_sq, _beta_for(beta1, beta1_cache, param), beta2,
                      differentiable)
        _adam_update(param, exp_avg, exp_avg_sq, max_exp_avg_sq, step_t, hp)


def _beta_for(beta1, cache, param):
    """A tensor beta1 moved to `param`'s device and dtype once per (device, dtype)."""
    if cache is None:
        return beta1
    key = (param.device, param.dtype)
    if key not in cache:
        cache[key] = beta1.to(device=param.device, dtype=param.dtype, non_blocking=True)
    return cache[key]


def _adam_moments(grad, exp_avg, exp_avg_sq, beta1, beta2, differentiable):
    exp_avg.lerp_(grad, 1 - beta1)
    if differentiable and isinstance(beta2, Tensor) and beta2.requires_grad:
        exp_avg_sq.lerp_(ember.square(grad), weight=1 - beta2)
    else:
        value = _scalar_arg(1 - beta2, "addcmul_", "value")
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=value)


def _adam_update(param, exp_avg, exp_avg_sq, max_exp_avg_sq, step_t, hp):
    """The bias-corrected parameter update (step `step_t` already incremented)."""
    beta1, beta2, lr, _, eps, amsgrad, capturable, differentiable, _ = hp
    if capturable or differentiable:
        step = step_t
        bias_correction1 = 1 - beta1 ** _grad_safe(beta1, step, differentiable)
        bias_correction2 = 1 - beta2 ** _grad_safe(beta2, step, differentiable)
        step_size_neg = (lr / bias_correction1).neg()
        bias_correction2_sqrt = bias_correction2.sqrt()
        if amsgrad:
            max_sq = max_exp_avg_sq.clone() if differentiable else max_exp_avg_sq
            max_exp_avg_sq.copy_(ember.maximum(max_sq, exp_avg_sq))
            source = max_exp_avg_sq
        else:
            source = exp_avg_sq
        denom = (source.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(
            eps / step_size_neg)
        param.addcdiv_(exp_avg.clone() if differentiable else exp_avg, denom)
        return
    step = _get_value(step_t)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = bias_correction2 ** 0.5
    if amsgrad:
        ember.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    else:
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    param.addcdiv_(exp_avg, denom, value=_scalar_arg(-step_size, "addcdiv_", "value"))


def _grad_safe(beta, step, differentiable):
    # NOTE(torch): a beta that requires grad raises to a clone of step, so that autograd
    # does not save the (later mutated) step counter itself.
    if differentiable and isinstance(beta, Tensor) and beta.requires_grad:
        return step.clone()
    return step
