"""The smaller torch.* and Tensor API: *_copy view ops, unsafe splits, legacy norms,
constants and settings, removed functions, Tensor odds and ends — against torch."""
from __future__ import annotations

import warnings

import pytest

import ember
from tests.parity import assert_same, same_error

torch = pytest.importorskip("torch")

COPIES = ["alias_copy(x)", "t_copy(x)", "expand_copy(x, (2, 2, 3))", "view_copy(x, (3, 2))",
          "select_copy(x, 0, 1)", "diagonal_copy(x)", "slice_copy(x, 1, 0, 2)",
          "permute_copy(x, (1, 0))", "transpose_copy(x, 0, 1)", "squeeze_copy(x[None])",
          "unsqueeze_copy(x, 1)", "unfold_copy(x, 1, 2, 1)", "as_strided_copy(x, (2,), (2,))",
          "unbind_copy(x)", "split_copy(x, 1)", "split_with_sizes_copy(x, [1, 2], 1)",
          "unsafe_split(x, 1)", "unsafe_chunk(x, 2, 1)", "unsafe_split_with_sizes(x, [2, 1], 1)",
          "pdist(x)", "pdist(x, p=1)", "frobenius_norm(x, (0, 1))", "nuclear_norm(x)",
          "fill(x, 2.5)", "detach(x)", "resolve_neg(x)"]


def _run(lib, expr):
    x = lib.arange(6.0, dtype=lib.float64).view(2, 3).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = eval("lib." + expr)
    first = out[0] if isinstance(out, tuple) else out
    if first.requires_grad:
        first.sum().backward()
    return out, x.grad


@pytest.mark.parametrize("expr", COPIES)
def test_functions_match_torch(expr):
    (eo, eg), (to, tg) = _run(ember, expr), _run(torch, expr)
    assert_same(eo, to)
    if tg is not None:
        assert_same(eg, tg, check_grad_fn=expr.startswith(("pdist", "frob", "nuc")) is False)
    if not isinstance(to, tuple) and expr.endswith("_copy"):
        assert eo.is_contiguous() and eo._base is None


def test_unsafe_split_pieces_allow_inplace():
    def run(lib):
        x = lib.arange(4.0, requires_grad=True)
        piece = lib.unsafe_chunk(x * 1, 2)[0]
        piece.mul_(2)
        return piece
    assert_same(run(ember), run(torch))


@pytest.mark.parametrize("expr", [
    "lib.pi", "lib.e", "lib.inf", "lib.newaxis", "str(lib.legacy_contiguous_format)[-17:]",
    "lib.unravel_index(lib.tensor([[4], [7]]), (3, 3))[0].tolist()",
    "lib.unravel_index(lib.tensor(5), 4)[0].item()",
    "lib.empty_permuted((2, 3, 4), (2, 0, 1)).stride()",
    "lib.frombuffer(bytearray(b'abcdefgh'), dtype=lib.int16, count=2, offset=2).tolist()",
    "lib.get_float32_matmul_precision()", "lib.is_neg(lib.ones(1))",
    "lib.is_signed(lib.ones(1, dtype=lib.uint8))", "lib.get_device(lib.ones(1))",
    "lib.is_anomaly_enabled()", "lib.ones(2).is_xla", "lib.ones(2).output_nr",
    "lib.ones(2).dense_dim()", "lib.ones(2).is_nonzero() if False else lib.ones(1).is_nonzero()",
    "lib.ones(5, 2).fill_diagonal_(7, wrap=True).tolist()",
    "lib.arange(9.).view(3, 3).fill_diagonal_(-1).tolist()",
    "lib.ones(2).map2_(lib.ones(2) * 2, lib.ones(2) * 3, lambda a, b, c: a + b * c).tolist()",
    "lib.arange(6.).resize(3, 2).tolist()", "type(lib.ones(2).as_subclass(lib.nn.Parameter))"
    ".__name__", "lib.get_device_module().__name__.split('.')[-1]",
])
def test_values_match_torch(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert eval(expr, {"lib": ember}) == eval(expr, {"lib": torch})


@pytest.mark.parametrize("expr", ["eig(x)", "lstsq(x, x)", "solve(x, x)", "matrix_rank(x)",
                                  "arange(3.).resize(2)",
                                  "unravel_index(x, (2, 2))", "pdist(x[0])"])
def test_errors_match_torch(expr):
    same_error(lambda: eval("ember." + expr, {"ember": ember, "x": ember.ones(2, 2)}),
               lambda: eval("torch." + expr, {"torch": torch, "x": torch.ones(2, 2)}))


def test_anomaly_and_precision_settings_round_trip():
    ember.set_anomaly_enabled(True, check_nan=False)
    assert ember.is_anomaly_enabled() and not ember.is_anomaly_check_nan_enabled()
    ember.set_anomaly_enabled(False)
    ember.set_float32_matmul_precision("medium")
    assert ember.get_float32_matmul_precision() == "medium"
    ember.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError):
        ember.set_float32_matmul_precision("fast")


def test_data_parallel_without_cuda_runs_the_module():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.DataParallel(lib.nn.Linear(2, 3))
        return (repr(m).replace("ember.", "torch."), m.device_ids, list(m.state_dict()),
                m(lib.ones(1, 2)).tolist())
    assert run(ember) == run(torch)


@pytest.mark.parametrize("kwargs", [{"dtype": "d"}, {"device": "cpu", "factory_kwargs":
                                                     {"dtype": "d"}}, {"bad": 1},
                                    {"dtype": "d", "factory_kwargs": {"dtype": "d"}}])
def test_factory_kwargs(kwargs):
    def run(lib):
        try:
            return lib.nn.factory_kwargs(kwargs)
        except TypeError as e:
            return str(e)
    assert run(ember) == run(torch)


def test_container_and_removed_methods():
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
        c = ember.nn.Container(a=ember.nn.ReLU())
    assert list(dict(c.named_children())) == ["a"]
    same_error(lambda: ember.ones(2, 2).solve(ember.ones(2, 2)),
               lambda: torch.ones(2, 2).solve(torch.ones(2, 2)))
    assert_same(ember.nn.functional.pdist(ember.arange(6.0).view(3, 2)),
                torch.nn.functional.pdist(torch.arange(6.0).view(3, 2)))
