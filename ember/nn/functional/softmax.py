"""softmax, softmin, log_softmax and gumbel_softmax (torch.nn.functional)."""
from __future__ import annotations

import warnings

from ember._ops.creation import empty, zeros
from ember._ops.softmax import log_softmax as _log_softmax
from ember._ops.softmax import softmax as _softmax

__all__ = ["softmax", "softmin", "log_softmax", "gumbel_softmax"]


def _implicit_dim(name, ndim, stacklevel):
    """torch's deprecated choice of dim when none is given: 0 for 0-, 1- and 3-dim inputs,
    else 1 (with a warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along `dim`, computed in `dtype` when given."""
    if dim is None:
        dim = _implicit_dim("softmax", input.dim(), _stacklevel)
    return _softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-input)`` along `dim`."""
    if dim is None:
        dim = _implicit_dim("softmin", input.dim(), _stacklevel)
    return _softmax(-input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` along `dim`, computed stably (and in `dtype` when given)."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.dim(), _stacklevel)
    return _log_softmax(input, dim, dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax distribution over `dim`: ``softmax((logits + g) /
    tau)`` with Gumbel noise g drawn as torch draws it (``-log(Exp(1))``); with ``hard``,
    the one-hot of its argmax, carrying the soft sample's gradient (straight through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    noise = empty(logits.shape, dtype=logits.dtype, device=logits.device)
    gumbels = (logits - noise.exponential_().log()) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros(logits.shape, dtype=logits.dtype, device=logits.device)
    y_hard.scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
