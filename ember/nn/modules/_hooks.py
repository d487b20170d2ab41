"""Module hooks: the global registries, the per-module registration methods, and the slow
``__call__`` path that runs them in torch's order."""
from __future__ import annotations

import functools
import warnings
import weakref
from collections import OrderedDict

from ember._tensor import Tensor
from ember.utils.hooks import RemovableHandle

__all__ = ["register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_backward_hook",
           "register_module_full_backward_hook", "register_module_buffer_registration_hook",
           "register_module_module_registration_hook",
           "register_module_parameter_registration_hook"]

# Hooks every module runs (debugging and profiling); keyed by handle id.
_global_buffer_registration_hooks: dict = OrderedDict()
_global_module_registration_hooks: dict = OrderedDict()
_global_parameter_registration_hooks: dict = OrderedDict()
_global_backward_pre_hooks: dict = OrderedDict()
_global_backward_hooks: dict = OrderedDict()
_global_forward_pre_hooks: dict = OrderedDict()
_global_forward_hooks: dict = OrderedDict()
_global_forward_hooks_always_called: dict = OrderedDict()
_global_forward_hooks_with_kwargs: dict = OrderedDict()
_GLOBAL = {"is_full_backward_hook": None}

_MIXED = ("Cannot use both regular backward hooks and full backward hooks {} Please use only "
          "one of them.")


def _register(hooks, hook, **extra):
    handle = RemovableHandle(hooks, **extra)
    hooks[handle.id] = hook
    return handle


