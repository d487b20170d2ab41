"""Convolution layers and functionals against torch: seeded initial weights, reprs, forward
values and input/weight/bias gradients, grad_fn names, lazy modules, transposed output_size,
unfold/fold, and torch's errors for bad shapes and arguments.

Values, dtypes and second-order gradients per op are in the op table (tests/opdb/nn_conv.py).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from nn._helpers import both, same, same_error, torch, torch_name

RNG = np.random.default_rng(0)


def close(fn, rtol=1e-4, atol=1e-5):
    """fn(lib) gives equal structures: tensors equal in dtype and shape and close in value,
    strings equal with ember. read as torch., everything else equal."""
    e, t = both(fn)
    _close(e, t, rtol, atol, "result")
    return e, t


def _close(e, t, rtol, atol, where):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{where}: {e!r}"
        assert torch_name(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape), where
        a, b = e.detach(), t.detach()
        if t.dtype.is_complex or t.dtype.is_floating_point:
            a, b = a.to(ember.complex128 if t.dtype.is_complex else ember.float64), \
                b.to(torch.complex128 if t.dtype.is_complex else torch.float64)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol, err_msg=where)
    elif isinstance(t, dict):
        assert list(e) == list(t), where
        for k in t:
            _close(e[k], t[k], rtol, atol, f"{where}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), where
        for i, (a, b) in enumerate(zip(e, t)):
            _close(a, b, rtol, atol, f"{where}[{i}]")
    elif isinstance(t, str):
        assert torch_name(e) == t, f"{where}: {e!r} vs {t!r}"
    else:
        assert e == t, f"{where}: {e!r} vs {t!r}"


def _arr(*shape):
    return RNG.standard_normal(shape)


def _leaf(lib, arr, dtype="float32"):
    return lib.tensor(arr, dtype=getattr(lib, dtype), requires_grad=True)


# --- modules: initial weights, reprs, forward and gradients -----------------------------
MODULES = [
    ("Conv1d", (3, 4, 3), {}),
    ("Conv1d", (4, 6, 2), {"stride": 2, "padding": 1, "groups": 2, "bias": False}),
    ("Conv2d", (3, 6, (3, 2)), {"padding": "same", "dilation": (1, 2)}),
    ("Conv2d", (4, 4, 3), {"padding": 1, "padding_mode": "reflect", "groups": 4}),
    ("Conv2d", (2, 3, 3), {"padding": (1, 2), "padding_mode": "circular", "stride": (2, 1)}),
    ("Conv2d", (2, 3, 2), {"padding": "same", "padding_mode": "replicate"}),
    ("Conv2d", (2, 4, 1), {"padding": "valid", "dilation": 3}),
    ("Conv3d", (2, 4, 2), {"padding": (1, 0, 1)}),
    ("ConvTranspose1d", (3, 4, 3), {"stride": 2, "output_padding": 1}),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2, "stride": 2, "padding": 1, "dilation": 2}),
    ("ConvTranspose2d", (3, 2, (2, 3)), {"bias": False}),
    ("ConvTranspose3d", (2, 4, 2), {"stride": (1, 2, 1)}),
]
_INPUTS = {"1d": (2, None, 7), "2d": (2, None, 6, 5), "3d": (2, None, 4, 5, 3)}


def _build(lib, name, args, kwargs, seed=7):
    lib.manual_seed(seed)
    return getattr(lib.nn, name)(*args, **kwargs)


@pytest.mark.parametrize("name,args,kwargs", MODULES)
def test_module_init_and_repr(name, args, kwargs):
    def fn(lib):
        m = _build(lib, name, args, kwargs)
        return repr(m), dict(m.state_dict())
    same(fn)


@pytest.mark.parametrize("name,args,kwargs", MODULES)
def test_module_forward_backward(name, args, kwargs):
    shape = list(_INPUTS[name[-2:]])
    shape[1] = args[0]
    x_arr, g_seed = _arr(*shape).astype(np.float32), 3

    def fn(lib):
        m = _build(lib, name, args, kwargs)
        x = _leaf(lib, x_arr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = m(x)
        g = lib.tensor(np.random.default_rng(g_seed).standard_normal(tuple(y.shape)),
                       dtype=lib.float32)
        y.backward(g)
        grads = [x.grad, m.weight.grad] + ([m.bias.grad] if m.bias is not None else [])
        return y.grad_fn.name(), [np.round(t.detach().numpy(), 4).tolist() for t in
                                  [y] + grads]
    e, t = [fn(lib) for lib in (ember, torch)]
    assert e[0] == t[0]
    for a, b in zip(e[1], t[1]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-3)


def test_conv_init_matches_seeded_torch_exactly():
    def fn(lib):
        lib.manual_seed(0)
        layers = [lib.nn.Conv2d(1, 6, 5), lib.nn.Conv2d(6, 16, 5),
                  lib.nn.ConvTranspose2d(16, 8, 4, stride=2, groups=2), lib.nn.Conv1d(8, 8, 3)]
        return [p for layer in layers for p in layer.parameters()]
    same(fn)


def test_module_double_dtype_and_no_bias_repr():
    def fn(lib):
        m = lib.nn.Conv2d(2, 4, 3, bias=False, dtype=lib.float64)
        return repr(m), str(m.weight.dtype), m.bias
    same(fn)


@pytest.mark.parametrize("case", ["groups0", "in_groups", "out_groups", "pad_string",
                                  "same_stride", "pad_mode", "transposed_mode"])
def test_module_constructor_errors(case):
    def fn(lib):
        nn = lib.nn
        {"groups0": lambda: nn.Conv2d(2, 2, 3, groups=0),
         "in_groups": lambda: nn.Conv2d(3, 4, 3, groups=2),
         "out_groups": lambda: nn.Conv2d(4, 3, 3, groups=2),
         "pad_string": lambda: nn.Conv2d(2, 2, 3, padding="full"),
         "same_stride": lambda: nn.Conv1d(2, 2, 3, padding="same", stride=2),
         "pad_mode": lambda: nn.Conv2d(2, 2, 3, padding_mode="wrap"),
         "transposed_mode": lambda: nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")}[case]()
    if case in ("pad_string", "pad_mode"):
        # the messages print a set, whose order varies between processes
        messages = []
        for lib in (ember, torch):
            with pytest.raises(ValueError) as info:
                fn(lib)
            text = str(info.value)
            lo, hi = text.index("{"), text.index("}")
            messages.append((text[:lo], sorted(text[lo + 1:hi].split(", ")), text[hi:]))
        assert messages[0] == messages[1]
        return
    same_error(fn)


# --- transposed output_size -------------------------------------------------------------
@pytest.mark.parametrize("size", [(9, 9), [1, 3, 10, 10], (10, 9)])
def test_conv_transpose_output_size(size):
    def fn(lib):
        lib.manual_seed(1)
        m = lib.nn.ConvTranspose2d(2, 3, 3, stride=2)
        return m(lib.ones(1, 2, 4, 4), output_size=size)
    close(fn)


@pytest.mark.parametrize("size", [(12, 12), (1, 2, 3), (8, 9)])
def test_conv_transpose_output_size_errors(size):
    def fn(lib):
        m = lib.nn.ConvTranspose2d(2, 3, 3, stride=2)
        m(lib.ones(1, 2, 4, 4), output_size=size)
    same_error(fn)


# --- lazy modules -----------------------------------------------------------------------
@pytest.mark.parametrize("name,shape", [("LazyConv1d", (2, 3, 8)), ("LazyConv2d", (3, 6, 6)),
                                        ("LazyConv3d", (1, 2, 4, 4, 4)),
                                        ("LazyConvTranspose1d", (2, 3, 5)),
                                        ("LazyConvTranspose2d", (1, 4, 3, 3)),
                                        ("LazyConvTranspose3d", (2, 3, 2, 2, 2))])
def test_lazy_modules(name, shape):
    x_arr = _arr(*shape).astype(np.float32)

    def fn(lib):
        lib.manual_seed(5)
        m = getattr(lib.nn, name)(4, 2)
        before = repr(m)
        y = m(lib.tensor(x_arr))
        return before, repr(m), type(m).__name__, y, dict(m.state_dict())
    close(fn)


def test_lazy_conv_errors():
    same_error(lambda lib: lib.nn.LazyConv2d(4, 3)(lib.ones(2, 3)))
    same_error(lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5)))


# --- functional: graph, no-grad inputs, complex, retained graphs --------------------------
def test_graph_names_unbatched_and_same():
    arrs = _arr(3, 5, 5), _arr(4, 3, 2, 2)

    def fn(lib):
        x, w = (_leaf(lib, a) for a in arrs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y1 = lib.nn.functional.conv2d(x, w)
            y2 = lib.nn.functional.conv2d(x.unsqueeze(0), w, padding="same")
        gx, gw = lib.autograd.grad(y2.sum(), (x, w), create_graph=True)
        return [[type(n).__name__ if n is not None else None for n, _ in y.grad_fn.next_functions]
                + [y.grad_fn.name()] for y in (y1, y2)], gx.grad_fn.name(), gw.grad_fn.name()
    same(fn)


@pytest.mark.parametrize("needs", ["x", "w", "b", "xw", "wb"])
def test_partial_requires_grad(needs):
    arrs = (_arr(2, 4, 6, 6), _arr(6, 2, 3, 3), _arr(6))

    def fn(lib):
        x, w, b = (lib.tensor(a, requires_grad=k in needs) for a, k in zip(arrs, "xwb"))
        y = lib.nn.functional.conv2d(x, w, b, stride=2, padding=1, groups=2)
        y.backward(lib.ones_like(y))
        return y, [None if t.grad is None else t.grad for t in (x, w, b)]
    close(fn)


def test_complex_conv():
    x = _arr(2, 3, 6) + 1j * _arr(2, 3, 6)
    w = _arr(4, 3, 2) + 1j * _arr(4, 3, 2)
    b = _arr(4) + 1j * _arr(4)

    def fn(lib):
        conv = lib.nn.functional
        return (conv.conv1d(lib.tensor(x), lib.tensor(w), lib.tensor(b), padding=1),
                conv.conv_transpose1d(lib.tensor(x), lib.tensor(w).transpose(0, 1),
                                      stride=2))
    close(fn)


def test_retain_graph_and_repeated_backward():
    arrs = _arr(2, 3, 9, 9), _arr(4, 3, 3, 3)

    def fn(lib):
        x, w = (_leaf(lib, a) for a in arrs)
        y = lib.nn.functional.conv2d(x, w, padding=1)
        y.sum().backward(retain_graph=True)
        first = w.grad.clone()
        y.pow(2).sum().backward()
        return first, w.grad, x.grad
    close(fn, atol=1e-4)       # float32 sums of 27 products, BLAS order differs


def test_inplace_modified_input_is_refused():
    def fn(lib):
        x, w = _leaf(lib, np.ones((1, 2, 5, 5))), _leaf(lib, np.ones((2, 2, 3, 3)))
        h = x * 1
        y = lib.nn.functional.conv2d(h, w)
        h.add_(1)
        y.sum().backward()
    same_error(fn, exact=False)


def test_gradgradcheck_groups_stride_dilation():
    x = ember.tensor(_arr(1, 4, 5, 6), requires_grad=True)
    w = ember.tensor(_arr(4, 2, 2, 3), requires_grad=True)
    b = ember.tensor(_arr(4), requires_grad=True)

    def fn(x, w, b):
        return ember.nn.functional.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2),
                                          groups=2)
    assert ember.autograd.gradcheck(fn, (x, w, b))
    assert ember.autograd.gradgradcheck(fn, (x, w, b))


def test_same_padding_warns_for_even_kernels():
    import ember._ops.nn_conv as C
    C._WARNED.clear()
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
        ember.nn.functional.conv1d(ember.ones(1, 1, 5), ember.ones(1, 1, 2), padding="same")


def test_empty_batch_and_channels():
    def fn(lib):
        F = lib.nn.functional
        x = lib.ones(0, 3, 5, 5, requires_grad=True)
        w = lib.ones(4, 3, 3, 3, requires_grad=True)
        y = F.conv2d(x, w, lib.ones(4))
        y.sum().backward()
        return (y, F.conv2d(lib.ones(2, 0, 5, 5), lib.ones(4, 0, 3, 3), lib.ones(4)),
                F.conv_transpose2d(lib.ones(0, 3, 5, 5), lib.ones(3, 4, 3, 3)), x.grad, w.grad)
    close(fn)


def test_integer_and_half_values():
    x = RNG.integers(-3, 4, (2, 3, 6, 6))
    w = RNG.integers(-2, 3, (4, 3, 3, 3))

    def fn(lib):
        F = lib.nn.functional
        xi, wi = lib.tensor(x), lib.tensor(w)
        return (F.conv2d(xi, wi, stride=2, padding=1), F.conv2d(xi.to(lib.int8), wi.to(lib.int8)),
                F.conv_transpose2d(xi, wi.transpose(0, 1), dilation=2))
    same(fn)


# --- unfold / fold ----------------------------------------------------------------------
def test_unfold_fold_modules():
    x = _arr(2, 3, 6, 5)

    def fn(lib):
        nn = lib.nn
        unfold, fold = nn.Unfold((2, 3), padding=1, stride=(2, 1)), nn.Fold((6, 5), (2, 3),
                                                                            padding=1,
                                                                            stride=(2, 1))
        cols = unfold(_leaf(lib, x, "float64"))
        back = fold(cols)
        return repr(unfold), repr(fold), cols, back, back.grad_fn.name()
    close(fn)


def test_conv_tbc_and_errors():
    arrs = _arr(7, 2, 3), _arr(3, 3, 4), _arr(4)

    def fn(lib):
        x, w, b = (_leaf(lib, a) for a in arrs)
        y = lib.conv_tbc(x, w, b, 1)
        y.backward(lib.ones_like(y))
        return y, y.grad_fn.name(), x.grad, w.grad, b.grad
    close(fn)
    same_error(lambda lib: lib.conv_tbc(lib.ones(7, 2, 3), lib.ones(3, 2, 4), lib.ones(4)))
    same_error(lambda lib: lib.conv_tbc(lib.ones(7, 2), lib.ones(3, 2, 4), lib.ones(4)))


def test_channels_last_input_gives_channels_last_output():
    x_arr, w_arr = _arr(2, 3, 5, 5), _arr(4, 3, 3, 3)

    def fn(lib):
        F, cl = lib.nn.functional, lib.channels_last
        x, w = lib.tensor(x_arr), lib.tensor(w_arr)
        outs = (F.conv2d(x.contiguous(memory_format=cl), w, padding=1),
                F.conv2d(x, w.contiguous(memory_format=cl)),
                F.conv_transpose2d(x.contiguous(memory_format=cl), w.transpose(0, 1)),
                F.conv2d(x, w))
        return [o.stride() for o in outs], outs
    close(fn)


LARGE = [  # (input, weight, kwargs): shapes big enough for the batch-major kernels
    ((2, 8, 18, 18), (32, 4, 3, 3), {"groups": 2, "padding": 1}),
    ((2, 8, 33, 33), (32, 8, 3, 3), {"stride": 2}),
    ((2, 32, 34, 32), (64, 32, 1, 1), {"stride": 2}),
    ((2, 32, 16, 16), (32, 8, 2, 2), {"stride": 2, "transposed": True}),
]


@pytest.mark.parametrize("x_shape,w_shape,kwargs", LARGE)
def test_large_layers_every_kernel_path(x_shape, w_shape, kwargs):
    arrs = _arr(*x_shape), _arr(*w_shape), _arr(w_shape[1] if "transposed" in kwargs
                                                else w_shape[0])
    kwargs = dict(kwargs)
    transposed = kwargs.pop("transposed", False)

    def fn(lib):
        x, w, b = (_leaf(lib, a, "float64") for a in arrs)
        conv = lib.nn.functional.conv_transpose2d if transposed else lib.nn.functional.conv2d
        y = conv(x, w, b, **kwargs)
        y.backward(y.detach() * 0.5)
        return y, x.grad, w.grad, b.grad
    close(fn, rtol=1e-10, atol=1e-10)
