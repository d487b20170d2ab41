"""ctc_loss / CTCLoss against torch: target layouts, length formats, blanks, infinite losses,
reductions, gradients (torch's formula), errors and the refused second derivative."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from nn._helpers import same_error, torch

T, N, C = 8, 4, 6
RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((T, N, C))
PADDED = np.array([[1, 2, 2, 5], [3, 4, 0, 0], [1, 1, 1, 0], [5, 3, 0, 0]])
LENGTHS = np.array([4, 2, 3, 1])
INPUTS = np.array([8, 7, 8, 3])


def _case(lib, targets=PADDED, il=INPUTS, tl=LENGTHS, wrap=True, dtype="float64",
          logits=LOGITS, **kwargs):
    x = lib.tensor(logits, dtype=getattr(lib, dtype), requires_grad=True)
    lp = x.log_softmax(-1)
    if wrap:
        il, tl = lib.tensor(il), lib.tensor(tl)
    loss = lib.nn.functional.ctc_loss(lp, lib.tensor(targets), il, tl, **kwargs)
    name = type(loss.grad_fn).__name__
    (g,) = lib.autograd.grad(loss.sum(), x)
    return loss, g, name


def _compare(rtol=1e-7, **kwargs):
    e, t = _case(ember, **kwargs), _case(torch, **kwargs)
    assert e[2] == t[2]
    for a, b in zip(e[:2], t[:2]):
        assert str(b.dtype) == str(a.dtype).replace("ember", "torch")
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol,
                                   atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_reductions(reduction, zero_infinity):
    _compare(reduction=reduction, zero_infinity=zero_infinity)


def test_concatenated_targets():
    flat = np.concatenate([row[:n] for row, n in zip(PADDED, LENGTHS)])
    _compare(targets=flat, reduction="none")


@pytest.mark.parametrize("lengths", ["tuple", "list", "int32"])
def test_length_formats(lengths):
    convert = {"tuple": tuple, "list": list,
               "int32": lambda a: a.astype(np.int32)}[lengths]
    il, tl = convert(INPUTS.tolist() if lengths != "int32" else INPUTS), \
        convert(LENGTHS.tolist() if lengths != "int32" else LENGTHS)
    _compare(il=il, tl=tl, wrap=lengths == "int32", reduction="sum")


def test_blank_and_float32():
    _compare(blank=5, targets=PADDED % 5, dtype="float32", rtol=2e-5)


def test_impossible_alignments():
    """An input too short for its target: inf loss and NaN gradient, or zeros with
    zero_infinity; an empty input with an empty target costs nothing."""
    il = np.array([8, 1, 0, 0])
    tl = np.array([4, 2, 3, 0])
    for zi in (False, True):
        _compare(il=il, tl=tl, reduction="none", zero_infinity=zi)
    _compare(il=il, tl=tl, reduction="mean", zero_infinity=True)


def test_repeated_labels_need_blanks():
    targets = np.array([[2, 2, 2, 0]] * N)
    _compare(targets=targets, il=np.array([5, 4, 8, 6]), tl=np.array([3, 3, 2, 1]),
             reduction="none")


def test_target_equal_to_blank():
    """A target holding the blank label follows torch's arithmetic exactly."""
    targets = PADDED.copy()
    targets[1, 1] = 0
    _compare(targets=targets, reduction="none")


def test_unbatched():
    for kwargs in ({"reduction": "none"}, {"reduction": "mean"}):
        e, t = [_unbatched(lib, **kwargs) for lib in (ember, torch)]
        assert e[2] == t[2]
        for a, b in zip(e[:2], t[:2]):
            assert tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-7)


def _unbatched(lib, **kwargs):
    x = lib.tensor(LOGITS[:, 0], requires_grad=True)
    loss = lib.nn.functional.ctc_loss(x.log_softmax(-1), lib.tensor(PADDED[0]),
                                      lib.tensor(8), lib.tensor(4), **kwargs)
    return loss, lib.autograd.grad(loss.sum(), x)[0], type(loss.grad_fn).__name__


def test_gradient_is_torchs_formula_on_raw_inputs():
    """torch's gradient assumes log_softmax inputs; on raw inputs it is reproduced as is."""
    def case(lib):
        x = lib.tensor(LOGITS, requires_grad=True)
        loss = lib.ctc_loss(x, lib.tensor(PADDED), lib.tensor(INPUTS), lib.tensor(LENGTHS))
        return lib.autograd.grad(loss.sum(), x)[0].numpy()
    np.testing.assert_allclose(case(ember), case(torch), rtol=1e-7, atol=1e-12)


def test_larger_random_batch():
    rng = np.random.default_rng(1)
    t, n, c, s = 30, 6, 12, 9
    targets = rng.integers(1, c, (n, s))
    il = rng.integers(20, t + 1, n)
    tl = rng.integers(0, s + 1, n)
    _compare(logits=rng.standard_normal((t, n, c)), targets=targets, il=il, tl=tl,
             reduction="mean")


