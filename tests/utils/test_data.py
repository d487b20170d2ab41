"""ember.utils.data against torch.utils.data: datasets, random_split, samplers, collation,
argument errors and single-process DataLoader batches (workers: test_data_workers.py)."""
from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest

import ember
from nn._helpers import plain, same, same_error

torch = pytest.importorskip("torch")

Point = collections.namedtuple("Point", "x y")


def D(lib):
    return lib.utils.data


def _pairs(lib):
    x = lib.tensor(np.arange(30, dtype=np.float32).reshape(10, 3))
    return D(lib).TensorDataset(x, lib.arange(10))


# --- datasets ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", [
    lambda lib: (len(_pairs(lib)), _pairs(lib)[3], _pairs(lib)[-1]),
    lambda lib: list(D(lib).ConcatDataset([range(3), range(10, 14)])),
    lambda lib: D(lib).ConcatDataset([range(3), range(10, 14)])[-2],
    lambda lib: (D(lib).ConcatDataset([range(3), range(4)]).cumulative_sizes,
                 list(D(lib).Subset(range(10), [1, 3]) + D(lib).Subset(range(5), [4]))),
    lambda lib: (D(lib).StackDataset(range(3), "abc")[1],
                 D(lib).StackDataset(a=range(3), b="abc")[2]),
    lambda lib: D(lib).StackDataset(range(3), D(lib).Subset(range(9), [5, 6, 7]))
    .__getitems__([2, 0]),
    lambda lib: D(lib).StackDataset(a=range(3), b="abc").__getitems__([1, 2]),
    lambda lib: (D(lib).Subset(range(10), [4, 2])[1], D(lib).Subset(range(10), [4, 2])
                 .__getitems__([1, 0]), len(D(lib).Subset(range(10), [4, 2]))),
])
def test_datasets_match_torch(case):
    same(case)


def test_chain_and_iterable_add():
    def case(lib):
        class Count(D(lib).IterableDataset):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(range(self.n))

            def __len__(self):
                return self.n
        chained = Count(2) + Count(3)
        return type(chained).__name__, list(chained), len(chained)
    same(case)


@pytest.mark.parametrize("case", [
    lambda lib: D(lib).TensorDataset(lib.zeros(2), lib.zeros(3)),
    lambda lib: D(lib).StackDataset(),
    lambda lib: D(lib).StackDataset(range(2), a=range(2)),
    lambda lib: D(lib).StackDataset(range(2), range(3)),
    lambda lib: D(lib).ConcatDataset([]),
    lambda lib: D(lib).ConcatDataset([range(3)])[-4],
    lambda lib: D(lib).Dataset()[0],
    lambda lib: len(D(lib).Dataset()),
    lambda lib: list(D(lib).ChainDataset([range(3)])),
    lambda lib: type("S", (D(lib).Subset,), {"__getitem__": lambda s, i: i})(range(3), [0]),
])
def test_dataset_errors_match_torch(case):
    same_error(case)


# --- random_split -----------------------------------------------------------------------

@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.3, 0.4], [0.25, 0.25, 0.5], [1.0]])
@pytest.mark.parametrize("seeded", [False, True])
def test_random_split_matches_torch(lengths, seeded):
    def case(lib):
        lib.manual_seed(4)
        kw = {"generator": lib.Generator().manual_seed(9)} if seeded else {}
        parts = D(lib).random_split(range(10), lengths, **kw)
        return [list(p) for p in parts], lib.rand(2)
    same(case)


def test_random_split_errors_and_empty_warning():
    same_error(lambda lib: D(lib).random_split(range(10), [3, 3]))
    same_error(lambda lib: D(lib).random_split(range(10), [-0.5, 1.5]))
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        parts = D(ember).random_split(range(2), [0.9, 0.1])
    assert [len(p) for p in parts] == [2, 0]


# --- samplers ---------------------------------------------------------------------------

def _draw(sampler_fn):
    def case(lib):
        lib.manual_seed(11)
        sampler = sampler_fn(lib)
        return list(sampler), list(sampler), len(sampler), lib.rand(1)
    return case


@pytest.mark.parametrize("make", [
    lambda lib: D(lib).SequentialSampler(range(5)),
    lambda lib: D(lib).RandomSampler(range(7)),
    lambda lib: D(lib).RandomSampler(range(7), num_samples=17),
    lambda lib: D(lib).RandomSampler(range(7), num_samples=3),
    lambda lib: D(lib).RandomSampler(range(7), num_samples=7,
                                     generator=lib.Generator().manual_seed(2)),
    lambda lib: D(lib).RandomSampler(range(5), replacement=True, num_samples=70),
    lambda lib: D(lib).RandomSampler(range(5), replacement=True, num_samples=64),
    lambda lib: D(lib).SubsetRandomSampler([10, 20, 30, 40]),
    lambda lib: D(lib).WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 9),
    lambda lib: D(lib).WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, False),
    lambda lib: D(lib).BatchSampler(D(lib).RandomSampler(range(10)), 3, False),
    lambda lib: D(lib).BatchSampler(range(10), 3, True),
    lambda lib: D(lib).DistributedSampler(range(10), num_replicas=3, rank=1),
    lambda lib: D(lib).DistributedSampler(range(10), num_replicas=3, rank=2, shuffle=False,
                                          drop_last=True),
    lambda lib: D(lib).DistributedSampler(range(2), num_replicas=5, rank=4, seed=3),
])
def test_samplers_match_torch(make):
    same(_draw(make))


