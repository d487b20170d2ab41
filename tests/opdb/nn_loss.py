"""Op table entries for the losses: every torch.nn.functional loss and the torch.* loss
functions, forward over the float dtypes (and integer inputs where torch refuses or
promotes), gradients and second-order gradients in float64."""
from __future__ import annotations

import numpy as np

from opdb import ALL_FLOATS, FLOATS, OpInfo, Sample, values

REDUCTIONS = ("none", "mean", "sum")
LOSS_DTYPES = ALL_FLOATS + ("int64",)


def F(name, **fixed):
    """``lib.nn.functional.<name>(*args, **fixed, **kwargs)``."""
    def call(lib, *args, **kwargs):
        return getattr(lib.nn.functional, name)(*args, **fixed, **kwargs)
    return call


def _detached(name, n_args, keyword=None):
    """F.<name> whose argument `n_args` (a float tensor torch does not differentiate) is
    detached, passed by `keyword` when given."""
    def call(lib, *args, **kwargs):
        args = list(args)
        extra = args.pop(n_args).detach()
        if keyword:
            kwargs[keyword] = extra
        else:
            args.insert(n_args, extra)
        return getattr(lib.nn.functional, name)(*args, **kwargs)
    return call


def _pairs(low=-2.0, high=2.0, weight=False):
    def make(dtype, rng):
        if weight:
            w = values(dtype, (3, 4), rng, 0.1, 2.0)
            return [Sample((values(dtype, (3, 4), rng), values(dtype, (3, 4), rng), w),
                           {"reduction": r}) for r in REDUCTIONS]
        out = []
        for r in REDUCTIONS:
            a, b = values(dtype, (3, 4), rng, low, high), values(dtype, (3, 4), rng, low, high)
            out.append(Sample((a, b), {"reduction": r}))
        out.append(Sample((values(dtype, (), rng, low, high), values(dtype, (), rng, low,
                                                                     high))))
        out.append(Sample((values(dtype, (2, 0), rng), values(dtype, (2, 0), rng))))
        return out
    return make


def _signs(dtype, shape, rng):
    return np.where(rng.uniform(size=shape) < 0.5, -1, 1).astype(dtype if dtype != "bfloat16"
                                                                  else "float32")


def _bce_samples(dtype, rng):
    out = []
    for r in REDUCTIONS:
        x = values(dtype, (3, 4), rng, 0.05, 0.95)
        out.append(Sample((x, values(dtype, (3, 4), rng, 0.0, 1.0),
                           values(dtype, (4,), rng, 0.5, 2.0)), {"reduction": r}))
    return out


def _bce_logits_samples(dtype, rng):
    out = []
    for r in REDUCTIONS:
        out.append(Sample((values(dtype, (3, 4), rng, -4, 4), values(dtype, (3, 4), rng, 0, 1),
                           values(dtype, (4,), rng, 0.5, 2.0), values(dtype, (4,), rng, 0.5,
                                                                        3.0)),
                          {"reduction": r}))
    out.append(Sample(tuple(values(dtype, (), rng, 0.1, 0.9) for _ in range(4)), {}))
    return out


def _bce_logits(lib, x, t, w, pw, **kwargs):
    return lib.nn.functional.binary_cross_entropy_with_logits(
        x, t, weight=w.detach(), pos_weight=pw.detach(), **kwargs)


def _class_targets(rng, shape, n_classes):
    return rng.integers(0, n_classes, shape).astype(np.int64)


def _nll_samples(dtype, rng):
    out = []
    for r in REDUCTIONS:
        out.append(Sample((values(dtype, (5, 4), rng), _class_targets(rng, (5,), 4)),
                          {"reduction": r}))
        out.append(Sample((values(dtype, (2, 3, 2, 2), rng),
                           _class_targets(rng, (2, 2, 2), 3)), {"reduction": r}))
        out.append(Sample((values(dtype, (2, 3, 4), rng), _class_targets(rng, (2, 4), 3)),
                          {"reduction": r}))
    t = _class_targets(rng, (5,), 4)
    t[1] = -100
    out.append(Sample((values(dtype, (5, 4), rng), t)))
    out.append(Sample((values(dtype, (5, 4), rng), _class_targets(rng, (5,), 4)),
                      {"ignore_index": 2, "reduction": "sum"}))
    out.append(Sample((values(dtype, (4,), rng), np.asarray(3))))
    out.append(Sample((values(dtype, (2, 3, 1, 2, 2), rng), _class_targets(rng, (2, 1, 2, 2),
                                                                           3))))
    return out


