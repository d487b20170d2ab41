"""Op table entries for joining, splitting, reordering, repeating, triangles/diagonals and
broadcasting helpers."""
from __future__ import annotations

import numpy as np

from opdb import ALL, FLOATS, OpInfo, Sample, values

OPS: list[OpInfo] = []
# variants of an op already covered for every dtype: a few dtypes keep the suite fast
FEW = ("float32", "float64", "int64", "bool")


def _add(*infos):
    OPS.extend(infos)


def _s(*shapes, **kwargs):
    """Samples of one array per shape (each sample is one tuple of shapes)."""
    def make(dtype, rng):
        return [Sample(tuple(values(dtype, s, rng) for s in group), dict(kwargs))
                for group in shapes]
    return make


def _cat_samples(dtype, rng):
    v = values
    return [Sample((v(dtype, (2, 3), rng), v(dtype, (4, 3), rng)), {"dim": 0}),
            Sample((v(dtype, (2, 3), rng), v(dtype, (2, 1), rng), v(dtype, (2, 0), rng)),
                   {"dim": -1}),
            Sample((v(dtype, (2, 3), rng), v(dtype, (0,), rng), v(dtype, (1, 3), rng)), {}),
            Sample((v(dtype, (0,), rng), v(dtype, (0,), rng)), {}),
            Sample((v(dtype, (5,), rng),), {}),
            Sample((v(dtype, (2, 3, 4), rng), v(dtype, (2, 2, 4), rng)), {"dim": 1})]


def _promote_samples(dtype, rng):
    other = "float64" if dtype != "float64" else "int32"
    return [Sample((values(dtype, (2, 3), rng), values(other, (2, 3), rng))),
            Sample((values(dtype, (2, 3), rng), values("bool", (2, 3), rng)))]


_STACK = _s(((2, 3), (2, 3)), ((3,), (3,), (3,)), ((), ()), ((2, 0), (2, 0)))
_H = _s(((2, 3), (2, 1)), ((3,), (2,)), ((), ()), ((2, 3, 2), (2, 1, 2)))
_V = _s(((2, 3), (1, 3)), ((3,), (3,)), ((), ()), ((2, 3, 2), (1, 3, 2)))
_D = _s(((2, 3), (2, 3)), ((3,), (3,)), ((), ()), ((2, 3, 2), (2, 3, 1)))

_add(
    OpInfo("cat", lambda lib, *ts, **kw: lib.cat(list(ts), **kw), _cat_samples),
    OpInfo("cat_promote", lambda lib, *ts: lib.cat(ts), _promote_samples, dtypes=ALL[:-1]),
    OpInfo("concat", lambda lib, *ts, **kw: lib.concat(list(ts), **kw), _cat_samples,
           dtypes=FEW),
    OpInfo("concatenate_axis", lambda lib, a, b: lib.concatenate((a, b), axis=1),
           _s(((2, 3), (2, 1))), dtypes=FLOATS),
    OpInfo("stack", lambda lib, *ts: lib.stack(ts), _STACK),
    OpInfo("stack_dim", lambda lib, *ts: lib.stack(ts, dim=-1), _STACK, dtypes=FEW),
    OpInfo("stack_promote", lambda lib, *ts: lib.stack(ts, 1), _promote_samples,
           dtypes=ALL[:-1]),
    OpInfo("hstack", lambda lib, *ts: lib.hstack(ts), _H),
    OpInfo("vstack", lambda lib, *ts: lib.vstack(ts), _V),
    OpInfo("row_stack", lambda lib, *ts: lib.row_stack(ts), _V, dtypes=FEW),
    OpInfo("dstack", lambda lib, *ts: lib.dstack(ts), _D, dtypes=FEW),
    OpInfo("column_stack", lambda lib, *ts: lib.column_stack(ts),
           _s(((3,), (3, 2)), ((), ()), ((2, 3), (2, 1))), dtypes=FEW),
    OpInfo("block_diag", lambda lib, *ts: lib.block_diag(*ts),
           _s(((2, 3), (3,), ()), ((0, 2), (2, 2)), ((1, 1),))),
    OpInfo("cartesian_prod", lambda lib, *ts: lib.cartesian_prod(*ts),
           _s(((3,), (2,)), ((2,), (0,), (3,)), ((4,),))),
    OpInfo("combinations", lambda lib, x: lib.combinations(x), _s(((4,),), ((1,),), ((0,),))),
    OpInfo("combinations_r3", lambda lib, x: lib.combinations(x, 3, with_replacement=True),
           _s(((3,),)), dtypes=FEW),
    OpInfo("meshgrid_ij", lambda lib, *ts: lib.meshgrid(*ts, indexing="ij"),
           _s(((3,), (2,)), ((3,), (), (2,)), ((4,),))),
    OpInfo("meshgrid_xy", lambda lib, *ts: lib.meshgrid(list(ts), indexing="xy"),
           _s(((3,), (2,)), ((3,), (2,), (4,)), ((4,),)), dtypes=FEW),
)

