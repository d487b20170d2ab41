"""autograd.backward and autograd.grad: argument handling in front of the engine."""
from __future__ import annotations

import warnings

from ember.autograd import _engine
from ember.autograd.graph import gradient_edge


def _as_tuple(x):
    if x is None:
        return None
    from ember._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _root_grads(outputs, grad_outputs):
    """One gradient per output: given, or ones for a scalar output."""
    from ember._ops.creation import ones_like
    grads = []
    given = grad_outputs if grad_outputs is not None else (None,) * len(outputs)
    if len(given) < len(outputs):    # NOTE(torch): extra gradients are ignored
        raise RuntimeError(f"got {len(outputs)} tensors and {len(given)} gradients")
    for i, (out, g) in enumerate(zip(outputs, given)):
        if g is None:
            if out._requires_grad and out._arr.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = ones_like(out)
        elif not hasattr(g, "_arr"):
            from ember._ops.creation import full_like
            g = full_like(out, g)
        elif g._arr.shape != out._arr.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} "
                               f"and output[{i}] has a shape of {out.shape}.")
        grads.append(g)
    return grads


def _roots(outputs):
    roots = []
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        roots.append(gradient_edge(out))
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate gradients of `tensors` into the ``.grad`` of the leaves (or of `inputs`)."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(tensors, grad_tensors)
    roots = _roots(tensors)
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after "
            "use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    captured = _engine.execute(roots, grads, retain_graph, create_graph, inputs=inputs,
                               accumulate=True)
    for t in inputs or ():
        if t._grad_fn is not None:      # a non-leaf input: its .grad is filled as a leaf's
            g = captured.get(gradient_edge(t))
            if g is not None:
                t._accumulate_grad(g, create_graph, {id(g)})


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned rather than accumulated."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outputs, grad_outputs)
    roots = _roots(outputs)
    captured = _engine.execute(roots, grads, retain_graph, create_graph, inputs=inputs,
                               accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(gradient_edge(t))
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is "
                                   "the desired behavior.")
            if materialize_grads:
                from ember._ops.creation import zeros_like
                g = zeros_like(t)
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
