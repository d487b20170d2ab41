"""gradcheck's fast mode: compare ``v^T J u`` (one number per input/output pair) instead of
whole Jacobians, with unit probe vectors ``u`` (per input) and ``v`` (per output)."""
from __future__ import annotations

from ember.autograd import _jacobians as J
from ember.autograd.gradcheck import GradcheckError, _analytical, _mismatch_message

FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()


def _probes(tensors, outputs):
    us, salt = [], 0
    for t in tensors:
        real = J.real_dtype(t.dtype)
        if t.is_complex():
            us.append((J.probe_vector(t.numel(), real, salt),
                       J.probe_vector(t.numel(), real, salt + 1)))
            salt += 2
        else:
            us.append(J.probe_vector(t.numel(), real, salt))
            salt += 1
    vs = [J.probe_vector(o.numel(), o.dtype, salt + k) for k, o in enumerate(outputs)]
    return us, vs


def _numerical_vju(func, inputs, tensors, func_out, us, vs, eps):
    """[input][output] numbers v . (J u), by finite differences along u."""
    fn = lambda: func(*inputs)
    result = []
    for x, u in zip(tensors, us):
        delta = tuple(p.reshape(x.shape) * eps for p in u) if isinstance(u, tuple) else \
            u.reshape(x.shape) * eps
        jus = J.directional(fn, x.data, delta, eps, x.is_complex())
        jus = [ju for ju, o in zip(jus, J.as_tuple(func_out)) if J.is_float_or_complex(o)]
        result.append([(v * ju).sum() for v, ju in zip(vs, jus)])
    return result


def _analytical_vju(tensors, outputs, vs, us, nondet_tol, check_grad_dtypes):
    """[output][input] numbers (v^T J) . u, by one backward pass per output."""
    result = []
    for out, v in zip(outputs, vs):
        vjs = _analytical(tensors, out, nondet_tol, check_grad_dtypes, v.reshape(out.shape))
        row = []
        for vj, u in zip(vjs, us):
            vj = vj.reshape(-1)
            if vj.is_complex():
                row.append(vj.real.dot(u[0]) + 1j * vj.imag.dot(u[1]))
            else:
                row.append(vj.dot(u))
        result.append(row)
    return result


def _adjusted_atol(atol, u, v):
    # the compared numbers are sums over u and v: scale atol as torch does
    sum_u = sum(float(p.sum()) for p in u) if isinstance(u, tuple) else float(u.sum())
    return atol * sum_u * float(v.sum())


def fast_check(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
               nondet_tol, complex_indices, test_imag):
    _, tensors = J.grad_inputs(inputs)
    us, vs = _probes(tensors, outputs)
    numerical = _numerical_vju(func, inputs, tensors, func_out, us, vs, eps)
    if not outputs:
        for per_input in numerical:
            for n in per_input:
                if n.abs().item() > nondet_tol:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    analytical = _analytical_vju(tensors, outputs, vs, us, nondet_tol, check_grad_dtypes)
    for i, per_input in enumerate(numerical):
        for j, n in enumerate(per_input):
            a = analytical[j][i]
            if not J.allclose(a, n, rtol, _adjusted_atol(atol, us[i], vs[j])):
                raise GradcheckError(_mismatch_message(a, n, j, i, complex_indices, test_imag)
                                     + _slow_mode_report(func, inputs, outputs, i, j, rtol,
                                                         atol, eps))


def _slow_mode_report(func, inputs, outputs, in_idx, out_idx, rtol, atol, eps):
    numerical = J.numerical_jacobian(func, inputs, J.as_tuple(func(*inputs)), eps)
    slow_n = numerical[in_idx][out_idx]
    _, tensors = J.grad_inputs(inputs)
    slow_a = _analytical(tensors, outputs[out_idx], float("inf"), False)[in_idx]
    max_diff = J.max_abs(slow_n - slow_a)
    msg = ("\nThe above quantities relating the numerical and analytical jacobians are "
           "computed \nin fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for "
           "more background \nabout fast mode. Below, we recompute numerical and analytical "
           f"jacobians in slow mode:\n\nNumerical:\n {slow_n}\nAnalytical:\n{slow_a}\n\n"
           f"The max per-element difference (slow mode) is: {max_diff}.\n")
    if J.allclose(slow_a, slow_n, rtol, atol):
        msg += FAST_FAIL_SLOW_OK_MSG
    return msg
