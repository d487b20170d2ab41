"""Cumulative ops: cumsum, cumprod, cummax, cummin, logcumsumexp.

cumsum's and logcumsumexp's nodes take a `reverse` flag (scan from the end), so that their
backwards, which are reversed scans, are the same ops and differentiate again.
"""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types
from ember._errors import wrap_dim
from ember._ops._index_grad import scatter_add_along
from ember._ops._reduce_out import check_out, write_pair
from ember._ops._registry import Op, apply, apply_inplace, write_out
from ember._ops.reduce_extrema import _not_implemented
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"]


def _dim(input, dim):
    return wrap_dim(dim, input._arr.ndim)


def _scan_dtype(input, dtype):
    if dtype is not None:
        return dtype
    return D.int64 if input.dtype.category <= D.INT else input.dtype


class CumsumBackward0(Op):
    def forward(self, be, x, *, dim, dtype, reverse=False):
        self.dim, self.reverse = dim, reverse
        if x.ndim == 0:
            return x.astype(be.np_dtype(dtype))
        return be.cumsum(x, dim, dtype, reverse)

    def backward(self, g):
        if g._arr.ndim == 0 or g._arr.shape[self.dim] <= 1:
            return g
        return reversed_cumsum(g, self.dim, not self.reverse)


def reversed_cumsum(t, dim, reverse=True):
    """Cumulative sum from the end of `dim` (``t.flip(dim).cumsum(dim).flip(dim)``)."""
    return apply(CumsumBackward0, (t,), dim=dim, dtype=t.dtype, reverse=reverse)


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sums along `dim`; integers and bools accumulate in int64."""
    d = _dim(input, dim)
    dtype = dtype or (out.dtype if out is not None else None)
    src = input if dtype is None or dtype is input.dtype else input.to(dtype)
    result = apply(CumsumBackward0, (src,), dim=d, dtype=_scan_dtype(input, dtype))
    return result if out is None else write_out(result, out)


def cumsum_(self, dim, *, dtype=None):
    return apply_inplace(CumsumBackward0, (self,), dim=_dim(self, dim),
                         dtype=dtype or self.dtype)


class CumprodBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x, *, dim, dtype):
        self.dim = dim
        if x.ndim == 0:
            return x.astype(be.np_dtype(dtype))
        return be.cumprod(x, dim, dtype)

    def backward(self, g):
        x, out = self.saved
        return cumprod_backward(g, x, out, self.dim)


def cumprod_backward(g, x, out, dim):
    """sum over j >= k of g_j * d(out_j)/d(x_k), exact where x has zeros."""
    from ember._ops.reduce import prod
    from ember._ops.where import where
    if x._arr.size <= 1 or x._arr.shape[dim] == 1:
        return g
    w = out.conj() * g
    zero = x == 0
    if not bool(zero.any()):
        return reversed_cumsum(w, dim) / x.conj()
    if GRAD.grad:          # building a graph: a form whose own derivative is right
        return _cumprod_grad_quadratic(g, x, dim)
    # up to the first zero z of a slice the ratio formula holds; at z the gradient is
    # prod(x[:z]) * sum_{j >= z} g_j prod(x[z+1:j+1]); after z it vanishes
    seen = zero.cumsum(dim)
    before = seen == 0
    first = zero & (seen == 1)
    after = (seen >= 1) & ~first
    head = reversed_cumsum(where(before, w, 0), dim) / where(before, x, 1).conj()
    tail = where(after, x, 1).cumprod(dim)
    at_zero = prod(where(before, x, 1), dim, keepdim=True).conj() * \
        where(seen >= 1, g * tail.conj(), 0).sum(dim, keepdim=True)
    return where(before, head, where(first, at_zero, 0))


def cumprod_(self, dim, *, dtype=None):
    return apply_inplace(CumprodBackward0, (self,), dim=_dim(self, dim),
                         dtype=dtype or self.dtype)


def _cumprod_grad_quadratic(g, x, dim):
    """torch's O(n^2) cumprod gradient: for each k, sum_j g_j * prod_{i <= j, i != k} x_i
    from products that omit x_k, so that it differentiates correctly at zeros."""
    from ember._ops.join import cat, stack
    n = x._arr.shape[dim]
    shape = list(x._arr.shape)
    shape[dim] = 1
    ones = x.new_ones(shape)
    cols = []
    for k in range(n):         # over the scanned dim, as torch does
        if k == 0:
            omitted = cat([ones, x.narrow(dim, 1, n - 1).cumprod(dim)], dim)
        else:
            until = x.narrow(dim, 0, k).prod(dim, keepdim=True)
            if k == n - 1:
                omitted = until
            else:
                omitted = cat([until, until * x.narrow(dim, k + 1, n - k - 1).cumprod(dim)],
                              dim)
        cols.append((g.narrow(dim, k, n - k) * omitted.conj()).sum(dim))
    return stack(cols, dim)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running products along `dim`; integers and bools accumulate in int64."""
    d = _dim(input, dim)
    dtype = dtype or (out.dtype if out is not None else None)
    src = input if dtype is None or dtype is input.dtype else input.to(dtype)
    result = apply(CumprodBackward0, (src,), dim=d, dtype=_scan_dtype(input, dtype))
    return result if out is None else write_out(result, out)


