"""gradcheck and gradgradcheck: analytical gradients against finite differences.

Differences from PyTorch: ``fast_mode`` probes with fixed unit vectors instead of draws
from a fresh ``torch.Generator``, and ``gradgradcheck``'s default ``grad_outputs`` are
fixed values in [-1, 1) instead of draws from the global generator (so ember's calls leave
the random stream untouched). ``check_batched_grad``, ``check_forward_ad`` and
``check_batched_forward_grad`` need vmap / forward-mode AD, which ember lacks.
"""
from __future__ import annotations

import warnings

import ember
from ember._tensor import Tensor
from ember.autograd import _jacobians as J
from ember.autograd.function import Function

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a check fails."""


FAILED_NONDET_MSG = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None) -> bool:
    """Whether the gradients of `func` at `inputs` (those requiring grad) match central
    finite differences with step `eps`, within ``atol + rtol * |numerical|``.

    Use float64 (or complex128) inputs. A failure raises ``GradcheckError`` naming the
    output and input whose Jacobians differ, or returns False when ``raise_exception`` is
    False.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad "
                             "to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError("Setting check_batched_grad=True requires check_backward_ad to "
                             "be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires "
                             "check_forward_ad to be True")
    _refuse_unsupported(check_batched_grad, check_forward_ad, check_batched_forward_grad)
    try:
        _check(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
               check_grad_dtypes, check_backward_ad, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _refuse_unsupported(batched, forward_ad, batched_forward):
    if batched:
        raise NotImplementedError("gradcheck(check_batched_grad=True): batched gradients need "
                                  "torch.vmap, which ember does not implement")
    if forward_ad or batched_forward:
        raise NotImplementedError("gradcheck(check_forward_ad=True): ember has no forward-mode "
                                  "AD (torch.autograd.forward_ad)")


def _check(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
           check_grad_dtypes, check_backward_ad, fast_mode):
    inputs = J.as_tuple(inputs)
    _check_inputs(inputs)
    func_out = func(*inputs)
    outputs = _differentiable(func_out)
    if not check_backward_ad:
        return
    check = _fast_check if fast_mode else _slow_check
    tol = (eps, rtol, atol, check_grad_dtypes, nondet_tol)
    if any(o.is_complex() for o in J.as_tuple(func_out)):
        complex_outs = [i for i, o in enumerate(outputs) if o.is_complex()]
        for part, test_imag in (("imag", True), ("real", False)):
            part_fn = _part_of_complex_outputs(func, part)
            part_out = part_fn(*inputs)
            check(part_fn, part_out, inputs, _differentiable(part_out), *tol,
                  complex_indices=complex_outs, test_imag=test_imag)
    else:
        check(func, func_out, inputs, outputs, *tol)
    _check_backward_mul_by_grad_output(outputs, inputs)
    if check_undefined_grad:
        _check_undefined_grad(func, outputs, inputs)


def _check_inputs(inputs):
    any_grad = False
    for idx, inp in enumerate(inputs):
        if not (isinstance(inp, Tensor) and inp.requires_grad):
            continue
        if inp.dtype not in (ember.float64, ember.complex128):
            warnings.warn(f"Input #{idx} requires gradient and is not a double precision "
                          "floating point or complex. This check will likely fail if all the "
                          "inputs are not of double precision floating point or complex. ",
                          stacklevel=4)
        if not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck.")
        any_grad = True
    if not any_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


def _differentiable(out):
    return tuple(o for o in J.as_tuple(out) if o.requires_grad)


def _part_of_complex_outputs(func, part):
    def wrapped(*inputs):
        outs = J.as_tuple(func(*inputs))
        return tuple(getattr(o, part) if o.is_complex() else o for o in outs)
    return wrapped


def _mismatch_message(analytical, numerical, out_idx, in_idx, complex_indices, test_imag):
    prefix = ""
    if complex_indices and out_idx in complex_indices:
        part = "imaginary" if test_imag else "real"
        prefix = f"While considering the {part} part of complex outputs only, "
    return (f"{prefix}Jacobian mismatch for output {out_idx:d} with respect to input "
            f"{in_idx:d},\nnumerical:{numerical}\nanalytical:{analytical}\n")


def _analytical(tensors, output, nondet_tol, check_grad_dtypes, v=None):
    """Jacobians of `output` w.r.t. `tensors` by backward passes (or ``v^T J`` given `v`),
    computed twice to catch nondeterminism."""
    jacs, sizes_ok, dtypes_ok = J.analytical_jacobian(tensors, output, v)
    again, _, _ = J.analytical_jacobian(tensors, output, v)
    if not dtypes_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if J.max_abs_diff_exceeds(jacs, again, nondet_tol):
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with same input and grad_output "
            "multiple times gives different values, although analytical gradient matches "
            f"numerical gradient.The tolerance for nondeterminism was {nondet_tol}."
            + FAILED_NONDET_MSG)
    return jacs


