"""torch.autograd.functional: Jacobians, Hessians and their vector products for functions
of tensors, built on ``autograd.grad``.

Forward-mode products (``jvp``, ``hvp``) use the double-backward trick, as torch does.
Differences from PyTorch: ``vectorize=True`` loops over rows instead of batching them, and
``strategy="forward-mode"`` (which torch supports only with ``vectorize=True``) returns the
same numbers computed in reverse mode, since ember has no forward-mode AD.
"""
from __future__ import annotations

import ember
from ember._tensor import Tensor
from ember.autograd._functional_utils import (as_tuple_checked, autograd_grad,
                                              check_requires_grad, fill_in_zeros,
                                              grad_postprocess, grad_preprocess, stack_rows,
                                              tuple_postprocess, validate_v)
from ember.autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _prepared_v(v, against, is_tuple, fn_name, create_graph, v_none_message, single):
    """`v` as a tuple checked against `against`, or refuse ``v=None`` unless `single`."""
    if v is not None:
        _, v = as_tuple_checked(v, "v", fn_name)
        v = grad_preprocess(v, create_graph=create_graph, need_graph=False)
        validate_v(v, against, is_tuple)
        return v
    if not single:
        raise RuntimeError(v_none_message)
    return None


def _is_single(tensors):
    return len(tensors) == 1 and tensors[0].nelement() == 1


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product of `func` at `inputs`."""
    with enable_grad():
        is_inputs_tuple, inputs = as_tuple_checked(inputs, "inputs", "vjp")
        inputs = grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = as_tuple_checked(
            outputs, "outputs of the user-provided function", "vjp")
        check_requires_grad(outputs, "outputs", strict=strict)
        v = _prepared_v(v, outputs, is_outputs_tuple, "vjp", create_graph,
                        "The vector v can only be None if the user-provided function returns a "
                        "single Tensor with a single element.", _is_single(outputs))
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return (tuple_postprocess(grad_postprocess(outputs, create_graph), is_outputs_tuple),
            tuple_postprocess(grad_postprocess(result, create_graph), is_inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product of `func` at `inputs`."""
    with enable_grad():
        is_inputs_tuple, inputs = as_tuple_checked(inputs, "inputs", "jvp")
        inputs = grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepared_v(v, inputs, is_inputs_tuple, "jvp", create_graph,
                        "The vector v can only be None if the input to the user-provided "
                        "function is a single Tensor with a single element.",
                        _is_single(inputs))
        outputs = func(*inputs)
        is_outputs_tuple, outputs = as_tuple_checked(
            outputs, "outputs of the user-provided function", "jvp")
        check_requires_grad(outputs, "outputs", strict=strict)
        # double-backward trick: J^T u is linear in u, so d(J^T u)/du applied to v is J v
        dummies = tuple(ember.zeros_like(o, requires_grad=True) for o in outputs)
        transposed = autograd_grad(outputs, inputs, dummies, create_graph=True)
        check_requires_grad(transposed, "grad_inputs", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = autograd_grad(transposed, dummies, v, create_graph=create_graph)
        result = fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return (tuple_postprocess(grad_postprocess(outputs, create_graph), is_outputs_tuple),
            tuple_postprocess(grad_postprocess(result, create_graph), is_outputs_tuple))


def _check_strategy(strategy, create_graph, strict, vectorize):
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".')
    if strategy != "forward-mode":
        return
    if create_graph:
        raise NotImplementedError(
            "torch.autograd.functional.jacobian: `create_graph=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`create_graph=False` or `strategy="reverse-mode"`.')
    if strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`strict=False` or `strategy="reverse-mode"`.')
    if not vectorize:
        # NOTE(torch): the missing space after "is" is torch's
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                  "Hessian isonly implemented for `vectorize=True`.")


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`: for output ``i`` and input ``j`` a tensor of shape
    ``outputs[i].shape + inputs[j].shape`` (nested tuples as the arguments were tuples)."""
    _check_strategy(strategy, create_graph, strict, vectorize)
    with enable_grad():
        is_inputs_tuple, inputs = as_tuple_checked(inputs, "inputs", "jacobian")
        inputs = grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = as_tuple_checked(
            outputs, "outputs of the user-provided function", "jacobian")
        check_requires_grad(outputs, "outputs", strict=strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`.")
        result = tuple(_jacobian_of_output(i, out, inputs, create_graph, strict)
                       for i, out in enumerate(outputs))
        result = grad_postprocess(result, create_graph)
        return tuple_postprocess(result, (is_outputs_tuple, is_inputs_tuple))


def _jacobian_of_output(i, out, inputs, create_graph, strict):
    """Rows d out[k] / d inputs, one backward pass per element of `out`."""
    rows = tuple([] for _ in inputs)
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        grads = autograd_grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, x) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent "
                                       f"of input {j}. This is not allowed in strict mode.")
                g = ember.zeros_like(x)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError("The jacobian of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode when "
                                   "create_graph=True.")
            rows[j].append(g)
    return tuple(stack_rows(r).view(out.shape + x.shape) for r, x in zip(rows, inputs))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of scalar-valued `func` at `inputs`: for inputs ``i`` and ``j`` a tensor
    of shape ``inputs[i].shape + inputs[j].shape``."""
    is_inputs_tuple, inputs = as_tuple_checked(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        is_out_tuple, outs = as_tuple_checked(out, "outputs of the user-provided function",
                                              "hessian")
        check_requires_grad(outs, "outputs", strict=strict)
        if is_out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(scalar_func, inp, create_graph=True)
        check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def _scalar_output(func, inputs, fn_name, strict):
    outputs = func(*inputs)
    is_outputs_tuple, outputs = as_tuple_checked(
        outputs, "outputs of the user-provided function", fn_name)
    check_requires_grad(outputs, "outputs", strict=strict)
    if is_outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    return is_outputs_tuple, outputs


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for scalar-valued `func`."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for scalar-valued `func` (through double backward)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn_name):
    with enable_grad():
        is_inputs_tuple, inputs = as_tuple_checked(inputs, "inputs", fn_name)
        inputs = grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepared_v(v, inputs, is_inputs_tuple, fn_name, create_graph,
                        "The vector v can only be None if the input to the user-provided "
                        "function is a single Tensor with a single element.",
                        _is_single(inputs))
        is_outputs_tuple, outputs = _scalar_output(func, inputs, fn_name, strict)
        jac = autograd_grad(outputs, inputs, create_graph=True)
        check_requires_grad(jac, "jacobian", strict=strict)
        if fn_name == "hvp":
            dummies = tuple(ember.zeros_like(x, requires_grad=True) for x in inputs)
            transposed = autograd_grad(jac, inputs, dummies, create_graph=True)
            check_requires_grad(jac, "hessian", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        if fn_name == "hvp":
            grads = autograd_grad(transposed, dummies, v, create_graph=create_graph)
            result = fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
        else:
            grads = autograd_grad(jac, inputs, v, create_graph=create_graph)
            result = fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return (tuple_postprocess(grad_postprocess(outputs, create_graph), is_outputs_tuple),
            tuple_postprocess(grad_postprocess(result, create_graph), is_inputs_tuple))
