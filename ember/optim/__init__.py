"""ember.optim: optimization algorithms and learning-rate schedules (torch.optim).

Every optimizer runs torch's single-tensor (for-loop) algorithm op for op, so a run matches
torch's CPU default to float rounding; state_dicts have torch's structure, both ways.

Differences from PyTorch: ``foreach`` and ``fused`` are accepted and stored but always run
the single-tensor algorithm (torch's fused kernels, and the foreach path it picks by default
on CUDA, round slightly differently); ember has no sparse tensors, so SparseAdam can only
raise torch's dense-gradient error.
"""
from ember.optim import lr_scheduler
from ember.optim._adafactor import Adafactor
from ember.optim._muon import Muon
from ember.optim._stateless import swap_in_optimizer_params_and_state
from ember.optim.adadelta import Adadelta
from ember.optim.adagrad import Adagrad
from ember.optim.adam import Adam
from ember.optim.adamax import Adamax
from ember.optim.adamw import AdamW
from ember.optim.asgd import ASGD
from ember.optim.lbfgs import LBFGS
from ember.optim.nadam import NAdam
from ember.optim.optimizer import Optimizer
from ember.optim.radam import RAdam
from ember.optim.rmsprop import RMSprop
from ember.optim.rprop import Rprop
from ember.optim.sgd import SGD
from ember.optim.sparse_adam import SparseAdam

__all__ = ["Adafactor", "Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS",
           "lr_scheduler", "Muon", "NAdam", "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD",
           "SparseAdam", "swa_utils", "swap_in_optimizer_params_and_state"]

# NOTE(torch): the classes defined in private modules report the package as their home.
Adafactor.__module__ = Muon.__module__ = "ember.optim"
swap_in_optimizer_params_and_state.__module__ = "ember.optim"


def __getattr__(name):
    # swa_utils builds on ember.nn (AveragedModel is a Module), so it is imported on first
    # use rather than with ember itself.
    if name == "swa_utils":
        import importlib
        return importlib.import_module("ember.optim.swa_utils")
    raise AttributeError(f"module 'ember.optim' has no attribute '{name}'")