def test_distributed_sampler_set_epoch():
    def case(lib):
        sampler = D(lib).DistributedSampler(range(9), num_replicas=2, rank=0)
        first = list(sampler)
        sampler.set_epoch(1)
        return first, list(sampler), sampler.total_size, sampler.num_samples
    same(case)


@pytest.mark.parametrize("case", [
    lambda lib: D(lib).RandomSampler(range(3), replacement=1),
    lambda lib: D(lib).RandomSampler(range(3), num_samples=0),
    lambda lib: D(lib).RandomSampler([]),
    lambda lib: D(lib).WeightedRandomSampler([1.0], num_samples=True),
    lambda lib: D(lib).WeightedRandomSampler([1.0], num_samples=2, replacement=0),
    lambda lib: D(lib).WeightedRandomSampler([[1.0]], num_samples=2),
    lambda lib: list(D(lib).WeightedRandomSampler([1.0] * 3, 5, replacement=False)),
    lambda lib: D(lib).BatchSampler(range(3), 0, False),
    lambda lib: D(lib).BatchSampler(range(3), 2, 0),
    lambda lib: D(lib).DistributedSampler(range(10), num_replicas=3, rank=3),
    lambda lib: D(lib).DistributedSampler(range(10), num_replicas=3),
    lambda lib: list(D(lib).Sampler()),
])
def test_sampler_errors_match_torch(case):
    same_error(case)


# --- collation --------------------------------------------------------------------------

class _Frozen(collections.abc.Mapping):
    def __init__(self, d):
        self.d = d

    def __getitem__(self, k):
        return self.d[k]

    def __iter__(self):
        return iter(self.d)

    def __len__(self):
        return len(self.d)


@pytest.mark.parametrize("batch", [
    lambda lib: [1, 2, 3],
    lambda lib: [1.5, 2],
    lambda lib: [True, False],
    lambda lib: ["a", "b"],
    lambda lib: [b"a", b"b"],
    lambda lib: [(1, "a", 2.0), (3, "b", 4.0)],
    lambda lib: [[1, 2], [3, 4]],
    lambda lib: [{"x": 1, "y": lib.ones(2)}, {"x": 2, "y": lib.zeros(2)}],
    lambda lib: [collections.OrderedDict(a=1), collections.OrderedDict(a=2)],
    lambda lib: [Point(1, 2.0), Point(3, 4.0)],
    lambda lib: [np.arange(3), np.arange(3)],
    lambda lib: [np.float32(1), np.float32(2)],
    lambda lib: [np.int8(1), np.int8(2)],
    lambda lib: [np.bool_(1), np.bool_(0)],
    lambda lib: [lib.zeros(2, dtype=lib.int32), lib.ones(2, dtype=lib.int32)],
    lambda lib: [(lib.tensor(1.0), 2)],
])
def test_default_collate_matches_torch(batch):
    same(lambda lib: D(lib).default_collate(batch(lib)))


def test_default_collate_custom_mapping_rebuilt():
    out = D(ember).default_collate([_Frozen({"a": 1}), _Frozen({"a": 2})])
    assert isinstance(out, _Frozen) and out["a"].tolist() == [1, 2]


@pytest.mark.parametrize("batch", [
    lambda lib: [np.array(["a"]), np.array(["b"])],
    lambda lib: [np.array([1, 2], dtype=object)],
    lambda lib: [object()],
    lambda lib: [None, None],
    lambda lib: [lib.zeros(2), lib.zeros(3)],
    lambda lib: [[1, 2], [1]],
])
def test_default_collate_errors_match_torch(batch):
    same_error(lambda lib: D(lib).default_collate(batch(lib)))


@pytest.mark.parametrize("data", [
    lambda lib: np.arange(3),
    lambda lib: [np.arange(2), (np.float64(1.0), "s")],
    lambda lib: {"a": np.int64(3), "b": [1, 2]},
    lambda lib: Point(np.arange(2), 1),
    lambda lib: np.array(["a"]),
    lambda lib: "abc",
    lambda lib: (1, 2),
    lambda lib: lib.ones(1),
])
def test_default_convert_matches_torch(data):
    same(lambda lib: D(lib).default_convert(data(lib)))


def test_collate_fn_map_is_extensible():
    from ember.utils.data._utils.collate import collate, default_collate_fn_map
    fn_map = {**default_collate_fn_map, Point: lambda batch, collate_fn_map: len(batch)}
    assert collate([[Point(1, 2)], [Point(3, 4)]], collate_fn_map=fn_map) == [2]


