"""Custom autograd functions (torch.autograd.function): ``Function``, its ``ctx``, and
``once_differentiable``.

A ``Function`` subclass gives a forward and a backward written in ember ops. ``apply`` runs
the forward without recording and makes one graph node for the whole call: an instance of
``<ClassName>Backward``, generated for each subclass. That node is also the ``ctx`` the
forward saw, and it runs in the same engine as the built-in ops (``Op`` is the internal
protocol, ``Function`` its public face).
"""
from __future__ import annotations

import functools
import inspect
import itertools
import warnings

from ember._tensor import Tensor
from ember.autograd import _function_apply
from ember.autograd.grad_mode import is_grad_enabled, no_grad
from ember.autograd.graph import Node

__all__ = ["FunctionCtx", "BackwardCFunction", "FunctionMeta", "Function", "InplaceFunction",
           "once_differentiable"]

_FUNCTION_IDS = itertools.count()


class FunctionCtx:
    """What ``forward`` / ``setup_context`` can tell the node that ``backward`` will need."""

    def save_for_backward(self, *tensors):
        """Keep `tensors` (or None) for backward; read them back with ``ctx.saved_tensors``."""
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        """Keep `tensors` for a forward-mode ``jvp``."""
        for t in tensors:
            if not (isinstance(t, Tensor) or t is None):
                raise AssertionError("save_for_forward expects all arguments to be tensors; you "
                                     "should save non-tensors as attributes on ctx.")
        self.saved_for_forward = tensors

    def mark_dirty(self, *args):
        """Declare the inputs that forward modified in place (they must be returned)."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        """Declare outputs that get no gradient (backward still receives zeros for them)."""
        self.non_differentiable = args

    def mark_shared_storage(self, *pairs):
        warnings.warn("`mark_shared_storage` is deprecated. Tensors with shared storages are "
                      "automatically tracked. Note that calls to `set_()` are not tracked",
                      FutureWarning, stacklevel=2)

    def set_materialize_grads(self, value: bool):
        """Whether gradients missing for some outputs reach backward as zeros (default)
        or as None."""
        self.materialize_grads = value


class BackwardCFunction(FunctionCtx, Node):
    """The node of one ``Function.apply`` call; also the ``ctx`` its static methods get."""

    _forward_cls = None
    # ctx state, as torch exposes it (cleared once apply has consumed it)
    to_save = None
    dirty_tensors = None
    non_differentiable = None
    saved_for_forward = None
    materialize_grads = True
    needs_input_grad = ()
    # filled by apply: which forward arguments were tensors, and per output
    # (shape, dtype, backend) or None for a non-tensor output
    _tensor_args = ()
    _out_info = ()

    @property
    def saved_tensors(self):
        return self._unpack_saved()

    def apply(self, *grads):
        """Run the user's backward (or vjp) on one gradient per forward output."""
        return _user_backward(self._forward_cls)(self, *grads)

    def _run(self, grads):
        if self.materialize_grads:
            grads = _materialize(grads, self._out_info)
        out = self.apply(*grads)
        return self._input_grads(out if isinstance(out, tuple) else (out,))

    def _input_grads(self, out):
        """The gradients of the tensor inputs, after torch's checks on what backward returned."""
        n = len(self._tensor_args)
        if len(out) > n and all(g is None for g in out[n:]):
            out = out[:n]
        if len(out) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(out)})")
        grads = []
        for i, (g, is_tensor) in enumerate(zip(out, self._tensor_args)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {i + 1}, but the corresponding forward input was not a "
                        "Variable")
                continue
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            grads.append(g)
        return tuple(grads)

    def _release(self):
        # NOTE(torch): once freed, saved_tensors raises even when nothing was saved
        self._saved = None


def _materialize(grads, out_info):
    if all(g is not None for g in grads):
        return grads
    from ember._ops.creation import zeros_for
    return [zeros_for(info) if g is None and info is not None else g
            for g, info in zip(grads, out_info)]


def _user_backward(cls):
    backward, vjp = cls.backward, cls.vjp
    if backward is not Function.backward and vjp is not Function.vjp:
        raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is "
                           "not allowed. You should only implement one of them.")
    return vjp if vjp is not Function.vjp else backward


class FunctionMeta(type):
    """Gives every Function subclass its node type, ``<ClassName>Backward``."""

    def __init__(cls, name, bases, attrs):
        backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        backward_cls._autograd_function_id = next(_FUNCTION_IDS)
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of custom differentiable operations.

    Subclasses define static ``forward(ctx, *args, **kwargs)`` (or ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grad_outputs)``, which
    returns one gradient (or None) per forward argument. Call them with ``Cls.apply(...)``.

    Example::

        >>> class Exp(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         y = x.exp()
        ...         ctx.save_for_backward(y)
        ...         return y
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         y, = ctx.saved_tensors
        ...         return g * y
    """

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd "
                      "functions are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on `args` and record the call as one ``<ClassName>Backward`` node."""
        split = cls.setup_context is not Function.setup_context
        if split:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        if kwargs:
            args = _bind_keywords(cls.forward, args, kwargs, skip=0 if split else 1)
        return _function_apply.run(cls, args, split)


def _bind_keywords(forward, args, kwargs, skip):
    """`args` extended by `kwargs` placed at their positions in `forward`'s signature.

    NOTE(torch): keyword arguments become positional inputs (tensors among them get graph
    edges); defaults are not filled in, so every position up to the last one given must be.
    """
    names = [p.name for p in inspect.signature(forward).parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][skip:]
    missing = object()
    slots = list(args)
    for name, value in kwargs.items():
        if name not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{name}'")
        i = names.index(name)
        if i < len(args):
            raise TypeError(f"forward() got multiple values for argument '{name}'")
        slots += [missing] * (i + 1 - len(slots))
        slots[i] = value
    for i, value in enumerate(slots):
        if value is missing:
            raise TypeError(f"forward() missing required argument: '{names[i]}' (position {i})")
    return tuple(slots)


class InplaceFunction(Function):
    """A Function that may work in place (the ``inplace`` flag is the subclass's to honour)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable.

    The wrapped backward runs without recording; if a graph was being built, its results
    point at a node that raises when a second differentiation reaches it.
    """
    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not is_grad_enabled():
            return outputs
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        from ember.autograd._error_node import delayed_error
        return delayed_error(outputs, "trying to differentiate twice a function that was "
                                      "marked with @once_differentiable")
    return wrapper
