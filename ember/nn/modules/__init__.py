"""Every nn layer class (torch.nn.modules); ember.nn re-exports them.

Each layer-family module sets ``__all__``; add one ``from ... import *`` line per family.
"""
from ember.nn.modules.module import Module
from ember.nn.modules.container import *
from ember.nn.modules.linear import *

__all__ = sorted(name for name, value in globals().items()
                 if isinstance(value, type) and issubclass(value, Module))
