"""Backward-graph nodes (torch's grad_fn objects) and saved tensors."""
from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict

from ember.utils.hooks import RemovableHandle

__all__ = ["Node", "AccumulateGrad", "SavedTensor", "grad_accumulator", "gradient_edge",
           "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]

_SEQ = itertools.count()

FREED = ("Trying to backward through the graph a second time (or directly access saved "
         "tensors after they have already been freed). Saved intermediate values of the graph "
         "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
         "you need to backward through the graph a second time or if you need to access saved "
         "tensors after calling backward.")


class Node:
    """A node of the backward graph; ``tensor.grad_fn`` is one.

    ``next_functions`` holds one ``(node, output_nr)`` edge per forward input, ``(None, 0)``
    where that input needs no gradient. Subclasses implement ``backward(*grads)``, returning
    one gradient per edge, written in ember ops so that it is differentiable again.
    """

    # defaults shared by every node; set on the instance only when used
    _pre_hooks = None
    _hooks = None
    _tensor_pre_hooks = None
    _retain = None
    _saved = ()
    _anomaly = None
    _metadata = None
    _n_out = 1
    _out_meta = None

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self):
        return self._next

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = OrderedDict()
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = OrderedDict()
        handle = RemovableHandle(self._pre_hooks)
        self._pre_hooks[handle.id] = fn
        return handle

    def _register_tensor_hook(self, output_nr, fn) -> RemovableHandle:
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        hooks = self._tensor_pre_hooks.setdefault(output_nr, OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle

    def _retain_grad(self, tensor):
        if self._retain is None:
            self._retain = {}
        self._retain[tensor._output_nr] = weakref.ref(tensor)

    def __call__(self, *grads):
        """Run this node's backward on `grads` (one per forward output)."""
        return self._run(list(grads))

    def _run(self, grads):
        out = self.backward(*grads)
        return out if type(out) is tuple else (out,)

    def _release(self):
        if self._saved:
            self._saved = None

    def _unpack_saved(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED)
        return tuple(s.unpack(self) if type(s) is SavedTensor else s for s in saved)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    _next = ()

    def __init__(self, variable):
        self.variable = variable
        self._seq = 1 << 62        # runs after everything that feeds it, as in torch
        self._meta = ()


def grad_accumulator(tensor):
    """The (cached) AccumulateGrad node of a leaf that requires grad."""
    ref = tensor._grad_acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(tensor)
        tensor._grad_acc = weakref.ref(acc)
    return acc


def gradient_edge(tensor):
    """The (node, output_nr) edge through which gradient flows back into `tensor`."""
    fn = tensor.grad_fn
    if fn is not None:
        return (fn, tensor._output_nr)
    if tensor._requires_grad:
        return (grad_accumulator(tensor), 0)
    return (None, 0)


class SavedTensor:
    """A tensor kept for backward, with the version it had when saved.

    Outputs of the node are stored without a reference to the output Tensor (which points
    back at the node) and rebuilt on unpack, so graphs hold no reference cycles. Under
    ``saved_tensors_hooks`` the tensor is handed to the pack hook instead, and rebuilt from
    what the unpack hook returns (no version check then: the hooks own the data).
    """

    __slots__ = ("tensor", "version", "arr", "dtype", "be", "vc", "output_nr", "packed",
                 "unpack_hook", "history")

    def __init__(self, tensor, is_output=False):
        vc = tensor._version_counter()
        self.version = vc.value
        self.unpack_hook = None
        if _HOOK_DEPTH and _HOOKS.stack:
            self._pack(tensor, is_output, *_HOOKS.stack[-1])
        elif is_output:
            self.tensor = None
            self.arr = tensor._arr
            self.dtype = tensor.dtype
            self.be = tensor._be
            self.vc = vc
            self.output_nr = tensor._output_nr
        else:
            self.tensor = tensor

    def _pack(self, tensor, is_output, pack_hook, unpack_hook):
        self.tensor = None
        self.packed = pack_hook(tensor)
        self.unpack_hook = unpack_hook
        self.output_nr = tensor._output_nr
        # history to give the unpacked tensor: the node for an output (None here), else the
        # tensor's own grad_fn, or for a leaf its gradient accumulator (False: no history)
        if is_output:
            self.history = None
        elif tensor._grad_fn is not None:
            self.history = tensor.grad_fn
        else:
            self.history = grad_accumulator(tensor) if tensor._requires_grad else False

    def unpack(self, node):
        if self.unpack_hook is not None:
            return self._unpack_hooked(node)
        if self.tensor is not None:
            t = self.tensor
            current = t._version
        else:
            current = self.vc.value
        if current != self.version:
            raise RuntimeError(_modified_message(self, node, current))
        if self.tensor is not None:
            return self.tensor
        from ember._tensor import _wrap
        t = _wrap(self.arr, self.dtype, self.be)
        t._vc = self.vc
        t._grad_fn = node
        t._output_nr = self.output_nr
        t._requires_grad = True
        return t

    def _unpack_hooked(self, node):
        from ember._tensor import Tensor
        data = self.unpack_hook(self.packed)
        if not isinstance(data, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(data).__name__}")
        t = data.detach()
        history = node if self.history is None else self.history
        if type(history) is AccumulateGrad:
            t._requires_grad = True
            t._grad_acc = weakref.ref(history)
        elif history is not False:
            t._grad_fn = history
            t._output_nr = self.output_nr
            t._requires_grad = True
        return t


def _modified_message(saved, node, current):
    from ember._legacy import legacy_type_name
    if saved.tensor is not None:
        t = saved.tensor
        desc = f"[{legacy_type_name(t.dtype, t._be)} [{', '.join(map(str, t.shape))}]]"
        fn = t.grad_fn
        owner = ("" if fn is None else
                 f", which is output {t._output_nr} of {_short_name(fn)},")
    else:
        desc = (f"[{legacy_type_name(saved.dtype, saved.be)} "
                f"[{', '.join(map(str, saved.arr.shape))}]]")
        owner = f", which is output {saved.output_nr} of {_short_name(node)},"
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {desc}{owner} is at version {current}; expected version "
            f"{saved.version} instead. Hint: enable anomaly detection to find the operation "
            "that failed to compute its gradient, with "
            "ember.autograd.set_detect_anomaly(True, check_nan=False).")


