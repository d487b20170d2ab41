"""FFT kernels (CPU backend): SciPy's pocketfft, the library torch's CPU build uses.

The three primitives mirror torch's: complex-to-complex, real-to-complex (one- or
two-sided) and complex-to-real. `norm` is torch's normalization mode: 0 none, 1 by
1/sqrt(n), 2 by 1/n, where n is the product of the signal sizes.
"""
from __future__ import annotations

import scipy.fft as sfft

# torch's mode -> SciPy's `norm` for a forward / backward (inverse) transform
_FORWARD = {0: "backward", 1: "ortho", 2: "forward"}
_INVERSE = {0: "forward", 1: "ortho", 2: "backward"}


class NumpyFFT:
    """FFT kernels mixed into the NumPy backend."""

    @staticmethod
    def fft_c2c(x, dims, norm, forward):
        if forward:
            return sfft.fftn(x, axes=dims, norm=_FORWARD[norm])
        return sfft.ifftn(x, axes=dims, norm=_INVERSE[norm])

    @staticmethod
    def fft_r2c(x, dims, norm, onesided):
        if onesided:
            return sfft.rfftn(x, axes=dims, norm=_FORWARD[norm])
        return sfft.fftn(x, axes=dims, norm=_FORWARD[norm])

    @staticmethod
    def fft_c2r(x, dims, norm, last_size):
        sizes = [x.shape[d] for d in dims[:-1]] + [last_size]
        return sfft.irfftn(x, s=sizes, axes=dims, norm=_INVERSE[norm])
