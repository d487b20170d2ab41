"""ember.nn.functional (torch.nn.functional): stateless versions of the layers.

Each family module sets ``__all__``; add one ``from ... import *`` line per family.
"""
from ember.nn.functional.linear import *
