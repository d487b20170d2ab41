"""torch.fft helpers: fftfreq, rfftfreq, fftshift and ifftshift."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dims
from ember._tensor import _wrap


def _freq(n, d, count, negative_from, dtype, device, requires_grad):
    from ember._ops.creation import backend, finish
    dt = dtype or D.get_default_dtype()
    be = backend(device)
    xp = be.xp
    npdt = be.np_dtype(dt)
    idx = xp.arange(count, dtype=xp.int64)
    if negative_from is not None:
        idx = xp.where(idx >= negative_from, idx - n, idx)
    # NOTE(torch): arange in the result dtype, then multiplied by 1 / (n * d) in that dtype
    values = idx.astype(npdt) * xp.asarray(1.0 / (n * d), npdt)
    return finish(_wrap(values.astype(npdt, copy=False), dt, be), requires_grad)


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False, out=None):
    """Sample frequencies [0, 1, ..., -(n // 2), ..., -1] / (d * n) of an n-point FFT."""
    result = _freq(n, d, n, (n + 1) // 2, dtype, device, requires_grad)
    return result if out is None else _write(result, out)


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False, out=None):
    """Sample frequencies [0, ..., n // 2] / (d * n) of an n-point rfft."""
    result = _freq(n, d, n // 2 + 1, None, dtype, device, requires_grad)
    return result if out is None else _write(result, out)


def _write(result, out):
    from ember._ops._registry import write_out
    return write_out(result, out)


def _shift(input, dim, half):
    nd = input._arr.ndim
    if dim is None:
        dims = tuple(range(nd))
    else:
        dims = wrap_dims((dim,) if isinstance(dim, int) else tuple(dim), nd)
    shifts = tuple(half(input._arr.shape[d]) for d in dims)
    return input.roll(shifts, dims)


def fftshift(input, dim=None):
    """Move the zero frequency to the centre of `dim` (all dims by default)."""
    return _shift(input, dim, lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of fftshift."""
    return _shift(input, dim, lambda n: (n + 1) // 2)
