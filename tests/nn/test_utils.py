"""nn.utils against torch: clipping, parameter vectors, packing, weight/spectral norm,
parametrize, prune, functional_call, fusion."""
from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import ember
from nn._helpers import needs_rng, requires, same, same_error


def _round(t, n=5):
    return None if t is None else np.round(t.detach().double().numpy(), n).tolist()


def params(lib):
    ps = [lib.nn.Parameter(lib.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]])),
          lib.nn.Parameter(lib.tensor([0.1, -0.2])), lib.nn.Parameter(lib.ones(2))]
    ps[0].grad = lib.tensor([[3.0, -4.0, 1.0], [0.5, 2.0, -6.0]])
    ps[1].grad = lib.tensor([10.0, -0.5])
    return ps


# --- clipping ---------------------------------------------------------------------------
@requires("stack", "linalg")
@pytest.mark.parametrize("norm_type", [2, 1, 3.5, float("inf"), "inf"])
def test_clip_grad_norm(norm_type):
    def fn(lib):
        ps = params(lib)
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm=2.0, norm_type=norm_type)
        return _round(total), [_round(p.grad) for p in ps]
    same(fn)


@requires("stack", "linalg")
def test_clip_grad_norm_variants():
    def fn(lib):
        u = lib.nn.utils
        ps = params(lib)
        out = [_round(u.clip_grad_norm_(ps[1], 100.0)), _round(ps[1].grad)]
        out.append(_round(u.get_total_norm([p.grad for p in ps[:2]], 2.0)))
        u.clip_grads_with_norm_(ps, 1.0, lib.tensor(5.0), foreach=True)
        out.append([_round(p.grad) for p in ps])
        out.append(_round(u.get_total_norm([])))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out.append(_round(u.clip_grad_norm_((p for p in []), 1.0)))
            u.clip_grad_norm(ps, 1.0)
        out.append([str(x.message) for x in w])
        return out
    same(fn)


@requires("stack", "linalg")
def test_clip_grad_norm_nonfinite():
    def fn(lib):
        ps = params(lib)
        ps[1].grad[0] = float("nan")
        lib.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    same_error(fn)


def test_clip_grad_value():
    def fn(lib):
        ps = params(lib)
        r = lib.nn.utils.clip_grad_value_(ps, clip_value=1.5)
        lib.nn.utils.clip_grad_value_(ps[0], 1)
        return r, [_round(p.grad) for p in ps]
    same(fn)


@requires("cat")
def test_parameters_to_vector_roundtrip():
    def fn(lib):
        u = lib.nn.utils
        ps = params(lib)
        vec = u.parameters_to_vector(ps)
        u.vector_to_parameters(vec * 2, ps)
        return vec, [p.tolist() for p in ps], type(ps[0]).__name__
    same(fn)
    same_error(lambda lib: lib.nn.utils.vector_to_parameters([1.0], params(lib)))


# --- sequence packing -------------------------------------------------------------------
def seqs(lib):
    return [lib.tensor([1.0, 2.0, 3.0], requires_grad=True),
            lib.tensor([4.0, 5.0], requires_grad=True), lib.tensor([6.0], requires_grad=True)]


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True, "padding_value": -1.0},
                                    {"padding_side": "left"}])
def test_pad_sequence(kwargs):
    def fn(lib):
        s = seqs(lib)
        out = lib.nn.utils.rnn.pad_sequence(s, **kwargs)
        (out * lib.arange(1.0, out.numel() + 1).view(out.shape)).sum().backward()
        return out, type(out.grad_fn).__name__, [x.grad for x in s]
    same(fn)


def test_pad_sequence_trailing_dims_and_errors():
    same(lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2, 3), lib.zeros(1, 3)]))
    same_error(lambda lib: lib.nn.utils.rnn.pad_sequence([]))
    same_error(lambda lib: lib.nn.utils.rnn.pad_sequence(3))
    same_error(lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2, 3), lib.ones(2, 4)]),
               exact=False)


