"""Shared helpers for the ember.vision parity tests (torchvision is the oracle)."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytest.importorskip("PIL")
from PIL import Image  # noqa: E402


def _load_torchvision():
    # torchvision wheels built for CUDA torch fail registering their C++ ops next to the CPU
    # torch; nothing tested here uses those ops (same stub as the seed-example runner)
    sys.modules.setdefault("torchvision._meta_registrations",
                           types.ModuleType("torchvision._meta_registrations"))
    return pytest.importorskip("torchvision")


tv = _load_torchvision()
import torchvision.transforms as TT  # noqa: E402, F401
import torchvision.transforms.functional as TF  # noqa: E402, F401

import ember.vision.transforms as ET  # noqa: E402, F401
import ember.vision.transforms.functional as EF  # noqa: E402, F401

NN_OPS = ("pad", "interpolate", "grid_sample", "conv2d")


def needs_nn(*names):
    """Skip unless ember.nn.functional has the named ops (written by the nn engineers)."""
    names = names or NN_OPS
    missing = [n for n in names if not hasattr(ember.nn.functional, n)]
    return pytest.mark.skipif(bool(missing), reason=f"ember.nn.functional lacks {missing}")


def rgb_array(h=9, w=11, seed=0, channels=3):
    rs = np.random.RandomState(seed)
    shape = (h, w) if channels == 1 else (h, w, channels)
    return rs.randint(0, 256, size=shape).astype(np.uint8)


def pil_image(mode="RGB", h=9, w=11, seed=0):
    """A small deterministic PIL image of `mode`."""
    if mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        channels = {"RGB": 3, "RGBA": 4, "L": 1, "LA": 2, "CMYK": 4}[mode]
        arr = rgb_array(h, w, seed, channels)
        if mode in ("LA", "CMYK"):
            return Image.frombytes(mode, (w, h), arr.tobytes())
        return Image.fromarray(arr)
    if mode == "P":
        return pil_image("RGB", h, w, seed).convert("P")
    if mode == "1":
        return Image.fromarray(rgb_array(h, w, seed, 1) > 127)
    if mode == "I":
        return Image.fromarray(rgb_array(h, w, seed, 1).astype(np.int32) * 1000 - 50000)
    if mode == "F":
        return Image.fromarray(rgb_array(h, w, seed, 1).astype(np.float32) / 7)
    if mode == "I;16":
        return Image.fromarray(rgb_array(h, w, seed, 1).astype(np.uint16) * 250)
    raise ValueError(mode)


def tensors(arr, dtype=None):
    """The same data as (ember tensor, torch tensor)."""
    arr = np.ascontiguousarray(arr)
    e, t = ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    if dtype is not None:
        e, t = e.to(getattr(ember, dtype)), t.to(getattr(torch, dtype))
    return e, t


def image_tensors(dtype="uint8", shape=(3, 9, 11), seed=0):
    rs = np.random.RandomState(seed)
    if dtype == "uint8":
        arr = rs.randint(0, 256, size=shape).astype(np.uint8)
    else:
        arr = rs.rand(*shape).astype(dtype)
    return tensors(arr)


def plain(x):
    """Comparable form: PIL -> (mode, size, ndarray), tensors -> (dtype, ndarray)."""
    if isinstance(x, Image.Image):
        return ("PIL", x.mode, x.size, np.asarray(x))
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return (str(x.dtype).split(".")[-1], np.asarray(x.detach().numpy()))
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x


def assert_same(e, t, atol=0.0, rtol=0.0):
    """ember's result equals torchvision's (exactly unless tolerances are given)."""
    pe, pt = plain(e), plain(t)
    if isinstance(pe, list):
        assert len(pe) == len(pt)
        for a, b in zip(pe, pt):
            _assert_leaf(a, b, atol, rtol)
    else:
        _assert_leaf(pe, pt, atol, rtol)


def _assert_leaf(a, b, atol, rtol):
    if isinstance(a, tuple):
        assert a[:-1] == b[:-1], f"{a[:-1]} != {b[:-1]}"
        a, b = a[-1], b[-1]
        assert a.shape == b.shape, f"{a.shape} != {b.shape}"
        if atol or rtol:
            np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), atol=atol,
                                       rtol=rtol)
        else:
            np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def same_error(fe, ft, match_message=True):
    """fe() and ft() raise the same exception type (and message, ember. read as torch.)."""
    with pytest.raises(Exception) as ei:
        fe()
    with pytest.raises(Exception) as ti:
        ft()
    assert type(ei.value).__name__ == type(ti.value).__name__, (ei.value, ti.value)
    if match_message:
        assert str(ei.value).replace("ember.", "torch.") == str(ti.value)


def seeded(seed, fe, ft):
    """(fe() after ember.manual_seed, ft() after torch.manual_seed)."""
    ember.manual_seed(seed)
    e = fe()
    torch.manual_seed(seed)
    return e, ft()
