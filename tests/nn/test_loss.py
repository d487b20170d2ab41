"""Losses against torch: modules (reprs, buffers, forward, gradients), graph node names,
errors, warnings and dtypes. Values and gradients of every functional loss over dtypes are
in the op table (tests/opdb/nn_loss.py); CTC has its own file."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from nn._helpers import same, same_error, torch, torch_name

RNG = np.random.default_rng(0)
X = RNG.uniform(0.05, 0.95, (3, 4))
Y = RNG.uniform(0.05, 0.95, (3, 4))
Z = RNG.standard_normal((3, 4))
SIGNS = np.where(RNG.uniform(size=(3, 4)) < 0.5, -1.0, 1.0)
CLASSES = np.array([0, 3, 1])


def _names(fn, depth=3):
    names = []
    while fn is not None and len(names) < depth:
        names.append(type(fn).__name__)
        nxt = [f for f, _ in fn.next_functions if f is not None and
               type(f).__name__ != "AccumulateGrad"]
        fn = nxt[0] if nxt else None
    return names


# --- modules ------------------------------------------------------------------------------
MODULES = {
    "L1Loss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y))),
    "MSELoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y))),
    "HuberLoss": ((), lambda lib: (lib.tensor(Z * 3), lib.tensor(Y))),
    "SmoothL1Loss": ((), lambda lib: (lib.tensor(Z * 3), lib.tensor(Y))),
    "SoftMarginLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(SIGNS))),
    "BCELoss": ((), lambda lib: (lib.tensor(X), lib.tensor(Y))),
    "BCEWithLogitsLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y))),
    "NLLLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(CLASSES))),
    "CrossEntropyLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(CLASSES))),
    "KLDivLoss": ((), lambda lib: (lib.tensor(np.log(X)), lib.tensor(Y))),
    "PoissonNLLLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y * 3))),
    "GaussianNLLLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y), lib.tensor(X))),
    "MarginRankingLoss": ((), lambda lib: (lib.tensor(Z[0]), lib.tensor(Y[0]),
                                           lib.tensor(SIGNS[0]))),
    "HingeEmbeddingLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(SIGNS))),
    "MultiLabelMarginLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor([[3, 0, -1, 1]] * 3))),
    "MultiLabelSoftMarginLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y.round()))),
    "CosineEmbeddingLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y),
                                             lib.tensor([1, -1, 1]))),
    "MultiMarginLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(CLASSES))),
    "TripletMarginLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y), lib.tensor(X))),
    "TripletMarginWithDistanceLoss": ((), lambda lib: (lib.tensor(Z), lib.tensor(Y),
                                                       lib.tensor(X))),
}


def _module_case(lib, name, kwargs):
    loss_fn = getattr(lib.nn, name)(**kwargs)
    inputs = MODULES[name][1](lib)
    inputs[0].requires_grad_()
    out = loss_fn(*inputs)
    out.sum().backward()
    return repr(loss_fn), out, type(out.grad_fn).__name__, inputs[0].grad, loss_fn.reduction


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("name", sorted(MODULES))
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_module_forward_backward(name, reduction):
    e, t = [_module_case(lib, name, {"reduction": reduction}) for lib in (ember, torch)]
    assert torch_name(e[0]) == t[0] and e[2] == t[2] and e[4] == t[4]
    for a, b in ((e[1], t[1]), (e[3], t[3])):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6,
                                   atol=1e-9)


@pytest.mark.parametrize("ctor", [
    "L1Loss()", "MSELoss(reduction='sum')", "CrossEntropyLoss(weight=lib.ones(3), "
    "ignore_index=1, label_smoothing=0.2)", "NLLLoss(weight=lib.ones(3))",
    "BCELoss(weight=lib.ones(2))", "BCEWithLogitsLoss(pos_weight=lib.ones(2))",
    "BCEWithLogitsLoss(weight=lib.ones(2), pos_weight=lib.ones(2))", "HuberLoss(delta=2)",
    "SmoothL1Loss(beta=0.5)", "KLDivLoss(log_target=True)", "PoissonNLLLoss(full=True)",
    "GaussianNLLLoss(full=True, eps=0.1)", "MultiMarginLoss(p=2, margin=0.5, "
    "weight=lib.ones(3))", "TripletMarginLoss(margin=2.0, p=1, swap=True)",
    "TripletMarginWithDistanceLoss(margin=0.5)", "TripletMarginWithDistanceLoss("
    "distance_function=lib.nn.functional.cosine_similarity)", "CTCLoss(blank=3, "
    "zero_infinity=True)", "CosineEmbeddingLoss(margin=0.1)", "MultiLabelSoftMarginLoss("
    "weight=lib.ones(3))", "L1Loss(size_average=False)", "NLLLoss(reduce=False)",
    "KLDivLoss(size_average=True, reduce=True)"])
def test_module_state(ctor):
    """repr, options, buffers and state_dict as torch."""
    def fn(lib):
        m = eval(f"lib.nn.{ctor}", {"lib": lib})
        attrs = {k: v for k, v in vars(m).items() if not k.startswith("_")}
        attrs.pop("distance_function", None)
        return (repr(m), attrs, dict(m.named_buffers()), list(m.state_dict()),
                list(m.named_children()) and repr(list(m.named_children())))
    same(fn)


@pytest.mark.parametrize("ctor", [
    "HuberLoss(delta='1')", "MultiMarginLoss(p=3)", "MultiMarginLoss(weight=lib.ones(2, 2))",
    "TripletMarginLoss(margin=0)", "TripletMarginWithDistanceLoss(margin=-1.0)",
    "L1Loss(reduction='foo')"])
def test_module_constructor_errors(ctor):
    def fn(lib):
        m = eval(f"lib.nn.{ctor}", {"lib": lib})
        m(lib.ones(2), lib.ones(2))
    same_error(fn)


def test_nllloss2d_deprecated():
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
            m = lib.nn.NLLLoss2d(ignore_index=2)
        assert isinstance(m, lib.nn.NLLLoss) and m.ignore_index == 2


def test_loss_modules_are_exported():
    names = {n for n in dir(torch.nn) if n.endswith("Loss") or n == "NLLLoss2d"}
    names -= {"LinearCrossEntropyLoss"}   # torch 2.13's fused linear + cross entropy
    assert names <= set(dir(ember.nn))
    for name in ("binary_cross_entropy_with_logits", "cosine_embedding_loss", "ctc_loss",
                 "hinge_embedding_loss", "kl_div", "margin_ranking_loss", "poisson_nll_loss",
                 "triplet_margin_loss"):
        assert callable(getattr(ember, name)) and not hasattr(ember.Tensor, name)


# --- graph ----------------------------------------------------------------------------------
GRAPH_CASES = {
    "mse": lambda F, x, lib: F.mse_loss(x, lib.tensor(Y), reduction=R),
    "l1": lambda F, x, lib: F.l1_loss(x, lib.tensor(Y), reduction=R),
    "huber": lambda F, x, lib: F.huber_loss(x, lib.tensor(Y), reduction=R),
    "smooth_l1": lambda F, x, lib: F.smooth_l1_loss(x, lib.tensor(Y), reduction=R),
    "soft_margin": lambda F, x, lib: F.soft_margin_loss(x, lib.tensor(SIGNS), reduction=R),
    "bce": lambda F, x, lib: F.binary_cross_entropy(x, lib.tensor(Y), reduction=R),
    "bce_logits": lambda F, x, lib: F.binary_cross_entropy_with_logits(
        x, lib.tensor(Y), pos_weight=lib.tensor(X[0]), reduction=R),
    "nll": lambda F, x, lib: F.nll_loss(x, lib.tensor(CLASSES), reduction=R),
    "nll_2d": lambda F, x, lib: F.nll_loss(x.view(3, 4, 1, 1), lib.tensor(CLASSES).view(3, 1, 1),
                                           reduction=R),
    "nll_3d": lambda F, x, lib: F.nll_loss(x.view(3, 4, 1), lib.tensor(CLASSES).view(3, 1),
                                           reduction=R),
    "ce": lambda F, x, lib: F.cross_entropy(x, lib.tensor(CLASSES), reduction=R),
    "ce_smooth": lambda F, x, lib: F.cross_entropy(x, lib.tensor(CLASSES), reduction=R,
                                                   label_smoothing=0.1),
    "ce_probs": lambda F, x, lib: F.cross_entropy(x, lib.tensor(Y), reduction=R),
    "kl": lambda F, x, lib: F.kl_div(x, lib.tensor(Y), reduction=R),
    "kl_log": lambda F, x, lib: F.kl_div(x, lib.tensor(Y), reduction=R, log_target=True),
    "poisson": lambda F, x, lib: F.poisson_nll_loss(x, lib.tensor(Y), reduction=R, full=True),
    "gaussian": lambda F, x, lib: F.gaussian_nll_loss(x, lib.tensor(Y), lib.tensor(X),
                                                      reduction=R),
    "hinge": lambda F, x, lib: F.hinge_embedding_loss(x, lib.tensor(SIGNS), reduction=R),
    "cosine": lambda F, x, lib: F.cosine_embedding_loss(x, lib.tensor(Y), lib.tensor(
        [1, -1, 1]), reduction=R),
    "multi_margin": lambda F, x, lib: F.multi_margin_loss(x, lib.tensor(CLASSES), reduction=R),
    "multilabel_margin": lambda F, x, lib: F.multilabel_margin_loss(
        x, lib.tensor([[3, 0, -1, 1]] * 3), reduction=R),
    "multilabel_soft": lambda F, x, lib: F.multilabel_soft_margin_loss(x, lib.tensor(Y),
                                                                       reduction=R),
    "ranking": lambda F, x, lib: F.margin_ranking_loss(x, lib.tensor(Y), lib.tensor(SIGNS),
                                                       reduction=R),
    "triplet": lambda F, x, lib: F.triplet_margin_loss(x, lib.tensor(Y), lib.tensor(Z),
                                                       reduction=R, swap=True),
}
R = "mean"


@pytest.mark.parametrize("case", sorted(GRAPH_CASES))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_grad_fn_names(case, reduction):
    global R
    R = reduction

    def fn(lib):
        x = lib.tensor(X, requires_grad=True)
        out = GRAPH_CASES[case](lib.nn.functional, x, lib)
        return _names(out.grad_fn, 2)
    same(fn)


@pytest.mark.parametrize("case", ["nll", "nll_2d", "mse", "huber", "smooth_l1", "soft_margin",
                                  "bce", "multi_margin", "multilabel_margin"])
def test_gradient_nodes(case):
    """The nodes of the first gradient (create_graph), and for the margin losses torch's
    refusal to differentiate it again."""
    def grad(lib):
        x = lib.tensor(X, requires_grad=True)
        out = GRAPH_CASES[case](lib.nn.functional, x, lib)
        return lib.autograd.grad(out.sum(), x, create_graph=True)[0]
    same(lambda lib: _names(grad(lib).grad_fn, 2))
    if case in ("multi_margin", "multilabel_margin"):
        same_error(lambda lib: grad(lib).sum().backward())
    else:
        def second(lib):
            x = lib.tensor(X, requires_grad=True)
            out = GRAPH_CASES[case](lib.nn.functional, x * x, lib)
            (g,) = lib.autograd.grad(out.sum(), x, create_graph=True)
            return lib.autograd.grad(g.pow(2).sum(), x)
        e, t = second(ember), second(torch)
        np.testing.assert_allclose(e[0].numpy(), t[0].numpy(), rtol=1e-7)


@pytest.mark.parametrize("case", ["mse", "huber", "smooth_l1", "soft_margin", "bce",
                                  "bce_logits", "nll", "ce", "ce_smooth", "kl", "cosine"])
def test_gradcheck(case):
    def f(x):
        return GRAPH_CASES[case](ember.nn.functional, x, ember)
    x = ember.tensor(X, requires_grad=True)
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


# --- warnings -----------------------------------------------------------------------------
def _warned(lib, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(lib.nn.functional, lib)
    return [(w.category.__name__, torch_name(str(w.message))) for w in caught]


@pytest.mark.parametrize("call", [
    lambda F, lib: F.mse_loss(lib.ones(3, 4), lib.ones(4)),
    lambda F, lib: F.l1_loss(lib.ones(3, 4), lib.ones(1, 4)),
    lambda F, lib: F.huber_loss(lib.ones(3, 4), lib.ones(4)),
    lambda F, lib: F.smooth_l1_loss(lib.ones(4), lib.ones(3, 4)),
    lambda F, lib: F.nll_loss(lib.zeros(2, 3), lib.tensor([0, 1]), size_average=False),
    lambda F, lib: F.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1]), reduce=False),
    lambda F, lib: F.binary_cross_entropy(lib.full((2,), 0.5), lib.ones(2), reduce=True),
    lambda F, lib: F.kl_div(lib.zeros(2), lib.ones(2)),
    lambda F, lib: F.kl_div(lib.zeros(2), lib.ones(2), size_average=True,
                            reduction="batchmean"),
    lambda F, lib: F.l1_loss(lib.ones(2), lib.ones(2), reduction="elementwise_mean"),
    lambda F, lib: F.soft_margin_loss(lib.ones(2), lib.ones(2), size_average=False,
                                      reduce=False),
    lambda F, lib: lib.nn.MSELoss(size_average=False),
])
def test_warnings(call):
    e, t = _warned(ember, call), _warned(torch, call)
    assert e == t and t


def test_legacy_reductions():
    for size_average, reduce, want in ((None, None, "mean"), (False, None, "sum"),
                                       (True, False, "none"), (None, True, "mean")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert ember.nn.L1Loss(size_average, reduce).reduction == want


# --- errors -------------------------------------------------------------------------------
def _t(lib, arr, dtype=None):
    return lib.tensor(np.asarray(arr), dtype=None if dtype is None else getattr(lib, dtype))


ERRORS = {
    "nll_batch": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.tensor([0, 1])),
    "ce_batch": lambda F, lib: F.cross_entropy(lib.zeros(3, 4), lib.tensor([0, 1])),
    "nll_oob": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.tensor([0, 1, 4])),
    "nll_oob_neg": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.tensor([0, -1, 1]),
                                             reduction="none"),
    "nll_oob_4d": lambda F, lib: F.nll_loss(lib.zeros(2, 3, 1, 2), lib.full((2, 1, 2), 3)),
    "nll_float_target": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.zeros(3)),
    "nll_int32_target": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.zeros(3, dtype=lib.int)),
    "nll_0d": lambda F, lib: F.nll_loss(lib.tensor(1.0), lib.tensor(0)),
    "nll_1d_target_size": lambda F, lib: F.nll_loss(lib.zeros(4), lib.tensor([1, 2])),
    "nll_2d_target": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.zeros(3, 1).long()),
    "nll_weight_shape": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.tensor([0, 1, 2]),
                                                  weight=lib.ones(3)),
    "nll_weight_dtype": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.tensor([0, 1, 2]),
                                                  weight=lib.ones(4).double()),
    "nll_weight_grad": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.tensor([0, 1, 2]),
                                                 weight=lib.ones(4, requires_grad=True)),
    "nll_int_input": lambda F, lib: F.nll_loss(lib.zeros(3, 4).long(), lib.tensor([0, 1, 2])),
    "nll_3d_target": lambda F, lib: F.nll_loss(lib.zeros(2, 3, 4), lib.zeros(2, 5).long()),
    "nll_4d_target": lambda F, lib: F.nll_loss(lib.zeros(2, 3, 4, 5), lib.zeros(2, 5, 4).long()),
    "nll_4d_target_dim": lambda F, lib: F.nll_loss(lib.zeros(2, 3, 4, 5), lib.zeros(2, 4).long()),
    "nll_4d_weight": lambda F, lib: F.nll_loss(lib.zeros(2, 3, 4, 5), lib.zeros(2, 4, 5).long(),
                                               weight=lib.ones(2)),
    "bad_reduction": lambda F, lib: F.nll_loss(lib.zeros(3, 4), lib.tensor([0, 1, 2]),
                                               reduction="foo"),
    "ce_probs_int": lambda F, lib: F.cross_entropy(lib.zeros(3, 4), lib.ones(3, 4).long()),
    "ce_probs_ignore": lambda F, lib: F.cross_entropy(lib.zeros(3, 4), lib.ones(3, 4),
                                                      ignore_index=1),
    "ce_smoothing": lambda F, lib: F.cross_entropy(lib.zeros(3, 4), lib.tensor([0, 1, 2]),
                                                   label_smoothing=1.5),
    "ce_probs_smoothing": lambda F, lib: F.cross_entropy(lib.zeros(3, 4), lib.ones(3, 4),
                                                         label_smoothing=2.0),
    "ce_probs_weight": lambda F, lib: F.cross_entropy(lib.zeros(3, 4), lib.ones(3, 4),
                                                      weight=lib.ones(3)),
    "ce_0d": lambda F, lib: F.cross_entropy(lib.tensor(1.0), lib.tensor(0)),
    "ce_int_input": lambda F, lib: F.cross_entropy(lib.zeros(3, 4).long(),
                                                   lib.tensor([0, 1, 2])),
    "ce_smooth_oob": lambda F, lib: F.cross_entropy(lib.zeros(3, 4), lib.tensor([0, 5, 2]),
                                                    label_smoothing=0.2),
    "mse_int": lambda F, lib: F.mse_loss(lib.ones(2).long(), lib.ones(2).long()),
    "mse_complex": lambda F, lib: F.mse_loss(lib.ones(2).cfloat(), lib.ones(2).cfloat()),
    "mse_broadcast": lambda F, lib: F.mse_loss(lib.ones(3, 4), lib.ones(5)),
    "mse_weight": lambda F, lib: F.mse_loss(lib.ones(3, 4), lib.ones(3, 4), weight=lib.ones(4)),
    "mse_weight_reduction": lambda F, lib: F.mse_loss(lib.ones(2), lib.ones(2),
                                                      weight=lib.ones(2), reduction="foo"),
    "l1_int_mean": lambda F, lib: F.l1_loss(lib.ones(2).long(), lib.ones(2).long()),
    "huber_delta": lambda F, lib: F.huber_loss(lib.ones(2), lib.ones(2), delta=0.0),
    "huber_int": lambda F, lib: F.huber_loss(lib.ones(2).long(), lib.ones(2)),
    "smooth_l1_beta": lambda F, lib: F.smooth_l1_loss(lib.ones(2), lib.ones(2), beta=-1.0),
    "soft_margin_target_grad": lambda F, lib: F.soft_margin_loss(
        lib.ones(2), lib.ones(2, requires_grad=True)),
    "soft_margin_int": lambda F, lib: F.soft_margin_loss(lib.ones(2).long(), lib.ones(2)),
    "bce_range": lambda F, lib: F.binary_cross_entropy(lib.tensor([0.5, 1.5]), lib.ones(2)),
    "bce_nan": lambda F, lib: F.binary_cross_entropy(lib.tensor([float("nan")]), lib.ones(1)),
    "bce_size": lambda F, lib: F.binary_cross_entropy(lib.full((3, 4), 0.5), lib.ones(4)),
    "bce_target_dtype": lambda F, lib: F.binary_cross_entropy(lib.full((2,), 0.5),
                                                              lib.ones(2).double()),
    "bce_int": lambda F, lib: F.binary_cross_entropy(lib.ones(2).long(), lib.ones(2).long()),
    "bce_weight_bigger": lambda F, lib: F.binary_cross_entropy(
        lib.full((3, 4), 0.5), lib.ones(3, 4), weight=lib.ones(2, 3, 4)),
    "bce_weight_grad": lambda F, lib: F.binary_cross_entropy(
        lib.full((2,), 0.5), lib.ones(2), weight=lib.ones(2, requires_grad=True)),
    "bce_logits_size": lambda F, lib: F.binary_cross_entropy_with_logits(lib.ones(3, 4),
                                                                         lib.ones(4)),
    "bce_logits_int_target": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(2), lib.ones(2).long()),
    "bce_logits_bool_target": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(2), lib.ones(2).bool()),
    "bce_logits_int": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(2).long(), lib.ones(2).long()),
    "bce_logits_weight": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(3, 4), lib.ones(3, 4), weight=lib.ones(5)),
    "bce_logits_pos_weight": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(3, 4), lib.ones(3, 4), pos_weight=lib.ones(5)),
    "bce_logits_pos_weight_grad": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(2), lib.ones(2), pos_weight=lib.ones(2, requires_grad=True)),
    "kl_int": lambda F, lib: F.kl_div(lib.ones(2).long(), lib.ones(2)),
    "kl_reduction": lambda F, lib: F.kl_div(lib.ones(2), lib.ones(2), reduction="foo"),
    "poisson_reduction": lambda F, lib: F.poisson_nll_loss(lib.ones(2), lib.ones(2),
                                                           reduction="foo"),
    "gaussian_negative_var": lambda F, lib: F.gaussian_nll_loss(lib.ones(2), lib.ones(2), -1.0),
    "gaussian_negative_tvar": lambda F, lib: F.gaussian_nll_loss(lib.ones(2), lib.ones(2),
                                                                 -lib.ones(2)),
    "gaussian_var_size": lambda F, lib: F.gaussian_nll_loss(lib.ones(3, 4), lib.ones(3, 4),
                                                            lib.ones(2, 4)),
    "gaussian_reduction": lambda F, lib: F.gaussian_nll_loss(lib.ones(2), lib.ones(2),
                                                             lib.ones(2), reduction="x"),
    "ranking_dims": lambda F, lib: F.margin_ranking_loss(lib.ones(3, 4), lib.ones(3, 4),
                                                         lib.ones(4)),
    "cosine_target_dim": lambda F, lib: F.cosine_embedding_loss(lib.ones(3, 4), lib.ones(3, 4),
                                                                lib.ones(3, 1)),
    "cosine_1d_target": lambda F, lib: F.cosine_embedding_loss(lib.ones(4), lib.ones(4),
                                                               lib.ones(3)),
    "cosine_0d_target": lambda F, lib: F.cosine_embedding_loss(lib.ones(3, 4), lib.ones(3, 4),
                                                               lib.tensor(1.0)),
    "multi_margin_p": lambda F, lib: F.multi_margin_loss(lib.ones(3, 4), lib.tensor([0, 1, 2]),
                                                         p=3),
    "multi_margin_weight_2d": lambda F, lib: F.multi_margin_loss(
        lib.ones(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(1, 4)),
    "multi_margin_weight_size": lambda F, lib: F.multi_margin_loss(
        lib.ones(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(3)),
    "multi_margin_oob": lambda F, lib: F.multi_margin_loss(lib.ones(3, 4), lib.tensor([0, 1, 4])),
    "multi_margin_neg": lambda F, lib: F.multi_margin_loss(lib.ones(3, 4),
                                                           lib.tensor([0, -1, 1])),
    "multi_margin_target": lambda F, lib: F.multi_margin_loss(lib.ones(3, 4), lib.tensor([0, 1])),
    "multi_margin_3d": lambda F, lib: F.multi_margin_loss(lib.ones(2, 3, 4), lib.tensor([0, 1])),
    "multi_margin_float_target": lambda F, lib: F.multi_margin_loss(lib.ones(3, 4),
                                                                    lib.zeros(3)),
    "multi_margin_half": lambda F, lib: F.multi_margin_loss(lib.ones(3, 4).half(),
                                                            lib.tensor([0, 1, 2])),
    "multi_margin_weight_dtype": lambda F, lib: F.multi_margin_loss(
        lib.ones(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(4).double()),
    "multi_margin_empty_classes": lambda F, lib: F.multi_margin_loss(
        lib.ones(3, 0), lib.tensor([0, 0, 0])),
    "multilabel_oob": lambda F, lib: F.multilabel_margin_loss(lib.ones(3, 4),
                                                              lib.tensor([[4, 0, -1, 1]] * 3)),
    "multilabel_after_end": lambda F, lib: F.multilabel_margin_loss(
        lib.ones(3, 4), lib.tensor([[1, -1, 7, 0]] * 3)),
    "multilabel_shape": lambda F, lib: F.multilabel_margin_loss(lib.ones(3, 4),
                                                                lib.zeros(2, 4).long()),
    "multilabel_1d": lambda F, lib: F.multilabel_margin_loss(lib.ones(4), lib.zeros(3, 4).long()),
    "multilabel_3d": lambda F, lib: F.multilabel_margin_loss(lib.ones(2, 3, 4),
                                                             lib.zeros(2, 3, 4).long()),
    "multilabel_float_target": lambda F, lib: F.multilabel_margin_loss(lib.ones(3, 4),
                                                                       lib.zeros(3, 4)),
    "multilabel_int": lambda F, lib: F.multilabel_margin_loss(lib.ones(3, 4).long(),
                                                              lib.zeros(3, 4).long()),
    "triplet_margin": lambda F, lib: F.triplet_margin_loss(lib.ones(2, 3), lib.ones(2, 3),
                                                           lib.ones(2, 3), margin=0),
    "triplet_dims": lambda F, lib: F.triplet_margin_loss(lib.ones(2, 3), lib.ones(3),
                                                         lib.ones(2, 3)),
    "triplet_distance_dims": lambda F, lib: F.triplet_margin_with_distance_loss(
        lib.ones(2, 3), lib.ones(3), lib.ones(2, 3)),
    "triplet_distance_reduction": lambda F, lib: F.triplet_margin_with_distance_loss(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), reduction="foo"),
    "triplet_distance_margin": lambda F, lib: F.triplet_margin_with_distance_loss(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), margin=-1),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors(case):
    same_error(lambda lib: ERRORS[case](lib.nn.functional, lib))


# --- values and dtypes the op table does not reach -----------------------------------------
VALUES = {
    "bce_clamped_log": lambda F, lib: F.binary_cross_entropy(
        lib.tensor([0.0, 1.0, 0.0, 1.0]), lib.tensor([1.0, 0.0, 0.0, 1.0]), reduction="none"),
    "bce_logits_large": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.tensor([200.0, -200.0, 30.0]), lib.tensor([0.0, 1.0, 1.0]), reduction="none"),
    "bce_logits_dtype": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(2), lib.full((2,), 0.3).double()),
    "bce_logits_input_f64": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.ones(2).double(), lib.full((2,), 0.3)),
    "huber_target_f64": lambda F, lib: F.huber_loss(lib.ones(2), lib.zeros(2).double()),
    "smooth_l1_target_f64": lambda F, lib: F.smooth_l1_loss(lib.ones(2), lib.zeros(2).double()),
    "mse_int_target": lambda F, lib: F.mse_loss(lib.ones(2), lib.zeros(2).long()),
    "soft_margin_target_f64": lambda F, lib: F.soft_margin_loss(lib.ones(2), lib.ones(2).double()),
    "hinge_int_target": lambda F, lib: F.hinge_embedding_loss(lib.ones(2), lib.tensor([1, -1])),
    "ranking_int": lambda F, lib: F.margin_ranking_loss(lib.ones(2).long(), lib.zeros(2).long(),
                                                        lib.tensor([1, -1]), reduction="sum"),
    "l1_complex": lambda F, lib: F.l1_loss(lib.ones(2).cfloat(), lib.zeros(2).cfloat()),
    "nll_uint8_target": lambda F, lib: F.nll_loss(lib.eye(3), lib.tensor([0, 2, 1]).byte()),
    "nll_all_ignored": lambda F, lib: F.nll_loss(lib.eye(3), lib.full((3,), -100)),
    "nll_empty": lambda F, lib: F.nll_loss(lib.zeros(0, 3), lib.zeros(0).long()),
    "nll_empty_3d": lambda F, lib: F.nll_loss(lib.zeros(0, 3, 4), lib.zeros(0, 4).long(),
                                              reduction="none"),
    "nll_1d_1d": lambda F, lib: F.nll_loss(lib.arange(4.0), lib.tensor([2]), reduction="none"),
    "ce_smooth_all_ignored": lambda F, lib: F.cross_entropy(lib.eye(3), lib.full((3,), -100),
                                                            label_smoothing=0.2),
    "ce_probs_empty": lambda F, lib: F.cross_entropy(lib.zeros(0, 4), lib.zeros(0, 4)),
    "ce_negative_smoothing": lambda F, lib: F.cross_entropy(lib.eye(3), lib.tensor([0, 1, 2]),
                                                            label_smoothing=-0.5),
    "ce_probs_f64_target": lambda F, lib: F.cross_entropy(lib.eye(3), lib.eye(3).double()),
    "kl_batchmean_0d": lambda F, lib: F.kl_div(lib.tensor(-1.0), lib.tensor(0.3),
                                               reduction="batchmean"),
    "kl_negative_target": lambda F, lib: F.kl_div(lib.zeros(3), lib.tensor([-1.0, 0.0, 1.0]),
                                                  reduction="none"),
    "multi_margin_shapes": lambda F, lib: [
        F.multi_margin_loss(lib.arange(4.0), lib.tensor(1), reduction="none"),
        F.multi_margin_loss(lib.arange(4.0), lib.tensor([1]), reduction="none"),
        F.multi_margin_loss(lib.tensor(0.5), lib.tensor(0), reduction="none"),
        F.multi_margin_loss(lib.ones(1, 4), lib.tensor(0), reduction="none"),
        F.multi_margin_loss(lib.zeros(0, 4), lib.zeros(0).long(), reduction="none")],
    "multilabel_shapes": lambda F, lib: [
        F.multilabel_margin_loss(lib.arange(4.0), lib.tensor([1, 0, -1, 2]), reduction="none"),
        F.multilabel_margin_loss(lib.tensor(0.5), lib.tensor(0), reduction="none"),
        F.multilabel_margin_loss(lib.zeros(0, 4), lib.zeros(0, 4).long(), reduction="none")],
    "cosine_int_target": lambda F, lib: F.cosine_embedding_loss(
        lib.eye(3), lib.ones(3, 3), lib.tensor([1, -1, 0]), reduction="none"),
    "triplet_int": lambda F, lib: F.triplet_margin_loss(lib.ones(2, 3).long(),
                                                        lib.zeros(2, 3).long(),
                                                        lib.ones(2, 3).long()),
    "gaussian_float_var": lambda F, lib: F.gaussian_nll_loss(lib.eye(3), lib.ones(3, 3), 0.5),
    "poisson_int": lambda F, lib: F.poisson_nll_loss(lib.ones(2).long(), lib.ones(2).long()),
}
ERRORS["gaussian_int_var"] = lambda F, lib: F.gaussian_nll_loss(lib.ones(2), lib.ones(2), 1)


def _close(fn, rtol=1e-6):
    """fn(lib) gives tensors of equal dtype and shape and close values (NaN equal to NaN)."""
    e, t = [fn(lib) for lib in (ember, torch)]
    e, t = (e, t) if isinstance(t, list) else ([e], [t])
    assert len(e) == len(t)
    for a, b in zip(e, t):
        assert torch_name(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol,
                                   equal_nan=True)


@pytest.mark.parametrize("case", sorted(VALUES))
def test_values(case):
    _close(lambda lib: VALUES[case](lib.nn.functional, lib))


def test_top_level_default_reduction_is_none():
    """torch.* losses behave as if their reduction default were 0 (none)."""
    def fn(lib):
        x, y, s = lib.tensor(X), lib.tensor(Y), lib.tensor(SIGNS)
        return [lib.kl_div(x, y), lib.binary_cross_entropy_with_logits(x, y),
                lib.hinge_embedding_loss(x, s), lib.margin_ranking_loss(x, y, s),
                lib.cosine_embedding_loss(x, y, lib.ones(3)), lib.triplet_margin_loss(x, y, s),
                lib.kl_div(x, y, 2), lib.kl_div(x, y, reduction=1, log_target=True)]
    _close(fn)
