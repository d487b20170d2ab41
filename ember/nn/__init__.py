"""ember.nn (torch.nn): modules, parameters, functional, init and utils."""
from ember.nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from ember.nn.modules import *
from ember.nn import functional, init, modules, parameter, utils
from ember.nn.modules.container_legacy import factory_kwargs
