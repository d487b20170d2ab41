"""Window functions (hann, hamming, blackman, bartlett, kaiser) and the short-time Fourier
transform pair stft / istft, computed step by step as torch computes them."""
from __future__ import annotations

import math

from ember import _dtype as D
from ember._ops._linalg_common import pad_to, warn_once
from ember._ops.fft import _BY_N, _NONE, _ROOT, c2c, c2r, r2c
from ember._tensor import _c_name, _wrap

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window", "stft", "istft"]
FUNCTIONS_ONLY = frozenset(__all__[:5])


def _window(name, window_length, periodic, dtype, device, requires_grad, body):
    """Shared shape of the windows: checks, the 0/1-length cases, the periodic extension."""
    from ember._ops.creation import backend, finish
    dt = dtype or D.get_default_dtype()
    if dt.category != D.FLOAT:
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                           f"{_c_name(dt)}, device=cpu, layout=Strided (default), "
                           "requires_grad=false (default), pinned_memory=false, "
                           "memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    be = backend(device)
    xp = be.xp
    npdt = be.np_dtype(dt)
    if window_length <= 1:
        arr = xp.ones(window_length, npdt)
    else:
        n = window_length + 1 if periodic else window_length
        # NOTE(torch): each step rounds to the window's dtype, half precision included
        arr = body(xp, xp.arange(n, dtype=npdt), n, npdt).astype(npdt)
        if periodic:
            arr = arr[:-1].copy()
    return finish(_wrap(arr, dt, be), requires_grad)


def _scalar(xp, value, dt):
    return xp.asarray(value, dt)


def _cosine_body(alpha, beta):
    def body(xp, k, n, dt):
        w = xp.cos(k * _scalar(xp, 2 * math.pi / (n - 1), dt))
        return w * _scalar(xp, -beta, dt) + _scalar(xp, alpha, dt)
    return body


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    """alpha - beta * cos(2 pi k / (N - 1))."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_body(alpha, beta))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    """0.5 - 0.5 cos(2 pi k / (N - 1))."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_body(0.5, 0.5))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    def body(xp, k, n, dt):
        w = k * _scalar(xp, math.pi / (n - 1), dt)
        return (xp.cos(w * _scalar(xp, 4, dt)) * _scalar(xp, 0.08, dt) -
                xp.cos(w * _scalar(xp, 2, dt)) * _scalar(xp, 0.5, dt) + _scalar(xp, 0.42, dt))
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   body)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """The triangular window 1 - |2k / (N - 1) - 1|."""
    def body(xp, k, n, dt):
        w = k * _scalar(xp, 2.0 / (n - 1), dt)
        half = ((n - 1) >> 1) + 1
        w[half:] = w[half:] * _scalar(xp, -1, dt) + _scalar(xp, 2, dt)
        return w
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   body)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    """I0(beta sqrt(1 - ((k - alpha) / alpha)^2)) / I0(beta), alpha = (N - 1) / 2."""
    def body(xp, k, n, dt):
        work = xp.float32 if dt.itemsize == 2 else dt      # one rounding, as torch's kernel
        k = k.astype(work)
        alpha = _scalar(xp, (n - 1) / 2.0, work)
        b = _scalar(xp, beta, work)
        arg = b * xp.sqrt(xp.abs(1 - ((k - alpha) / alpha) ** 2))
        return (xp.i0(arg) / xp.i0(b)).astype(dt)
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   body)


# --- stft / istft -----------------------------------------------------------------------


