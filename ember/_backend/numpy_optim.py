"""Fused optimizer updates on parameter arrays, in place (the per-parameter loops of the
optimizers without an ember op per arithmetic step)."""
from __future__ import annotations

import numpy as np


class NumpyOptim:
    @staticmethod
    def sgd_momentum_(param, grad, buf, lr, momentum, dampening, nesterov):
        """``buf = momentum * buf + (1 - dampening) * grad``; ``param -= lr * step`` where
        step is `buf` (or ``grad + momentum * buf`` with Nesterov), each in torch's order."""
        np.multiply(buf, momentum, out=buf)
        if dampening:
            np.add(buf, grad * (1 - dampening), out=buf)
        else:
            np.add(buf, grad, out=buf)
        step = grad + buf * momentum if nesterov else buf
        np.subtract(param, step * lr, out=param)
