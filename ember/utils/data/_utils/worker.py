"""What runs inside a DataLoader worker process: seeding, WorkerInfo, the fetch loop."""
from __future__ import annotations

import os
import queue
import random
from dataclasses import dataclass

from ember.utils.data._utils import signal_handling
from ember.utils.data._utils.exception import ExceptionWrapper
from ember.utils.data._utils.fetch import _DatasetKind
from ember.utils.data._utils.transport import Packer

__all__ = ["WorkerInfo", "get_worker_info"]


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still alive."""

    def __init__(self) -> None:
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self) -> bool:
        if not self.manager_dead:
            # an orphan is re-parented, so its parent pid changes
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Describes the worker process this code runs in (see :func:`get_worker_info`).

    ``dataset`` is the worker's own copy of the DataLoader's dataset and ``seed`` the seed
    of its generators (the iterator's base seed plus ``id``).
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object | None = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker, its :class:`WorkerInfo`; in the main process, None.

    An ``IterableDataset`` uses it to give each worker its own shard, a
    ``worker_init_fn`` to configure the worker's copy of the dataset.
    """
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's report that its copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Starts a new epoch in a persistent worker."""

    seed: int | None = None


_MASK32 = 0xFFFFFFFF

# How often an idle worker checks that it is still wanted. The main process's "stop"
# (None) can be lost: when a garbage collection frees an iterator caught in a reference
# cycle, its index queues are finalized before its shutdown runs, and a put then is never
# sent; the worker then exits on the done event instead, within this interval.
_POLL_INTERVAL = 0.5


def _generate_state(base_seed, worker_id):
    """The four 32-bit words NumPy's legacy global RNG is seeded with in a worker.

    NumPy's SeedSequence entropy mixing (hash every entropy word into a pool of 4, mix the
    pool words pairwise, then draw 4 words), over ``[worker_id, base_seed low, base_seed
    high, 0]``, as torch seeds its workers' NumPy.
    """
    mult_a = [0x43B0D7E5]

    def hashmix(value):
        value = (value ^ mult_a[0]) & _MASK32
        mult_a[0] = (mult_a[0] * 0x931E8875) & _MASK32
        value = (value * mult_a[0]) & _MASK32
        return (value ^ (value >> 16)) & _MASK32

    def mix(x, y):
        result = ((0xCA01F9DD * x) & _MASK32) - ((0x4973F715 * y) & _MASK32)
        result &= _MASK32
        return (result ^ (result >> 16)) & _MASK32

    entropy = [worker_id, base_seed & _MASK32, base_seed >> 32, 0]
    pool = [hashmix(word) for word in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hashmix(pool[i_src]))
    mult_b, state = 0x8B51F9DD, []
    for word in pool:
        word = (word ^ mult_b) & _MASK32
        mult_b = (mult_b * 0x58F38DED) & _MASK32
        word = (word * mult_b) & _MASK32
        state.append((word ^ (word >> 16)) & _MASK32)
    return state


def _seed_worker(base_seed, worker_id) -> int:
    """Seed Python's, ember's and NumPy's global generators for this worker, as torch does."""
    import ember
    from ember._backend import CPU_BACKEND
    seed = base_seed + worker_id
    random.seed(seed)
    ember.manual_seed(seed)
    CPU_BACKEND.xp.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _fetch_one(fetcher, index, packer, dataset_kind, worker_id):
    """(data or its stand-in, whether the iterable dataset has ended) for one request."""
    try:
        return packer.pack(fetcher.fetch(index)), False
    except Exception as e:
        if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
            return _IterableDatasetStopIteration(worker_id), True
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}"), False


def _init_worker(dataset_kind, dataset, auto_collation, collate_fn, drop_last, base_seed,
                 init_fn, worker_id, num_workers):
    """Seed, publish WorkerInfo, run ``init_fn``: (fetcher, the exception it raised)."""
    import ember
    global _worker_info
    signal_handling._set_worker_signal_handlers()
    ember.set_num_threads(1)
    seed = _seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                              dataset=dataset)
    try:
        if init_fn is not None:
            init_fn(worker_id)
        return _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                           drop_last), None
    except Exception:
        return None, ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 shm_prefix=None) -> None:
    """Serve ``(task index, sampler index)`` requests from ``index_queue`` until told to
    stop (None) or the main process is gone; put ``(task index, data)`` on ``data_queue``.
    An exception of ``init_fn`` is the answer to the first request."""
    try:
        fetcher, init_exception = _init_worker(dataset_kind, dataset, auto_collation,
                                               collate_fn, drop_last, base_seed, init_fn,
                                               worker_id, num_workers)
        packer = Packer(shm_prefix, worker_id)
        iteration_end = False
        watchdog = ManagerWatchdog()
        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=_POLL_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break  # the final None may never come (see _POLL_INTERVAL)
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                      collate_fn, drop_last)
                continue
            if r is None:  # the main process asks this worker to exit
                break
            if done_event.is_set() or iteration_end:
                continue  # drain requests until the final None
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                data, iteration_end = _fetch_one(fetcher, index, packer, dataset_kind,
                                                 worker_id)
            data_queue.put((idx, data))
            del data, idx, index, r  # free the batch before blocking on the next request
    except KeyboardInterrupt:
        pass  # the main process receives the interrupt too and shuts the workers down
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