@requires("sort", "index_select")
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_and_unpack(enforce_sorted):
    def fn(lib):
        rnn = lib.nn.utils.rnn
        s = seqs(lib)
        if not enforce_sorted:
            s = [s[1], s[0], s[2]]
        packed = rnn.pack_sequence(s, enforce_sorted=enforce_sorted)
        padded, lengths = rnn.pad_packed_sequence(packed, batch_first=True, total_length=4)
        (padded * lib.arange(1.0, 13.0).view(3, 4)).sum().backward()
        return (repr(packed), type(packed.data.grad_fn).__name__, padded,
                type(padded.grad_fn).__name__, lengths, [x.grad for x in s],
                [t.tolist() for t in rnn.unpack_sequence(packed)])
    same(fn)


def test_pack_padded_sequence_features_and_grad():
    def fn(lib):
        rnn = lib.nn.utils.rnn
        x = lib.arange(24.0).view(4, 3, 2).requires_grad_()
        packed = rnn.pack_padded_sequence(x, lib.tensor([4, 2, 1]))
        (packed.data * lib.arange(14.0).view(7, 2)).sum().backward()
        xb = lib.arange(12.0).view(2, 3, 2)
        pb = rnn.pack_padded_sequence(xb, [3, 1], batch_first=True)
        out, lengths = rnn.pad_packed_sequence(pb)
        return (packed.data, packed.batch_sizes, x.grad, pb.data, pb.batch_sizes, out,
                type(out.grad_fn).__name__ if out.grad_fn else None, lengths)
    same(fn)


@pytest.mark.parametrize("case", ["unsorted", "zero", "count", "lengths_2d", "total_length"])
def test_packing_errors(case):
    def fn(lib):
        rnn = lib.nn.utils.rnn
        x = lib.zeros(3, 2)
        if case == "unsorted":
            rnn.pack_padded_sequence(x, [1, 3])
        elif case == "zero":
            rnn.pack_padded_sequence(x, [3, 0])
        elif case == "count":
            rnn.pack_padded_sequence(x, [3, 3, 3])
        elif case == "lengths_2d":
            rnn.pack_padded_sequence(x, lib.tensor([[3, 3]]))
        else:
            rnn.pad_packed_sequence(rnn.pack_padded_sequence(x, [3, 1]), total_length=2)
    same_error(fn)


def test_packed_sequence_methods():
    def fn(lib):
        rnn = lib.nn.utils.rnn
        p = rnn.pack_padded_sequence(lib.arange(6.0).view(3, 2), [3, 2])
        d = p.double()
        return (p._fields, type(d).__name__, str(d.data.dtype), p.to("cpu") is p,
                p.is_cuda, rnn.invert_permutation(lib.tensor([2, 0, 1])),
                rnn.invert_permutation(None))
    same(fn)


# --- weight norm / spectral norm --------------------------------------------------------
def lin(lib, scale=1.0):
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[1.0, -2.0, 2.0], [0.5, 3.0, -1.0]]) * scale)
        m.bias.copy_(lib.tensor([0.1, -0.2]))
    return m


@needs_rng
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook_api(dim):
    def fn(lib):
        m = lib.nn.utils.weight_norm(lin(lib), dim=dim)
        x = lib.tensor([[1.0, 2.0, 3.0]])
        y = m(x)
        y.sum().backward()
        out = [[n for n, _ in m.named_parameters()], _round(m.weight_g), _round(m.weight),
               type(m.weight.grad_fn).__name__, _round(m.weight_g.grad), _round(m.weight_v.grad),
               list(m.state_dict())]
        lib.nn.utils.remove_weight_norm(m)
        out += [[n for n, _ in m.named_parameters()], _round(m.weight), len(m._forward_pre_hooks)]
        return out
    same(fn)


@needs_rng
def test_weight_norm_hook_api_errors():
    def twice(lib):
        m = lib.nn.utils.weight_norm(lin(lib))
        lib.nn.utils.weight_norm(m)
    same_error(twice)
    same_error(lambda lib: lib.nn.utils.remove_weight_norm(lin(lib)))


@needs_rng
@pytest.mark.parametrize("dim", [0, 1])
def test_weight_norm_parametrization(dim):
    def fn(lib):
        pz = lib.nn.utils.parametrizations
        m = pz.weight_norm(lin(lib), dim=dim)
        y = m(lib.tensor([[1.0, 2.0, 3.0]]))
        y.sum().backward()
        orig = m.parametrizations.weight
        return (repr(m), type(m).__name__, list(m.state_dict()), _round(m.weight),
                type(m.weight.grad_fn).__name__, _round(orig.original0.grad),
                _round(orig.original1.grad))
    same(fn)


