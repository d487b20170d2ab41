"""Orthogonal polynomials of torch.special, evaluated as torch's CPU kernels evaluate them:
the degree is truncated to an integer (non-finite degrees act as -1), special values
at the interval ends, cos/sin closed forms for high degrees inside (-1, 1), and otherwise the
three-term recurrence in the input's own precision (so overflow matches torch's)."""
from __future__ import annotations

import numpy as np


def _degree(n, shape):
    n = np.asarray(n)
    if n.dtype.kind == "f":
        finite = np.isfinite(n)
        n = np.where(finite, np.trunc(np.where(finite, n, -1)), -1).astype(np.int64)
    return np.broadcast_to(n.astype(np.int64, copy=False), shape)


def _evaluate(x, n, rules, first, step):
    """Value per element: the first rule (condition, value) that holds, else the recurrence
    q_k = step(k, x, q_{k-1}, q_{k-2}) from q_0 = 1, q_1 = first(x) up to k = n."""
    x = np.asarray(x)
    shape = np.broadcast_shapes(x.shape, np.shape(n))
    x = np.broadcast_to(x, shape)
    n = _degree(n, shape)
    dt = x.dtype
    conds, values = zip(*rules(x, n, dt.type))
    out = np.select(conds, [np.broadcast_to(np.asarray(v).astype(dt), shape) for v in values],
                    default=dt.type(0))
    rest = ~np.logical_or.reduce(conds) & (n >= 2)
    if rest.any():
        out[rest] = _recur(x[rest], n[rest], first, step)
    return out


def _recur(x, n, first, step):
    p = np.ones_like(x)
    q = first(x)
    for k in range(2, int(n.max()) + 1):
        live = n >= k
        r = step(k, x, q, p)
        p, q = np.where(live, q, p), np.where(live, r, q)
    return q


def _ends(x, n, at_plus, at_minus):
    """|x| == 1 gives at_plus at +1 and at_minus at -1."""
    return (np.abs(x) == 1, np.where(x > 0, at_plus, at_minus))


def _parity(n, even, odd):
    return np.where(n % 2 == 0, even, odd)


def _cheb_t(x, n, T):
    t = np.arccos(x)
    return [(n < 0, 0), _ends(x, n, 1, _parity(n, 1, -1)),
            ((n > 6) & (np.abs(x) < 1), np.cos(n.astype(x.dtype) * t)),
            (n == 0, 1), (n == 1, x)]


def _cheb_u(x, n, T):
    t, m = np.arccos(x), (n + 1).astype(x.dtype)
    inner = np.where(np.sin(t) != 0, np.sin(m * t) / np.sin(t), m * np.cos(m * t) / x)
    return [(n < 0, 0), _ends(x, n, n + 1, _parity(n, n + 1, -(n + 1))),
            ((n > 8) & (np.abs(x) < 1), inner), (n == 0, 1), (n == 1, x + x)]


def _cheb_v(x, n, T):
    t, h = np.arccos(x), n.astype(x.dtype) + T(0.5)
    odd = _parity(n, n + n + 1, -(n + n + 1))
    inner = np.where(np.sin(t / 2) != 1, np.cos(h * t) / np.cos(t / 2), odd)
    return [(n < 0, 0), _ends(x, n, 1, odd), ((n > 8) & (np.abs(x) < 1), inner),
            (n == 0, 1), (n == 1, x + x - 1)]


def _cheb_w(x, n, T):
    t, h = np.arccos(x), n.astype(x.dtype) + T(0.5)
    edge = np.where(x > 0, n + n + 1, _parity(n, 1, -1))
    inner = np.where(np.cos(t / 2) != 1, np.sin(h * t) / np.sin(t / 2), edge)
    return [(n < 0, 0), (np.abs(x) == 1, edge), ((n > 8) & (np.abs(x) < 1), inner),
            (n == 0, 1), (n == 1, x + x + 1)]


