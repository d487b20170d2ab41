"""ExceptionWrapper (torch._utils.ExceptionWrapper): an exception and its traceback text,
picklable, carried from a worker to the main process and raised there again."""
from __future__ import annotations

import sys
import traceback


class KeyErrorMessage(str):
    """A str whose repr is itself, so a KeyError shows a multi-line message readably."""

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """The exception being handled (type and formatted traceback) plus where it happened."""

    def __init__(self, exc_info=None, where="in background"):
        # The traceback objects are not kept (they would keep frames alive and don't pickle).
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception type with "Caught <type> <where>.\\nOriginal
        Traceback ..." as its message (a RuntimeError when the type can't be built so)."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            # KeyError reprs its argument; keep the traceback lines readable.
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # no frame <-> traceback cycle: the caller's frames (a DataLoader iterator)
            # are freed as soon as the exception is, not by a later garbage collection
            del exception
