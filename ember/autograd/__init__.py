"""ember.autograd (torch.autograd): the engine's public face."""
from ember.autograd import graph
from ember.autograd._api import backward, grad
from ember.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                      is_inference_mode_enabled, no_grad, set_grad_enabled)

__all__ = ["backward", "grad", "graph", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
           "detect_anomaly", "set_detect_anomaly"]