@needs_rng
def test_weight_norm_parametrization_loads_legacy_state_dict():
    def fn(lib):
        legacy = lib.nn.utils.weight_norm(lin(lib, 2.0))
        m = lib.nn.utils.parametrizations.weight_norm(lin(lib))
        m.load_state_dict(legacy.state_dict())
        return _round(m.weight)
    same(fn)


@needs_rng
def test_spectral_norm_hook_api():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.utils.spectral_norm(lin(lib))
        out = [[n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
               _round(m.weight_u, 4), m.weight.grad_fn is None]
        y = m(lib.tensor([[1.0, 2.0, 3.0]]))
        out += [_round(m.weight, 4), _round(y, 4), list(m.state_dict()),
                dict(m.state_dict()._metadata[""])]
        m.eval()
        out.append(_round(m(lib.ones(1, 3)), 4))
        lib.nn.utils.remove_spectral_norm(m)
        out += [[n for n, _ in m.named_parameters()], _round(m.weight, 4),
                len(m._state_dict_hooks), len(m._load_state_dict_pre_hooks)]
        return out
    same(fn)


@needs_rng
def test_spectral_norm_parametrization():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.utils.parametrizations.spectral_norm(lin(lib))
        sn = m.parametrizations.weight[0]
        out = [_round(sn._u, 4), _round(sn._v, 4), _round(m.weight, 4), list(m.state_dict())]
        y = m(lib.ones(1, 3))
        y.sum().backward()
        out += [_round(m.parametrizations.weight.original.grad, 4)]
        m.eval()
        out.append(_round(m.weight, 4))
        return out
    same(fn)


@needs_rng
def test_spectral_norm_errors():
    same_error(lambda lib: lib.nn.utils.spectral_norm(lin(lib), n_power_iterations=0))
    same_error(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lin(lib), dim=3))
    same_error(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lin(lib), "nope"))


