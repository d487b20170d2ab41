"""The ``Error`` node: outputs of a non-differentiable backward, refusing a second pass."""
from __future__ import annotations

from ember._ops._registry import Op, apply


class Error(Op):
    """Passes its inputs through; raises ``message`` if backward ever reaches it."""

    def forward(self, be, *arrays, message):
        self.message = message
        return arrays if len(arrays) > 1 else arrays[0]

    def backward(self, *grads):
        raise RuntimeError(self.message)


def delayed_error(outputs, message):
    """`outputs` (a tensor or a tuple, Nones kept) re-issued through an ``Error`` node."""
    items = outputs if isinstance(outputs, tuple) else (outputs,)
    fakes = [o.detach().requires_grad_(True) for o in items if o is not None]
    if not fakes:
        return outputs
    wrapped = apply(Error, fakes, message=message)
    wrapped = iter(wrapped if isinstance(wrapped, tuple) else (wrapped,))
    result = tuple(None if o is None else next(wrapped) for o in items)
    return result if isinstance(outputs, tuple) else result[0]
