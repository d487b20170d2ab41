"""In-place ops under autograd: rebasing history, and CopySlices for writes into views.

Writing into a view of `base` changes `base` too, so `base` gets a CopySlices node: the
gradient of the written region goes through the in-place op, the rest passes unchanged.
Views of `base` whose version has moved on rebuild their grad_fn as an as_strided of `base`.
"""
from __future__ import annotations

from ember._ops._registry import edge, record
from ember.autograd.graph import _SEQ, Node


def _geom(t):
    return (t._arr.shape, t.stride(), t.storage_offset())


def record_inplace(op, inputs, self, original=None):
    """Record in-place op `op`, already run on ``self = inputs[0]`` (`original`: its copy
    from before the write, see ``original_self``)."""
    base = self._base
    record(op, inputs, (self,), inplace=True, original=original)
    if base is not None:
        copy = CopySlices(base, self, op)
        base._grad_fn = copy
        base._requires_grad = True
        base._output_nr = 0
        self._view_version = -1
        regenerate_view_grad_fn(self)
    if self._retains_grad:
        self._grad_fn._retain_grad(self)


class CopySlices(Node):
    """grad_fn of a base tensor one of whose views was written in place by `fn`."""

    def __init__(self, base, view, fn):
        self._seq = next(_SEQ)
        self.fn = fn
        self.base_geom = _geom(base)
        self.view_geom = _geom(view)
        self._next = (edge(base),) + fn._next[1:]
        self._meta = ((base._arr.shape, base.dtype),) + fn._meta[1:]

    def _run(self, grads):
        from ember._ops.creation import empty_strided
        g = grads[0]
        shape, stride, offset = self.base_geom
        result = empty_strided(shape, stride, dtype=g.dtype, device=g.device)
        result.copy_(g)
        vshape, vstride, voffset = self.view_geom
        region = result.as_strided(vshape, vstride, voffset - offset)
        res = self.fn._run([region.clone()])
        if res[0] is None:
            region.zero_()
        else:
            region.copy_(res[0])
        return (result,) + tuple(res[1:])

    def _release(self):
        self.fn._release()


def regenerate_view_grad_fn(view):
    """Give `view` an as_strided grad_fn from its base if the base was written since."""
    if view._view_version == view._version:
        return
    from ember._ops.view import AsStridedBackward0
    base = view._base
    op = Node.__new__(AsStridedBackward0)
    op._seq = next(_SEQ)
    op._next = (edge(base),)
    op._meta = ((base._arr.shape, base.dtype),)
    op.needs_input_grad = (True,)
    op.in_shape = base._arr.shape
    op.in_geometry = _geom(base)
    op.out_geometry = _geom(view)
    view._grad_fn = op
    view._output_nr = 0
    view._requires_grad = True
    view._view_version = view._version