# --- parametrize ------------------------------------------------------------------------
def custom(lib):
    nn = lib.nn

    class Symmetric(nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    class Scale(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.k = k

        def forward(self, x):
            return x * self.k

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
            self.register_buffer("buf", lib.ones(2))

        def forward(self, x):
            return x @ self.weight

    return Symmetric, Scale, Holder


@requires("triu")
def test_register_and_remove_parametrization():
    def fn(lib):
        P = lib.nn.utils.parametrize
        Symmetric, Scale, Holder = custom(lib)
        m = Holder()
        P.register_parametrization(m, "weight", Symmetric())
        out = [type(m).__name__, P.type_before_parametrizations(m).__name__, repr(m),
               m.weight, list(m.state_dict()), P.is_parametrized(m),
               P.is_parametrized(m, "weight"), P.is_parametrized(m, "buf")]
        P.register_parametrization(m, "weight", Scale(2.0))
        P.register_parametrization(m, "buf", Scale(3.0))
        out += [m.weight, m.buf, list(m.state_dict())]
        m(lib.ones(1, 2)).sum().backward()
        out.append(m.parametrizations.weight.original.grad)
        with P.cached():
            out.append(m.weight is m.weight)
        out.append(m.weight is m.weight)
        P.remove_parametrizations(m, "buf", leave_parametrized=False)
        P.remove_parametrizations(m, "weight")
        out += [type(m).__name__, m.weight, type(m.weight).__name__, m.buf,
                hasattr(m, "parametrizations"), list(m.state_dict())]
        return out
    same(fn)


@requires("triu")
def test_parametrization_assignment_uses_right_inverse():
    def fn(lib):
        P = lib.nn.utils.parametrize
        Symmetric, _, Holder = custom(lib)
        m = P.register_parametrization(Holder(), "weight", Symmetric())
        m.weight = lib.tensor([[5.0, 6.0], [7.0, 8.0]])
        return m.weight, m.parametrizations.weight.original
    same(fn)


@requires("triu")
@pytest.mark.parametrize("case", ["missing", "shape", "dtype", "no_inverse", "remove",
                                  "leave_tuple"])
def test_parametrize_errors(case):
    def fn(lib):
        P = lib.nn.utils.parametrize
        _, Scale, Holder = custom(lib)
        m = Holder()
        nn = lib.nn

        class Flat(nn.Module):
            def forward(self, x):
                return x.reshape(-1)

        class ToDouble(nn.Module):
            def forward(self, x):
                return x.double()

        class Split(nn.Module):
            def forward(self, a, b):
                return a + b

            def right_inverse(self, x):
                return x, lib.zeros_like(x)

        if case == "missing":
            P.register_parametrization(m, "nope", Scale(1.0))
        elif case == "shape":
            P.register_parametrization(m, "weight", Flat())
        elif case == "dtype":
            P.register_parametrization(m, "weight", ToDouble())
        elif case == "no_inverse":
            P.register_parametrization(m, "weight", Scale(2.0))
            m.weight = lib.zeros(2, 2)
        elif case == "remove":
            P.remove_parametrizations(m, "weight")
        else:
            P.register_parametrization(m, "weight", Split())
            P.remove_parametrizations(m, "weight", leave_parametrized=False)
    same_error(fn, exact=case not in ("missing", "remove"))


@requires("triu")
def test_parametrization_with_tensor_tuple():
    def fn(lib):
        P = lib.nn.utils.parametrize
        _, _, Holder = custom(lib)

        class Split(lib.nn.Module):
            def forward(self, a, b):
                return a + b

            def right_inverse(self, x):
                return x * 0.5, x * 0.5

        m = P.register_parametrization(Holder(), "weight", Split())
        out = [list(m.state_dict()), m.weight, m.parametrizations.weight.ntensors]
        P.remove_parametrizations(m, "weight")
        return out + [m.weight, type(m.weight).__name__]
    same(fn)


@needs_rng
@requires("geqrf", "matrix_exp")
@pytest.mark.parametrize("kind", [None, "cayley", "householder"])
def test_orthogonal_parametrization(kind):
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 3 if kind != "householder" else 2)
        lib.nn.utils.parametrizations.orthogonal(m, orthogonal_map=kind)
        w = m.weight
        gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
        return _round(gram, 4), list(m.state_dict())
    same(fn)


@needs_rng
@requires("matrix_exp")
@pytest.mark.parametrize("kind", ["matrix_exp", "cayley"])
def test_orthogonal_parametrization_without_trivialization(kind):
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 3)
        lib.nn.utils.parametrizations.orthogonal(m, orthogonal_map=kind,
                                                 use_trivialization=False)
        w = m.weight
        y = m(lib.ones(1, 3))
        y.sum().backward()
        return (_round(w @ w.T, 4), _round(w, 4), list(m.state_dict()),
                _round(m.parametrizations.weight.original.grad, 4))
    same(fn)
    same_error(lambda lib: lib.nn.utils.parametrizations.orthogonal(lin(lib), "bias"))
    same_error(lambda lib: lib.nn.utils.parametrizations.orthogonal(lin(lib),
                                                                    orthogonal_map="qr"))


