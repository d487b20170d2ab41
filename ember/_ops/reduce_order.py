"""Order statistics: median, nanmedian, mode, kthvalue, quantile, nanquantile.

With a dim, the gradient goes to the index returned (torch's value-selecting backward); the
full median()/nanmedian() share it evenly among the elements equal to the result.
"""
from __future__ import annotations

from ember import _dtype as D
from ember import return_types
from ember._errors import wrap_dim
from ember._ops._index_grad import constant, scatter_add_along, select_backward
from ember._ops._reduce_out import write_pair
from ember._ops._registry import Op, apply, write_out
from ember._ops.reduce_extrema import MaxBackward1, _empty_dims, _not_implemented
from ember._tensor import Tensor

__all__ = ["median", "nanmedian", "mode", "kthvalue", "quantile", "nanquantile"]


class MedianBackward0(MaxBackward1):
    """Full median(): the lower median; ties share the gradient."""

    ignore_nan = False

    def forward(self, be, x):
        return be.median_all(x, self.ignore_nan)


class NanmedianBackward0(MedianBackward0):
    ignore_nan = True


class _Selected(Op):
    """An op returning (values, indices) picked along `dim`; the gradient follows indices."""

    save_outputs = (1,)

    def backward(self, g, _):
        (index,) = self.saved
        return select_backward(g, index, self.in_shape, self.dim, self.keepdim)

    def _keep(self, x, dim, keepdim):
        self.in_shape, self.dim, self.keepdim = x.shape, dim, keepdim


class MedianBackward1(_Selected):
    ignore_nan = False

    def forward(self, be, x, *, dim, keepdim):
        self._keep(x, dim, keepdim)
        return be.median_dim(x, dim, keepdim, self.ignore_nan)


class NanmedianBackward1(MedianBackward1):
    ignore_nan = True


class ModeBackward0(_Selected):
    def forward(self, be, x, *, dim, keepdim):
        self._keep(x, dim, keepdim)
        return be.mode(x, dim, keepdim)


class KthvalueBackward0(_Selected):
    def forward(self, be, x, *, k, dim, keepdim):
        self._keep(x, dim, keepdim)
        return be.kthvalue(x, k, dim, keepdim)


_OUT_STYLES = {"median": "same_type", "nanmedian": "same_type", "mode": "quoted",
               "kthvalue": "kthvalue"}


def _selected(name, cls, input, dim, keepdim, out, **options):
    ndim = input._arr.ndim
    d = wrap_dim(dim, ndim)
    if ndim:
        _empty_dims(name, input, (d,))
    values, indices = apply(cls, (input,), dim=d, keepdim=keepdim, **options)
    if out is not None:
        values, indices = write_pair(values, indices, out, _OUT_STYLES[name], name)
    return getattr(return_types, name)((values, indices))