def register_module_buffer_registration_hook(hook) -> RemovableHandle:
    """``hook(module, name, buffer)`` runs on every register_buffer; may return a new buffer."""
    return _register(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook) -> RemovableHandle:
    """``hook(module, name, submodule)`` runs on every submodule registration."""
    return _register(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook) -> RemovableHandle:
    """``hook(module, name, param)`` runs on every register_parameter."""
    return _register(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """A forward pre-hook for every module, run before the module's own."""
    return _register(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """A forward hook for every module, run before the module's own."""
    handle = _register(_global_forward_hooks, hook,
                       extra_dict=_global_forward_hooks_always_called)
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_backward_hook(hook) -> RemovableHandle:
    """A legacy (non-full) backward hook for every module."""
    if _GLOBAL["is_full_backward_hook"] is True:
        raise RuntimeError(_MIXED.format("as a global Module hook."))
    _GLOBAL["is_full_backward_hook"] = False
    return _register(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook) -> RemovableHandle:
    """A full backward pre-hook for every module."""
    return _register(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook) -> RemovableHandle:
    """A full backward hook for every module."""
    if _GLOBAL["is_full_backward_hook"] is False:
        raise RuntimeError(_MIXED.format("as a global Module hook."))
    _GLOBAL["is_full_backward_hook"] = True
    return _register(_global_backward_hooks, hook)


class _WrappedHook:
    """A hook that, when bound to a module, receives it (held weakly) as first argument."""

    def __init__(self, hook, module=None):
        self.hook = hook
        functools.update_wrapper(self, hook)
        self.with_module = False
        if module is not None:
            self.module = weakref.ref(module)
            self.with_module = True

    def __call__(self, *args, **kwargs):
        if self.with_module:
            module = self.module()
            if module is None:
                raise RuntimeError("You are trying to call the hook of a dead Module!")
            return self.hook(module, *args, **kwargs)
        return self.hook(*args, **kwargs)

    def __getstate__(self):
        result = {"hook": self.hook, "with_module": self.with_module}
        if self.with_module:
            result["module"] = self.module()
        return result

    def __setstate__(self, state):
        self.hook = state["hook"]
        self.with_module = state["with_module"]
        if self.with_module:
            if state["module"] is None:
                raise RuntimeError("You are trying to revive the hook of a dead Module!")
            self.module = weakref.ref(state["module"])


class ModuleHooks:
    """nn.Module's hook registration methods and its hook-running call path."""

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args)`` (or ``(module, args, kwargs)``) runs before forward; a
        non-None result replaces the arguments."""
        handle = RemovableHandle(self._forward_pre_hooks,
                                 extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """``hook(module, args, output)`` (or with kwargs) runs after forward; a non-None
        result replaces the output. `always_call` runs it even when forward raises."""
        handle = RemovableHandle(self._forward_hooks, extra_dict=[
            self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output)`` runs before the module's input gradients are
        computed; may return new grad_output."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        """Legacy hook on the grad_fn of the module's output (deprecated in torch)."""
        if self._is_full_backward_hook is True:
            raise RuntimeError(_MIXED.format("on a single Module."))
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output)`` runs once the gradients of the module's
        inputs are computed; may return new grad_input."""
        if self._is_full_backward_hook is False:
            raise RuntimeError(_MIXED.format("on a single Module."))
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def _get_backward_hooks(self):
        full, non_full = [], []
        is_full = _GLOBAL["is_full_backward_hook"]
        if is_full is not None:
            (full if is_full else non_full).extend(_global_backward_hooks.values())
        if self._is_full_backward_hook is not None:
            (full if self._is_full_backward_hook else non_full).extend(
                self._backward_hooks.values())
        return full, non_full

    def _get_backward_pre_hooks(self):
        return [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]

    def _call_impl(self, *args, **kwargs):
        """Run forward with every hook, in torch's order (the path taken when any exist)."""
        state = _CallState(args, kwargs)
        try:
            return self._call_with_hooks(state)
        except Exception:
            self._run_always_called_hooks(state)
            raise

    def _call_with_hooks(self, state):
        full_hooks, non_full_hooks = [], []
        pre_hooks = []
        if self._backward_pre_hooks or _global_backward_pre_hooks:
            pre_hooks = self._get_backward_pre_hooks()
        if self._backward_hooks or _global_backward_hooks:
            full_hooks, non_full_hooks = self._get_backward_hooks()
        self._run_forward_pre_hooks(state)
        bw_hook = None
        if full_hooks or pre_hooks:
            from ember.nn.modules._backward_hook import BackwardHook
            bw_hook = BackwardHook(self, full_hooks, pre_hooks)
            state.args = bw_hook.setup_input_hook(state.args)
        state.result = self.forward(*state.args, **state.kwargs)
        self._run_forward_hooks(state)
        result = state.result
        if bw_hook:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a "
                              f"Tensor or a tuple of Tensors but received {type(result)}",
                              stacklevel=3)
            result = bw_hook.setup_output_hook(result)
        if non_full_hooks:
            self._attach_legacy_hooks(state.args, result, non_full_hooks)
        return result

    def _run_forward_pre_hooks(self, state):
        if not (_global_forward_pre_hooks or self._forward_pre_hooks):
            return
        for hook_id, hook in (*_global_forward_pre_hooks.items(),
                              *self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                new = hook(self, state.args, state.kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {new}.")
                    state.args, state.kwargs = new
            else:
                new = hook(self, state.args)
                if new is not None:
                    state.args = new if isinstance(new, tuple) else (new,)

    def _run_forward_hooks(self, state):
        if not (_global_forward_hooks or self._forward_hooks):
            return
        for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
            if hook_id in self._forward_hooks_always_called or \
                    hook_id in _global_forward_hooks_always_called:
                state.called.add(hook_id)
            if hook_id in self._forward_hooks_with_kwargs or \
                    hook_id in _global_forward_hooks_with_kwargs:
                new = hook(self, state.args, state.kwargs, state.result)
            else:
                new = hook(self, state.args, state.result)
            if new is not None:
                state.result = new

    def _run_always_called_hooks(self, state):
        """After forward raised: the always_call hooks that have not run yet."""
        for scope, hooks, always, with_kwargs in (
                ("global module", _global_forward_hooks, _global_forward_hooks_always_called,
                 {}),
                ("module", self._forward_hooks, self._forward_hooks_always_called,
                 self._forward_hooks_with_kwargs)):
            for hook_id, hook in hooks.items():
                if hook_id not in always or hook_id in state.called:
                    continue
                try:
                    if hook_id in with_kwargs:
                        new = hook(self, state.args, state.kwargs, state.result)
                    else:
                        new = hook(self, state.args, state.result)
                    if new is not None:
                        state.result = new
                except Exception as e:
                    warnings.warn(f"{scope} forward hook with ``always_call=True`` raised an "
                                  "exception that was silenced as another error was raised in "
                                  f"forward: {e}", stacklevel=3)

    def _attach_legacy_hooks(self, args, result, hooks):
        var = result
        while not isinstance(var, Tensor):
            if isinstance(var, dict):
                var = next(v for v in var.values() if isinstance(v, Tensor))
            else:
                var = var[0]
        grad_fn = var.grad_fn
        if grad_fn is not None:
            for hook in hooks:
                grad_fn.register_hook(_WrappedHook(hook, self))
            _warn_non_full_backward_hook(args, result, grad_fn)


class _CallState:
    """The arguments and result of one hooked module call, as the hooks rewrite them."""

    __slots__ = ("args", "kwargs", "result", "called")

    def __init__(self, args, kwargs):
        self.args = args
        self.kwargs = kwargs
        self.result = None
        self.called = set()


_LEGACY = ("Using a non-full backward hook {} is deprecated and will be removed in future "
           "versions. This hook will be missing some {}.")
_USE_FULL = " Please use register_full_backward_hook to get the documented behavior."


def _warn_non_full_backward_hook(inputs, result, grad_fn):
    """torch's FutureWarnings for legacy backward hooks that will miss some gradients."""
    def warn(message):
        warnings.warn(message, FutureWarning, stacklevel=4)

    if isinstance(result, Tensor):
        result = (result,)
    elif not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
        return warn("Using non-full backward hooks on a Module that does not return a single "
                    "Tensor or a tuple of Tensors is deprecated and will be removed in future "
                    "versions. This hook will be missing some of the grad_output." + _USE_FULL)
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    elif not (isinstance(inputs, tuple) and all(isinstance(i, Tensor) for i in inputs)):
        return warn("Using non-full backward hooks on a Module that does not take as input a "
                    "single Tensor or a tuple of Tensors is deprecated and will be removed in "
                    "future versions. This hook will be missing some of the grad_input." +
                    _USE_FULL)
    out_fns = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_fns or (len(out_fns) == 1 and grad_fn not in out_fns):
        warn(_LEGACY.format("when outputs are nested in python data structure",
                            "grad_output"))
    elif len(out_fns) > 1:
        warn(_LEGACY.format("when outputs are generated by different autograd Nodes",
                            "grad_output") + _USE_FULL)
    else:
        in_fns = {i.grad_fn for i in inputs if i.grad_fn is not None}
        if in_fns != {n[0] for n in grad_fn.next_functions}:
            warn(_LEGACY.format("when the forward contains multiple autograd Nodes",
                                "grad_input") + _USE_FULL)
