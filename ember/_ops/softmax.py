"""softmax, log_softmax and logsumexp: numerically stable (shifted by the maximum), one graph
node each, with torch's names (nn.functional reuses these)."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._pointwise import not_implemented
from ember._ops._registry import Op, apply, write_out
from ember._ops.reduce import keep_shape, reduce_dims

__all__ = ["softmax", "log_softmax", "logsumexp"]


class SoftmaxBackward0(Op):
    save_outputs = (0,)

    def forward(self, be, x, *, dim):
        self.dim = dim
        return be.softmax(x, dim, False)

    def backward(self, g):
        (y,) = self.saved
        gy = g * y
        return gy - y * _sum_dim(gy, self.dim)


class LogSoftmaxBackward0(Op):
    save_outputs = (0,)

    def forward(self, be, x, *, dim):
        self.dim = dim
        return be.softmax(x, dim, True)

    def backward(self, g):
        (y,) = self.saved
        return g - y.exp() * _sum_dim(g, self.dim)


class LogsumexpBackward0(Op):
    save_inputs = (0,)
    save_outputs = (0,)

    def forward(self, be, x, *, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        return be.logsumexp(x, dims, keepdim)

    def backward(self, g):
        x, y = self.saved
        if not self.keepdim:
            shape = keep_shape(x.shape, self.dims)
            g, y = g.reshape(shape), y.reshape(shape)
        return g * (x - y).exp().conj()


def _prepare(input, dim, dtype, name):
    """(input cast to `dtype`, wrapped dim); integer, bool and complex inputs are refused
    with the name of torch's kernel (which differs for the last dim)."""
    if dtype is not None:
        input = input.to(dtype)
    ndim = input.dim()
    dim = wrap_dim(dim, ndim)
    if input.dtype.category != D.FLOAT and input.numel():
        kernel = f"{name}_lastdim_kernel_impl" if dim == max(ndim - 1, 0) else \
            f"{name}_kernel_impl"
        raise not_implemented(kernel, input.dtype)
    return input, (dim if ndim else 0)


def _lse_dims(dim, ndim):
    if ndim:
        return reduce_dims(dim, ndim)
    for d in dim if isinstance(dim, (tuple, list)) else (dim,):
        wrap_dim(d, 0)        # a zero-dim tensor takes dim 0 or -1
    return ()


def _sum_dim(t, dim):
    """``t.sum(dim, keepdim=True)``; a zero-dim tensor is its own sum."""
    return t.sum(dim, keepdim=True) if t.dim() else t


def softmax(input, dim, dtype=None):
    """exp(input) / sum(exp(input)) along `dim`, computed in `dtype` when given."""
    input, dim = _prepare(input, dim, dtype, "softmax")
    return apply(SoftmaxBackward0, (input,), dim=dim)


def log_softmax(input, dim, dtype=None):
    """input - logsumexp(input) along `dim`, computed in `dtype` when given."""
    input, dim = _prepare(input, dim, dtype, "log_softmax")
    return apply(LogSoftmaxBackward0, (input,), dim=dim)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over `dim` (an int or a sequence), stable for large inputs;
    integer and bool inputs compute in the default float dtype."""
    if input.dtype.category < D.FLOAT:
        input = input.to(D.get_default_dtype())
    dims = _lse_dims(dim, input.dim())
    result = apply(LogsumexpBackward0, (input,), dims=dims, keepdim=keepdim)
    return result if out is None else write_out(result, out)
