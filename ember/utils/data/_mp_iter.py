"""The multi-process DataLoader iterator.

The main process keeps up to ``prefetch_factor * num_workers`` batch requests outstanding,
handed round-robin to the workers' index queues as ``(task index, sampler index)``; all
workers answer on one result queue. Batches are returned in task order (results that
arrive early are stashed), or as they arrive with ``in_order=False``. A worker's
exception is re-raised here with its traceback; a worker that dies is reported (SIGCHLD,
or a liveness check every few seconds), a ``timeout`` bounds each wait; nothing waits
forever. The workers stop when the epoch ends (unless persistent), when the iterator is
deleted, or at shutdown.
"""
from __future__ import annotations

import atexit
import itertools
import multiprocessing
import queue
import threading
import warnings
import weakref

from ember.utils.data import _utils
from ember.utils.data._base_iter import _BaseDataLoaderIter
from ember.utils.data._utils import signal_handling, transport
from ember.utils.data._utils.exception import ExceptionWrapper
from ember.utils.data._utils.fetch import _DatasetKind
from ember.utils.data._utils.worker import (_IterableDatasetStopIteration, _ResumeIteration,
                                            _worker_loop)

_PICKLE_HINT = (
    "Got pickle error when attempting to start a worker Process. This might be because the "
    "worker Process arguments are not picklable. Python 3.14+ changed the multiprocessing "
    "start method in non-Mac POSIX platforms to 'forkserver', which requires the worker "
    "Process arguments to be picklable. You can also try multiprocessing.set_start_method("
    "'fork').")


_live_iterators: weakref.WeakSet = weakref.WeakSet()
_live_lock = threading.Lock()
_atexit_registered = False


def _shutdown_live_iterators() -> None:
    """At exit, stop the workers of iterators still alive, politely: this runs before
    multiprocessing's own exit handler would terminate them (which the SIGCHLD handler
    would report) and before their unreceived batch files could be left behind."""
    with _live_lock:
        iterators = tuple(_live_iterators)
    for iterator in iterators:
        iterator._shutdown_workers()


def _register_live(iterator) -> None:
    global _atexit_registered
    with _live_lock:
        _live_iterators.add(iterator)
        if not _atexit_registered:
            # registered after multiprocessing's and _utils' exit hooks, so it runs first
            atexit.register(_shutdown_live_iterators)
            _atexit_registered = True


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Loads batches in ``num_workers`` worker processes (see the module docstring)."""

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError("num_workers must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._worker_init_fn = loader.worker_init_fn
        self._shm_prefix = transport.new_prefix()
        self._worker_result_queue = context.Queue()
        self._worker_pids_set = False
        self._shutdown = False
        self._workers_done_event = context.Event()
        self._index_queues = []
        self._workers = []
        self._workers_status = [True] * self._num_workers
        _register_live(self)
        for i in range(self._num_workers):
            self._start_worker(context, i)
        self._data_queue = self._worker_result_queue
        signal_handling._set_worker_pids(id(self), tuple(w.pid for w in self._workers))
        signal_handling._set_SIGCHLD_handler()
        self._worker_pids_set = True
        self._reset(loader, first_iter=True)

    def _start_worker(self, context, worker_id):
        from pickle import PicklingError
        index_queue = context.Queue()
        index_queue.cancel_join_thread()  # a dead worker must not block our exit
        w = context.Process(
            target=_worker_loop,
            args=(self._dataset_kind, self._dataset, index_queue, self._worker_result_queue,
                  self._workers_done_event, self._auto_collation, self._collate_fn,
                  self._drop_last, self._base_seed, self._worker_init_fn, worker_id,
                  self._num_workers, self._shm_prefix))
        w.daemon = True  # killed with the main process, even without a clean shutdown
        try:
            w.start()
        except (TypeError, AttributeError, PicklingError):
            warnings.warn(_PICKLE_HINT, stacklevel=4)
            raise
        self._index_queues.append(index_queue)
        self._workers.append(w)

    def _reset(self, loader, first_iter=False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0  # index of the next task to send
        self._rcvd_idx = 0  # index of the next task to return
        # task index -> (worker id,) while pending, (worker id, data) once it arrived early
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:  # persistent workers: start a new epoch, drop stale results
            for index_queue in self._index_queues:
                index_queue.put(_ResumeIteration())
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, return_data = self._get_data()
                if isinstance(return_idx, _ResumeIteration):
                    resume_iteration_cnt -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=_utils.MP_STATUS_CHECK_INTERVAL):
        """(True, (idx, data)) or, after ``timeout`` with live workers, (False, None)."""
        try:
            idx, data = self._data_queue.get(timeout=timeout)
        except Exception as e:
            failed_workers = [w for worker_id, w in enumerate(self._workers)
                              if self._workers_status[worker_id] and not w.is_alive()]
            for w in failed_workers:
                self._mark_worker_as_unavailable(self._workers.index(w))
            if failed_workers:
                pids_str = ", ".join(str(w.pid) for w in failed_workers)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids_str}) exited "
                                   "unexpectedly") from e
            if isinstance(e, queue.Empty):
                return False, None
            raise
        if isinstance(data, transport.Packed):
            data = transport.unpack(data)
        return True, (idx, data)

    def _get_data(self):
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if not success:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            success, data = self._try_get_data()
            if success:
                return data

    def _next_data(self):
        while True:
            # skip tasks whose worker ended its IterableDataset copy (no data will come)
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:  # it arrived earlier
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            if self._shutdown or self._tasks_outstanding <= 0:
                raise AssertionError("Invalid iterator state: shutdown or no outstanding "
                                     "tasks when fetching next data")
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable \
                    and isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx == self._rcvd_idx or not self._in_order:
                worker_id = self._task_info.pop(idx)[0]
                if idx == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            self._task_info[idx] += (data,)

    def _try_put_index(self) -> None:
        max_tasks = self._prefetch_factor * self._num_workers
        if self._tasks_outstanding >= max_tasks:
            raise AssertionError("Number of outstanding tasks exceeded maximum allowed tasks")
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker (with room if unordered)
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order or self._workers_num_tasks[worker_queue_idx] \
                        < max_tasks // sum(self._workers_status):
                    break
        else:
            return  # no active worker: the index is dropped, as in torch
        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id) -> None:
        """Tell a worker to exit (after its pending tasks) and send it nothing more."""
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self) -> None:
        """Stop the workers (politely, then by force) and free queues and batch files.
        Safe to call more than once; skipped at interpreter exit."""
        if _utils is None or _utils.python_exit_status is not False:
            return
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id)
            for w in self._workers:
                w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
        finally:
            if self._worker_pids_set:
                signal_handling._remove_worker_pids(id(self))
                self._worker_pids_set = False
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
            transport.remove_leftovers(self._shm_prefix)

    def __del__(self) -> None:
        if getattr(self, "_workers", None) is not None:
            self._shutdown_workers()
