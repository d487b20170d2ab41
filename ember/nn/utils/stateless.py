"""functional_call: run a module with some parameters and buffers replaced for one call
(torch.nn.utils.stateless)."""
from __future__ import annotations

import contextlib
import warnings

from ember._tensor import Tensor

__all__ = ["functional_call"]

_MISSING = object()


def _check_tensor_name(name):
    if "." in name:
        raise KeyError("tensor name can't contain \".\"")
    if name == "":
        raise KeyError("tensor name can't be empty string \"\"")


def _swap_tensor(module, name, tensor):
    """Put `tensor` (or remove it, for _MISSING) at attribute `name`; returns what was there."""
    from ember.nn.modules.module import Module
    if not isinstance(module, Module):
        raise TypeError(f"{module} is not an instance of torch.nn.Module")
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    _check_tensor_name(name)
    for table in (module._parameters, module._buffers):
        if name in table:
            orig = table[name]
            if tensor is _MISSING:
                del table[name]
            else:
                table[name] = tensor
            return orig
    orig = getattr(module, name, _MISSING)
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return orig


def _submodule(module, path):
    for attr in path.split(".") if path else ():
        try:
            module = getattr(module, attr)
        except AttributeError as ex:
            raise AttributeError(f"{module._get_name()} has no attribute `{attr}`") from ex
    return module


def _swap_all(module, tensors):
    """Swap every dotted name of `tensors` in; returns {name: previous value}."""
    previous = {}
    for name, value in tensors.items():
        prefix, _, attr = name.rpartition(".")
        previous[name] = _swap_tensor(_submodule(module, prefix), attr, value)
    return previous


def _untie(module, parameters_and_buffers):
    """Extend the given names to every name tied to the same tensor."""
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    by_tensor = {}
    for name, tensor in named.items():
        by_tensor.setdefault(tensor, set()).add(name)
    tied = {n: names for names in by_tensor.values() if len(names) > 1 for n in names}
    given = {n for n in parameters_and_buffers if n in tied}
    for name in given:
        names = tied[name]
        if len(names & given) > 1 and \
                len({parameters_and_buffers[n] for n in names & given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    untied = dict(parameters_and_buffers)
    for name in given:
        for other in tied[name]:
            untied[other] = parameters_and_buffers[name]
    return untied


def _check_strict(module, tensors):
    expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    missing = sorted(expected - set(tensors))
    unexpected = sorted(set(tensors) - expected)
    msgs = []
    if unexpected:
        msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if msgs:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
            module._get_name(), "\n\t".join(msgs)))


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    tensors = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:
        _check_strict(module, tensors)
    previous = {}
    try:
        previous = _swap_all(module, tensors)
        yield
    finally:
        restored = _swap_all(module, previous)
        parameters_and_buffers.update({k: restored[k] for k in parameters_and_buffers
                                       if k in restored})


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                     tie_weights=True, strict=False):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the named parameters and buffers replaced by the
    given tensors for this call only (tied names follow unless ``tie_weights=False``)."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
                  "and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
