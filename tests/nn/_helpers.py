"""Shared helpers for the nn parity tests: run one scenario under ember and torch."""
from __future__ import annotations

import warnings

import pytest

import ember

torch = pytest.importorskip("torch")


def torch_name(text) -> str:
    return str(text).replace("ember.", "torch.")


def both(fn):
    """(fn(ember), fn(torch))."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(ember), fn(torch)


def plain(obj):
    """Tensors as (dtype name, nested list) and containers recursively, for ==."""
    if isinstance(obj, (ember.Tensor, torch.Tensor)):
        return (torch_name(obj.dtype), tuple(obj.shape), obj.detach().tolist())
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain(o) for o in obj) if not hasattr(obj, "_fields") \
            else tuple(plain(o) for o in obj)
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, str):
        return torch_name(obj)
    return obj


def same(fn):
    """fn(lib) gives equal plain values (reprs compared with ember. read as torch.)."""
    e, t = both(fn)
    pe, pt = plain(e), plain(t)
    assert pe == pt, f"ember {pe!r}\ntorch {pt!r}"
    return e, t


def same_error(fn, exact=True):
    """fn(lib) raises the same exception type (and message) under both."""
    errors = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                fn(lib)
        errors.append(info.value)
    e, t = errors
    assert type(e).__name__ == type(t).__name__, f"{type(e).__name__}: {e} vs {type(t)}: {t}"
    em, tm = torch_name(str(e)), str(t)
    if exact:
        assert em == tm, f"message\n{em!r}\nvs\n{tm!r}"
    else:
        assert em[:40] == tm[:40], f"message\n{em!r}\nvs\n{tm!r}"


def requires(*names):
    """Skip until ember has the named top-level functions or Tensor methods (other families)."""
    missing = [n for n in names
               if not (hasattr(ember, n) or hasattr(ember.Tensor, n.lstrip(".")))]
    return pytest.mark.skipif(bool(missing), reason=f"ember lacks {', '.join(missing)}")


needs_rng = requires("manual_seed", ".uniform_", ".normal_")
