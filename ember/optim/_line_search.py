"""The strong-Wolfe line search LBFGS uses (torch.optim.lbfgs._strong_wolfe), with its cubic
interpolation. Step lengths, losses and directional derivatives may be Python floats or
0-dim tensors, mixed exactly as torch mixes them."""
from __future__ import annotations

import ember


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds`
    (default: the interval between x1 and x2); the midpoint if the cubic has none."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square.sqrt()
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


class _Bracket:
    """The interval the zoom phase narrows: step lengths, losses, gradients and
    directional derivatives at its two ends."""

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd

    def order(self):
        """(low, high): the end with the lower loss first."""
        return (0, 1) if self.f[0] <= self.f[-1] else (1, 0)


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Find a step length `t` along `d` satisfying the strong Wolfe conditions.

    ``obj_func(x, t, d)`` returns the loss and flat gradient at ``x + t * d``. Returns
    ``(f_new, g_new, t, ls_func_evals)``."""
    d_norm = d.abs().max()
    g = g.clone(memory_format=ember.contiguous_format)
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket = None
    # bracketing phase: grow t until an interval holding a good point is found
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, _cont(g_new)],
                               [gtd_prev, gtd_new])
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket = _Bracket([t], [f_new], [g_new], None)
            done = True
            break
        if gtd_new >= 0:
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, _cont(g_new)],
                               [gtd_prev, gtd_new])
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, _cont(g_new), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:     # reached the maximum number of iterations
        bracket = _Bracket([0, t], [f, f_new], [g, g_new], None)
    ls_iter, ls_func_evals, low_pos = _zoom(obj_func, x, d, f, gtd, bracket, done, ls_iter,
                                            ls_func_evals, d_norm, c1, c2, tolerance_change,
                                            max_ls)
    return bracket.f[low_pos], bracket.g[low_pos], bracket.t[low_pos], ls_func_evals


def _zoom(obj_func, x, d, f, gtd, br, done, ls_iter, ls_func_evals, d_norm, c1, c2,
          tolerance_change, max_ls):
    """Zoom phase: shrink bracket `br` by cubic interpolation until a point satisfies the
    strong Wolfe conditions. Returns (ls_iter, ls_func_evals, index of the best end)."""
    insuf_progress = False
    low_pos, high_pos = br.order()
    while not done and ls_iter < max_ls:
        if abs(br.t[1] - br.t[0]) * d_norm < tolerance_change:   # interval too small
            break
        t = _cubic_interpolate(br.t[0], br.f[0], br.gtd[0], br.t[1], br.f[1], br.gtd[1])
        # keep t away from the ends unless the last two tries made too little progress
        eps = 0.1 * (max(br.t) - min(br.t))
        if min(max(br.t) - t, t - min(br.t)) < eps:
            if insuf_progress or t >= max(br.t) or t <= min(br.t):
                if abs(t - max(br.t)) < abs(t - min(br.t)):
                    t = max(br.t) - eps
                else:
                    t = min(br.t) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= br.f[low_pos]:
            _set_end(br, high_pos, t, f_new, _cont(g_new), gtd_new)
            low_pos, high_pos = (0, 1) if br.f[0] <= br.f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (br.t[high_pos] - br.t[low_pos]) >= 0:
                _set_end(br, high_pos, br.t[low_pos], br.f[low_pos], br.g[low_pos],
                         br.gtd[low_pos])
            _set_end(br, low_pos, t, f_new, _cont(g_new), gtd_new)
    return ls_iter, ls_func_evals, low_pos


def _set_end(br, pos, t, f, g, gtd):
    br.t[pos], br.f[pos], br.g[pos], br.gtd[pos] = t, f, g, gtd


def _cont(t):
    return t.clone(memory_format=ember.contiguous_format)