def test_module():
    def case(lib):
        m = lib.nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)
        x = lib.tensor(LOGITS, requires_grad=True)
        loss = m(x.log_softmax(-1), lib.tensor(PADDED), lib.tensor(INPUTS), lib.tensor(LENGTHS))
        loss.backward()
        return repr(m).replace("ember", "torch"), loss.item(), x.grad.numpy()
    e, t = case(ember), case(torch)
    assert e[0] == t[0]
    np.testing.assert_allclose(e[1], t[1], rtol=1e-9)
    np.testing.assert_allclose(e[2], t[2], rtol=1e-7, atol=1e-12)


def test_second_derivative_refused():
    def fn(lib):
        x = lib.tensor(LOGITS, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(x.log_softmax(-1), lib.tensor(PADDED),
                                          lib.tensor(INPUTS), lib.tensor(LENGTHS))
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        assert type(g.grad_fn).__name__ in ("NotImplemented", "LogSoftmaxBackwardDataBackward0",
                                            "SubBackward0")
        g.sum().backward()
    same_error(fn)


def _lp(lib, shape=(T, N, C), dtype="float32"):
    return lib.zeros(shape, dtype=getattr(lib, dtype))


ERRORS = {
    "half": lambda F, lib: F.ctc_loss(_lp(lib, dtype="float16"), lib.tensor(PADDED),
                                      lib.tensor(INPUTS), lib.tensor(LENGTHS)),
    "long": lambda F, lib: F.ctc_loss(_lp(lib, dtype="int64"), lib.tensor(PADDED),
                                      lib.tensor(INPUTS), lib.tensor(LENGTHS)),
    "empty": lambda F, lib: F.ctc_loss(_lp(lib, (0, N, C)), lib.tensor(PADDED),
                                       lib.tensor(INPUTS), lib.tensor(LENGTHS)),
    "4d": lambda F, lib: F.ctc_loss(_lp(lib, (1, T, N, C)), lib.tensor(PADDED),
                                    lib.tensor(INPUTS), lib.tensor(LENGTHS)),
    "3d_targets": lambda F, lib: F.ctc_loss(_lp(lib), lib.zeros(N, 2, 2).long(),
                                            lib.tensor(INPUTS), lib.tensor(LENGTHS)),
    "blank": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED), lib.tensor(INPUTS),
                                       lib.tensor(LENGTHS), blank=C),
    "input_lengths_size": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                                    lib.tensor(INPUTS[:3]), lib.tensor(LENGTHS)),
    "target_lengths_size": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                                     lib.tensor(INPUTS), lib.tensor(LENGTHS[:3])),
    "input_too_long": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                                lib.tensor([9, 1, 1, 1]), lib.tensor(LENGTHS)),
    "input_negative": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                                lib.tensor([-1, 1, 1, 1]), lib.tensor(LENGTHS)),
    "target_negative": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                                 lib.tensor(INPUTS), lib.tensor([-1, 1, 1, 1])),
    "target_too_long": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                                 lib.tensor(INPUTS), lib.tensor([5, 1, 1, 1])),
    "padded_batch": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED[:3]),
                                              lib.tensor(INPUTS), lib.tensor(LENGTHS)),
    "concatenated_size": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor([1, 2, 3]),
                                                   lib.tensor(INPUTS), lib.tensor(LENGTHS)),
    "float_lengths": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                               lib.tensor(INPUTS).float(), lib.tensor(LENGTHS)),
    "bool_lengths": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED),
                                              lib.tensor(INPUTS), lib.tensor(LENGTHS) > 0),
    "float_list": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED), [8.0, 7, 8, 3],
                                            [4, 2, 3, 1]),
    "mixed_lengths": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED), [8, 7, 8, 3],
                                               lib.tensor(LENGTHS)),
    "reduction": lambda F, lib: F.ctc_loss(_lp(lib), lib.tensor(PADDED), lib.tensor(INPUTS),
                                           lib.tensor(LENGTHS), reduction="batchmean"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors(case):
    same_error(lambda lib: ERRORS[case](lib.nn.functional, lib),
               exact=case not in ("float_list", "mixed_lengths"))


def test_top_level_signature():
    """torch.ctc_loss takes the reduction enum; its default behaves as none."""
    def fn(lib):
        lp = lib.tensor(LOGITS).log_softmax(-1)
        args = (lp, lib.tensor(PADDED), lib.tensor(INPUTS), lib.tensor(LENGTHS))
        return [lib.ctc_loss(*args).numpy(), lib.ctc_loss(*args, 0, 1).numpy(),
                lib.ctc_loss(*args, 0, 2, True).numpy()]
    for a, b in zip(fn(ember), fn(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-9)
    assert not hasattr(ember.Tensor, "ctc_loss")
