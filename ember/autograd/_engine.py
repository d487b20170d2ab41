"""The backward engine: walk the graph from the roots, in torch's order, and deliver gradients.

Nodes run once all their consumers have run, the most recently created first (torch's
priority by sequence number), so gradients are summed in the same order as in torch.
A node whose gradients reach no requested input is skipped. Saved tensors are freed after
the pass unless ``retain_graph``.
"""
from __future__ import annotations

import heapq

from ember.autograd import anomaly_mode
from ember.autograd.grad_mode import STATE
from ember.autograd.graph import AccumulateGrad, gradient_edge


def execute(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate `root_grads` from the `roots` edges ``(node, output_nr)``.

    With `inputs` (tensors), only gradients reaching them are computed; when `accumulate`
    is False they are returned as ``{(node, output_nr): grad}`` instead of added to ``.grad``.
    """
    post = _postorder(roots)
    targets = wanted = run = None
    if inputs is not None:
        targets = _capture_points(inputs)
        wanted = _wanted(post, targets)
        # A captured input's own node runs only if it leads on to another input (or is a
        # leaf's AccumulateGrad), as in torch.
        run = {n for n in wanted if type(n) is AccumulateGrad or
               any(s in wanted for s, _ in n._next if s is not None)}

    deps = {}
    for node in post:
        for nxt, _ in node._next:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1

    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        _add_to_buffer(buffers, node, nr, g)

    captured = {}
    # grads (and their memory's owners) a user holds or a .grad already stores
    given = {id(g) for g in root_grads} | {id(g._be.owner(g._arr)) for g in root_grads}
    ready = [(-node._seq, i, node) for i, node in enumerate(dict.fromkeys(n for n, _ in roots))
             if node not in deps]
    heapq.heapify(ready)
    tie = len(ready)
    prev_grad_mode = STATE.grad
    STATE.grad = create_graph
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grads = buffers.pop(node, None)
            runs = run is None or node in run
            if grads is not None:
                grads = _run_tensor_hooks(node, grads)
                if targets is not None and node in targets:
                    for nr in targets[node]:
                        captured[node, nr] = grads[nr]
                if runs:
                    grads = _run_node_pre_hooks(node, grads)
                    _run_node(node, grads, buffers, wanted, create_graph, accumulate, given)
            if runs and not retain_graph:
                node._release()
            for nxt, _ in node._next:
                if nxt is not None:
                    deps[nxt] -= 1
                    if deps[nxt] == 0:
                        tie += 1
                        heapq.heappush(ready, (-nxt._seq, tie, nxt))
    finally:
        STATE.grad = prev_grad_mode
    return captured


def _postorder(roots):
    """Every node reachable from the roots, each after all the nodes it feeds into."""
    seen = set()
    post = []
    for root, _ in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root._next))]
        while stack:
            node, it = stack[-1]
            for nxt, _ in it:
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(nxt._next)))
                    break
            else:
                stack.pop()
                post.append(node)
    return post


def _capture_points(inputs):
    """{node: [output_nr, ...]}: where the gradients of `inputs` arrive."""
    points = {}
    for t in inputs:
        node, nr = gradient_edge(t)
        if node is not None:
            points.setdefault(node, []).append(nr)
    return points


def _wanted(post, targets):
    """Nodes that must receive gradients: capture points and nodes on a path to one."""
    wanted = set(targets)
    for node in post:              # post-order: a node's successors are decided first
        if node not in wanted and any(n in wanted for n, _ in node._next if n is not None):
            wanted.add(node)
    return wanted


def _add_to_buffer(buffers, node, nr, g):
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * node._n_out
    old = buf[nr]
    buf[nr] = g if old is None else old + g


def _run_tensor_hooks(node, grads):
    """Tensor hooks and retain_grad of the node's outputs."""
    if type(node) is AccumulateGrad:
        hooks = node.variable._backward_hooks
        if hooks:
            for hook in list(hooks.values()):
                new = hook(grads[0])
                if new is not None:
                    grads[0] = new
    if node._tensor_pre_hooks:
        for nr, hooks in node._tensor_pre_hooks.items():
            for hook in list(hooks.values()):
                if grads[nr] is not None:
                    new = hook(grads[nr])
                    if new is not None:
                        grads[nr] = new
    if node._retain:
        for nr, ref in node._retain.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                t._accumulate_retained(grads[nr])
    return grads


def _run_node_pre_hooks(node, grads):
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    return grads


def _run_node(node, grads, buffers, wanted, create_graph, accumulate, given):
    if type(node) is AccumulateGrad:
        if accumulate:
            node.variable._accumulate_grad(grads[0], create_graph, given)
        return
    outs = _call_backward(node, grads)
    if node._hooks:
        # As torch: post hooks see the gradients already checked and reduced to the
        # inputs' shapes and dtypes.
        outs = tuple(g if g is None or nxt is None else _validate(node, i, g)
                     for i, ((nxt, _), g) in enumerate(zip(node._next, outs)))
        for hook in list(node._hooks.values()):
            new = hook(outs, tuple(grads))
            if new is not None:
                outs = tuple(new)
    for i, ((nxt, nr), g) in enumerate(zip(node._next, outs)):
        if nxt is None or g is None or (wanted is not None and nxt not in wanted):
            continue
        _add_to_buffer(buffers, nxt, nr, _validate(node, i, g))


def _call_backward(node, grads):
    if node._n_out > 1:
        grads = _materialize(node, grads)
    if not anomaly_mode.STATE.enabled:
        return node._run(grads)
    try:
        outs = node._run(grads)
    except Exception:
        anomaly_mode.report_forward(node)
        raise
    if anomaly_mode.STATE.check_nan:
        for i, g in enumerate(outs):
            if g is not None and g._be.has_nan(g._arr):
                anomaly_mode.report_forward(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                                   f"{i}th output.")
    return outs


def _materialize(node, grads):
    """Zeros for the outputs of a multi-output node that received no gradient."""
    if node._out_meta is None or all(g is not None for g in grads):
        return grads
    from ember._ops.creation import zeros_for
    return [g if g is not None or meta is None else zeros_for(meta)
            for g, meta in zip(grads, node._out_meta)]


def _validate(node, i, g):
    """Bring `g` to input `i`'s shape (summing broadcast dims) and dtype, or raise."""
    shape, dtype = node._meta[i]
    if g._arr.shape != shape:
        from ember._ops.reduce import can_sum_to, sum_to
        if not can_sum_to(g._arr.shape, shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"[{', '.join(map(str, g._arr.shape))}] but expected shape compatible with "
                f"[{', '.join(map(str, shape))}]")
        g = sum_to(g, shape)
    if g.dtype is not dtype:
        if g.dtype.is_complex and not dtype.is_complex:
            g = g.real
        g = g.to(dtype)
    return g
