"""``Function.apply``: run a custom forward and record it as one node of the graph.

The node gets an edge per *tensor* argument; its outputs follow torch's rules: inputs
returned unchanged come back as fresh views, inputs marked dirty are rebased onto the node
(through CopySlices when they are views), non-differentiable outputs get no history.
"""
from __future__ import annotations

import warnings

from ember import _dtype as D
from ember._tensor import Tensor
from ember.autograd import anomaly_mode
from ember.autograd.grad_mode import STATE as GRAD
from ember.autograd.grad_mode import no_grad
from ember.autograd.graph import _SEQ, SavedTensor, gradient_edge

NO_EDGE = (None, 0)


def run(cls, args, split):
    """``cls.apply(*args)``; `split` when forward and setup_context are separate."""
    ctx = object.__new__(cls._backward_cls)
    tensor_args = tuple(isinstance(a, Tensor) for a in args)
    needs = tuple(t and a._requires_grad for t, a in zip(tensor_args, args))
    ctx.needs_input_grad = needs
    executable = GRAD.grad and any(needs)
    if executable:
        _connect(ctx, args, tensor_args)
    with no_grad():
        if split:
            output = cls.forward(*args)
            cls.setup_context(ctx, args, output)
        else:
            output = cls.forward(ctx, *args)
    is_tuple = isinstance(output, tuple)
    outputs = list(output) if is_tuple else [output]
    _wrap_outputs(ctx, args, outputs, executable)
    if executable:
        _save(ctx)
        if anomaly_mode.STATE.enabled:
            anomaly_mode.record_forward(ctx)
    ctx.to_save = ctx.non_differentiable = ctx.dirty_tensors = None
    ctx.saved_for_forward = None
    return tuple(outputs) if is_tuple else outputs[0]


def _connect(ctx, args, tensor_args):
    """The node's sequence number, one edge per tensor argument, and their metadata."""
    ctx._seq = next(_SEQ)
    ctx._tensor_args = tensor_args
    tensors = [a for a in args if isinstance(a, Tensor)]
    ctx._next = tuple(gradient_edge(t) if t._requires_grad else NO_EDGE for t in tensors)
    ctx._meta = tuple((t._arr.shape, t.dtype) if t._requires_grad else None for t in tensors)


def _identity_set(items, refusal):
    ids = set()
    for i, t in enumerate(items or ()):
        if not isinstance(t, Tensor):
            raise RuntimeError(refusal.format(i=i, type=type(t).__name__))
        ids.add(id(t))
    return ids


def _wrap_outputs(ctx, args, outputs, executable):
    """Give each tensor output its history (in place in `outputs`)."""
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    non_diff = _identity_set(ctx.non_differentiable, "mark_non_differentiable only accepts "
                             "variable arguments, but got {type}")
    dirty = _identity_set(ctx.dirty_tensors, "mark_dirty can only accept variables, but "
                          "argument {i} is of type {type}")
    for t in ctx.dirty_tensors or ():
        if id(t) not in inputs:
            warnings.warn("ctx.mark_dirty() received a tensor that was not an input. Only "
                          "input Tensors that have been mutated should be passed to "
                          "ctx.mark_dirty().", stacklevel=4)
        t._bump_version()
    node = ctx if executable else None
    returned = {id(o) for o in outputs}
    info = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            info.append(None)
            continue
        key = id(out)
        differentiable = (node is not None and key not in non_diff
                          and out.dtype.category >= D.FLOAT)
        out = outputs[i] = _set_history(out, node, i, key in inputs, key in dirty,
                                        differentiable, len(outputs))
        info.append((out._arr.shape, out.dtype, out._be))
    if not dirty <= returned:
        raise RuntimeError("Some elements marked as dirty during the forward method were not "
                           "returned as output. The inputs that are modified inplace must all be "
                           "outputs of the Function.")
    if executable:
        ctx._n_out = len(outputs)
        ctx._out_info = tuple(info)


def _set_history(out, node, nr, is_input, is_dirty, differentiable, n_outputs):
    """`out` (or its replacement) with the history torch gives such an output."""
    if not differentiable:
        if not out._requires_grad:
            return _alias(out) if is_input and not is_dirty else out
        if is_input:
            return out.detach()
        if out._base is None:
            out.detach_()
        return out
    if is_dirty:
        _rebase(out, node, nr, n_outputs)
        return out
    if is_input:
        out = _alias(out)
    out._grad_fn = node
    out._output_nr = nr
    out._requires_grad = True
    return out


def _alias(t):
    """A new view of all of `t` (what an input returned as-is becomes)."""
    with no_grad():
        return t.view_as(t)


def _rebase(out, node, nr, n_outputs):
    """Make `node` the history of the input `out` that forward modified in place."""
    if out._grad_fn is None and out._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    base = out._base
    if base is None:
        out._grad_fn = node
        out._output_nr = nr
        out._requires_grad = True
        return
    if n_outputs > 1:
        raise RuntimeError(
            "If your Function modifies inplace an input that is a view of another Tensor, your "
            "Function cannot return more than one Tensor. This is not supported by the current "
            "autograd engine. You should either make sure the input is not a view (using "
            ".clone() for example) or make your Function only return one Tensor (potentially "
            "splitting it into two Functions: one doing the inplace that returns that Tensor "
            "and another one that returns the other Tensors).")
    from ember._ops.inplace import CopySlices, regenerate_view_grad_fn
    base._grad_fn = CopySlices(base, out, node)
    base._requires_grad = True
    base._output_nr = 0
    out._view_version = -1
    regenerate_view_grad_fn(out)


def _save(ctx):
    """Turn ``ctx.to_save`` into saved tensors, outputs kept without a reference cycle."""
    saved = []
    for i, t in enumerate(ctx.to_save or ()):
        if t is None:
            saved.append(None)
        elif not isinstance(t, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                            f"of type {type(t).__name__}")
        else:
            saved.append(SavedTensor(t, t._grad_fn is ctx))
    if saved:
        ctx._saved = tuple(saved)
