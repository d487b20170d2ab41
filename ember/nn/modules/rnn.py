"""RNN, LSTM and GRU over whole sequences (torch.nn.modules.rnn); the single-step cells
live in rnn_cell.py and are re-exported here, at torch's path."""
from __future__ import annotations

import math
import numbers
import warnings
import weakref

import ember._ops.nn_rnn as _F
from ember._ops.creation import empty, zeros
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.modules.rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase
from ember.nn.parameter import Parameter
from ember.nn.utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_FUNCTIONS = {"LSTM": _F.lstm, "GRU": _F.gru, "RNN_TANH": _F.rnn_tanh, "RNN_RELU": _F.rnn_relu}


def _check_config(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size):
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or \
            not 0 <= dropout <= 1:
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable "
                         "projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the per-layer parameters (weight_ih_l{k}[_reverse],
    weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, weight_hr_l{k}), their flat list in torch's
    order, initialisation U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) drawn over the
    parameters in that order, the input checks and the forward pass."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._flat_weight_refs = []
        _check_config(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                      proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(2 if bidirectional else 1):
                names = self._make_layer(layer, direction, device, dtype)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self._init_flat_weights()
        self.reset_parameters()

    def _make_layer(self, layer, direction, device, dtype):
        """Create one layer/direction's parameters; their names in torch's order."""
        gate_size = _GATES[self.mode] * self.hidden_size
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        dirs = 2 if self.bidirectional else 1
        in_size = self.input_size if layer == 0 else real_hidden * dirs
        shapes = [("weight_ih_l{}{}", (gate_size, in_size)),
                  ("weight_hh_l{}{}", (gate_size, real_hidden))]
        if self.bias:
            shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
        if self.proj_size > 0:
            shapes.append(("weight_hr_l{}{}", (self.proj_size, self.hidden_size)))
        suffix = "_reverse" if direction == 1 else ""
        names = []
        for pattern, shape in shapes:
            name = pattern.format(layer, suffix)
            setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
            names.append(name)
        return names

    def _init_flat_weights(self):
        self._flat_weights = [getattr(self, name) if hasattr(self, name) else None
                              for name in self._flat_weights_names]
        self._flat_weight_refs = [None if w is None else weakref.ref(w)
                                  for w in self._flat_weights]
        self.flatten_parameters()

    def __setattr__(self, attr, value):
        if hasattr(self, "_flat_weights_names") and attr in self._flat_weights_names:
            # keep _flat_weights current when a weight is reassigned
            self._flat_weights[self._flat_weights_names.index(attr)] = value
        super().__setattr__(attr, value)

    def flatten_parameters(self):
        """Pack the weights into one buffer for cuDNN; a no-op on ember's devices."""

    def _apply(self, fn, recurse=True):
        self._flat_weight_refs = []
        result = super()._apply(fn, recurse)
        self._init_flat_weights()
        return result

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        """The parameters as one list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    # --- checks -------------------------------------------------------------------------
    def check_input(self, input, batch_sizes):
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def _mini_batch(self, input, batch_sizes):
        if batch_sizes is not None:
            return int(batch_sizes[0])
        return input.size(0) if self.batch_first else input.size(1)

    def get_expected_hidden_size(self, input, batch_sizes):
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * (2 if self.bidirectional else 1),
                self._mini_batch(input, batch_sizes), size)

    def check_hidden_size(self, hx, expected_hidden_size,
                          msg="Expected hidden size {}, got {}"):
        if hx.size() != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        return hx if permutation is None else hx.index_select(1, permutation)

    # --- forward ------------------------------------------------------------------------
    def _zero_state(self, input, batch):
        dirs = 2 if self.bidirectional else 1
        return zeros(self.num_layers * dirs, batch, self.hidden_size, dtype=input.dtype,
                     device=input.device)

    def _batched_hx(self, hx, is_batched):
        """hx with the batch dim unbatched inputs lack, after torch's dimension checks."""
        if is_batched:
            if hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx.dim()}-D tensor")
            return hx
        if hx.dim() != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                               f"{hx.dim()}-D tensor")
        return hx.unsqueeze(1)

    def _squeeze_hidden(self, hidden):
        return hidden.squeeze(1)

    def forward(self, input, hx=None):
        self._update_flat_weights()
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            hx = self._zero_state(data, int(batch_sizes[0])) if hx is None else \
                self.permute_hidden(hx, sorted_indices)
            self.check_forward_args(data, hx, batch_sizes)
            output, hidden = self._run(data, batch_sizes, hx)
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden(hidden, unsorted_indices))
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D{self._dim_word} instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        if hx is None:
            hx = self._zero_state(input, input.size(batch_dim))
        else:
            hx = self._batched_hx(hx, is_batched)
        self.check_forward_args(input, hx, None)
        output, hidden = self._run(input, None, hx)
        if not is_batched:
            return output.squeeze(batch_dim), self._squeeze_hidden(hidden)
        return output, hidden

    _dim_word = ""

    def _run(self, input, batch_sizes, hx):
        """(output, hidden) from the functional form (hx and hidden as the module has them)."""
        args = (self._flat_weights, self.bias, self.num_layers, self.dropout, self.training,
                self.bidirectional)
        fn = _FUNCTIONS[self.mode]
        if batch_sizes is None:
            result = fn(input, hx, *args, self.batch_first)
        else:
            result = fn(input, batch_sizes, hx, *args)
        return result[0], (tuple(result[1:]) if self.mode == "LSTM" else result[1])

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # --- weight references (functional_call / reassignment) ----------------------------
    def _weights_have_changed(self):
        for ref, name in zip(self._flat_weight_refs, self._flat_weights_names):
            weight = getattr(self, name) if hasattr(self, name) else None
            if weight is not None and ref is not None and ref() is not weight:
                return True
        return False

    def _update_flat_weights(self):
        if self._weights_have_changed():
            self._init_flat_weights()

    def __getstate__(self):
        self._update_flat_weights()
        state = self.__dict__.copy()
        del state["_flat_weight_refs"]
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "proj_size" not in state:
            self.proj_size = 0
        self._flat_weight_refs = [None if w is None else weakref.ref(w)
                                  for w in self._flat_weights]


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with act tanh
    or relu (``nonlinearity``), stacked ``num_layers`` deep, optionally bidirectional.

    Shape: input (L, N, H_in) (or (N, L, H_in) with batch_first, (L, H_in) unbatched, or a
    PackedSequence), h0 (D * num_layers, N, H_out) -> output (L, N, D * H_out), h_n.
    """

    _dim_word = " tensor"

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", *args,
                         **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: reset r, update z, new n gates,
    ``h_t = (1 - z) * n + z * h_{t-1}``; arguments and shapes as RNN's."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: input, forget, cell and output gates over (h, c); with
    ``proj_size`` > 0 the hidden state is projected by weight_hr_l{k}.

    Shape: as RNN's, with hx = (h0, c0) and the result (output, (h_n, c_n)); c has
    hidden_size features, h has proj_size (or hidden_size).
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        return (self.num_layers * (2 if self.bidirectional else 1),
                self._mini_batch(input, batch_sizes), self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def _zero_state(self, input, batch):
        dirs = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        h = zeros(self.num_layers * dirs, batch, size, dtype=input.dtype, device=input.device)
        return h, super()._zero_state(input, batch)

    def _batched_hx(self, hx, is_batched):
        dims = hx[0].dim(), hx[1].dim()
        want = 3 if is_batched else 2
        if dims != (want, want):
            kind = "batched 3-D" if is_batched else "unbatched 2-D"
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                               f"({dims[0]}-D, {dims[1]}-D) tensors")
        return hx if is_batched else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))

    def _squeeze_hidden(self, hidden):
        return hidden[0].squeeze(1), hidden[1].squeeze(1)
