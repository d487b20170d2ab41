"""ember.cpu (torch.cpu): the CPU as a device module, with the same queries ember.cuda has."""
from __future__ import annotations

from contextlib import nullcontext

__all__ = ["is_available", "is_initialized", "device_count", "current_device", "set_device",
           "synchronize", "current_stream", "stream", "Stream", "StreamContext", "Event"]


def is_available() -> bool:
    return True


def is_initialized() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def set_device(device) -> None:
    """Accepted for symmetry with ember.cuda; there is one CPU device."""


def synchronize(device=None) -> None:
    """CPU work is synchronous: nothing to wait for."""


class Stream:
    """The CPU's (only, synchronous) stream."""

    def __init__(self, priority=-1):
        self.priority = priority

    def wait_stream(self, stream) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def query(self) -> bool:
        return True


class Event:
    def query(self) -> bool:
        return True

    def record(self, stream=None) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def wait(self, stream=None) -> None:
        pass


_STREAM = Stream()


def current_stream(device=None) -> Stream:
    return _STREAM


def stream(stream) -> nullcontext:
    return nullcontext()


class StreamContext:
    """Selects a stream for its block; on the CPU every stream is the same."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc):
        return False
