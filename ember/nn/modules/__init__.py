"""Every nn layer class (torch.nn.modules); ember.nn re-exports them.

Each layer-family module sets ``__all__``; add one ``from ... import *`` line per family.
"""
from ember.nn.modules.module import Module
from ember.nn.modules.container import *
from ember.nn.modules.container_legacy import *
from ember.nn.modules.linear import *
from ember.nn.modules.batchnorm import *
from ember.nn.modules.instancenorm import *
from ember.nn.modules.normalization import *
from ember.nn.modules.dropout import *
from ember.nn.modules.sparse import *
from ember.nn.modules.rnn import *
from ember.nn.modules.attention import *
from ember.nn.modules.transformer import *
from ember.nn.modules.activation import *
from ember.nn.modules.softmax import *
from ember.nn.modules.flatten import *
from ember.nn.modules.distance import *
from ember.nn.modules.adaptive import *
from ember.nn.modules.conv import *
from ember.nn.modules.padding import *
from ember.nn.modules.pixelshuffle import *
from ember.nn.modules.channelshuffle import *
from ember.nn.modules.fold import *
from ember.nn.modules.pooling import *
from ember.nn.modules.upsampling import *
from ember.nn.modules.loss import *
from ember.nn.modules.loss_margin import *

__all__ = sorted(name for name, value in globals().items()
                 if isinstance(value, type) and issubclass(value, Module))
