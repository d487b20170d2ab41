"""autograd Functions behind nn layers (torch.nn.modules._functions)."""
from __future__ import annotations

from ember._ops.creation import arange
from ember._ops.join import cat
from ember.autograd.function import Function

__all__ = ["CrossMapLRN2d"]


def _window_sums(t, lo, hi):
    """``sum(t[:, max(lo_c, 0) : min(hi_c, C)])`` per channel c of (N, C, H, W) `t`, for
    channel-index tensors `lo`, `hi` (prefix sums over channels)."""
    n, c, h, w = t.shape
    prefix = cat((t.new_zeros((n, 1, h, w)), t.cumsum(1)), 1)
    return prefix.index_select(1, hi.clamp(0, c)) - prefix.index_select(1, lo.clamp(0, c))


class CrossMapLRN2d(Function):
    """torch's legacy cross-channel LRN with its own (hand-written) backward."""

    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        c = input.size(1)
        pre = int((size - 1) / 2 + 1)
        ch = arange(c, device=input.device)
        # NOTE(torch): torch's running window never drops channel 0 once past it
        scale = _window_sums(input * input, ch.new_zeros(c), ch + pre) - \
            _window_sums(input * input, ch.new_ones(c), (ch - pre + 1).where(ch > pre, 1))
        scale = scale * (alpha / size) + k
        output = scale.pow(-beta) * input
        ctx.size, ctx.alpha, ctx.beta, ctx.scale = size, alpha, beta, scale
        ctx.save_for_backward(input, output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, output = ctx.saved_tensors
        c = input.size(1)
        inverse_pre = int(ctx.size - (ctx.size - 1) / 2)
        ch = arange(c, device=input.device)
        ratio = grad_output * output / ctx.scale
        window = _window_sums(ratio, ch - inverse_pre, ch + ctx.size - inverse_pre)
        grad = ctx.scale.pow(-ctx.beta) * grad_output - \
            (2 * ctx.alpha * ctx.beta / ctx.size) * input * window
        return grad, None, None, None, None