def _pad_signal(x, pad, mode):
    """F.pad of the last dim by `pad` on both sides (reflect, replicate, circular, constant)."""
    length = x._arr.shape[-1]
    if mode == "constant":
        return _constant_pad(x, pad)
    if mode == "reflect" and pad >= length:
        raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                           f"input dimension, but got: padding ({pad}, {pad}) at dimension 2 "
                           f"of input [1, {x._arr.shape[0] if x._arr.ndim == 2 else 1}, "
                           f"{length}]")
    xp = x._be.xp
    idx = xp.arange(-pad, length + pad)
    if mode == "reflect":
        idx = xp.abs(idx)
        idx = xp.where(idx >= length, 2 * (length - 1) - idx, idx)
    elif mode == "replicate":
        idx = xp.clip(idx, 0, length - 1)
    elif mode == "circular":
        idx = idx % length
    else:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    return x[..., _wrap(idx.astype(xp.int64), D.int64, x._be)]


def _constant_pad(x, pad):
    from ember._ops.scatter_view import slice_scatter
    shape = list(x._arr.shape)
    shape[-1] += 2 * pad
    return slice_scatter(x.new_zeros(shape), x, -1, pad, pad + x._arr.shape[-1])


def _repr(name, kind, x, n_fft, hop, win, window, extra):
    shown = "None" if window is None else f"{window.type()}{{{list(window._arr.shape)}}}"
    return (f"{name}({kind}{list(x._arr.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={shown}, {extra}) ")


def _opt(v):
    return "None" if v is None else str(int(v))


def _centred_window(window, n_fft, win_length, like):
    if win_length >= n_fft:
        return window
    left = (n_fft - win_length) // 2
    base = window if window is not None else like.new_ones(win_length)
    from ember._ops.scatter_view import slice_scatter
    return slice_scatter(base.new_zeros(n_fft), base, 0, left, left + win_length)


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None):
    """Short-time Fourier transform: (…, freq, frames) complex (or its view_as_real)."""
    if center:
        pad = n_fft // 2
        input = _pad_signal(input, pad, pad_mode)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if window is None:
        warn_once(
            "A window was not provided. A rectangular window will be applied,which is known to "
            "cause spectral leakage. Other windows such as torch.hann_window or "
            "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
            "warning and use a rectangular window, explicitly set `window=torch.ones(n_fft, "
            "device=<device>)`.")
    complex_out = return_complex if return_complex is not None else (
        input.dtype.is_complex or (window is not None and window.dtype.is_complex))
    if not complex_out:
        if return_complex is None:
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True in a "
                               "future PyTorch release.")
        warn_once(
            "stft with return_complex=False is deprecated. In a future pytorch release, stft "
            "will return complex tensors for all inputs, and return_complex=False will raise an "
            "error.\nNote: you can still call torch.view_as_real on the complex output to "
            "recover the old return format.")
    head = _repr("stft", input.type(), input, n_fft, hop, win, window,
                 f"normalized={int(normalized)}, onesided={_opt(onesided)}, return_complex="
                 f"{_opt(return_complex)}, align_to_window=None")
    _stft_checks(input, n_fft, hop, win, window, head)
    x = input.unsqueeze(0) if input._arr.ndim == 1 else input
    batch, length = x._arr.shape
    w = _centred_window(window, n_fft, win, x)
    frames = 1 + (length - n_fft) // hop
    s0, s1 = x.stride()
    x = x.as_strided((batch, frames, n_fft), (s0, hop * s1, s1), x.storage_offset())
    if w is not None:
        x = x * w
    side = (not x.dtype.is_complex) if onesided is None else onesided
    mode = _ROOT if normalized else _NONE
    if x.dtype.is_complex:
        if side:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        out = c2c(x, (2,), mode, True)
    else:
        out = r2c(x, (2,), mode, side)
    out = out.transpose(1, 2)
    if input._arr.ndim == 1:
        out = out.squeeze(0)
    from ember._ops.view import view_as_real
    return out if complex_out else view_as_real(out)


