"""linear and bilinear (torch.nn.functional)."""
from __future__ import annotations

from ember._ops.blas import matmul
from ember._ops.blas_extra import addmm
from ember._ops.nn_prims import bilinear

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``.

    As in torch, a 2-D input with a bias is one addmm; another contiguous input with a bias is
    flattened to 2-D for the addmm and viewed back; everything else is matmul (+ add).
    """
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    if bias is not None:
        if input.dim() == 2:
            return addmm(bias, input, weight.t())
        if input.is_contiguous():
            out = addmm(bias, input.view(-1, input.shape[-1]), weight.t())
            return out.view(*input.shape[:-1], out.shape[-1])
    output = matmul(input, weight.t())
    return output if bias is None else output + bias
