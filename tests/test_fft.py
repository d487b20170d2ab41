"""torch.fft, windows and stft/istft beyond the op table: errors, grad_fn names, out=,
complex-input gradients (torch returns some as conjugate views), warnings."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from parity import assert_same, ember, pair, same_error, to_numpy, torch

RNG = np.random.default_rng(11)
X = RNG.standard_normal((3, 8))
XC = X + 1j * RNG.standard_normal((3, 8))
SIG = RNG.standard_normal(64)


def run(fn, *arrays, requires_grad=False):
    es, ts = zip(*(pair(np.asarray(a), requires_grad) for a in arrays)) if arrays else ((), ())
    return fn(ember, *es), fn(torch, *ts)


def err(fn, *arrays):
    es, ts = zip(*(pair(np.asarray(a)) for a in arrays)) if arrays else ((), ())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda: fn(ember, *es), lambda: fn(torch, *ts), prefix_len=80)


ERRORS = {
    "norm": lambda T, x: T.fft.fft(x, norm="bad"),
    "n_zero": lambda T, x: T.fft.fft(x, n=0), "dim": lambda T, x: T.fft.fft(x, dim=2),
    "zero_dim": lambda T, x: T.fft.fft(x[0, 0]), "half": lambda T, x: T.fft.fft(x.half()),
    "bfloat16": lambda T, x: T.fft.rfft(x.bfloat16()),
    "rfft_complex": lambda T, x: T.fft.rfft(x * 1j), "ihfft_complex": lambda T, x: T.fft.ihfft(
        x * 1j), "rfftn_complex": lambda T, x: T.fft.rfftn(x * 1j),
    "ihfftn_complex": lambda T, x: T.fft.ihfftn(x * 1j),
    "irfft_one": lambda T, x: T.fft.irfft(x[:, :1]),
    "fftn_dup": lambda T, x: T.fft.fftn(x, dim=(0, 0)),
    "fftn_s": lambda T, x: T.fft.fftn(x, s=(3, 4, 5)),
    "fftn_s_dim": lambda T, x: T.fft.fftn(x, s=(3,), dim=(0, 1)),
    "fft2_1d": lambda T, x: T.fft.fft2(x[0]), "rfftn_none": lambda T, x: T.fft.rfftn(x, dim=()),
    "window_dtype": lambda T, x: T.hann_window(5, dtype=T.long),
    "window_length": lambda T, x: T.hamming_window(-1),
    "kaiser_dtype": lambda T, x: T.kaiser_window(5, dtype=T.int32),
    "stft_no_return_complex": lambda T, x: T.stft(x[0], 4),
    "stft_n_fft": lambda T, x: T.stft(x[0], 40, return_complex=True),
    "stft_hop": lambda T, x: T.stft(x[0], 4, hop_length=0, return_complex=True),
    "stft_win_length": lambda T, x: T.stft(x[0], 4, win_length=6, return_complex=True),
    "stft_window": lambda T, x: T.stft(x[0], 4, window=T.ones(3, dtype=x.dtype),
                                       return_complex=True),
    "stft_long": lambda T, x: T.stft(x[0].long(), 4, return_complex=True),
    "stft_3d": lambda T, x: T.stft(x[None], 4, center=False, return_complex=True),
    "stft_complex_onesided": lambda T, x: T.stft(x[0] * 1j, 4, onesided=True,
                                                 return_complex=True),
    "istft_real": lambda T, x: T.istft(x, 4), "istft_freq": lambda T, x: T.istft(x * 1j, 6),
    "istft_window": lambda T, x: T.istft(T.stft(x[0], 4, return_complex=True), 4,
                                         window=T.ones(3, dtype=x.dtype)),
    "istft_overlap": lambda T, x: T.istft(T.stft(x[0], 4, window=T.hann_window(
        4, periodic=False, dtype=x.dtype), return_complex=True, center=False), 4,
        window=T.hann_window(4, periodic=False, dtype=x.dtype), center=False),
    "istft_hop": lambda T, x: T.istft(T.stft(x[0], 4, return_complex=True), 4, hop_length=5),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    err(ERRORS[name], X)


NODES = {name: (lambda T, x, _n=name: getattr(T.fft, _n)(x))
         for name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2",
                      "irfft2", "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn",
                      "ihfftn", "fftshift", "ifftshift")}
NODES.update({"fft_n": lambda T, x: T.fft.fft(x, n=5), "ifft_n": lambda T, x: T.fft.ifft(x, 12),
              "fft_complex": lambda T, x: T.fft.fft(x * (1 + 1j)),
              "istft": lambda T, x: T.istft(T.stft(x[0], 4, window=T.hann_window(
                  4, dtype=x.dtype), return_complex=True), 4,
                  window=T.hann_window(4, dtype=x.dtype)),
              "stft_real": lambda T, x: T.stft(x, 4, window=T.hann_window(4, dtype=x.dtype),
                                                return_complex=False)})


@pytest.mark.parametrize("name", sorted(NODES))
def test_grad_fn_names(name):
    got, want = run(NODES[name], X, requires_grad=True)
    assert type(got.grad_fn).__name__ == type(want.grad_fn).__name__


@pytest.mark.parametrize("name", ["fft", "ifft", "irfft", "hfft", "fftn", "ifft2", "irfftn",
                                  "hfftn"])
def test_complex_input_gradients(name):
    def fn(T, x):
        y = getattr(T.fft, name)(x)
        w = T.linspace(-1, 1, y.numel(), dtype=T.float64).reshape(y.shape)
        loss = (y * w).real.sum() if y.is_complex() else (y * w).sum()
        return T.autograd.grad(loss, x)[0].resolve_conj()
    got, want = run(fn, XC, requires_grad=True)
    assert_same(got, want, 1e-6, 1e-8, check_grad_fn=False)


@pytest.mark.parametrize("name", ["fft", "rfft", "irfft", "hfft", "ihfft", "fft2", "rfftn"])
def test_out(name):
    e_x, t_x = pair(X)
    want = getattr(torch.fft, name)(t_x)
    e_out = ember.empty(0, dtype=ember.complex128 if want.is_complex() else ember.float64)
    got = getattr(ember.fft, name)(e_x, out=e_out)
    assert got is e_out
    assert_same(e_out, want.resolve_conj(), 1e-6, 1e-8)


def test_fftfreq_options():
    got, want = run(lambda T: T.fft.fftfreq(6, 0.5, dtype=T.float64, requires_grad=True))
    assert_same(got, want)
    assert got.requires_grad


def test_windows_requires_grad_and_dtype():
    for name in ("hann_window", "hamming_window", "blackman_window", "bartlett_window",
                 "kaiser_window"):
        got, want = run(lambda T: getattr(T, name)(6, dtype=T.float64, requires_grad=True))
        assert_same(got, want, 1e-12, 1e-14)
        assert got.requires_grad and got.is_leaf


def test_stft_roundtrip_and_gradients():
    def fn(T, x):
        w = T.hann_window(16, dtype=x.dtype)
        spec = T.stft(x, 16, hop_length=4, window=w, return_complex=True)
        y = T.istft(spec, 16, hop_length=4, window=w, length=x.shape[-1])
        return (spec, y) + T.autograd.grad((spec.abs() ** 2).sum() + (y * y).sum(), x)
    got, want = run(fn, SIG, requires_grad=True)
    assert_same(got, want, 1e-6, 1e-8, check_grad_fn=False)
    np.testing.assert_allclose(to_numpy(got[1]), SIG, atol=1e-10)


@pytest.mark.parametrize("fn", [
    lambda T, x: T.stft(x, 16, return_complex=True),
    lambda T, x: T.stft(x, 16, window=T.ones(16, dtype=x.dtype), return_complex=False),
    lambda T, x: T.istft(T.stft(x, 16, window=T.ones(16, dtype=x.dtype), return_complex=True),
                         16)])
def test_warnings(fn):
    """Warned once per process as TORCH_WARN_ONCE (torch's may be spent by earlier tests)."""
    from ember._ops._linalg_common import _WARNED
    _WARNED.clear()
    e, t = pair(SIG)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        fn(ember, e)
        fn(ember, e)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        fn(torch, t)
    assert len(we) == 1 and we[0].category is UserWarning
    if wt:
        assert str(we[0].message)[:60] == str(wt[-1].message)[:60]


@pytest.mark.parametrize("kw", [{"win_length": 5}, {"win_length": 0}])
def test_istft_defaults(kw):
    err(lambda T, x: T.istft(T.stft(x[0], 4, return_complex=True), 4, **kw), X)