def _shifted(rules_at, limit):
    """The shifted polynomial's rules in y = 2x - 1, with its own values at x = 1 and 0."""
    def rules(x, n, T):
        y = x + x - 1
        at_one, at_zero, inner, one = rules_at(y, n, T)
        return [(n < 0, 0), (x == 1, at_one), (x == 0, at_zero),
                ((n > limit) & (np.abs(y) < 1), inner), (n == 0, 1), (n == 1, one)]
    return rules


def _shift_t(y, n, T):
    return 1, _parity(n, 1, -1), np.cos(n.astype(y.dtype) * np.arccos(y)), y


def _shift_u(y, n, T):
    t, m = np.arccos(y), (n + 1).astype(y.dtype)
    inner = np.where(np.sin(t) != 0, np.sin(m * t) / np.sin(t), m * np.cos(m * t) / y)
    return n + 1, _parity(n, n + 1, -(n + 1)), inner, y + y


def _shift_v(y, n, T):
    t, h = np.arccos(y), n.astype(y.dtype) + T(0.5)
    odd = _parity(n, n + n + 1, -(n + n + 1))
    return 1, odd, np.where(np.sin(t / 2) != 1, np.cos(h * t) / np.cos(t / 2), odd), y + y - 1


def _shift_w(y, n, T):
    t, h = np.arccos(y), n.astype(y.dtype) + T(0.5)
    sign = _parity(n, 1, -1)
    inner = np.where(np.cos(t / 2) != 1, np.sin(h * t) / np.sin(t / 2), sign)
    return n + n + 1, sign, inner, y + y + 1


def _hermite(first):
    def rules(x, n, T):
        limit = 128 if x.dtype == np.float32 else 512
        return [(n < 0, 0), (n == 0, 1), (n == 1, first(x)), (n > limit, np.nan)]
    return rules


def _laguerre(x, n, T):
    return [(n < 0, 0), (np.abs(x) == 0, 1), (n == 0, 1), (n == 1, 1 - x)]


def _legendre(x, n, T):
    return [(n < 0, 0), _ends(x, n, 1, _parity(n, 1, -1)), (n == 0, 1), (n == 1, x)]


def _chebyshev_step(k, x, q, p):
    return (x + x) * q - p


def _shifted_step(k, x, q, p):
    y = x + x - 1
    return (y + y) * q - p


def _polynomial(rules, first, step=_chebyshev_step):
    return lambda x, n: _evaluate(x, n, rules, first, step)


POLYNOMIALS = {
    "chebyshev_polynomial_t": _polynomial(_cheb_t, lambda x: x),
    "chebyshev_polynomial_u": _polynomial(_cheb_u, lambda x: x + x),
    "chebyshev_polynomial_v": _polynomial(_cheb_v, lambda x: x + x - 1),
    "chebyshev_polynomial_w": _polynomial(_cheb_w, lambda x: x + x + 1),
    "shifted_chebyshev_polynomial_t": _polynomial(
        _shifted(_shift_t, 6), lambda x: x + x - 1, _shifted_step),
    "shifted_chebyshev_polynomial_u": _polynomial(
        _shifted(_shift_u, 6), lambda x: 2 * (x + x - 1), _shifted_step),
    "shifted_chebyshev_polynomial_v": _polynomial(
        _shifted(_shift_v, 6), lambda x: 2 * (x + x - 1) - 1, _shifted_step),
    "shifted_chebyshev_polynomial_w": _polynomial(
        _shifted(_shift_w, 4), lambda x: 2 * (x + x - 1) + 1, _shifted_step),
    "hermite_polynomial_h": _polynomial(
        _hermite(lambda x: x + x), lambda x: x + x,
        lambda k, x, q, p: (x + x) * q - (2 * k - 2) * p),
    "hermite_polynomial_he": _polynomial(
        _hermite(lambda x: x), lambda x: x, lambda k, x, q, p: x * q - (k - 1) * p),
    "laguerre_polynomial_l": _polynomial(
        _laguerre, lambda x: 1 - x,
        lambda k, x, q, p: ((2 * k - 2 + (1 - x)) * q - (k - 1) * p) / k),
    "legendre_polynomial_p": _polynomial(
        _legendre, lambda x: x, lambda k, x, q, p: ((2 * k - 1) * x * q - (k - 1) * p) / k),
}
