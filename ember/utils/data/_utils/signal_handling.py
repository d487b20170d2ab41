"""Noticing DataLoader workers that die (signal_handling in torch).

The main process registers its workers' pids per iterator and installs a SIGCHLD handler
(main thread only; it chains any previous handler). When a registered worker has exited
with an error code or was killed by a signal, the handler raises a RuntimeError naming
it, which interrupts a wait on the result queue at once; the iterator then reports
"DataLoader worker (pid(s) ...) exited unexpectedly". Workers are only inspected
(``waitid`` with WNOWAIT), never reaped here, so multiprocessing still sees their status.
"""
from __future__ import annotations

import faulthandler
import os
import signal
import threading

from ember.utils.data._utils import IS_WINDOWS

_worker_pids: dict[int, set[int]] = {}
_SIGCHLD_handler_set = False


def _set_worker_pids(key: int, pids: tuple) -> None:
    if key in _worker_pids:
        raise ValueError("_set_worker_pids should be called only once for each "
                         "_BaseDataLoaderIter.")
    _worker_pids[key] = set(pids)


def _remove_worker_pids(key: int) -> None:
    if _worker_pids.pop(key, None) is None:
        raise ValueError(f"Cannot find worker information for _BaseDataLoaderIter with id {key}")


def _failure_message(pid, info) -> str | None:
    if info.si_code == os.CLD_EXITED and info.si_status != 0:
        return (f"DataLoader worker (pid {pid}) exited unexpectedly with exit code "
                f"{info.si_status}. Details are lost due to multiprocessing. Rerunning with "
                "num_workers=0 may give better error trace.")
    if info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
        msg = f"DataLoader worker (pid {pid}) is killed by signal: " \
              f"{signal.strsignal(info.si_status)}. "
        if info.si_status == signal.SIGBUS:
            msg += ("It is possible that dataloader's workers are out of shared memory. "
                    "Please try to raise your shared memory limit.")
        return msg
    return None


def _error_if_any_worker_fails() -> None:
    """Raise RuntimeError if a registered worker exited with an error or by a signal."""
    for pids in _worker_pids.values():
        for pid in pids:
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except OSError:  # not our child (any more)
                continue
            msg = None if info is None else _failure_message(pid, info)
            if msg is not None:
                pids.clear()  # report once; the other workers are shut down after this
                raise RuntimeError(msg)


def _set_SIGCHLD_handler() -> None:
    """Install the worker-failure SIGCHLD handler once per process (main thread only; where
    there is no ``waitid``, dead workers are found by the iterator's periodic check)."""
    global _SIGCHLD_handler_set
    if IS_WINDOWS or not hasattr(os, "waitid") or _SIGCHLD_handler_set \
            or threading.current_thread() is not threading.main_thread():
        return
    previous_handler = signal.getsignal(signal.SIGCHLD)
    if not callable(previous_handler):
        previous_handler = None

    def handler(signum, frame) -> None:
        _error_if_any_worker_fails()
        if previous_handler is not None:
            previous_handler(signum, frame)

    signal.signal(signal.SIGCHLD, handler)
    _SIGCHLD_handler_set = True


def _set_worker_signal_handlers() -> None:
    """In a worker: a crash (SIGSEGV, SIGBUS, SIGFPE...) prints the Python traceback before
    the process dies of it, and the parent's SIGCHLD bookkeeping (inherited by fork) is
    dropped."""
    global _SIGCHLD_handler_set
    faulthandler.enable(file=2)  # the stderr fd: sys.stderr may be a pipe-less wrapper
    _worker_pids.clear()
    _SIGCHLD_handler_set = False
    if not IS_WINDOWS and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
