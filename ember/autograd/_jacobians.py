"""Jacobians for gradcheck: by central finite differences and by backward passes.

A Jacobian with respect to input ``x`` and output ``y`` is laid out as torch lays it out:
``(x.numel(), y.numel())``, rows in ``x``'s row-major element order. Complex inputs get the
conjugate Wirtinger derivative ``ds/dx + 1j * ds/dy``, as torch's gradcheck defines it.
"""
from __future__ import annotations

import itertools

import ember
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad


def as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def is_float_or_complex(t):
    return isinstance(t, Tensor) and (t.is_floating_point() or t.is_complex())


def grad_inputs(inputs):
    """(positions, tensors) of the inputs that require grad."""
    pairs = [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    return [i for i, _ in pairs], [t for _, t in pairs]


def _same_dtype_and_shape(a, b, eps, idx=None):
    on_index = f"on index {idx} " if idx is not None else ""
    if a.shape != b.shape:
        raise AssertionError(f"Expected `func` to return outputs with the same shape when inputs "
                             f"are perturbed {on_index}by {eps}, but got: shapes {a.shape} and "
                             f"{b.shape}.")
    if a.dtype != b.dtype:
        raise AssertionError(f"Expected `func` to return outputs with the same dtype when inputs "
                             f"are perturbed {on_index}by {eps}, but got: dtypes {a.dtype} and "
                             f"{b.dtype}.")


def central_difference(fn, entry, delta, eps, idx=None):
    """(fn at entry + delta - fn at entry - delta) / (2 eps), per output, flattened.

    `entry` is perturbed in place (it aliases an input's data) and restored afterwards.
    """
    orig = entry.clone()
    entry.copy_(orig - delta)
    before = [o.clone() for o in as_tuple(fn())]
    entry.copy_(orig + delta)
    after = [o.clone() for o in as_tuple(fn())]
    entry.copy_(orig)
    cols = []
    for a, b in zip(before, after):
        _same_dtype_and_shape(a, b, eps, idx)
        cols.append(((b - a) / (2 * eps)).detach().reshape(-1))
    return cols


def directional(fn, entry, delta, eps, is_complex, idx=None):
    """The numerical derivative of each output along `delta` (a pair for complex inputs)."""
    if not is_complex:
        return central_difference(fn, entry, delta, eps, idx)
    d_real, d_imag = delta if isinstance(delta, tuple) else (delta, delta)
    ds_dx = central_difference(fn, entry, d_real, eps, idx)
    ds_dy = central_difference(fn, entry, d_imag * 1j, eps, idx)
    return [x + y * 1j for x, y in zip(ds_dx, ds_dy)]


def numerical_jacobian(func, inputs, outputs, eps):
    """[input][output] Jacobians of the float outputs w.r.t. each input requiring grad."""
    positions, tensors = grad_inputs(inputs)
    float_outs = [o for o in outputs if is_float_or_complex(o)]
    result = []
    for x in tensors:
        data = x.data
        dtype = x.dtype if x.is_complex() else None
        jacs = [ember.zeros((x.numel(), o.numel()), dtype=dtype or o.dtype) for o in float_outs]
        fn = lambda: func(*inputs)
        for k, idx in enumerate(itertools.product(*map(range, x.shape))):
            cols = directional(fn, data[idx], eps, eps, x.is_complex(), idx)
            with no_grad():
                for jac, col in zip(jacs, (c for c, o in zip(cols, outputs)
                                           if is_float_or_complex(o))):
                    if col.numel():
                        jac.select(0, k).copy_(col)
        result.append(jacs)
    return result


def vjp_rows(output, tensors, grad_output):
    """The gradients of `output` weighted by `grad_output`, w.r.t. each of `tensors`."""
    return ember.autograd.grad(output, tensors, grad_output, retain_graph=True,
                               allow_unused=True)


def analytical_jacobian(tensors, output, v=None):
    """[input] Jacobians of `output` by one backward pass per output element (or, given
    `v`, the single column ``v^T J``), and whether each gradient had its input's size and
    whether each had its input's dtype."""
    columns = output.numel() if v is None else 1
    jacs = [ember.zeros((t.numel(), columns), dtype=t.dtype) for t in tensors]
    sizes_ok = dtypes_ok = True
    basis = output.new_zeros(output.shape)     # contiguous, whatever the output's strides
    flat = basis.view(-1)
    for j in range(columns):
        if v is None:
            with no_grad():
                flat.zero_()
                flat.select(0, j).fill_(1.0)
        grads = vjp_rows(output, tensors, basis if v is None else v)
        with no_grad():
            for t, jac, g in zip(tensors, jacs, grads):
                if g is None:
                    continue
                sizes_ok &= g.shape == t.shape
                dtypes_ok &= g.dtype == t.dtype
                if g.numel():
                    jac.select(1, j).copy_(g.reshape(-1))
    return jacs, sizes_ok, dtypes_ok


def max_abs_diff_exceeds(js1, js2, tol):
    for a, b in zip(js1, js2):
        if a.numel() and ((a - b).abs() > tol).sum().item() > 0:
            return True
    return False


def max_abs(t):
    """The largest absolute entry of `t`, as a 0-dim float64 tensor (0 when empty)."""
    values = [abs(x) for x in t.detach().reshape(-1).tolist()]
    return ember.tensor(max(values, default=0.0), dtype=ember.float64)


def real_dtype(dtype):
    return {ember.complex128: ember.float64, ember.complex64: ember.float32}.get(dtype, dtype)


def allclose(a, b, rtol, atol):
    """torch.allclose after promoting both to a common dtype (NaN is never close)."""
    dt = ember.promote_types(a.dtype, b.dtype)
    a, b = a.to(dt), b.to(dt)
    close = ((a - b).abs() <= atol + rtol * b.abs()).logical_or(a == b)
    return close.logical_not().sum().item() == 0


def probe_vector(numel, dtype, salt=0):
    """A fixed unit vector with entries in (0, 1), standing in for torch's ``rand``
    (a Weyl sequence: spread out, and the same on every run)."""
    k = ember.arange(1, numel + 1, dtype=ember.float64)
    v = (k * 0.6180339887498949 + 0.1234 * (salt + 1)) % 1.0 + 1e-3
    v = v / (v * v).sum().sqrt()
    return v.to(dtype)


def probe_tensor(shape, dtype, salt=0, noncontiguous=False):
    """Fixed values in [-1, 1) of `shape` (non-contiguous on request), requiring grad."""
    numel = 1
    for s in shape:
        numel *= s
    wide = tuple(shape[:-1]) + (2 * shape[-1],) if noncontiguous and shape else None
    n = numel * 2 if wide else numel
    k = ember.arange(1, n + 1, dtype=ember.float64)
    values = ((k * 0.7548776662466927 + 0.31 * (salt + 1)) % 1.0) * 2 - 1
    t = values.to(dtype).reshape(wide or tuple(shape))
    if wide:
        t = t[..., ::2]
    return t.detach().requires_grad_(True)