def _short_name(node):
    name = node.name()
    i = name.rfind("Backward")
    return name[:i] if i > 0 else name


# --- saved-tensor hooks (torch.autograd.graph) -------------------------------------------

class _HookState(threading.local):
    def __init__(self):
        self.stack = []            # (pack_hook, unpack_hook), innermost last
        self.disabled = None       # the error message while hooks are disabled


_HOOKS = _HookState()
_HOOK_DEPTH = 0                    # hooks active in any thread: a cheap test for SavedTensor


class saved_tensors_hooks:
    """Within the block, every tensor saved for backward goes through ``pack_hook(tensor)``
    and is recovered by ``unpack_hook(packed)`` when backward needs it (innermost pair wins).
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        global _HOOK_DEPTH
        if _HOOKS.disabled is not None:
            raise RuntimeError(_HOOKS.disabled)
        _HOOKS.stack.append((self.pack_hook, self.unpack_hook))
        _HOOK_DEPTH += 1

    def __exit__(self, *exc):
        global _HOOK_DEPTH
        _HOOKS.stack.pop()
        _HOOK_DEPTH -= 1


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors in CPU memory and move them back to their device for backward."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            if not pin_memory:
                return tensor.device, tensor.cpu()
            # NOTE(torch): without CUDA nothing is pinned, but the tensor is still copied
            return tensor.device, tensor.detach().clone().cpu()

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device, non_blocking=pin_memory)

        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Within the block, entering ``saved_tensors_hooks`` raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message
        self.prev = None

    def __enter__(self):
        self.prev = _HOOKS.disabled
        _HOOKS.disabled = self.error_message

    def __exit__(self, *exc):
        _HOOKS.disabled = self.prev
