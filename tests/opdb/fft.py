"""Op table entries for torch.fft (every transform with n/s, dim and norm), fftfreq,
rfftfreq, fftshift/ifftshift, the window functions and stft/istft."""
from __future__ import annotations

import numpy as np

from opdb import OpInfo, Sample, values

OPS: list[OpInfo] = []
F = ("float32", "float64")
FC = F + ("complex64", "complex128")
TYPES = FC + ("int64", "float16")     # integers promote; half is refused on the CPU


def _add(*infos):
    OPS.extend(infos)


def _resolved(out):
    """torch may return a lazily conjugated view (its conj bit); parity reads plain values."""
    return out.resolve_conj()


def _f(name):
    def call(lib, *args, **kwargs):
        return _resolved(getattr(lib.fft, name)(*args, **kwargs))
    call.__name__ = name
    return call


def samples(shape, specs, cplx=False):
    def make(dtype, rng):
        dt = "complex128" if cplx else dtype
        return [Sample((values(dt, shape, rng),), dict(kw)) for kw in specs]
    return make


_ONE = [{}, {"n": 5}, {"n": 12}, {"dim": 0}, {"norm": "ortho"}, {"norm": "forward"},
        {"n": 6, "norm": "backward"}]
_ND = [{}, {"s": (3, 8)}, {"dim": (0, 2)}, {"norm": "ortho"}, {"s": (-1, 5)},
       {"norm": "forward", "dim": (-1,)}]

# complex inputs get their own first-order entries (real-only transforms refuse them in the
# forward table; hfft's complex gradient is a conjugate view in torch, checked in test_fft)
for _name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
    _add(OpInfo(_name, _f(_name), samples((3, 8), _ONE), dtypes=TYPES, rtol=1e-4, atol=1e-5))
for _name in ("fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2", "fftn", "ifftn", "rfftn",
              "irfftn", "hfftn", "ihfftn"):
    _add(OpInfo(_name, _f(_name), samples((2, 4, 6), _ND), dtypes=FC, rtol=1e-4, atol=1e-5))
for _name, _shape, _specs in (("fft", (3, 8), _ONE[:3]), ("ifft", (3, 8), _ONE[:3]),
                              ("irfft", (3, 8), _ONE[:3]), ("fftn", (2, 4, 6), _ND[:2]),
                              ("ifft2", (2, 4, 6), _ND[:2]), ("irfftn", (2, 4, 6), _ND[:2]),
                              ("hfft2", (2, 4, 6), _ND[:2])):
    _add(OpInfo(_name + "_c", _f(_name), samples(_shape, _specs, cplx=True),
                dtypes=("float64",), gradgrad=False))

_add(
    OpInfo("fftfreq", lambda lib, n, **kw: lib.fft.fftfreq(n, **kw),
           lambda d, r: [Sample((5,)), Sample((8,), {"d": 0.3}), Sample((6, 2.5))], dtypes=F),
    OpInfo("fftfreq_dtype", lambda lib, n: lib.fft.fftfreq(n, dtype=lib.float64),
           lambda d, r: [Sample((7,))], dtypes=("float64",)),
    OpInfo("rfftfreq", lambda lib, n, **kw: lib.fft.rfftfreq(n, **kw),
           lambda d, r: [Sample((7, 0.1)), Sample((8,))], dtypes=F),
    OpInfo("fftshift", _f("fftshift"), samples((4, 5), [{}, {"dim": 1}, {"dim": (0, 1)}]),
           dtypes=FC + ("int64",)),
    OpInfo("ifftshift", _f("ifftshift"), samples((4, 5), [{}, {"dim": -1}]),
           dtypes=FC + ("int64",)),
)


def _window(name):
    def call(lib, n, *args, **kwargs):
        return getattr(lib, name)(n, *args, **kwargs)
    return call


def _win_samples(extra=()):
    def make(dtype, rng):
        return [Sample((n, per) + tuple(extra)) for n in (0, 1, 2, 5, 8)
                for per in (True, False)]
    return make


for _name in ("hann_window", "hamming_window", "blackman_window", "bartlett_window",
              "kaiser_window"):
    _add(OpInfo(_name, lambda lib, n, per, _n=_name, **kw: getattr(lib, _n)(n, per, **kw),
                _win_samples(), dtypes=("float32",), grad=False))
    _add(OpInfo(_name + "_f64", lambda lib, n, per, _n=_name: getattr(lib, _n)(
        n, per, dtype=lib.float64), _win_samples(), dtypes=("float64",), grad=False,
        rtol=1e-12, atol=1e-14))
_add(
    OpInfo("hamming_window_ab", lambda lib, n: lib.hamming_window(n, False, alpha=0.6,
                                                                  beta=0.3),
           lambda d, r: [Sample((7,))], dtypes=("float32",), grad=False),
    OpInfo("kaiser_window_beta", lambda lib, n: lib.kaiser_window(n, False, 5.0),
           lambda d, r: [Sample((7,))], dtypes=("float32",), grad=False),
)

# --- stft / istft -----------------------------------------------------------------------
_WIN = np.hanning(17)[:16]


def _stft(lib, x, w, **kw):
    return lib.stft(x, 16, window=w, return_complex=True, **kw)


def _stft_samples(shape, specs, cplx=False):
    def make(dtype, rng):
        dt = "complex128" if cplx else dtype
        win = _WIN.astype("float64" if dtype == "float64" else "float32")
        return [Sample((values(dt, shape, rng), win), dict(kw)) for kw in specs]
    return make


_STFT = [{}, {"hop_length": 3}, {"center": False}, {"pad_mode": "constant"},
         {"normalized": True}, {"onesided": False}, {"pad_mode": "replicate"},
         {"pad_mode": "circular"}]


def _istft(lib, x, w, **kw):
    spec = lib.stft(x, 16, window=w, return_complex=True, center=kw.get("center", True),
                    normalized=kw.get("normalized", False))
    return lib.istft(spec, 16, window=w, **kw)


_add(
    OpInfo("stft", lambda lib, x, w, **kw: _stft(lib, x, w, **kw),
           _stft_samples((60,), _STFT), dtypes=F, rtol=1e-4, atol=1e-5),
    OpInfo("stft_win_length", lambda lib, x, w: _stft(lib, x, w[:8], win_length=8),
           _stft_samples((60,), [{}]), dtypes=F, rtol=1e-4, atol=1e-5),
    OpInfo("stft_2d", lambda lib, x, w: _stft(lib, x, w), _stft_samples((2, 60), [{}]),
           dtypes=F, rtol=1e-4, atol=1e-5),
    OpInfo("stft_real", lambda lib, x, w: lib.stft(x, 16, window=w, return_complex=False),
           _stft_samples((2, 60), [{}]), dtypes=F, rtol=1e-4, atol=1e-5),
    OpInfo("stft_c", lambda lib, x, w: _stft(lib, x, w), _stft_samples((60,), [{}], True),
           dtypes=("float64",), gradgrad=False),
    OpInfo("istft", _istft, _stft_samples((60,), [{}, {"length": 50}, {"normalized": True}]),
           dtypes=F, rtol=1e-4, atol=1e-5),
    OpInfo("istft_2d", _istft, _stft_samples((2, 60), [{}]), dtypes=F, rtol=1e-4, atol=1e-5),
)
