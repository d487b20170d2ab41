"""Joining, splitting, reordering and triangle ops: errors, out=, views vs copies (storage,
strides, offsets), grad_fn names, warnings and round trips, against torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity import assert_same, ember, same_error, torch


def both(fn):
    return fn(ember), fn(torch)


def _x(L, *shape):
    shape = shape or (2, 3)
    return L.arange(float(np.prod(shape))).reshape(shape)


ERRORS = {
    "cat_empty_list": lambda L: L.cat([]),
    "cat_tensor_arg": lambda L: L.cat(_x(L)),
    "cat_non_tensor": lambda L: L.cat([_x(L), 1]),
    "cat_zero_dim": lambda L: L.cat([_x(L), L.tensor(1.)]),
    "cat_sizes": lambda L: L.cat([_x(L), _x(L, 3, 2)]),
    "cat_sizes_dim1": lambda L: L.cat([_x(L), _x(L, 3, 2)], dim=1),
    "cat_ndim": lambda L: L.cat([_x(L), _x(L, 3)]),
    "cat_dim": lambda L: L.cat([_x(L), _x(L)], dim=2),
    "cat_out_cast": lambda L: L.cat([_x(L), _x(L)], out=L.empty(0, dtype=L.long)),
    "stack_empty": lambda L: L.stack([]),
    "stack_sizes": lambda L: L.stack([_x(L), _x(L, 3, 2)]),
    "stack_dim": lambda L: L.stack([_x(L), _x(L)], dim=3),
    "stack_out_cast": lambda L: L.stack([_x(L)], out=L.empty(0, dtype=L.long)),
    "hstack_empty": lambda L: L.hstack([]),
    "vstack_empty": lambda L: L.vstack([]),
    "column_stack_empty": lambda L: L.column_stack([]),
    "chunk_zero": lambda L: L.chunk(_x(L), 0),
    "chunk_0d": lambda L: L.chunk(L.tensor(1.), 2),
    "split_zero": lambda L: L.split(_x(L), 0),
    "split_negative": lambda L: L.split(_x(L), -1),
    "split_0d": lambda L: L.split(L.tensor(1.), 1),
    "split_sizes_sum": lambda L: L.split(_x(L), [1, 2]),
    "split_sizes_negative": lambda L: L.split(_x(L), [3, -1]),
    "tensor_split_zero": lambda L: L.tensor_split(_x(L), 0),
    "tensor_split_0d": lambda L: L.tensor_split(L.tensor(1.), 1),
    "tensor_split_float": lambda L: L.tensor_split(_x(L), L.tensor([1.])),
    "tensor_split_2d": lambda L: L.tensor_split(_x(L), L.tensor([[1]])),
    "hsplit_0d": lambda L: L.hsplit(L.tensor(1.), 1),
    "hsplit_divisible": lambda L: L.hsplit(_x(L, 4, 6), 4),
    "vsplit_1d": lambda L: L.vsplit(_x(L, 4), 2),
    "vsplit_divisible": lambda L: L.vsplit(_x(L, 3, 2), 2),
    "dsplit_2d": lambda L: L.dsplit(_x(L), 2),
    "unbind_0d": lambda L: L.unbind(L.tensor(1.)),
    "unbind_dim": lambda L: L.unbind(_x(L), 2),
    "flip_int": lambda L: L.flip(_x(L), 1),
    "flip_repeat": lambda L: L.flip(_x(L), [0, 0]),
    "flip_dim": lambda L: L.flip(_x(L), [2]),
    "fliplr_1d": lambda L: L.fliplr(_x(L, 3)),
    "flipud_0d": lambda L: L.flipud(L.tensor(1.)),
    "rot90_dims": lambda L: L.rot90(_x(L), 1, [0]),
    "rot90_1d": lambda L: L.rot90(_x(L, 3)),
    "rot90_same": lambda L: L.rot90(_x(L), 1, [0, -2]),
    "rot90_range": lambda L: L.rot90(_x(L), 1, [0, 2]),
    "roll_align": lambda L: L.roll(_x(L), (1, 2), (0,)),
    "roll_no_shifts": lambda L: L.roll(_x(L), (), ()),
    "roll_0d_dim": lambda L: L.roll(L.tensor(1.), 1, 0),
    "repeat_few": lambda L: _x(L).repeat(2),
    "repeat_negative": lambda L: _x(L).repeat(-1, 1),
    "tile_negative": lambda L: L.tile(_x(L), (-1,)),
    "repeat_interleave_negative": lambda L: _x(L).repeat_interleave(-1),
    "repeat_interleave_len": lambda L: _x(L).repeat_interleave(L.tensor([1, 2, 3]), 0),
    "repeat_interleave_neg_tensor": lambda L: _x(L).repeat_interleave(L.tensor([1, -2]), 0),
    "repeat_interleave_float": lambda L: _x(L).repeat_interleave(L.tensor([1., 2.]), 0),
    "repeat_interleave_output_size": lambda L: _x(L).repeat_interleave(2, 0, output_size=5),
    "repeat_interleave_index_2d": lambda L: L.repeat_interleave(L.tensor([[1, 2]])),
    "repeat_interleave_index_size": lambda L: L.repeat_interleave(L.tensor([1, 2]),
                                                                  output_size=4),
    "narrow_copy_0d": lambda L: L.tensor(1.).narrow_copy(0, 0, 1),
    "narrow_copy_start": lambda L: _x(L).narrow_copy(1, 4, 1),
    "narrow_copy_length": lambda L: _x(L).narrow_copy(1, 2, 2),
    "narrow_copy_out": lambda L: L.narrow_copy(_x(L), 1, 0, 1, out=L.empty(0).double()),
    "diag_3d": lambda L: L.diag(_x(L, 2, 2, 2)),
    "diag_0d": lambda L: L.diag(L.tensor(1.)),
    "diag_out": lambda L: L.diag(_x(L), out=L.empty(0).long()),
    "diag_embed_same": lambda L: L.diag_embed(_x(L), 0, 1, 1),
    "diag_embed_0d": lambda L: L.diag_embed(L.tensor(1.)),
    "tril_1d": lambda L: L.tril(_x(L, 3)),
    "triu_1d": lambda L: _x(L, 3).triu_(),
    "tril_out": lambda L: L.tril(_x(L), out=L.empty(0).double()),
    "tril_indices_float": lambda L: L.tril_indices(3, 3, dtype=L.float32),
    "tril_indices_row": lambda L: L.tril_indices(-1, 3),
    "block_diag_3d": lambda L: L.block_diag(_x(L), _x(L, 1, 1, 1)),
    "cartesian_prod_2d": lambda L: L.cartesian_prod(_x(L)),
    "cartesian_prod_dtype": lambda L: L.cartesian_prod(_x(L, 2), L.tensor([1, 2])),
    "combinations_2d": lambda L: L.combinations(_x(L)),
    "combinations_negative": lambda L: L.combinations(_x(L, 3), -1),
    "meshgrid_indexing": lambda L: L.meshgrid(_x(L, 3), indexing="foo"),
    "meshgrid_empty": lambda L: L.meshgrid([], indexing="ij"),
    "meshgrid_2d": lambda L: L.meshgrid(_x(L), indexing="ij"),
    "broadcast_to": lambda L: L.broadcast_to(_x(L, 3), (2, 4)),
    "broadcast_tensors": lambda L: L.broadcast_tensors(_x(L, 3), _x(L, 2)),
    "broadcast_tensors_list": lambda L: L.broadcast_tensors([_x(L, 3)]),
    "broadcast_shapes": lambda L: L.broadcast_shapes((2,), (3,)),
    "broadcast_shapes_negative": lambda L: L.broadcast_shapes((-1,), (3,)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    f = ERRORS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda: f(ember), lambda: f(torch), prefix_len=60)


OUT_OPS = {
    "cat": lambda L, out: L.cat([_x(L), L.ones(1, 3, dtype=L.long)], out=out),
    "concat": lambda L, out: L.concat([_x(L), _x(L)], dim=1, out=out),
    "stack": lambda L, out: L.stack([_x(L), _x(L)], 2, out=out),
    "hstack": lambda L, out: L.hstack([_x(L), _x(L)], out=out),
    "vstack": lambda L, out: L.vstack([_x(L, 3), _x(L, 3)], out=out),
    "row_stack": lambda L, out: L.row_stack([_x(L, 3), _x(L, 3)], out=out),
    "dstack": lambda L, out: L.dstack([_x(L), _x(L)], out=out),
    "column_stack": lambda L, out: L.column_stack([_x(L, 2), _x(L)], out=out),
    "narrow_copy": lambda L, out: L.narrow_copy(_x(L), 1, 1, 2, out=out),
    "diag": lambda L, out: L.diag(_x(L, 3), 1, out=out),
    "tril": lambda L, out: L.tril(_x(L), out=out),
    "triu": lambda L, out: L.triu(_x(L), -1, out=out),
}


@pytest.mark.parametrize("name", sorted(OUT_OPS))
def test_out(name):
    eo, to = both(lambda L: L.empty(0))
    er, tr = OUT_OPS[name](ember, eo), OUT_OPS[name](torch, to)
    assert er is eo and tr is to
    assert_same(eo, to)


def test_cat_out_of_wider_dtype():
    eo, to = both(lambda L: L.empty(0, dtype=L.float64))
    ember.cat([_x(ember), _x(ember)], out=eo)
    torch.cat([_x(torch), _x(torch)], out=to)
    assert_same(eo, to)


SPLITS = {
    "chunk": lambda x: x.chunk(3, 1),
    "chunk_empty": lambda x: x[:, :0].chunk(2, 1),
    "split": lambda x: x.split(2, 1),
    "split_sizes": lambda x: x.split([1, 0, 4], 1),
    "split_with_sizes": lambda x: x.split_with_sizes([2, 3], 1),
    "unbind": lambda x: x.unbind(1),
    "unbind_0": lambda x: x.unbind(),
    "tensor_split": lambda x: x.tensor_split(3, 1),
    "tensor_split_indices": lambda x: x.tensor_split([1, 3], 1),
    "hsplit": lambda x: x.hsplit([2]),
    "vsplit": lambda x: x.vsplit(2),
    "transposed_split": lambda x: x.t().split(2),
    "transposed_unbind": lambda x: x.t()[1:].unbind(1),
}


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_split_pieces_are_views(name):
    f = SPLITS[name]
    outs = []
    for L in (ember, torch):
        base = L.arange(20.).reshape(4, 5)
        pieces = f(base)
        assert isinstance(pieces, tuple)
        outs.append((base, pieces))
    (eb, ep), (tb, tp) = outs
    assert len(ep) == len(tp)
    for e, t in zip(ep, tp):
        assert_same(e, t, check_grad_fn=False)
        assert e.stride() == t.stride()
        if t.numel():
            assert e.storage_offset() == t.storage_offset()
            assert e.untyped_storage().data_ptr() == eb.untyped_storage().data_ptr()
        assert (e._base is eb) == (t._base is tb)
    piece = next((p for p in ep if p.numel()), None)
    if piece is not None:
        piece.fill_(-1)
        assert (eb == -1).sum().item() == piece.numel()


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_split_grad_fn_and_partial_backward(name):
    f = SPLITS[name]
    res = []
    for L in (ember, torch):
        x = L.arange(20., requires_grad=True)
        pieces = f(x.reshape(4, 5))
        names = [type(p.grad_fn).__name__ for p in pieces]
        nrs = [p.output_nr if hasattr(p, "output_nr") else p._output_nr for p in pieces]
        used = [p for p in pieces if p.numel()][:1]
        grad = L.autograd.grad((used[0] * 3).sum(), x)[0] if used else None
        res.append((names, nrs, grad))
    (en, enr, eg), (tn, tnr, tg) = res
    assert en == tn
    assert enr == tnr
    if tg is not None:
        assert_same(eg, tg, check_grad_fn=False)


COPIES = {
    "flip": lambda x: x.flip(0),
    "flip_transposed": lambda x: x.t().flip(0, 1),
    "fliplr": lambda x: x.fliplr(),
    "rot90": lambda x: x.rot90(),
    "rot90_2": lambda x: x.rot90(2),
    "rot90_3": lambda x: x.rot90(3, [1, 0]),
    "rot90_0_transposed": lambda x: x.t().rot90(0),
    "roll": lambda x: x.t().roll(1, 0),
    "repeat": lambda x: x.t().repeat(1, 2),
    "tile": lambda x: x.tile(2),
    "repeat_interleave": lambda x: x.repeat_interleave(2, 1),
    "narrow_copy": lambda x: x.t().narrow_copy(0, 1, 2),
    "tril_transposed": lambda x: x.t().tril(),
    "diag": lambda x: x.t().diag(),
    "cat": lambda x: torch_or_ember(x).cat([x.t(), x.t()]),
}


def torch_or_ember(x):
    return torch if isinstance(x, torch.Tensor) else ember


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copies_own_storage_with_torch_strides(name):
    f = COPIES[name]
    e, t = both(lambda L: f(L.arange(12.).reshape(3, 4)))
    assert_same(e, t, check_grad_fn=False)
    assert e.stride() == t.stride()
    assert (e._base is None) == (t._base is None)
    assert e._base is None or e._base._base is None     # at most a view of a fresh copy


def test_views_of_joins_and_broadcasts():
    for L in (ember, torch):
        v = L.tensor([1., 2., 3.])
        grids = L.meshgrid(v, L.tensor([4., 5.]), indexing="xy")
        assert [g.stride() for g in grids] == [(0, 1), (1, 0)]
        assert L.broadcast_tensors(v, v)[0] is v
        assert L.atleast_1d(v) is v and L.atleast_2d(v).shape == (1, 3)
        assert L.cartesian_prod(v) is v
        x = L.arange(6.).reshape(2, 3)
        assert x.ravel()._base is x._base and x.t().ravel()._base is not x._base


def test_meshgrid_warns_without_indexing():
    for L in (ember, torch):
        with pytest.warns(UserWarning, match="it will be required to pass the indexing"):
            L.meshgrid(L.ones(2), L.ones(3))


GRAD_FN = {
    "cat": lambda L, x: L.cat([x, x * 2]),
    "stack": lambda L, x: L.stack([x, x]),
    "hstack": lambda L, x: L.hstack([x, x]),
    "flip": lambda L, x: x.flip(0),
    "rot90": lambda L, x: x.rot90(),
    "roll": lambda L, x: x.roll(1),
    "tile": lambda L, x: x.tile(2),
    "repeat": lambda L, x: x.repeat(2, 1),
    "repeat_interleave": lambda L, x: x.repeat_interleave(2),
    "repeat_interleave_tensor": lambda L, x: x.repeat_interleave(L.tensor([1, 2, 0]), 0),
    "narrow_copy": lambda L, x: x.narrow_copy(0, 1, 2),
    "diag_1d": lambda L, x: L.diag(x[0]),
    "diag_2d": lambda L, x: L.diag(x),
    "diag_embed": lambda L, x: L.diag_embed(x),
    "diagflat": lambda L, x: L.diagflat(x),
    "tril": lambda L, x: x.tril(),
    "triu": lambda L, x: x.triu(1),
    "block_diag": lambda L, x: L.block_diag(x, x[0]),
    "cartesian_prod": lambda L, x: L.cartesian_prod(x[0], x[1]),
    "combinations": lambda L, x: L.combinations(x[0], with_replacement=True),
    "broadcast_to": lambda L, x: L.broadcast_to(x, (2, 3, 4)),
    "atleast_3d": lambda L, x: L.atleast_3d(x[0]),
    "ravel": lambda L, x: x.t().ravel(),
}


@pytest.mark.parametrize("name", sorted(GRAD_FN))
def test_grad_fn_names(name):
    e, t = both(lambda L: GRAD_FN[name](L, L.arange(12., requires_grad=True).reshape(3, 4)))
    assert_same(e, t)


@pytest.mark.parametrize("op", ["tril_", "triu_"])
def test_triangle_inplace(op):
    res = []
    for L in (ember, torch):
        x = L.arange(12., requires_grad=True)
        y = x.reshape(3, 4).t() * 1
        r = getattr(y, op)(1)
        assert r is y
        res.append((y, L.autograd.grad(y.sum(), x)[0]))
    assert_same(res[0][0], res[1][0])
    assert res[0][0].stride() == res[1][0].stride()
    assert_same(res[0][1], res[1][1], check_grad_fn=False)


def test_unbind_iteration_and_stack_backward():
    grads = []
    for L in (ember, torch):
        x = L.arange(6., requires_grad=True)
        rows = list(x.reshape(2, 3))
        assert [type(r.grad_fn).__name__ for r in rows] == ["UnbindBackward0"] * 2
        y = L.stack(rows[::-1], 1)
        assert type(y.grad_fn).__name__ == "StackBackward0"
        grads.append(L.autograd.grad((y * L.arange(6.).reshape(3, 2)).sum(), x)[0])
    assert_same(*grads, check_grad_fn=False)


# --- round trips --------------------------------------------------------------------------
ROUND = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _shape_and_dim(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim)))
    return shape, draw(st.integers(-ndim, ndim - 1))


@ROUND
@given(_shape_and_dim(), st.integers(1, 5), st.sampled_from(["split", "chunk", "sizes"]))
def test_split_then_cat_round_trip(case, n, how):
    shape, dim = case
    data = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    size = shape[dim]
    results = []
    for L in (ember, torch):
        x = L.tensor(data)
        if how == "split":
            pieces = x.split(n, dim) if size or n else x.split(0, dim)
        elif how == "chunk":
            pieces = x.chunk(n, dim)
        else:
            cuts = sorted(np.random.default_rng(size + n).integers(0, size + 1, n - 1).tolist())
            pieces = x.split([b - a for a, b in zip([0] + cuts, cuts + [size])], dim)
        results.append((pieces, L.cat(pieces, dim)))
    (ep, ec), (tp, tc) = results
    assert len(ep) == len(tp)
    for e, t in zip(ep, tp):
        assert_same(e, t, check_grad_fn=False)
    assert_same(ec, tc, check_grad_fn=False)
    np.testing.assert_array_equal(ec.numpy(), data)


@ROUND
@given(_shape_and_dim(), st.integers(1, 4))
def test_stack_then_unbind_round_trip(case, count):
    shape, _ = case
    rng = np.random.default_rng(count)
    arrays = [rng.standard_normal(shape) for _ in range(count)]
    dim = count % (len(shape) + 1)
    results = []
    for L in (ember, torch):
        s = L.stack([L.tensor(a) for a in arrays], dim)
        results.append((s, s.unbind(dim), L.cat([L.tensor(a) for a in arrays], dim % len(shape))))
    (es, eu, ec), (ts, tu, tc) = results
    assert_same(es, ts, check_grad_fn=False)
    assert_same(ec, tc, check_grad_fn=False)
    for e, t, a in zip(eu, tu, arrays):
        assert_same(e, t, check_grad_fn=False)
        np.testing.assert_array_equal(e.numpy(), a)
