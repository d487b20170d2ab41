"""DataLoader with worker processes: torch's batches and worker seeds, failures reported
(exceptions, timeouts, killed workers), persistent workers, sharding, shutdown."""
from __future__ import annotations

import glob
import os
import random
import signal
import time

import numpy as np
import pytest

import ember
from nn._helpers import same

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def D(lib):
    return lib.utils.data


def _pairs(lib):
    x = lib.tensor(np.arange(30, dtype=np.float32).reshape(10, 3))
    return D(lib).TensorDataset(x, lib.arange(10))


def _epochs(lib, **kw):
    lib.manual_seed(3)
    if kw.pop("seeded", False):
        kw["generator"] = lib.Generator().manual_seed(21)
    loader = D(lib).DataLoader(_pairs(lib), batch_size=3, num_workers=2, **kw)
    return [list(loader) for _ in range(2)], lib.rand(2)


@pytest.mark.parametrize("kw", [
    {"shuffle": True},
    {"shuffle": True, "seeded": True, "prefetch_factor": 1},
    {"shuffle": True, "persistent_workers": True},
])
def test_worker_batches_match_torch(kw):
    same(lambda lib: _epochs(lib, **kw))


def test_spawn_batches_match_torch():
    # ember's own picklable TensorDataset: a spawned child imports ember only; persistent
    # workers: two spawns, not four
    def case(lib):
        ctx = "spawn" if lib is ember else None
        return _epochs(lib, shuffle=True, multiprocessing_context=ctx, persistent_workers=True)
    same(case)


class _Seeds:
    """Each sample reports its worker and the worker's random streams."""

    def __init__(self, lib):
        self.lib = lib

    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = self.lib.utils.data.get_worker_info()
        return (i, info.id, info.num_workers, info.seed % 997, random.random(),
                float(np.random.rand()), self.lib.rand(1).item())


def _reseed(worker_id):
    random.seed(worker_id * 3)


@pytest.mark.parametrize("init", [None, _reseed])
def test_worker_seeds_match_torch(init):
    def case(lib):
        lib.manual_seed(7)
        return list(D(lib).DataLoader(_Seeds(lib), batch_size=2, num_workers=2,
                                      worker_init_fn=init))
    same(case)


def test_out_of_order_delivers_every_batch():
    ember.manual_seed(0)
    loader = D(ember).DataLoader(_pairs(ember), batch_size=2, num_workers=2, in_order=False)
    got = sorted(b[1].tolist() for b in loader)
    assert got == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]


def _shard_case(lib):
    class Shards(D(lib).IterableDataset):
        def __iter__(self):
            info = D(lib).get_worker_info()
            return iter(range(info.id, 10, info.num_workers))
    return [list(D(lib).DataLoader(Shards(), num_workers=2, **kw))
            for kw in ({"batch_size": 3}, {"batch_size": None},
                       {"batch_size": 3, "drop_last": True, "persistent_workers": True})]


def test_iterable_sharding_matches_torch():
    same(_shard_case)


class _Failing:
    def __init__(self, exc=ValueError, when=3, sleep=0.0):
        self.exc, self.when, self.sleep = exc, when, sleep

    def __len__(self):
        return 8

    def __getitem__(self, i):
        time.sleep(self.sleep)
        if i == self.when:
            if self.exc == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise self.exc(f"bad {i}")
        return i


@pytest.mark.parametrize("exc", [ValueError, KeyError])
def test_worker_exception_reraised_with_traceback(exc):
    loader = D(ember).DataLoader(_Failing(exc), batch_size=2, num_workers=2)
    with pytest.raises(exc) as info:
        list(loader)
    msg = info.value.args[0]
    assert msg.startswith(f"Caught {exc.__name__} in DataLoader worker process 1.\n"
                          "Original Traceback (most recent call last):\n")
    last = {ValueError: "ValueError: bad 3", KeyError: "KeyError: 'bad 3'"}[exc]
    assert "in __getitem__" in msg and msg.rstrip().endswith(last)


def test_worker_init_fn_exception_reraised():
    def init(worker_id):
        raise RuntimeError(f"init {worker_id}")
    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process 0"):
        list(D(ember).DataLoader(range(4), num_workers=1, worker_init_fn=init))


def test_unpicklable_batch_becomes_worker_exception():
    loader = D(ember).DataLoader(range(4), num_workers=1, collate_fn=lambda b: lambda: b)
    with pytest.raises(Exception, match="in DataLoader worker process 0"):
        list(loader)


def test_timeout():
    loader = D(ember).DataLoader(_Failing(when=-1, sleep=0.5), num_workers=1, timeout=0.1)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.1 seconds$"):
        next(iter(loader))
    assert time.monotonic() - start < 3


def test_killed_worker_reported():
    loader = D(ember).DataLoader(_Failing("kill"), batch_size=2, num_workers=2)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"^DataLoader worker \(pid\(s\) \d+\) exited "
                                           "unexpectedly$") as info:
        list(loader)
    assert time.monotonic() - start < 10
    cause = info.value.__cause__
    if isinstance(cause, RuntimeError):  # the SIGCHLD report (main thread only)
        assert "is killed by signal: Killed." in str(cause)


class _Big:
    def __init__(self):
        self.x = ember.arange(64 * 70000, dtype=ember.float32).view(64, 70000)

    def __len__(self):
        return 64

    def __getitem__(self, i):
        row = self.x[i]
        return {"row": row, "head": row[:3], "i": i}


def _leftovers():
    return glob.glob(f"/dev/shm/ember-dl-{os.getpid()}-*")


def test_large_batches_and_shutdown_mid_epoch():
    ds = _Big()
    it = iter(D(ember).DataLoader(ds, batch_size=8, num_workers=2))
    batch = next(it)
    assert ember.equal(batch["row"], ds.x[:8]) and batch["i"].tolist() == list(range(8))
    batch["row"][0, 0] = -1.0  # writable
    assert batch["row"][0, 0].item() == -1.0 and ds.x[0, 0].item() == 0.0
    workers = it._workers
    del it
    assert not any(w.is_alive() for w in workers)
    assert _leftovers() == []


def test_keyboard_interrupt_shuts_workers_down():
    loader = D(ember).DataLoader(range(40), batch_size=2, num_workers=2)
    it = iter(loader)
    with pytest.raises(KeyboardInterrupt):
        for _ in it:
            signal.raise_signal(signal.SIGINT)
    workers = it._workers
    del it
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_survive_epochs():
    loader = D(ember).DataLoader(range(6), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    pids = [w.pid for w in loader._iterator._workers]
    it = iter(loader)
    next(it)  # an unfinished epoch is discarded by the next one
    assert [b.tolist() for b in loader] == first == [[0, 1], [2, 3], [4, 5]]
    assert [w.pid for w in loader._iterator._workers] == pids
    assert all(w.is_alive() for w in loader._iterator._workers)
    loader._iterator._shutdown_workers()


def test_samples_sliced_from_a_large_tensor_travel_trimmed():
    ds = _Big()
    it = iter(D(ember).DataLoader(ds, batch_size=None, sampler=[5, 9], num_workers=1))
    sample = next(it)
    row, head = sample["row"], sample["head"]
    assert ember.equal(row, ds.x[5]) and head.tolist() == ds.x[5, :3].tolist()
    assert row.untyped_storage().nbytes() == 70000 * 4  # not the dataset's 64 rows
    head[0] = -2.0  # views of one storage still share it
    assert row[0].item() == -2.0
    del it
    assert _leftovers() == []