def _median(name, full_cls, dim_cls, input, dim, keepdim, out):
    if input.dtype.category == D.COMPLEX or input.dtype is D.bool:
        raise _not_implemented("median_cpu" if dim is None else "median_out", input)
    if dim is None:
        if out is not None:
            raise TypeError(f"{name}() missing 1 required positional arguments: \"dim\"")
        return apply(full_cls, (input,))
    return _selected(name, dim_cls, input, dim, keepdim, out)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median (of all elements, or (values, indices) along `dim`); NaN propagates."""
    return _median("median", MedianBackward0, MedianBackward1, input, dim, keepdim, out)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """median() ignoring NaNs (NaN only where every element is NaN)."""
    return _median("nanmedian", NanmedianBackward0, NanmedianBackward1, input, dim, keepdim,
                   out)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the most frequent value along `dim` (the smallest such value)."""
    if input.dtype.category == D.COMPLEX:
        raise _not_implemented("mode_cpu", input)
    return _selected("mode", ModeBackward0, input, dim, keepdim, out)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the k-th smallest element along `dim` (k counts from 1)."""
    if input.dtype.category == D.COMPLEX or input.dtype is D.bool:
        raise _not_implemented("kthvalue_cpu", input)
    d = wrap_dim(dim, input._arr.ndim)
    size = input._arr.shape[d] if input._arr.ndim else 1
    if input._arr.ndim and size == 0:
        _empty_dims("kthvalue", input, (d,))
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _selected("kthvalue", KthvalueBackward0, input, d, keepdim, out, k=k)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


class QuantileBackward(Op):
    """quantile: values interpolated between two sorted neighbours. The gradient goes to those
    two elements as the interpolation weighs them, and to q through the weight."""

    save_inputs = (0, 1)

    def forward(self, be, x, q, *, dim, keepdim, interpolation, ignore_nan, scalar_q):
        self.be, self.dim, self.keepdim, self.scalar_q = be, dim, keepdim, scalar_q
        out, *self.picks = be.quantile(x, q, dim, keepdim, interpolation, ignore_nan)
        return out[0] if scalar_q else out

    def backward(self, g):
        x, q = self.saved
        be, (ranks, w, dw) = self.be, self.picks
        src = be.sort_sources(x._arr, self.dim, ranks)
        half = src.shape[-1] // 2
        lo, hi = constant(src[..., :half], be), constant(src[..., half:], be)
        w, dw = constant(w, be), constant(dw, be)
        if self.needs_input_grad[1]:
            # the weight is q * scale - rank_below: same value, but differentiable in q
            qv = q.reshape((-1,) + (1,) * (w._arr.ndim - 1))
            w = w + (qv - qv.detach()) * dw
        xm = x.reshape(-1) if self.dim is None else x.movedim(self.dim, -1)
        if self.scalar_q:
            g = g.unsqueeze(0)
        if self.dim is None:
            g = g.reshape(g._arr.shape[:1])
        elif self.keepdim:
            g = g.squeeze(self.dim + 1)
        g = g.unsqueeze(-1)
        shape = g._arr.shape[:-1] + xm._arr.shape[-1:]
        grad = (scatter_add_along(g * (1 - w), lo, -1, shape) +
                scatter_add_along(g * w, hi, -1, shape)).sum(0)
        grad = grad.reshape(x._arr.shape) if self.dim is None else grad.movedim(-1, self.dim)
        gq = None
        if self.needs_input_grad[1]:
            xq = xm.unsqueeze(0).expand(shape)
            step = (xq.gather(-1, hi) - xq.gather(-1, lo)) * dw
            gq = (g * step).reshape(shape[0], -1).sum(1)
        return grad, gq


# NOTE(torch): torch's quantile is a composition whose last step is an in-place squeeze_
QuantileBackward.__name__ = QuantileBackward.__qualname__ = "SqueezeBackward4"


def _check_quantile(name, input, q, interpolation):
    if input._arr.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if isinstance(q, Tensor) and q._arr.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if not bool(((q >= 0) & (q <= 1)).all()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    elif not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q:g}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")


def _quantile(name, input, q, dim, keepdim, interpolation, out, ignore_nan):
    _check_quantile(name, input, q, interpolation)
    scalar_q = not isinstance(q, Tensor) or q._arr.ndim == 0
    if not isinstance(q, Tensor):
        from ember._ops.creation import tensor
        q = tensor([q], dtype=input.dtype, device=input.device)
    if dim is not None:
        dim = wrap_dim(dim, input._arr.ndim)
        if input._arr.ndim == 0:
            dim = None
    if out is not None and out.dtype is not input.dtype:
        raise RuntimeError(f"{name}() out tensor must be same dtype as the input tensor")
    result = apply(QuantileBackward, (input, q.reshape(-1)), dim=dim,
                   keepdim=keepdim, interpolation=interpolation, ignore_nan=ignore_nan,
                   scalar_q=scalar_q)
    return result if out is None else write_out(result, out)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles over `dim` (flattened when None); q (scalar or 1-D) leads the shape.
    A NaN anywhere in a slice makes its quantiles NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, out, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile() over the non-NaN elements of each slice."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, out, True)