def _weighted_nll_samples(dtype, rng):
    w = values(dtype, (4,), rng, 0.2, 2.0)
    t = _class_targets(rng, (6,), 4)
    t[0] = -100
    return [Sample((values(dtype, (6, 4), rng), t, w), {"reduction": r}) for r in REDUCTIONS]


def _weighted(name):
    def call(lib, x, t, w, **kwargs):
        return getattr(lib.nn.functional, name)(x, t, weight=w.detach(), **kwargs)
    return call


def _ce_extra_samples(dtype, rng):
    out = []
    t = _class_targets(rng, (5,), 4)
    t[2] = -100
    for r in REDUCTIONS:
        out.append(Sample((values(dtype, (5, 4), rng), t), {"reduction": r,
                                                            "label_smoothing": 0.2}))
        probs = rng.dirichlet(np.ones(4), 5).astype(dtype if dtype != "bfloat16" else "float32")
        out.append(Sample((values(dtype, (5, 4), rng), probs), {"reduction": r}))
        out.append(Sample((values(dtype, (5, 4), rng), probs), {"reduction": r,
                                                                "label_smoothing": 0.1}))
    out.append(Sample((values(dtype, (2, 3, 2), rng), _class_targets(rng, (2, 2), 3)),
                      {"label_smoothing": 0.3}))
    return out


def _kl_samples(dtype, rng):
    out = []
    for r in REDUCTIONS + ("batchmean",):
        for log_target in (False, True):
            t = values(dtype, (3, 4), rng, 0.0, 1.0) if not log_target else \
                values(dtype, (3, 4), rng, -3.0, 0.0)
            out.append(Sample((values(dtype, (3, 4), rng, -3.0, 0.0), t),
                              {"reduction": r, "log_target": log_target}))
    return out


def _poisson_samples(dtype, rng):
    out = []
    for log_input in (True, False):
        for full in (False, True):
            lo = -2.0 if log_input else 0.1
            out.append(Sample((values(dtype, (3, 4), rng, lo, 2.0),
                               values(dtype, (3, 4), rng, 0.0, 4.0)),
                              {"log_input": log_input, "full": full, "reduction": "sum"}))
    return out


def _gaussian_samples(dtype, rng):
    out = [Sample((values(dtype, (3, 4), rng), values(dtype, (3, 4), rng),
                   values(dtype, (3, 4), rng, 0.1, 2.0)), {"reduction": r}) for r in REDUCTIONS]
    out.append(Sample((values(dtype, (3, 4), rng), values(dtype, (3, 4), rng),
                       values(dtype, (3,), rng, 0.1, 2.0)), {"full": True}))
    out.append(Sample((values(dtype, (3, 4), rng), values(dtype, (3, 4), rng),
                       values(dtype, (3, 1), rng, 0.0, 0.5)), {"eps": 0.2}))
    return out


def _ranking_samples(dtype, rng):
    return [Sample((values(dtype, (3, 4), rng), values(dtype, (3, 4), rng),
                    _signs(dtype, (3, 4), rng)), {"reduction": r, "margin": 0.5})
            for r in REDUCTIONS]


def _hinge_samples(dtype, rng):
    t = _signs(dtype, (3, 4), rng)
    t[0, 0] = 0
    return [Sample((values(dtype, (3, 4), rng), t), {"reduction": r, "margin": 1.5})
            for r in REDUCTIONS]


def _soft_margin_samples(dtype, rng):
    return [Sample((values(dtype, (3, 4), rng), _signs(dtype, (3, 4), rng)), {"reduction": r})
            for r in REDUCTIONS]


def _multilabel_targets(rng, n, c):
    t = np.full((n, c), -1, np.int64)
    for i in range(n):
        k = rng.integers(0, c + 1)
        t[i, :k] = rng.permutation(c)[:k]
    t[0, :2] = [1, 1]          # a repeated class counts twice
    return t


def _multilabel_samples(dtype, rng):
    out = [Sample((values(dtype, (4, 5), rng), _multilabel_targets(rng, 4, 5)),
                  {"reduction": r}) for r in REDUCTIONS]
    out.append(Sample((values(dtype, (5,), rng), np.array([3, 0, -1, 2, 4]))))
    return out


