"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local)."""
from __future__ import annotations

import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]


class _State(threading.local):
    def __init__(self):
        self.grad = True
        self.inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.grad


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _Mode:
    """Context manager that is also a decorator (bare or called)."""

    def __call__(self, fn):
        if inspect.isclass(fn):
            raise RuntimeError(f"{type(self).__name__} can't be used as a class decorator")
        mode = self

        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with mode.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        gen.close()
                        raise
                    try:
                        with mode.clone():
                            response = gen.send(request)
                    except StopIteration as e:
                        return e.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with mode.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_Mode):
    """Disable gradient recording inside the block."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self

    def __init__(self, orig_func=None):
        self.prev = False

    def __enter__(self):
        self.prev = STATE.grad
        STATE.grad = False

    def __exit__(self, *exc):
        STATE.grad = self.prev


class enable_grad(no_grad):
    """Enable gradient recording inside the block (also inside no_grad)."""

    def __enter__(self):
        self.prev = STATE.grad
        STATE.grad = True


class set_grad_enabled(_Mode):
    """Set grad mode: takes effect at once when called, and is undone at the block's end."""

    def __init__(self, mode: bool):
        self.prev = STATE.grad
        self.mode = bool(mode)
        STATE.grad = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.grad = self.prev

    def __call__(self, fn):
        STATE.grad = self.prev
        return super().__call__(fn)

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_Mode):
    """Like no_grad, and tensors made inside are inference tensors that autograd refuses."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode=True):
        self.mode = bool(mode) if not callable(mode) else True
        self.prev = None

    def __enter__(self):
        self.prev = (STATE.grad, STATE.inference)
        if self.mode:
            STATE.grad = False
            STATE.inference = True
        else:
            STATE.inference = False

    def __exit__(self, *exc):
        STATE.grad, STATE.inference = self.prev

    def clone(self):
        return inference_mode(self.mode)
