"""Spread statistics: var, std, var_mean, std_mean, cov, corrcoef."""
from __future__ import annotations

import math
import warnings

from ember import _dtype as D
from ember._ops._index_grad import unreduce
from ember._ops._registry import Op, apply, write_out
from ember._ops.reduce import reduce_dims

__all__ = ["var", "std", "var_mean", "std_mean", "cov", "corrcoef"]
FUNCTIONS_ONLY = frozenset({"var_mean", "std_mean"})


def _correction(name, unbiased, correction):
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        "(correction=int, unbiased=bool), but expected one of:\n"
                        " * (tuple of ints dim, bool unbiased = True, bool keepdim = False)\n"
                        " * (tuple of ints dim = None, *, Number correction = None, "
                        "bool keepdim = False)\n * (bool unbiased = True)\n")
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def _prepare(name, input, dim, unbiased, correction):
    """(dims, correction, whether a dim was given) after torch's checks and warning."""
    if isinstance(dim, bool):                # var(x, True): the `unbiased` overload
        dim, unbiased = None, dim
    if input.dtype.category < D.FLOAT:
        what = "std and var" if name in ("var", "std") else name
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    correction = _correction(name, unbiased, correction)
    ndim = input._arr.ndim
    dims = reduce_dims(dim, ndim)
    n = 1
    for d in dims:
        n *= input._arr.shape[d]
    if n - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return dims, correction, dim is not None and ndim > 0


def var_backward(g, x, dims, correction, keepdim, has_dim):
    """torch's var_backward: (2 / (n - correction)) * g * (x - mean)."""
    from ember._ops.where import where
    n = 1
    for d in dims:
        n *= x._arr.shape[d]
    dof = n - correction
    if not has_dim and dof <= 0:
        return g * where(x == x.mean(), math.nan, math.inf)
    scale = 2.0 / dof if dof != 0 else math.inf
    g = unreduce(g, x._arr.shape, dims, keepdim)
    return (g * scale) * (x - x.mean(dims, keepdim=True))


def _std_grad(g, result):
    return (g / (result * 2)).masked_fill(result == 0, 0)


class VarBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, x, *, dims, correction, keepdim, has_dim):
        self.args = (dims, correction, keepdim, has_dim)
        return be.var_mean(x, dims, correction, keepdim)[0]

    def backward(self, g):
        (x,) = self.saved
        return var_backward(g, x, *self.args)


class StdBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x, *, dims, correction, keepdim, has_dim):
        self.args = (dims, correction, keepdim, has_dim)
        return be.var_mean(x, dims, correction, keepdim, sqrt=True)[0]

    def backward(self, g):
        x, result = self.saved
        return var_backward(_std_grad(g, result), x, *self.args)


def _mean_grad(g, x, dims, keepdim):
    n = 1
    for d in dims:
        n *= x._arr.shape[d]
    return unreduce(g, x._arr.shape, dims, keepdim).expand(x._arr.shape) / n


class VarMeanBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, x, *, dims, correction, keepdim, has_dim):
        self.args = (dims, correction, keepdim, has_dim)
        return be.var_mean(x, dims, correction, keepdim)

    def backward(self, g_var, g_mean):
        (x,) = self.saved
        return var_backward(g_var, x, *self.args) + \
            _mean_grad(g_mean, x, self.args[0], self.args[2])


class StdMeanBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x, *, dims, correction, keepdim, has_dim):
        self.args = (dims, correction, keepdim, has_dim)
        return be.var_mean(x, dims, correction, keepdim, sqrt=True)

    def backward(self, g_std, g_mean):
        x, result = self.saved
        return var_backward(_std_grad(g_std, result), x, *self.args) + \
            _mean_grad(g_mean, x, self.args[0], self.args[2])


def _run(cls, name, input, dim, unbiased, keepdim, correction):
    dims, correction, has_dim = _prepare(name, input, dim, unbiased, correction)
    return apply(cls, (input,), dims=dims, correction=correction, keepdim=keepdim,
                 has_dim=has_dim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over `dim` with `correction` (1: Bessel's) subtracted from the count."""
    result = _run(VarBackward0, "var", input, dim, unbiased, keepdim, correction)
    return result if out is None else write_out(result, out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation: the square root of `var`."""
    result = _run(StdBackward0, "std", input, dim, unbiased, keepdim, correction)
    return result if out is None else write_out(result, out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(var, mean) in one pass."""
    result = _run(VarMeanBackward0, "var_mean", input, dim, unbiased, keepdim, correction)
    return result if out is None else tuple(write_out(r, o) for r, o in zip(result, out))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(std, mean) in one pass."""
    result = _run(StdMeanBackward0, "std_mean", input, dim, unbiased, keepdim, correction)
    return result if out is None else tuple(write_out(r, o) for r, o in zip(result, out))


def _check_weights(w, kind, n):
    if w._arr.ndim > 1:
        raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got "
                           f"{kind} with {w._arr.ndim} dimensions")
    want, label = (D.INT, "integral") if kind == "fweights" else (D.FLOAT, "floating point")
    if w.dtype.category != want:
        raise RuntimeError(f"cov(): expected {kind} to have {label} dtype but got {kind} with "
                           f"{D.type_name(w.dtype)} dtype")
    if w._arr.size != n:
        raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are "
                           f"observations in the input but got {w._arr.size} != {n}")
    if n and bool((w < 0).any()):
        raise RuntimeError(f"cov(): {kind} cannot be negative")


def _cov_norm(w, w_sum, n, correction, fweights, aweights):
    """The normalization factor (degrees of freedom) of cov."""
    from ember._ops.creation import tensor
    if w is None:
        return tensor(n - correction)
    if correction == 0:
        return w_sum
    if aweights is None:
        return w_sum - correction
    if fweights is None and n == 1 and correction == 1:
        return tensor(0)       # NOTE(torch): numpy's result for this corner case
    return w_sum - correction * (w * aweights).sum() / w_sum


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the rows of `input` (variables) over its columns (observations)."""
    if input._arr.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input._arr.ndim} dimensions")
    if input.dtype is D.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input._arr.ndim < 2 else input
    n = x._arr.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", n)
        w = aweights if w is None else w * aweights
    if w is not None:
        w_sum = w.sum()
        if not bool(w_sum != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = (x * w).sum(1) / w_sum
    else:
        from ember._ops.creation import tensor
        avg = x.sum(1) / tensor(n)
    norm = _cov_norm(w, w_sum if w is not None else None, n, correction, fweights, aweights)
    if bool(norm <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = norm.new_zeros(())
    x = x - avg.unsqueeze(1)
    c = x.mm((x * w if w is not None else x).t().conj())
    return (c / norm).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows of `input`."""
    if input._arr.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input._arr.ndim} dimensions")
    c = cov(input)
    if c._arr.ndim == 0:
        return c / c
    d = c.diagonal()
    sd = (d.real if d.is_complex() else d).sqrt()
    c = c / sd.view(-1, 1)
    c = c / sd.view(1, -1)
    if c.is_complex():
        from ember._ops.complex_ops import complex as make_complex
        return make_complex(c.real.clip(-1, 1), c.imag.clip(-1, 1))
    return c.clip(-1, 1)
