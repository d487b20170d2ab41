"""Selection by mask: where (three-argument) and masked_fill."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._registry import Op, apply, apply_inplace, write_out
from ember._tensor import Tensor

__all__ = ["where", "masked_fill"]
FUNCTIONS_ONLY = frozenset({"where"})


class WhereBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, cond, x, y):
        return be.xp.where(cond, x, y)

    def backward(self, g):
        (cond,) = self.saved
        _, need_x, need_y = self.needs_input_grad
        return (None, where(cond, g, 0) if need_x else None,
                where(cond, 0, g) if need_y else None)


def where(condition, input=None, other=None, *, out=None):
    """Elements of `input` where `condition` holds, else of `other` (tensors or scalars).
    With only `condition`, the indices of its nonzero elements (``nonzero(as_tuple=True)``)."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition.dtype is not D.bool:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {D.type_name(condition.dtype)}")
    from ember._ops.creation import full
    dt = D.result_dtype((input, other))
    x, y = (v.to(dt) if isinstance(v, Tensor) else full((), v, dtype=dt,
                                                          device=condition.device)
            for v in (input, other))
    result = apply(WhereBackward0, (condition, x, y))
    return result if out is None else write_out(result, out)


class MaskedFillBackward0(Op):
    save_inputs = (1,)

    def forward(self, be, x, mask, *, value):
        return be.masked_fill(x, mask, value)

    def backward(self, g):
        (mask,) = self.saved
        return g.masked_fill(mask, 0), None


class MaskedFillBackward1(MaskedFillBackward0):
    def forward(self, be, x, mask, value):
        return super().forward(be, x, mask, value=value)

    def backward(self, g):
        (mask,) = self.saved
        gv = where(mask, g, 0).sum() if self.needs_input_grad[2] else None
        return g.masked_fill(mask, 0), None, gv


def _check_mask(mask):
    if mask.dtype is not D.bool:
        from ember._tensor import _c_name
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_c_name(mask.dtype)}")


def masked_fill(input, mask, value):
    """A copy of `input` with `value` where `mask` is True (value cast to input's dtype)."""
    _check_mask(mask)
    if isinstance(value, Tensor):
        if value._arr.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._arr.ndim} dimension(s).")
        return apply(MaskedFillBackward1, (input, mask, value.to(input.dtype)))
    return apply(MaskedFillBackward0, (input, mask), value=value)


def masked_fill_(self, mask, value):
    _check_mask(mask)
    if isinstance(value, Tensor):
        return apply_inplace(MaskedFillBackward1, (self, mask, value.to(self.dtype)))
    return apply_inplace(MaskedFillBackward0, (self, mask), value=value)


METHODS = {"where": lambda self, condition, other: where(condition, self, other),
           "masked_fill": masked_fill, "masked_fill_": masked_fill_}