def _stft_checks(x, n_fft, hop, win, window, head):
    if x.dtype.category < D.FLOAT:
        raise RuntimeError(head + ": expected a tensor of floating point or complex values")
    if x._arr.ndim not in (1, 2):
        raise RuntimeError(head + ": expected a 1D or 2D tensor")
    length = x._arr.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(head + f": expected 0 < n_fft < {length}, but got n_fft={win}")
    if hop <= 0:
        raise RuntimeError(head + f": expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(head + f": expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window._arr.ndim != 1 or window._arr.shape[0] != win):
        raise RuntimeError(head + f": expected a 1D window tensor of size equal to win_length="
                           f"{win}, but got window with size {list(window._arr.shape)}")


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """The inverse of stft by overlap-add, normalised by the summed squared window."""
    from ember._ops.scatter_view import unfold_backward
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    head = _repr("istft", f"CPU{D.type_name(input.dtype)}Type", input, n_fft, hop, win, window,
                 f"center={int(center)}, normalized={int(normalized)}, onesided="
                 f"{_opt(onesided)}, length={_opt(length)}, return_complex={int(return_complex)}")
    frames, fft_size = _istft_checks(input, n_fft, hop, win, window, onesided, head)
    if window is None:
        warn_once(
            "A window was not provided. A rectangular window will be applied.Please provide "
            "the same window used by stft to make the inversion lossless.To suppress this "
            "warning and use a rectangular window, explicitly set `window=torch.ones(n_fft, "
            "device=<device>)`.")
    side = onesided if onesided is not None else fft_size != n_fft
    expected = n_fft + hop * (frames - 1)
    w = window if window is not None else input.new_ones(win, dtype=input.dtype.to_real())
    w = _centred_window(w, n_fft, win, input)
    x = input.unsqueeze(0) if input._arr.ndim == 2 else input
    x = x.transpose(1, 2)
    mode = _ROOT if normalized else _BY_N
    if return_complex:
        if side:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        x = c2c(x, (2,), mode, False)
    else:
        if window is not None and window.dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not side:
            x = x.narrow(-1, 0, n_fft // 2 + 1)
        x = c2r(x, (2,), mode, n_fft)
    y = unfold_backward(x * w.view(1, 1, n_fft), (x._arr.shape[0], expected), 1, n_fft, hop)
    env = unfold_backward((w * w).expand(1, frames, n_fft), (1, expected), 1, n_fft, hop)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (expected - n_fft // 2 if center
                                                     else expected)
    stop = min(end, expected)
    y, env = y.narrow(1, start, stop - start), env.narrow(1, start, stop - start)
    if bool((env.abs() < 1e-11)._arr.any()):
        raise RuntimeError(head + "window overlap add min: 1\n[ CPUBoolType{} ]")
    y = y / env
    if input._arr.ndim == 2:
        y = y.squeeze(0)
    if end > expected:
        warn_once("The length of signal is shorter than the length parameter. Result is "
                  "being padded with zeros in the tail. Please check your center and "
                  "hop_length settings.")
        y = pad_to(y, -1, y._arr.shape[-1] + end - expected)
    return y


def _istft_checks(x, n_fft, hop, win, window, onesided, head):
    if x._arr.size == 0:
        raise RuntimeError(head + ": input tensor cannot be empty.")
    if x._arr.ndim not in (2, 3):
        raise RuntimeError(head + ": expected a tensor with 3 or 4 dimensions of complex dtype, "
                           f"but got {x._arr.ndim + 1}")
    frames, fft_size = x._arr.shape[-1], x._arr.shape[-2]
    side = onesided if onesided is not None else fft_size != n_fft
    if side and n_fft // 2 + 1 != fft_size:
        raise RuntimeError(head + ": expected the frequency dimension (3rd to the last) of the "
                           "input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                           f"{fft_size}")
    if not side and n_fft != fft_size:
        raise RuntimeError(head + ": expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop <= win:
        raise RuntimeError(head + ": expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise RuntimeError(head + ": expected 0 < win_length <= n_fft")
    if window is not None and (window._arr.ndim != 1 or window._arr.shape[0] != win):
        raise RuntimeError(head + ": Invalid window shape. window has to be 1D and length of "
                           "`win_length`")
    return frames, fft_size
