"""torch.fft: discrete Fourier transforms and their helpers."""
from ember._ops.fft import (fft, fft2, fftn, hfft, hfft2, hfftn, ifft, ifft2, ifftn, ihfft,
                            ihfft2, ihfftn, irfft, irfft2, irfftn, rfft, rfft2, rfftn)
from ember._ops.fft_freq import fftfreq, fftshift, ifftshift, rfftfreq

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]