def _multilabel_soft_samples(dtype, rng):
    out = [Sample((values(dtype, (3, 4), rng), values(dtype, (3, 4), rng, 0, 1),
                   values(dtype, (4,), rng, 0.5, 2.0)), {"reduction": r}) for r in REDUCTIONS]
    out.append(Sample((values(dtype, (4,), rng), values(dtype, (4,), rng, 0, 1),
                       values(dtype, (4,), rng, 0.5, 2.0))))
    return out


def _cosine_samples(dtype, rng):
    out = [Sample((values(dtype, (3, 4), rng), values(dtype, (3, 4), rng),
                   np.array([1, -1, 1])), {"reduction": r, "margin": 0.2}) for r in REDUCTIONS]
    out.append(Sample((values(dtype, (4,), rng), values(dtype, (4,), rng), np.array(-1))))
    return out


def _multi_margin_samples(dtype, rng):
    out = []
    for r in REDUCTIONS:
        for p in (1, 2):
            out.append(Sample((values(dtype, (4, 5), rng, -1, 1), _class_targets(rng, (4,), 5),
                               values(dtype, (5,), rng, 0.5, 2.0)),
                              {"reduction": r, "p": p, "margin": 0.8}))
    out.append(Sample((values(dtype, (5,), rng), np.asarray(2), values(dtype, (5,), rng))))
    return out


def _triplet_samples(dtype, rng):
    out = []
    for r in REDUCTIONS:
        for swap in (False, True):
            out.append(Sample(tuple(values(dtype, (4, 3), rng) for _ in range(3)),
                              {"reduction": r, "swap": swap, "margin": 2.0}))
    return out


def _triplet_p_samples(dtype, rng):
    return _triplet_samples(dtype, rng) + [
        Sample(tuple(values(dtype, (4, 3), rng) for _ in range(3)), {"p": 1}),
        Sample(tuple(values(dtype, (3,), rng) for _ in range(3)), {"eps": 0.1})]


def _log_softmax(a, axis):
    a = a.astype(np.float64)
    m = a.max(axis=axis, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(axis=axis, keepdims=True))


def _ctc_samples(dtype, rng):
    lp = _log_softmax(rng.standard_normal((7, 3, 5)), 2).astype(dtype)
    padded = np.array([[1, 2, 2], [3, 4, 0], [1, 1, 1]])
    il, tl = np.array([7, 6, 7]), np.array([3, 2, 3])
    out = [Sample((lp, padded, il, tl), {"reduction": r}) for r in REDUCTIONS]
    out.append(Sample((lp, np.array([1, 2, 2, 3, 4, 1, 1, 1]), il, tl), {"blank": 0}))
    out.append(Sample((lp, padded, np.array([7, 2, 7]), np.array([3, 2, 3])),
                      {"reduction": "sum", "zero_infinity": True}))
    out.append(Sample((lp, padded, il, np.array([0, 2, 1])), {"blank": 4}))
    out.append(Sample((lp[:, 0], padded[0], np.asarray(7), np.asarray(3)), {}))
    return out


def _top(name):
    def call(lib, *args, **kwargs):
        return getattr(lib, name)(*args, **kwargs)
    return call


def _top_samples(make, reduction_enum):
    def samples(dtype, rng):
        return [Sample(s.args, {}) if reduction_enum is None else Sample(s.args + (
            reduction_enum,), {}) for s in make(dtype, rng)[:1]]
    return samples