_SPLIT = _s(((7, 3),), ((6,),), ((0, 2),))
_add(
    OpInfo("chunk", lambda lib, x: lib.chunk(x, 3), _SPLIT),
    OpInfo("chunk_dim", lambda lib, x: x.chunk(2, -1), _s(((3, 5),), ((2, 0),)), dtypes=FEW),
    OpInfo("split_int", lambda lib, x: lib.split(x, 2), _SPLIT),
    OpInfo("split_method", lambda lib, x: x.split(4, 0), _SPLIT, dtypes=FEW),
    OpInfo("split_sizes", lambda lib, x: x.split([1, 0, 3], 1), _s(((2, 4),), ((0, 4),))),
    OpInfo("split_with_sizes", lambda lib, x: x.split_with_sizes((2, 2)), _s(((4, 3),)),
           dtypes=FEW),
    OpInfo("unbind", lambda lib, x: lib.unbind(x, 1), _s(((2, 3),), ((2, 3, 4),), ((4, 0),))),
    OpInfo("unbind_0", lambda lib, x: x.unbind(), _s(((3,),), ((2, 2),)), dtypes=FEW),
    OpInfo("tensor_split_n", lambda lib, x: lib.tensor_split(x, 3), _SPLIT),
    OpInfo("tensor_split_idx", lambda lib, x: x.tensor_split([1, 5, 2, -1], dim=0), _SPLIT,
           dtypes=FEW),
    OpInfo("hsplit", lambda lib, x: lib.hsplit(x, 2), _s(((3, 4),), ((6,),)), dtypes=FEW),
    OpInfo("vsplit", lambda lib, x: lib.vsplit(x, [1]), _s(((3, 4),)), dtypes=FEW),
    OpInfo("dsplit", lambda lib, x: lib.dsplit(x, 2), _s(((2, 3, 4),)), dtypes=FEW),
)

_add(
    OpInfo("flip", lambda lib, x: lib.flip(x, (0, -1)), _s(((3, 4),), ((2, 3, 4),))),
    OpInfo("flip_method", lambda lib, x: x.flip(1), _s(((3, 4),), ((2, 3, 4),)), dtypes=FEW),
    OpInfo("flip_none", lambda lib, x: x.flip([]), _s(((3, 4),), ((),)), dtypes=FEW),
    OpInfo("fliplr", lambda lib, x: lib.fliplr(x), _s(((3, 4),), ((2, 3, 4),)), dtypes=FEW),
    OpInfo("flipud", lambda lib, x: lib.flipud(x), _s(((3, 4),), ((5,),)), dtypes=FEW),
    OpInfo("roll", lambda lib, x: lib.roll(x, 1), _s(((3, 4),), ((5,),), ((),))),
    OpInfo("roll_dims", lambda lib, x: lib.roll(x, (2, -1), (0, 1)), _s(((3, 4),), ((2, 3, 1),))),
    OpInfo("roll_dim", lambda lib, x: x.roll(-7, -1), _s(((3, 4),), ((0, 2),)), dtypes=FEW),
    OpInfo("tile", lambda lib, x: lib.tile(x, (2, 1)), _s(((3, 4),), ((3,),), ((),), ((2, 1, 2),))),
    OpInfo("tile_method", lambda lib, x: x.tile(2), _s(((3, 4),),), dtypes=FEW),
    OpInfo("repeat", lambda lib, x: x.repeat(2, 1, 3), _s(((3, 4),), ((2,),), ((),), ((1, 2, 1),))),
    OpInfo("repeat_zero", lambda lib, x: x.repeat((0, 2)), _s(((3, 4),),), dtypes=FEW),
    OpInfo("repeat_interleave", lambda lib, x: lib.repeat_interleave(x, 2),
           _s(((3, 4),), ((),), ((0,),))),
    OpInfo("repeat_interleave_dim", lambda lib, x: x.repeat_interleave(3, dim=1),
           _s(((2, 3),),), dtypes=FEW),
    OpInfo("repeat_interleave_tensor", lambda lib, x, r: x.repeat_interleave(r, dim=0),
           lambda d, r: [Sample((values(d, (3, 2), r), np.array([2, 0, 1]))),
                         Sample((values(d, (3, 2), r), np.array([2])))]),
    OpInfo("narrow_copy", lambda lib, x: lib.narrow_copy(x, 1, 1, 2), _s(((3, 4),), ((2, 3, 4),))),
    # torch's NarrowCopyBackward0 fails for a negative start (a torch bug ember does not copy)
    OpInfo("narrow_copy_neg", lambda lib, x: x.narrow_copy(-1, -3, 3), _s(((3, 4),)),
           grad=False, gradgrad=False, dtypes=FEW),
)

