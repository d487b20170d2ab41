"""L-BFGS, with an optional strong-Wolfe line search (torch.optim.LBFGS)."""
from __future__ import annotations

import ember
from ember._tensor import Tensor
from ember.optim._line_search import _strong_wolfe
from ember.optim.optimizer import Optimizer, _scalar_arg, _to_scalar

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """Limited-memory BFGS over all parameters flattened into one vector.

    ``step(closure)`` runs up to ``max_iter`` iterations (``max_eval`` closure calls) and
    needs a closure that zeroes the gradients, recomputes the loss, calls ``backward`` and
    returns the loss. ``line_search_fn='strong_wolfe'`` picks each step length by a
    strong-Wolfe line search; otherwise the step is ``lr`` (the first scaled by the
    gradient's L1 norm). Only one parameter group is supported.

    Example:
        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = LBFGS([w], line_search_fn="strong_wolfe")
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    def _numel(self):
        if self._numel_cache is None:
            self._numel_cache = sum(2 * p.numel() if ember.is_complex(p) else p.numel()
                                    for p in self._params)
        return self._numel_cache

    def _gather_flat_grad(self):
        views = []
        for p in self._params:
            if p.grad is None:
                view = p.new(p.numel()).zero_()
            else:
                view = p.grad.view(-1)
            if ember.is_complex(view):
                view = ember.view_as_real(view).view(-1)
            views.append(view)
        return ember.cat(views, 0)

    def _add_grad(self, step_size, update) -> None:
        offset = 0
        step_size = _scalar_arg(step_size, "add_", "alpha")
        for p in self._params:
            if ember.is_complex(p):
                p = ember.view_as_real(p)
            numel = p.numel()
            p.add_(update[offset:offset + numel].view_as(p), alpha=step_size)
            offset += numel
        if offset != self._numel():
            raise AssertionError(f"Expected offset {offset} to equal {self._numel()}")

    def _clone_param(self):
        return [p.clone(memory_format=ember.contiguous_format) for p in self._params]

    def _set_param(self, params_data) -> None:
        for p, pdata in zip(self._params, params_data):
            p.copy_(pdata)

    def _directional_evaluate(self, closure, x, t, d):
        """Loss and flat gradient at ``x + t * d``; the parameters are restored to `x`."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    @ember.no_grad()
    def step(self, closure):
        """Run the L-BFGS iterations; returns the loss `closure` gave at the start."""
        if len(self.param_groups) != 1:
            raise AssertionError("Expected exactly one param_group, but got "
                                 f"{len(self.param_groups)}")
        closure = ember.enable_grad()(closure)
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = closure()
        loss = float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max() <= group["tolerance_grad"]:
            return orig_loss
        self._iterate(closure, group, state, loss, flat_grad)
        return orig_loss

    def _direction(self, state, flat_grad, history_size):
        """The quasi-Newton direction by the two-loop recursion over the stored history."""
        if state["n_iter"] == 1:
            state.update(d=flat_grad.neg(), old_dirs=[], old_stps=[], ro=[], H_diag=1)
            return state["d"]
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        y = flat_grad.sub(state["prev_flat_grad"])
        s = state["d"].mul(state["t"])
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:    # shift the history by one
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            state["H_diag"] = ys / y.dot(y)
        num_old = len(old_dirs)
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = flat_grad.neg()
        for i in range(num_old - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q.add_(old_dirs[i], alpha=_scalar_arg(-al[i], "add_", "alpha"))
        d = r = ember.mul(q, state["H_diag"])
        for i in range(num_old):
            be_i = old_dirs[i].dot(r) * ro[i]
            r.add_(old_stps[i], alpha=_scalar_arg(al[i] - be_i, "add_", "alpha"))
        return d

    def _iterate(self, closure, group, state, loss, flat_grad):
        lr = _to_scalar(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_change = group["tolerance_change"]
        current_evals, n_iter = 1, 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            d = state["d"] = self._direction(state, flat_grad, group["history_size"])
            if state.get("prev_flat_grad") is None:
                state["prev_flat_grad"] = flat_grad.clone(memory_format=ember.contiguous_format)
            else:
                state["prev_flat_grad"].copy_(flat_grad)
            prev_loss = state["prev_loss"] = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr
            else:
                t = lr
            state["t"] = t
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:     # the direction does not descend
                break
            loss, flat_grad, t, ls_func_evals, opt_cond = self._advance(
                closure, group, loss, flat_grad, t, d, gtd, max_eval - current_evals,
                n_iter != max_iter)
            state["t"] = t
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if d.mul(t).abs().max() <= tolerance_change or \
                    abs(loss - prev_loss) < tolerance_change:
                break

    def _advance(self, closure, group, loss, flat_grad, t, d, gtd, max_ls, evaluate):
        """Move along `d`: by line search, or by ``t`` then (if `evaluate`) re-evaluate."""
        line_search_fn = group["line_search_fn"]
        ls_func_evals = 0
        opt_cond = False
        if line_search_fn is not None:
            if line_search_fn != "strong_wolfe":
                raise RuntimeError("only 'strong_wolfe' is supported")
            x_init = self._clone_param()

            def obj_func(x, t, d):
                return self._directional_evaluate(closure, x, t, d)

            loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_ls)
            self._add_grad(t, d)
            opt_cond = flat_grad.abs().max() <= group["tolerance_grad"]
        else:
            self._add_grad(t, d)
            if evaluate:
                with ember.enable_grad():
                    loss = float(closure())
                flat_grad = self._gather_flat_grad()
                opt_cond = flat_grad.abs().max() <= group["tolerance_grad"]
                ls_func_evals = 1
        return loss, flat_grad, t, ls_func_evals, opt_cond