# --- prune ------------------------------------------------------------------------------
@needs_rng
@requires("topk")
def test_prune_basics():
    def fn(lib):
        prune = importlib.import_module(lib.__name__ + ".nn.utils.prune")
        m = lin(lib)
        prune.identity(m, "bias")
        prune.l1_unstructured(m, "weight", amount=2)
        out = [[n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
               m.weight_mask, _round(m.weight), prune.is_pruned(m)]
        prune.l1_unstructured(m, "weight", amount=0.5)
        out += [m.weight_mask, type(m._forward_pre_hooks[
            next(iter(m._forward_pre_hooks.keys().__reversed__()))]).__name__]
        y = m(lib.ones(1, 3))
        y.sum().backward()
        out.append(_round(m.weight_orig.grad))
        prune.remove(m, "weight")
        prune.remove(m, "bias")
        out += [[n for n, _ in m.named_parameters()], _round(m.weight), prune.is_pruned(m)]
        lib.manual_seed(0)
        m2 = prune.random_unstructured(lin(lib), "weight", amount=0.5)
        out.append(m2.weight_mask)
        return out
    same(fn)


@needs_rng
@requires("topk")
def test_prune_global_and_errors():
    def fn(lib):
        prune = importlib.import_module(lib.__name__ + ".nn.utils.prune")
        a, b = lin(lib), lin(lib, 0.3)
        prune.global_unstructured([(a, "weight"), (b, "weight")],
                                  pruning_method=prune.L1Unstructured, amount=5)
        return a.weight_mask, b.weight_mask
    same(fn)
    for call in ("l1_unstructured(lin(lib), 'weight', amount=1.5)",
                 "l1_unstructured(lin(lib), 'weight', amount=9)",
                 "l1_unstructured(lin(lib), 'weight', amount='x')",
                 "remove(lin(lib), 'weight')"):
        same_error(lambda lib: eval(
            "prune." + call,
            {"prune": importlib.import_module(lib.__name__ + ".nn.utils.prune"),
             "lin": lin, "lib": lib}), exact="remove" not in call)


# --- functional_call --------------------------------------------------------------------
@needs_rng
def test_functional_call():
    def fn(lib):
        stateless = lib.nn.utils.stateless
        m = lin(lib)
        x = lib.ones(1, 3)
        new = {"weight": lib.ones(2, 3), "bias": lib.zeros(2)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = stateless.functional_call(m, new, x)
            y2 = stateless.functional_call(m, {"bias": lib.ones(2)}, (x,))
        return y, y2, m.weight, type(m.weight).__name__
    same(fn)

    def strict(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.nn.utils.stateless.functional_call(lin(lib), {"weight": lib.ones(2, 3),
                                                              "zz": lib.ones(1)},
                                                   lib.ones(1, 3), strict=True)
    same_error(strict)


# --- fusion -----------------------------------------------------------------------------
def stand_in_bn(lib, n):
    """A module with BatchNorm's eval-time attributes (until nn.BatchNorm lands)."""
    bn = lib.nn.Module()
    bn.num_features = n
    bn.eps = 1e-5
    bn.weight = lib.nn.Parameter(lib.linspace(0.5, 1.5, n))
    bn.bias = lib.nn.Parameter(lib.linspace(-0.2, 0.2, n))
    bn.register_buffer("running_mean", lib.linspace(0.1, 0.3, n))
    bn.register_buffer("running_var", lib.linspace(1.0, 2.0, n))
    return bn.eval()


@needs_rng
def test_fuse_linear_bn():
    def fn(lib):
        u = lib.nn.utils
        fused = u.fuse_linear_bn_eval(lin(lib).eval(), stand_in_bn(lib, 2))
        w, b = u.fuse_linear_bn_weights(lib.ones(2, 3), None, lib.zeros(2), lib.ones(2), 0.0,
                                        lib.ones(2), lib.zeros(2))
        return _round(fused.weight), _round(fused.bias), type(fused.weight).__name__, w, b
    same(fn)
    same_error(lambda lib: lib.nn.utils.fuse_linear_bn_eval(lin(lib), stand_in_bn(lib, 2)))
    same_error(lambda lib: lib.nn.utils.fuse_linear_bn_eval(lin(lib).eval(),
                                                            stand_in_bn(lib, 3)))


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_weights(transpose):
    def fn(lib):
        n = 3 if transpose else 2           # the output-channel dim: 1 when transposed
        w = lib.arange(24.0).view(2, 3, 2, 2) / 10
        out = lib.nn.utils.fuse_conv_bn_weights(
            w, lib.linspace(-0.5, 0.5, n) if transpose else None, lib.linspace(0.1, 0.2, n),
            lib.linspace(1.0, 2.0, n), 1e-5, lib.linspace(1.0, 0.5, n), None, transpose)
        return [_round(t) for t in out], [type(t).__name__ for t in out]
    same(fn)


def test_weight_norm_gradgradcheck():
    # torch's fused double backward fails this check; ember's must pass it
    v = ember.tensor(np.linspace(0.5, 2.0, 12).reshape(3, 4), requires_grad=True)
    g = ember.tensor([[1.0], [2.0], [0.5]], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: ember._weight_norm(a, b, 0), (v, g))
    assert ember.autograd.gradgradcheck(lambda a, b: ember._weight_norm(a, b, 0), (v, g))
