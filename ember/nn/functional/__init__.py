"""ember.nn.functional (torch.nn.functional): stateless versions of the layers.

Each family module sets ``__all__``; add one ``from ... import *`` line per family.
"""
from ember.nn.functional.linear import *
from ember.nn.functional.normalization import *
from ember.nn.functional.dropout import *
from ember.nn.functional.sparse import *
from ember.nn.functional.attention import *
from ember.nn.functional.activation import *
from ember.nn.functional.softmax import *
from ember.nn.functional.distance import *
from ember.nn.functional.loss import *
from ember.nn.functional.loss_margin import *
from ember.nn.functional.conv import *
from ember.nn.functional.padding import *
from ember.nn.functional.shuffle import *
from ember.nn.functional.pooling import *
from ember.nn.functional.upsampling import *
