"""Internals of ember.utils.data (torch.utils.data._utils): collation, fetching, the
worker loop, worker-failure signals and batch transport."""
import atexit
import sys

IS_WINDOWS = sys.platform == "win32"

# Seconds between liveness checks while a worker or the main process waits on a queue, so
# that a dead peer is noticed instead of waited on forever.
MP_STATUS_CHECK_INTERVAL = 5.0

# Set at interpreter exit: iterators then leave their workers to multiprocessing's own
# exit handling (the modules they would need may already be torn down).
python_exit_status = False


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)

from ember.utils.data._utils import collate, fetch, signal_handling, worker  # noqa: E402
