"""Op table entries for the BLAS-like products (the add* family with beta/alpha, vdot, inner,
outer, tensordot, kron, cross, trace, chain_matmul), einsum in all its forms, and the
distances (cdist, cosine_similarity, pairwise_distance)."""
from __future__ import annotations

from opdb import INTS, OpInfo, Sample, values

OPS: list[OpInfo] = []
F = ("float32", "float64")
FC = F + ("complex64", "complex128")


def _add(*infos):
    OPS.extend(infos)


def shapes(*specs):
    """Samples from (shapes, kwargs) specs."""
    def make(dtype, rng):
        return [Sample(tuple(values(dtype, s, rng) for s in sh), dict(kw)) for sh, kw in specs]
    return make


def _t(name):
    def call(lib, *args, **kwargs):
        return getattr(lib, name)(*args, **kwargs)
    call.__name__ = name
    return call


_KW = ({}, {"beta": 0.5, "alpha": 2}, {"beta": 0})
_add(
    OpInfo("addmm", _t("addmm"), shapes(*[(((2, 4), (2, 3), (3, 4)), kw) for kw in _KW],
                                        (((4,), (2, 3), (3, 4)), {})),
           dtypes=FC + ("int64", "bool"), rtol=1e-4),
    OpInfo("addmm_nan_beta0", lambda lib, a, b: lib.addmm(
        lib.full((2, 4), float("nan"), dtype=a.dtype), a, b, beta=0),
           shapes((((2, 3), (3, 4)), {})), dtypes=F, rtol=1e-4),
    OpInfo("addbmm", _t("addbmm"), shapes(*[(((2, 4), (5, 2, 3), (5, 3, 4)), kw) for kw in _KW]),
           dtypes=FC + ("int64",), rtol=1e-4),
    OpInfo("baddbmm", _t("baddbmm"), shapes(*[(((1, 4), (5, 2, 3), (5, 3, 4)), kw)
                                              for kw in _KW]), dtypes=FC + ("int64",),
           rtol=1e-4),
    OpInfo("addmv", _t("addmv"), shapes(*[(((2,), (2, 3), (3,)), kw) for kw in _KW]),
           dtypes=FC + ("int64",), rtol=1e-4),
    OpInfo("addr", _t("addr"), shapes(*[(((2, 4), (2,), (4,)), kw) for kw in _KW],
                                      (((4,), (2,), (4,)), {})),
           dtypes=FC + ("int64", "bool"), rtol=1e-4),
    OpInfo("addmm_", lambda lib, c, a, b: c.clone().addmm_(a, b, beta=0.5, alpha=2),
           shapes((((2, 4), (2, 3), (3, 4)), {})), dtypes=F, rtol=1e-4),
    OpInfo("vdot", _t("vdot"), shapes((((3,), (3,)), {})), dtypes=FC + ("int64", "bool")),
    OpInfo("inner", _t("inner"), shapes((((2, 3), (4, 3)), {}), (((3,), (3,)), {}),
                                        (((), (2, 3)), {})), dtypes=FC + ("int64",), rtol=1e-4),
    OpInfo("outer", _t("outer"), shapes((((2,), (3,)), {})), dtypes=FC + ("int64", "bool")),
    OpInfo("ger", _t("ger"), shapes((((2,), (3,)), {})), dtypes=F),
    OpInfo("tensordot", lambda lib, a, b, **kw: lib.tensordot(a, b, **kw), shapes(
        (((3, 4, 5), (4, 3, 2)), {"dims": ([1, 0], [0, 1])}), (((3, 4, 5), (4, 5, 2)), {}),
        (((3,), (2,)), {"dims": 0}), (((2, 3), (3, 4)), {"dims": 1}),
        (((2, 1), (3, 4)), {"dims": ([1], [0])})), dtypes=FC + ("int64",), rtol=1e-4),
    OpInfo("kron", _t("kron"), shapes((((2, 3), (3, 2, 2)), {}), (((2,), (3,)), {})),
           dtypes=FC + ("int64", "bool")),
    OpInfo("cross", _t("cross"), shapes((((2, 3), (2, 3)), {"dim": 1}),
                                        (((3, 4), (3, 1)), {"dim": 0})),
           dtypes=FC + INTS),
    OpInfo("trace", _t("trace"), shapes((((3, 4),), {}), (((4, 3),), {})),
           dtypes=FC + INTS + ("float16", "bool")),
    OpInfo("chain_matmul", _t("chain_matmul"), shapes((((2, 3), (3, 4), (4, 1)), {}),
                                                      (((2, 3),), {})), dtypes=F, rtol=1e-4),
)

