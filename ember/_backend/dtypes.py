"""Mapping between ember dtypes and array-library dtypes; finfo and iinfo."""
from __future__ import annotations

import math

import ml_dtypes
import numpy as np

from ember import _dtype as D

TO_NP = {
    D.float16: np.dtype(np.float16),
    D.bfloat16: np.dtype(ml_dtypes.bfloat16),
    D.float32: np.dtype(np.float32),
    D.float64: np.dtype(np.float64),
    D.complex64: np.dtype(np.complex64),
    D.complex128: np.dtype(np.complex128),
    D.uint8: np.dtype(np.uint8),
    D.int8: np.dtype(np.int8),
    D.int16: np.dtype(np.int16),
    D.int32: np.dtype(np.int32),
    D.int64: np.dtype(np.int64),
    D.bool: np.dtype(np.bool_),
}
FROM_NP = {v: k for k, v in TO_NP.items()}


def from_np_dtype(npdt) -> D.dtype:
    """The ember dtype of a NumPy dtype; TypeError for ones torch has no equivalent of."""
    d = FROM_NP.get(np.dtype(npdt))
    if d is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(npdt).name}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint8, and bool.")
    return d


def _fmt(v):
    return f"{float(v):.6g}"


class finfo:
    """Machine limits of a floating dtype (torch.finfo)."""

    def __init__(self, type=None):
        d = D.get_default_dtype() if type is None else type
        if d.category not in (D.FLOAT, D.COMPLEX):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        d = d.to_real()
        info = ml_dtypes.finfo(TO_NP[d])
        self.bits = d.itemsize * 8
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = self.tiny
        self.resolution = 10.0 ** -math.floor(-math.log10(self.eps))
        self.dtype = d._name

    def __repr__(self):
        return (f"finfo(resolution={_fmt(self.resolution)}, min={_fmt(self.min)}, "
                f"max={_fmt(self.max)}, eps={_fmt(self.eps)}, "
                f"smallest_normal={_fmt(self.smallest_normal)}, tiny={_fmt(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (torch.iinfo)."""

    def __init__(self, type):
        if type.category == D.FLOAT or type.category == D.COMPLEX:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        if type is D.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = np.iinfo(TO_NP[type])
        self.bits = type.itemsize * 8
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type._name

    def __repr__(self):
        return f"iinfo(min={_fmt(self.min)}, max={_fmt(self.max)}, dtype={self.dtype})"
