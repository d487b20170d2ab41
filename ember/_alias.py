"""The import hook behind ``python -m ember run``: ``torch`` is served by ``ember`` and
``torchvision`` by ``ember.vision``; real torch is never imported."""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_ALIASES = (("torchvision", "ember.vision"), ("torch", "ember"))


def target(fullname):
    """The ember module serving `fullname`, or None if it is not a torch name."""
    for src, dst in _ALIASES:
        if fullname == src or fullname.startswith(src + "."):
            return dst + fullname[len(src):]
    return None


class _Loader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module
        self.spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        if self.spec is not None:       # importlib replaced the spec: give the module its own
            module.__spec__ = self.spec


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target_=None):
        dst = target(fullname)
        if dst is None:
            return None
        try:
            module = importlib.import_module(dst)
        except ModuleNotFoundError as e:
            raise ModuleNotFoundError(f"No module named '{fullname}' (ember serves it as "
                                      f"'{dst}': {e})", name=fullname) from None
        return importlib.util.spec_from_loader(fullname, _Loader(module),
                                               is_package=hasattr(module, "__path__"))


FINDER = _Finder()


def install():
    """Serve torch imports from ember from now on."""
    for name in list(sys.modules):
        if target(name) is not None and not sys.modules[name].__name__.startswith("ember"):
            raise RuntimeError(f"real '{name}' is already imported; ember can't stand in for it")
    if FINDER not in sys.meta_path:
        sys.meta_path.insert(0, FINDER)