# --- einsum -----------------------------------------------------------------------------
_EQS = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
        ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("ij->", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
        ("ij->ji", [(2, 3)]), ("i,i->", [(3,), (3,)]), ("i,i->i", [(3,), (3,)]),
        ("...ij,...jk", [(2, 5, 2, 3), (5, 3, 4)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
        ("i...->...", [(3, 2, 4)]), ("iij->j", [(3, 3, 2)]), ("ij,kl->ikjl", [(2, 3), (4, 5)]),
        ("ijk,ikl->ijl", [(2, 1, 4), (2, 4, 3)]), ("i,ij->j", [(1,), (4, 3)]),
        ("Ab,bC -> AC", [(2, 3), (3, 2)])]


def _einsum_samples(dtype, rng):
    return [Sample((eq,) + tuple(values(dtype, s, rng) for s in shp)) for eq, shp in _EQS]


def _sublist(lib, a, b):
    return lib.einsum(a, [0, 1], b, [1, 2], [0, 2]), lib.einsum(a, [..., 1], b, [1, 2])


_add(
    OpInfo("einsum", _t("einsum"), _einsum_samples, dtypes=FC + ("int64",), rtol=1e-4),
    OpInfo("einsum_sublist", _sublist, shapes((((2, 3), (3, 4)), {})), dtypes=F, rtol=1e-4),
    OpInfo("einsum_list", lambda lib, a, b: lib.einsum("ij,jk", [a, b]),
           shapes((((2, 3), (3, 4)), {})), dtypes=F, rtol=1e-4),
)

# --- distances --------------------------------------------------------------------------
_add(
    OpInfo("cdist", _t("cdist"), shapes(*[(((2, 4, 3), (2, 5, 3)), {"p": p})
                                          for p in (2.0, 1.0, 0.0, 3.0, 0.5, float("inf"))] +
                                        [(((2, 1, 4, 3), (3, 5, 3)), {})]),
           dtypes=F + ("int64",), rtol=1e-4, gradgrad=False),
    OpInfo("cdist_mm", _t("cdist"), shapes(
        (((4, 3), (5, 3)), {"compute_mode": "use_mm_for_euclid_dist"}),
        (((30, 3), (5, 3)), {}), (((2, 30, 3), (2, 5, 3)), {})), dtypes=F, rtol=1e-4,
        atol=1e-5),
    OpInfo("cosine_similarity", _t("cosine_similarity"), shapes(
        (((3, 4), (3, 4)), {}), (((3, 4), (4,)), {"dim": -1}), (((2, 3), (2, 3)), {"eps": 0.5})),
        dtypes=F + ("int64",), rtol=1e-4),
    OpInfo("cosine_similarity_zero", lambda lib, b: lib.cosine_similarity(lib.zeros_like(b), b),
           shapes((((3, 4),), {})), dtypes=F, gradgrad=False),
    OpInfo("pairwise_distance", _t("pairwise_distance"), shapes(
        (((3, 4), (3, 4)), {}), (((3, 4), (4,)), {"p": 1.0, "keepdim": True}),
        (((5,), (5,)), {"p": 3.0})), dtypes=F, rtol=1e-4),
)