for _k in (0, 1, 2, 3, -1, 5):
    _add(OpInfo(f"rot90_{_k}", lambda lib, x, k=_k: lib.rot90(x, k),
                _s(((3, 4),), ((2, 3, 4),)), dtypes=ALL if _k == 1 else FEW))
_add(OpInfo("rot90_dims", lambda lib, x: x.rot90(1, [2, 0]), _s(((2, 3, 4),)), dtypes=FEW))

_add(
    OpInfo("tril", lambda lib, x: lib.tril(x), _s(((3, 4),), ((2, 3, 3),), ((4, 2),))),
    OpInfo("tril_k", lambda lib, x: x.tril(-1), _s(((3, 4),), ((2, 3, 3),)), dtypes=FEW),
    OpInfo("triu", lambda lib, x: lib.triu(x), _s(((3, 4),), ((2, 3, 3),), ((4, 2),))),
    OpInfo("triu_k", lambda lib, x: x.triu(2), _s(((3, 4),), ((2, 0, 3),)), dtypes=FEW),
    OpInfo("diag_1d", lambda lib, x: lib.diag(x), _s(((3,),), ((0,),))),
    OpInfo("diag_1d_k", lambda lib, x: lib.diag(x, -2), _s(((3,),),), dtypes=FEW),
    OpInfo("diag_2d", lambda lib, x: lib.diag(x), _s(((3, 4),), ((4, 2),))),
    OpInfo("diag_2d_k", lambda lib, x: x.diag(1), _s(((3, 4),), ((2, 2),)), dtypes=FEW),
    OpInfo("diag_embed", lambda lib, x: lib.diag_embed(x), _s(((2, 3),), ((3,),))),
    OpInfo("diag_embed_args", lambda lib, x: lib.diag_embed(x, 1, 0, 2), _s(((2, 3),)), dtypes=FEW),
    OpInfo("diag_embed_neg", lambda lib, x: x.diag_embed(-1, -1, 0), _s(((2, 3),)), dtypes=FEW),
    OpInfo("diagflat", lambda lib, x: lib.diagflat(x), _s(((2, 2),), ((),), ((3,),))),
    OpInfo("diagflat_k", lambda lib, x: x.diagflat(1), _s(((2, 2),)), dtypes=FEW),
)

_add(
    OpInfo("broadcast_to", lambda lib, x: lib.broadcast_to(x, (2, 3, 4)),
           _s(((3, 1),), ((4,),), ((),))),
    OpInfo("broadcast_to_method", lambda lib, x: x.broadcast_to((3, -1)), _s(((1, 4),),),
           dtypes=FEW),
    OpInfo("broadcast_tensors", lambda lib, *ts: lib.broadcast_tensors(*ts),
           _s(((3, 1), (4,)), ((2, 3), (2, 3)), ((), (2, 1), (1, 5)))),
    OpInfo("atleast_1d", lambda lib, x: lib.atleast_1d(x), _s(((),), ((3,),)), dtypes=FEW),
    OpInfo("atleast_2d", lambda lib, *ts: lib.atleast_2d(*ts), _s(((),), ((3,), (2, 3))),
           dtypes=FEW),
    OpInfo("atleast_3d", lambda lib, *ts: lib.atleast_3d(ts), _s(((), (3,), (2, 3),
                                                                    (2, 3, 4)))),
    OpInfo("ravel", lambda lib, x: lib.ravel(x), _s(((3, 4),), ((),), ((2, 0),))),
    OpInfo("ravel_transposed", lambda lib, x: x.t().ravel(), _s(((3, 4),)), dtypes=FEW),
    OpInfo("tril_indices", lambda lib, r, c, o: lib.tril_indices(r, c, o),
           lambda d, r: [Sample((3, 3, 0)), Sample((4, 3, 1)), Sample((3, 5, -1)),
                         Sample((0, 2, 0))], dtypes=("int64",), grad=False, gradgrad=False),
    OpInfo("triu_indices", lambda lib, r, c, o: lib.triu_indices(r, c, o, dtype=lib.int32),
           lambda d, r: [Sample((3, 3, 0)), Sample((4, 3, 1)), Sample((3, 5, -2)),
                         Sample((2, 2, 5))], dtypes=("int64",), grad=False, gradgrad=False),
)
