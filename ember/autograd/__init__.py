"""ember.autograd (torch.autograd): the engine's public face."""
from ember.autograd import graph
from ember.autograd._api import backward, grad
from ember.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
from ember.autograd.function import Function
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                      is_inference_mode_enabled, no_grad, set_grad_enabled)
from ember.autograd.gradcheck import gradcheck, gradgradcheck
from ember.autograd.settings import (enforce_grad_layout_policy, is_multithreading_enabled,
                                     is_tensor_like, is_view_replay_enabled, kineto_available,
                                     set_multithreading_enabled)
from ember.autograd.variable import Variable
from ember.autograd import functional

__all__ = ["Variable", "Function", "backward", "grad", "graph",
           "functional", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled", "detect_anomaly",
           "set_detect_anomaly", "gradcheck", "gradgradcheck", "variable",
           "is_multithreading_enabled", "set_multithreading_enabled", "is_view_replay_enabled",
           "enforce_grad_layout_policy", "is_tensor_like", "kineto_available"]


def variable(*args, **kwargs):
    """Removed in torch; kept so that old code fails with torch's message."""
    raise RuntimeError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) "
                       "instead")
