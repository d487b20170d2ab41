"""ember: PyTorch, rewritten in Python on NumPy (CPU) and CuPy (GPU).

``import ember as torch`` gives torch's API: the same values, dtypes, shapes, printing,
errors and random streams.
"""
from ember._dtype import *
from ember._device import device
from ember._size import Size
from ember._layout import (channels_last, channels_last_3d, contiguous_format, layout,
                           memory_format, preserve_format, strided)
from ember._tensor import Tensor
from ember._storage import TypedStorage, UntypedStorage
from ember._legacy import *
from ember._tensor_str import get_printoptions, printoptions, set_printoptions
from ember._ops import *
from ember._functional import *
from ember._torch_misc import *
from ember.amp.state import *
from ember.amp.autocast_mode import autocast
from ember.serialization import load, save
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                      is_inference_mode_enabled, no_grad, set_grad_enabled)
from ember import amp, autograd, cpu, cuda, return_types, serialization, utils
from ember import nn
from ember import optim
from ember import special
from ember import fft, linalg
from ember import random
import ember.utils.data  # as `import torch` loads torch.utils.data

__version__ = "0.1.0"
