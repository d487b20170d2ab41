"""Gradients of scatter_reduce and index_reduce, written in ember ops (so they nest).

Both ops reduce `src` into a copy of `self` at the places `index` names; only how a
place is read (gather / index_select), accumulated into (scatter_add / index_add) and
cleared (scatter / index_fill) differs, so one formula serves both:

- sum: grad passes to self; src reads grad at its places.
- prod: grad * result / self, with zeros handled by recomputing the product without them.
- mean: grad divided by the number of values averaged at each place.
- amax / amin: grad split evenly among the values that attain the extreme.
"""
from __future__ import annotations

from ember._ops._registry import Op, apply
from ember.autograd.grad_mode import STATE as GRAD


class DelayedError(Op):
    """Passes its input through; differentiating it again raises `msg` (torch's node)."""

    def forward(self, be, x, *, msg):
        self.msg = msg
        return x

    def backward(self, g):
        raise RuntimeError(self.msg)


class ReduceAccess:
    """How one of the two ops reads, accumulates into and clears the indexed places."""

    def __init__(self, name, pick, add_into, clear, again):
        self.name = name            # for the double-backward error message
        self.pick = pick            # t -> t's values at the indexed places (src-shaped)
        self.add_into = add_into    # (base, v) -> base with v summed into the places
        self.clear = clear          # t -> t with the places zeroed
        self.again = again          # (base, s) -> the forward op on base and s


def _prod(g, x, src, result, ops, needs):
    gx = gsrc = None
    if needs[0]:
        masked_x = x.masked_fill(x == 0, 1)
        gx = g * ops.again(masked_x, src) / masked_x
    if needs[2]:
        src_zero = src == 0
        zeros = ops.pick(ops.add_into(x.new_zeros(x.shape), src_zero.to(x.dtype)))
        single = src_zero & (zeros == 1)
        without = ops.again(x, src.masked_fill(single, 1))
        gsrc = ops.pick(g * without).where(single,
                                           ops.pick(g * result) / src.masked_fill(src_zero, 1))
        if GRAD.grad and bool((zeros > 1)._arr.any()):
            what = "src" if ops.name == "scatter_reduce" else "source"
            gsrc = apply(DelayedError, (gsrc,), msg=(
                f"{ops.name}(): Double backward is unsupported for {what} when >1 zeros in "
                f"{what} are scattered to the same position in self"))
    return gx, gsrc


def _mean(g, src, include_self, ops):
    count = g.new_ones(g.shape) if include_self else g.new_zeros(g.shape)
    count = ops.add_into(count, src.new_ones(src.shape).to(g.dtype))
    count = count.masked_fill(count == 0, 1)
    return g / count, ops.pick(g) / ops.pick(count)


def _extreme(g, x, src, result, ops):
    value = ops.pick(result)
    self_is = (x == result).to(x.dtype)
    src_is = (src == value).to(x.dtype)
    share = g / ops.add_into(self_is, src_is)
    return self_is * share, src_is * ops.pick(share)


def reduce_grads(g, x, src, reduce, include_self, result, needs, ops):
    """(grad of self, grad of src) of a scatter_reduce / index_reduce."""
    if reduce == "sum":
        gx, gsrc = g, ops.pick(g)
    elif reduce == "prod":
        gx, gsrc = _prod(g, x, src, result, ops, needs)
    elif reduce == "mean":
        gx, gsrc = _mean(g, src, include_self, ops)
    elif reduce in ("amax", "amin"):
        gx, gsrc = _extreme(g, x, src, result, ops)
    else:
        raise RuntimeError(f"Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', "
                           f"'amin' but got {reduce}.")
    if gx is not None and not include_self:
        gx = ops.clear(gx)
    return (gx if needs[0] else None), (gsrc if needs[2] else None)


def scatter_access(dim, index, reduce, include_self):
    return ReduceAccess(
        "scatter_reduce", lambda t: t.gather(dim, index),
        lambda base, v: base.scatter_add(dim, index, v), lambda t: t.scatter(dim, index, 0),
        lambda base, s: base.scatter_reduce(dim, index, s, reduce, include_self=include_self))


def index_access(dim, index, reduce, include_self):
    return ReduceAccess(
        "index_reduce", lambda t: t.index_select(dim, index),
        lambda base, v: base.index_add(dim, index, v), lambda t: t.index_fill(dim, index, 0),
        lambda base, s: base.index_reduce(dim, index, s, reduce, include_self=include_self))
