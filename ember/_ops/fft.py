"""torch.fft: the three primitives torch differentiates (c2c, r2c, c2r; each gradient is
another of them) and the public transforms built on them as torch builds them, so dtypes,
sizes, errors and grad_fn names follow torch's."""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import wrap_dim
from ember._ops._linalg_common import conj_node, const, one_out, pad_to
from ember._ops._registry import Op, apply

_NONE, _ROOT, _BY_N = 0, 1, 2


class FftC2CBackward0(Op):
    def forward(self, be, x, *, dims, norm, forward):
        self.dims, self.norm, self.forward_ = dims, norm, forward
        return be.fft_c2c(x, dims, norm, forward)

    def backward(self, g):
        return c2c(g, self.dims, self.norm, not self.forward_)


class FftR2CBackward0(Op):
    def forward(self, be, x, *, dims, norm, onesided):
        self.dims, self.norm, self.onesided = dims, norm, onesided
        self.last_size = x.shape[dims[-1]]
        return be.fft_r2c(x, dims, norm, onesided)

    def backward(self, g):
        if self.onesided:
            g = pad_to(g, self.dims[-1], self.last_size)
        return c2c(g, self.dims, self.norm, False).real


class FftC2RBackward0(Op):
    def forward(self, be, x, *, dims, norm, last_size):
        self.dims, self.norm = dims, norm
        return be.fft_c2r(x, dims, norm, last_size)

    def backward(self, g):
        gi = r2c(g, self.dims, self.norm, True)
        last = self.dims[-1]
        double = g._arr.shape[last] - gi._arr.shape[last]
        if double <= 0:
            return gi
        # entries whose conjugate-symmetric partner lies outside the one-sided half count twice
        xp = g._be.xp
        size = gi._arr.shape[last]
        scale = xp.ones(size, g._arr.dtype)
        scale[1:1 + double] = 2
        shape = [1] * gi._arr.ndim
        shape[last] = size
        return gi * const(g, scale.reshape(shape), g.dtype)


def c2c(x, dims, norm, forward):
    return apply(FftC2CBackward0, (x,), dims=tuple(dims), norm=norm, forward=forward)


def r2c(x, dims, norm, onesided):
    return apply(FftR2CBackward0, (x,), dims=tuple(dims), norm=norm, onesided=onesided)


def c2r(x, dims, norm, last_size):
    return apply(FftC2RBackward0, (x,), dims=tuple(dims), norm=norm, last_size=last_size)


# --- argument handling ------------------------------------------------------------------


def norm_mode(norm, forward):
    if norm is None or norm == "backward":
        return _NONE if forward else _BY_N
    if norm == "forward":
        return _BY_N if forward else _NONE
    if norm == "ortho":
        return _ROOT
    raise RuntimeError(f"Invalid normalization mode: \"{norm}\"")


def promote(x, require_complex=False):
    """torch's promote_tensor_fft: integers to the default float, float32/64 only."""
    dt = x.dtype
    if not dt.is_complex:
        if dt.category < D.FLOAT:
            dt = D.get_default_dtype()
        if dt not in (D.float32, D.float64):
            raise RuntimeError(f"Unsupported dtype {D.type_name(dt)}")
        if require_complex:
            dt = dt.to_complex()
    return x if dt is x.dtype else x.to(dt)


def resize(x, dims, sizes):
    """Zero-pad or trim `x` along `dims` to `sizes`."""
    for d, n in zip(dims, sizes):
        have = x._arr.shape[d]
        if n < have:
            x = x.narrow(d, 0, n)
        elif n > have:
            x = pad_to(x, d, n)
    return x


def _check_n(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _dim(x, dim):
    if not x._arr.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, x._arr.ndim)


def _fft_r2c(name, x, n, dim, norm, forward, onesided):
    if x.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got "
                           f"{D.type_name(x.dtype)}")
    x = promote(x)
    d = _dim(x, dim)
    size = x._arr.shape[d] if n is None else n
    _check_n(size)
    if n is not None:
        x = resize(x, (d,), (n,))
    out = r2c(x, (d,), norm_mode(norm, forward), onesided)
    return out if forward else conj_node(out)


