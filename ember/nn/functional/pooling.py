"""Pooling (torch.nn.functional): max, average, power-average (lp), adaptive, fractional
pooling and max-unpooling over 1 to 3 trailing dims."""
from __future__ import annotations

from ember._ops import nn_adaptive as A
from ember._ops import nn_pooling as P
from ember._ops.random import rand
from ember.nn.modules.utils import _ntuple, _pair, _single, _triple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices",
           "max_unpool1d", "max_unpool2d", "max_unpool3d"]




# --- max pooling ------------------------------------------------------------------------
def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(max over windows of the last dim, index of each max within its row)."""
    return P.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(max over windows of the last two dims, flat index of each max in its plane)."""
    return P.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation,
                                     ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(max over windows of the last three dims, flat index of each max in its volume)."""
    return P.max_pool3d_with_indices(input, kernel_size, stride, padding, dilation,
                                     ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of the last dim; with `return_indices`, also where each max
    is. Ties go to the first element of a window; NaN wins.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.max_pool1d(ember.tensor([[1., 3., 2., 0.]]), 2)
        tensor([[3., 2.]])
    """
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                       ceil_mode)
    return P.max_pool1d(input, kernel_size, () if stride is None else stride, padding,
                        dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of the last two dims (see max_pool1d)."""
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation,
                                       ceil_mode)
    return P.max_pool2d(input, kernel_size, () if stride is None else stride, padding,
                        dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of the last three dims (see max_pool1d)."""
    if return_indices:
        return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation,
                                       ceil_mode)
    return P.max_pool3d(input, kernel_size, () if stride is None else stride, padding,
                        dilation, ceil_mode)


# --- average and power-average pooling --------------------------------------------------
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over sliding windows of the last dim; zero padding counts in the divisor unless
    `count_include_pad` is False."""
    return P.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of the last two dims; `divisor_override` replaces the
    window size as divisor."""
    return P.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of the last three dims (see avg_pool2d)."""
    return P.avg_pool3d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def _lp_pool(avg, maxp, input, norm_type, kernel_size, stride, ceil_mode, count):
    """``(sum over the window of x**p) ** (1/p)``, built from average pooling as torch does
    (so its grad_fn is PowBackward0); p = +-inf is max pooling of |x|."""
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return maxp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -maxp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(count).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last dim: the `norm_type`-norm of each window."""
    return _lp_pool(avg_pool1d, max_pool1d, input, norm_type, kernel_size, stride, ceil_mode,
                    kernel_size)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last two dims (see lp_pool1d)."""
    kw, kh = _pair(kernel_size)
    return _lp_pool(avg_pool2d, max_pool2d, input, norm_type, kernel_size, stride, ceil_mode,
                    kw * kh)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last three dims (see lp_pool1d)."""
    kd, kw, kh = _triple(kernel_size)
    return _lp_pool(avg_pool3d, max_pool3d, input, norm_type, kernel_size, stride, ceil_mode,
                    kd * kw * kh)


# --- adaptive pooling -------------------------------------------------------------------
def _list_with_default(out_size, defaults):
    """`out_size` with each None taken from the matching trailing dim of `defaults`."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """(max over `output_size` adaptive windows of the last dim, index of each max)."""
    return A.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """(adaptive max over the last two dims, flat plane index of each max); None in
    `output_size` keeps that dim's size."""
    return A.adaptive_max_pool(2, input, _list_with_default(output_size, input.size()))


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """(adaptive max over the last three dims, flat volume index of each max)."""
    return A.adaptive_max_pool(3, input, _list_with_default(output_size, input.size()))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over `output_size` windows of the last dim; window i spans
    [floor(i*L/out), ceil((i+1)*L/out))."""
    out = adaptive_max_pool1d_with_indices(input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive max pooling over the last two dims (see adaptive_max_pool1d)."""
    out = adaptive_max_pool2d_with_indices(input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Adaptive max pooling over the last three dims (see adaptive_max_pool1d)."""
    out = adaptive_max_pool3d_with_indices(input, output_size)
    return out if return_indices else out[0]


def adaptive_avg_pool1d(input, output_size):
    """Mean over `output_size` adaptive windows of the last dim."""
    return A.adaptive_avg_pool1d(input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Mean over adaptive windows of the last two dims; a 1x1 output is a plain mean."""
    return A.adaptive_avg_pool(2, input, _list_with_default(output_size, input.size()))


def adaptive_avg_pool3d(input, output_size):
    """Mean over adaptive windows of the last three dims; 1x1x1 is a plain mean."""
    return A.adaptive_avg_pool(3, input, _list_with_default(output_size, input.size()))


# --- fractional max pooling -------------------------------------------------------------
def _fractional(nd, input, kernel_size, output_size, output_ratio, samples):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an "
                         "output_ratio")
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or "
                             "tuple of Ints.")
        ratio = _ntuple(nd)(output_ratio)
        output_size = [int(input.size(i - nd) * ratio[i]) for i in range(nd)]
    if samples is None:
        batch = 1 if input.dim() == nd + 1 else input.size(0)
        samples = rand(batch, input.size(-nd - 1), nd, dtype=input.dtype, device=input.device)
    return A.fractional_max_pool(nd, input, kernel_size, output_size, samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """(fractional max pooling over the last two dims, flat plane index of each max).

    Window starts are pseudo-random, drawn from `_random_samples` ((N, C, 2), in the input's
    dtype; drawn with ember.rand when None, as torch draws them)."""
    return _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """(fractional max pooling over the last three dims, flat volume index of each max)."""
    return _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Max over pseudo-randomly placed `kernel_size` windows, giving `output_size` (or
    `output_ratio` of the input size) outputs per dim (Graham's fractional max pooling)."""
    out = _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return out if return_indices else out[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling over the last three dims (see fractional_max_pool2d)."""
    out = _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return out if return_indices else out[0]


# --- max unpooling ----------------------------------------------------------------------
def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    """The unpooled size: given (2 or nd+2 entries, each within one stride of the default)
    or the default ``(in - 1) * stride + kernel - 2 * padding``."""
    nd = len(kernel_size)
    sizes = input.size()
    default = [(sizes[-nd + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d]
               for d in range(nd)]
    if output_size is None:
        ret = default
    else:
        if len(output_size) == nd + 2:
            output_size = output_size[2:]
        if len(output_size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for d in range(nd):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < output_size[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be '
                                 f'between {low} and {high})')
        ret = output_size
    for d in range(nd):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={ret[d]}")
    return ret


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: each value put back at its index, zeros
    elsewhere."""
    kernel_size = _single(kernel_size)
    stride = _single(stride) if stride is not None else kernel_size
    padding = _single(padding)
    size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    size = list(size) + [1]
    return A.max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), size).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d (see max_unpool1d)."""
    kernel_size = _pair(kernel_size)
    stride = _pair(stride) if stride is not None else kernel_size
    padding = _pair(padding)
    size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    return A.max_unpool2d(input, indices, size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d (see max_unpool1d)."""
    kernel_size = _triple(kernel_size)
    stride = _triple(stride) if stride is not None else kernel_size
    padding = _triple(padding)
    size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    return A.max_unpool3d(input, indices, size, stride, padding)