class CummaxBackward0(Op):
    save_outputs = (1,)
    largest = True

    def forward(self, be, x, *, dim):
        self.dim, self.shape = dim, x.shape
        if x.ndim == 0:
            return x.copy(), be.zeros((), D.int64)
        return be.cum_extreme(x, dim, self.largest)

    def backward(self, g, _):
        (index,) = self.saved
        if g._arr.ndim == 0:
            return g
        return scatter_add_along(g, index, self.dim, self.shape)


class CumminBackward0(CummaxBackward0):
    largest = False


def _cum_extreme(name, cls, input, dim, out):
    if input.dtype.category == D.COMPLEX:
        raise _not_implemented(f"{name}_cpu", input)
    values, indices = apply(cls, (input,), dim=_dim(input, dim))
    if out is not None:
        values, indices = write_pair(values, indices, out, "scalar_type")
    return getattr(return_types, name)((values, indices))


def cummax(input, dim, *, out=None):
    """(values, indices): running maximum along `dim` and where it was (last) attained; once a
    NaN appears it stays."""
    return _cum_extreme("cummax", CummaxBackward0, input, dim, out)


def cummin(input, dim, *, out=None):
    """(values, indices): running minimum along `dim` and where it was (last) attained."""
    return _cum_extreme("cummin", CumminBackward0, input, dim, out)


class LogcumsumexpBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x, *, dim, reverse=False):
        self.dim, self.reverse = dim, reverse
        if x.ndim == 0:
            return x.copy()
        return be.logcumsumexp(x, dim, reverse)

    def backward(self, g):
        x, result = self.saved
        if g._arr.ndim == 0 or g._arr.size == 0:
            return g

        def rev_scan(t):
            return apply(LogcumsumexpBackward0, (t,), dim=self.dim, reverse=not self.reverse)

        if g.is_complex():
            return (rev_scan(g.conj().log() - result) + x).exp().conj()
        from ember._ops.where import where
        lowest = D.finfo(g.dtype).min
        log_abs = g.abs().log()
        pos = (rev_scan(where(g > 0, log_abs, lowest) - result) + x).exp()
        neg = (rev_scan(where(g < 0, log_abs, lowest) - result) + x).exp()
        return pos - neg


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along `dim`, computed stably."""
    if input.dtype.category < D.FLOAT:
        raise _not_implemented("logcumsumexp_out_cpu", input)
    result = apply(LogcumsumexpBackward0, (input,), dim=_dim(input, dim))
    if out is not None:
        check_out(out, result.dtype, "scalar_type")
    return result if out is None else write_out(result, out)


METHODS = {"cumsum_": cumsum_, "cumprod_": cumprod_}