def _fft_c2r(x, n, dim, norm, forward):
    x = promote(x, require_complex=True)
    d = _dim(x, dim)
    size = 2 * (x._arr.shape[d] - 1) if n is None else n
    _check_n(size)
    if n is not None:
        x = resize(x, (d,), (n // 2 + 1,))
    mode = norm_mode(norm, forward)
    if forward:
        x = conj_node(x)
    return c2r(x, (d,), mode, size)


def _fft_c2c(x, n, dim, norm, forward):
    d = _dim(x, dim)
    size = x._arr.shape[d] if n is None else n
    _check_n(size)
    if n is not None:
        x = resize(x, (d,), (n,))
    return c2c(x, (d,), norm_mode(norm, forward), forward)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The 1-D discrete Fourier transform."""
    result = _fft_c2c(input, n, dim, norm, True) if input.dtype.is_complex else \
        _fft_r2c("fft", input, n, dim, norm, True, False)
    return one_out(result, out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    result = _fft_c2c(input, n, dim, norm, False) if input.dtype.is_complex else \
        _fft_r2c("ifft", input, n, dim, norm, False, False)
    return one_out(result, out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-sided FFT of a real signal (n // 2 + 1 frequencies)."""
    return one_out(_fft_r2c("rfft", input, n, dim, norm, True, True), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of rfft: a real signal of length n (default 2 * (size - 1))."""
    return one_out(_fft_c2r(input, n, dim, norm, False), out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The FFT of a Hermitian-symmetric signal given by its one-sided half (real result)."""
    return one_out(_fft_c2r(input, n, dim, norm, True), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    return one_out(_fft_r2c("ihfft", input, n, dim, norm, False, True), out)


# --- n-dimensional ----------------------------------------------------------------------


def shape_and_dims(x, s, dim):
    """torch's canonicalize_fft_shape_and_dim_args: (sizes, dims) of the transform."""
    nd = x._arr.ndim
    dims = None
    if dim is not None:
        dims = [wrap_dim(d, nd, scalar_ok=False) for d in ([dim] if isinstance(dim, int)
                                                            else dim)]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = list(s)
        if dims is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} "
                               "dimensions.")
        if dims is None:
            dims = list(range(nd - len(s), nd))
        sizes = [x._arr.shape[d] if n == -1 else n for n, d in zip(s, dims)]
    else:
        if dims is None:
            dims = list(range(nd))
        sizes = [x._arr.shape[d] for d in dims]
    for n in sizes:
        _check_n(n)
    return sizes, dims


def _fftn_c2c(x, s, dim, norm, forward):
    sizes, dims = shape_and_dims(x, s, dim)
    x = resize(promote(x, require_complex=True), dims, sizes)
    return c2c(x, dims, norm_mode(norm, forward), forward)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return one_out(_fftn_c2c(input, s, dim, norm, True), out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return one_out(_fftn_c2c(input, s, dim, norm, False), out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    if input.dtype.is_complex:
        raise RuntimeError("rfftn expects a real-valued input tensor, but got "
                           f"{D.type_name(input.dtype)}")
    sizes, dims = shape_and_dims(input, s, dim)
    if not dims:
        raise RuntimeError("rfftn must transform at least one axis")
    x = resize(promote(input), dims, sizes)
    return one_out(r2c(x, dims, norm_mode(norm, True), True), out)


def _c2r_input(name, x, s, dim):
    sizes, dims = shape_and_dims(x, s, dim)
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    last = 2 * (x._arr.shape[dims[-1]] - 1) if s is None or list(s)[-1] == -1 else sizes[-1]
    _check_n(last)
    sizes[-1] = last // 2 + 1
    return resize(promote(x, require_complex=True), dims, sizes), dims, last


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    x, dims, last = _c2r_input("irfftn", input, s, dim)
    return one_out(c2r(x, dims, norm_mode(norm, False), last), out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    x, dims, last = _c2r_input("hfftn", input, s, dim)
    mode = norm_mode(norm, True)
    if len(dims) > 1:
        x = c2c(x, dims[:-1], mode, True)
    return one_out(c2r(conj_node(x), dims[-1:], mode, last), out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    if input.dtype.is_complex:
        raise RuntimeError("Only supports floating-point dtypes, but found: "
                           f"{D.type_name(input.dtype)}")
    sizes, dims = shape_and_dims(input, s, dim)
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    x = resize(promote(input), dims, sizes)
    mode = norm_mode(norm, False)
    tmp = conj_node(r2c(x, dims[-1:], mode, True))
    if len(dims) == 1:
        return one_out(tmp, out)
    return one_out(c2c(tmp, dims[:-1], mode, False), out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return ifftn(input, s, dim, norm, out=out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return irfftn(input, s, dim, norm, out=out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return ihfftn(input, s, dim, norm, out=out)