# --- DataLoader, single process ------------------------------------------------------

def _epochs(lib, n_epochs=2, **kw):
    lib.manual_seed(3)
    if kw.pop("seeded", False):
        kw["generator"] = lib.Generator().manual_seed(21)
    loader = D(lib).DataLoader(_pairs(lib), **kw)
    return [list(loader) for _ in range(n_epochs)], len(loader), lib.rand(2)


@pytest.mark.parametrize("kw", [
    {"batch_size": 3},
    {"batch_size": 3, "shuffle": True},
    {"batch_size": 3, "shuffle": True, "seeded": True},
    {"batch_size": 4, "shuffle": True, "drop_last": True},
    {"batch_size": None, "shuffle": True},
    {"batch_sampler": [[0, 5], [9]]},
    {"sampler": [7, 1, 2], "batch_size": 2, "collate_fn": lambda b: [s[1] for s in b]},
])
def test_dataloader_batches_match_torch(kw):
    same(lambda lib: _epochs(lib, **kw))


def test_dataloader_iterable_dataset_matches_torch():
    def case(lib):
        class Stream(D(lib).IterableDataset):
            def __iter__(self):
                return iter([{"v": i, "w": float(i)} for i in range(7)])
        return [list(D(lib).DataLoader(Stream(), batch_size=b, drop_last=d))
                for b, d in ((3, False), (3, True), (None, False))]
    same(case)


def test_dataloader_iterable_len_warning():
    class Stream(D(ember).IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 3
    loader = D(ember).DataLoader(Stream(), batch_size=None)
    assert len(loader) == 3
    with pytest.warns(UserWarning, match=r"was reported to be 3\(when accessing len"):
        assert list(loader) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("case", [
    lambda lib: D(lib).DataLoader(range(5), num_workers=-1),
    lambda lib: D(lib).DataLoader(range(5), timeout=-1),
    lambda lib: D(lib).DataLoader(range(5), prefetch_factor=2),
    lambda lib: D(lib).DataLoader(range(5), num_workers=1, prefetch_factor=-1),
    lambda lib: D(lib).DataLoader(range(5), persistent_workers=True),
    lambda lib: D(lib).DataLoader(range(5), batch_sampler=[[0]], batch_size=2),
    lambda lib: D(lib).DataLoader(range(5), batch_sampler=[[0]], shuffle=True),
    lambda lib: D(lib).DataLoader(range(5), batch_size=None, drop_last=True),
    lambda lib: D(lib).DataLoader(range(5), sampler=[0, 1], shuffle=True),
    lambda lib: D(lib).DataLoader(range(5), num_workers=1, multiprocessing_context="foo"),
    lambda lib: D(lib).DataLoader(range(5), num_workers=1, multiprocessing_context=3),
    lambda lib: D(lib).DataLoader(range(5), multiprocessing_context="fork"),
    lambda lib: list(D(lib).DataLoader(range(5), timeout=1)),
    lambda lib: setattr(D(lib).DataLoader(range(5)), "batch_size", 2),
    lambda lib: D(lib).DataLoader(D(lib).ChainDataset([]), shuffle=True),
    lambda lib: D(lib).DataLoader(D(lib).ChainDataset([]), sampler=[0]),
    lambda lib: len(D(lib).DataLoader(type("I", (D(lib).IterableDataset,), {})())),
])
def test_dataloader_errors_match_torch(case):
    same_error(case)


def test_dataloader_warnings_match_torch():
    def caught(lib, **kw):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            list(D(lib).DataLoader(range(2), **kw))
        return [str(x.message) for x in w]
    for kw in ({"pin_memory": True}, {"pin_memory": True, "pin_memory_device": "cuda"}):
        assert caught(ember, **kw) == caught(torch, **kw)


def test_worker_info_and_seed_state():
    from ember.utils.data._utils import worker as ew
    from torch.utils.data._utils import worker as tw
    assert D(ember).get_worker_info() is None
    info = ew.WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)
    assert repr(info) == repr(tw.WorkerInfo(id=0, num_workers=1, seed=3, dataset=None))
    for base_seed, worker_id in ((0, 0), (123456789012345, 3), (2**63 - 1, 7)):
        assert ew._generate_state(base_seed, worker_id) == tw._generate_state(base_seed,
                                                                             worker_id)


def test_public_names_match_torch():
    ours = set(D(ember).__all__)
    theirs = {n for n in D(torch).__all__ if "DataPipe" not in n and "Chunk" not in n}
    decorators = {"argument_validation", "functional_datapipe", "non_deterministic",
                  "guaranteed_datapipes_determinism", "runtime_validation",
                  "runtime_validation_disabled"}
    assert ours == theirs - decorators
    assert plain(D(ember).default_collate([1])) == plain(D(torch).default_collate([1]))