def _slow_check(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                nondet_tol, complex_indices=None, test_imag=False):
    func_out = J.as_tuple(func_out)
    numerical = J.numerical_jacobian(func, inputs, func_out, eps)
    if not outputs:
        if any((jac != 0).sum().item() for per_input in numerical for jac in per_input):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    float_outs = [o for o in func_out if J.is_float_or_complex(o)]
    keep = [k for k, o in enumerate(float_outs) if o.requires_grad]
    _, tensors = J.grad_inputs(inputs)
    for i, out in enumerate(outputs):
        analytical = _analytical(tensors, out, nondet_tol, check_grad_dtypes)
        for j, (a, per_input) in enumerate(zip(analytical, numerical)):
            n = per_input[keep[i]]
            if not J.allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch_message(a, n, i, j, complex_indices, test_imag))


def _check_backward_mul_by_grad_output(outputs, inputs):
    _, tensors = J.grad_inputs(inputs)
    grads = ember.autograd.grad(outputs, tensors, [ember.zeros_like(o) for o in outputs],
                                allow_unused=True)
    for g, x in zip(grads, tensors):
        if g is None:
            continue
        if (g != 0).sum().item():
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype != x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.device != x.device:
            raise GradcheckError("grad is incorrect device")
        if g.shape != x.shape:
            raise GradcheckError("grad is incorrect size")


class UndefinedGrad(Function):
    """Identity whose backward sends no gradient: the "undefined gradient" of torch."""

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        return None


def _check_undefined_grad(func, outputs, inputs):
    """Backward must cope when some (or all) outputs receive no gradient."""
    _, tensors = J.grad_inputs(inputs)
    cases = [[UndefinedGrad.apply(o) for o in _differentiable(func(*inputs))]]
    if len(cases[0]) > 1:
        for k in range(len(outputs)):
            outs = _differentiable(func(*inputs))
            cases.append([UndefinedGrad.apply(o) if i == k else o for i, o in enumerate(outs)])
    for outs in cases:
        try:
            grads = ember.autograd.grad(outs, tensors, [ember.zeros_like(o) for o in outs],
                                        allow_unused=True)
        except RuntimeError as e:
            _warn_undefined_grad_bc()
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at "
                "\"Notes about undefined output gradients\" in "
                "\"tools/autograd/derivatives.yaml\"") from e
        if any(g is not None and (g != 0).sum().item() for g in grads):
            _warn_undefined_grad_bc()
            raise GradcheckError(
                "Expected all input grads to be undefined or zero when all output grads are "
                "undefined or zero. Please look at \"Notes about undefined output gradients\" "
                "in \"tools/autograd/derivatives.yaml\"")


def _warn_undefined_grad_bc():
    warnings.warn("Backwards compatibility: New undefined gradient support checking feature is "
                  "enabled by default, but it may break existing callers of this function. If "
                  "this is true for you, you can call this function with "
                  "\"check_undefined_grad=False\" to disable the feature", stacklevel=4)


def _fast_check(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                nondet_tol, complex_indices=None, test_imag=False):
    from ember.autograd._gradcheck_fast import fast_check
    fast_check(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol,
               complex_indices, test_imag)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False) -> bool:
    """gradcheck of the first-order gradients of `func`: checks second derivatives.

    `grad_outputs` weight the first backward pass; by default fixed values in [-1, 1).
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev "
                             "to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev to "
                             "be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to be "
                             "True")
    inputs = J.as_tuple(inputs)
    if grad_outputs is None:
        outs = _differentiable(func(*inputs))
        grad_outputs = tuple(
            J.probe_tensor(o.shape, o.dtype if J.is_float_or_complex(o) else ember.float64, k,
                           gen_non_contig_grad_outputs)
            for k, o in enumerate(outs))
    grad_outputs = J.as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_inputs = {i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad}
    diff_grads = {i for i, g in enumerate(grad_outputs) if g.requires_grad}

    def first_order(*args):
        ins = tuple(x.requires_grad_() if i in diff_inputs else x
                    for i, x in enumerate(args[:-n_out]))
        outs = _differentiable(func(*ins))
        gos = tuple(g.requires_grad_() if i in diff_grads else g
                    for i, g in enumerate(args[-n_out:]))
        wrt = tuple(x for i, x in enumerate(ins) if i in diff_inputs)
        grads = ember.autograd.grad(outs, wrt, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_order, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)