OPS = [
    OpInfo("F.l1_loss", F("l1_loss"), _pairs(), dtypes=LOSS_DTYPES),
    OpInfo("F.l1_loss_weight", _weighted("l1_loss"), _pairs(weight=True), dtypes=FLOATS),
    OpInfo("F.mse_loss", F("mse_loss"), _pairs(), dtypes=LOSS_DTYPES),
    OpInfo("F.mse_loss_weight", _weighted("mse_loss"), _pairs(weight=True), dtypes=FLOATS),
    OpInfo("F.huber_loss", F("huber_loss", delta=0.7), _pairs(), dtypes=LOSS_DTYPES),
    OpInfo("F.huber_loss_weight", _weighted("huber_loss"), _pairs(weight=True), dtypes=FLOATS),
    OpInfo("F.smooth_l1_loss", F("smooth_l1_loss", beta=0.6), _pairs(), dtypes=LOSS_DTYPES),
    OpInfo("F.smooth_l1_loss_beta0", F("smooth_l1_loss", beta=0.0), _pairs(), dtypes=FLOATS),
    OpInfo("F.soft_margin_loss", _detached("soft_margin_loss", 1), _soft_margin_samples,
           dtypes=ALL_FLOATS),
    OpInfo("F.binary_cross_entropy", _detached("binary_cross_entropy", 2, "weight"),
           _bce_samples, dtypes=ALL_FLOATS),
    OpInfo("F.binary_cross_entropy_with_logits", _bce_logits, _bce_logits_samples,
           dtypes=ALL_FLOATS),
    OpInfo("F.nll_loss", F("nll_loss"), _nll_samples, dtypes=LOSS_DTYPES),
    OpInfo("F.nll_loss_weight", _weighted("nll_loss"), _weighted_nll_samples, dtypes=FLOATS),
    OpInfo("F.cross_entropy", F("cross_entropy"), _nll_samples, dtypes=LOSS_DTYPES),
    OpInfo("F.cross_entropy_weight", _weighted("cross_entropy"), _weighted_nll_samples,
           dtypes=FLOATS),
    OpInfo("F.cross_entropy_extra", F("cross_entropy"), _ce_extra_samples, dtypes=ALL_FLOATS,
           low_rtol=3e-2),
    OpInfo("F.kl_div", F("kl_div"), _kl_samples, dtypes=ALL_FLOATS),
    OpInfo("F.poisson_nll_loss", F("poisson_nll_loss"), _poisson_samples, dtypes=FLOATS),
    OpInfo("F.gaussian_nll_loss", F("gaussian_nll_loss"), _gaussian_samples, dtypes=FLOATS),
    OpInfo("F.margin_ranking_loss", F("margin_ranking_loss"), _ranking_samples,
           dtypes=ALL_FLOATS),
    OpInfo("F.hinge_embedding_loss", F("hinge_embedding_loss"), _hinge_samples,
           dtypes=ALL_FLOATS),
    OpInfo("F.multilabel_margin_loss", F("multilabel_margin_loss"), _multilabel_samples,
           dtypes=ALL_FLOATS, gradgrad=False),
    OpInfo("F.multilabel_soft_margin_loss", _weighted("multilabel_soft_margin_loss"),
           _multilabel_soft_samples, dtypes=ALL_FLOATS),
    OpInfo("F.cosine_embedding_loss", F("cosine_embedding_loss"), _cosine_samples,
           dtypes=ALL_FLOATS, low_rtol=3e-2),
    OpInfo("F.multi_margin_loss", _weighted("multi_margin_loss"), _multi_margin_samples,
           dtypes=ALL_FLOATS, gradgrad=False),
    OpInfo("F.triplet_margin_loss", F("triplet_margin_loss"), _triplet_p_samples,
           dtypes=FLOATS, rtol=1e-4),
    OpInfo("F.triplet_margin_with_distance_loss", F("triplet_margin_with_distance_loss"),
           _triplet_samples, dtypes=FLOATS, rtol=1e-4),
    OpInfo("F.ctc_loss", F("ctc_loss"), _ctc_samples, dtypes=FLOATS, gradgrad=False,
           noncontiguous=False, rtol=1e-4, atol=1e-5),
    OpInfo("kl_div", _top("kl_div"), _top_samples(_kl_samples, 2), dtypes=FLOATS),
    OpInfo("binary_cross_entropy_with_logits",
           lambda lib, x, t, w, pw, *r: lib.binary_cross_entropy_with_logits(
               x, t, w.detach(), pw.detach(), *r),
           _top_samples(_bce_logits_samples, 1), dtypes=FLOATS),
    OpInfo("hinge_embedding_loss", _top("hinge_embedding_loss"),
           _top_samples(_hinge_samples, None), dtypes=FLOATS),
    OpInfo("margin_ranking_loss", _top("margin_ranking_loss"),
           _top_samples(_ranking_samples, None), dtypes=FLOATS),
    OpInfo("cosine_embedding_loss", _top("cosine_embedding_loss"),
           _top_samples(_cosine_samples, None), dtypes=FLOATS),
    OpInfo("triplet_margin_loss", _top("triplet_margin_loss"),
           _top_samples(_triplet_samples, None), dtypes=FLOATS),
    OpInfo("poisson_nll_loss", lambda lib, x, t: lib.poisson_nll_loss(x, t, True, True, 1e-8, 1),
           _top_samples(_poisson_samples, None), dtypes=FLOATS),
    OpInfo("ctc_loss", _top("ctc_loss"), _top_samples(_ctc_samples, None), dtypes=FLOATS,
           gradgrad=False, noncontiguous=False, rtol=1e-4, atol=1e-5),
]
