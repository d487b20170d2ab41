"""torch's recurrent functions: lstm, gru, rnn_tanh, rnn_relu (multi-layer, bidirectional,
padded or packed) and the single-step lstm_cell, gru_cell, rnn_tanh_cell, rnn_relu_cell.

nn.LSTM / nn.GRU / nn.RNN call these as torch's modules call ``_VF``. Each layer and
direction is one graph node (ember/_ops/_rnn_layer.py); the cells are plain ember ops, so
their graphs are torch's.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._rnn_layer import (MkldnnRnnLayer, PackedRnnLayer, StackedRnnLayer,
                                   elman_update, gru_update, linear2d, lstm_update, rnn_layer)
from ember._ops.nn_dropout import dropout as _dropout
from ember._ops.join import cat, stack
from ember._tensor import Tensor

__all__ = ["lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_cell", "gru_cell", "rnn_tanh_cell",
           "rnn_relu_cell"]
FUNCTIONS_ONLY = frozenset(__all__)


# --- cells ------------------------------------------------------------------------------
def _check_cell(input, hiddens, w_ih, w_hh):
    if input.size(1) != w_ih.size(1):
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                           f"{w_ih.size(1)}")
    hidden_size = w_hh.size(1)
    for k, hx in enumerate(hiddens):
        if input.size(0) != hx.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{k} "
                               f"batch size {hx.size(0)}")
        if hx.size(1) != hidden_size:
            raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {hx.size(1)}, "
                               f"expected {hidden_size}")


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: (h', c') from input (B, I) and hx = (h, c)."""
    if not isinstance(hx, (tuple, list)):
        raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                        f"not {type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    _check_cell(input, hx, w_ih, w_hh)
    hy, cy, _ = lstm_update(linear2d(hx[0], w_hh, b_hh) + linear2d(input, w_ih, b_ih), hx[1])
    return hy, cy


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step: h' from input (B, I) and h (B, H)."""
    _check_cell(input, (hx,), w_ih, w_hh)
    return gru_update(linear2d(input, w_ih, b_ih), linear2d(hx, w_hh, b_hh), hx)[0]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step: tanh(input W_ih^T + b_ih + h W_hh^T + b_hh)."""
    _check_cell(input, (hx,), w_ih, w_hh)
    return elman_update(linear2d(input, w_ih, b_ih) + linear2d(hx, w_hh, b_hh), False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step: relu(input W_ih^T + b_ih + h W_hh^T + b_hh)."""
    _check_cell(input, (hx,), w_ih, w_hh)
    return elman_update(linear2d(input, w_ih, b_ih) + linear2d(hx, w_hh, b_hh), True)


# --- full sequences ---------------------------------------------------------------------
def lstm(*args):
    """lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first) or lstm(data, batch_sizes, hx, params, has_biases, num_layers, dropout,
    train, bidirectional) -> (output, h_n, c_n). hx is (h0, c0)."""
    packed = isinstance(args[1], Tensor)
    hx = args[2] if packed else args[1]
    if len(hx) != 2:
        raise RuntimeError("lstm expects two hidden states")
    return _run("LSTM", args, packed, tuple(hx))


def gru(*args):
    """gru(input, hx, params, ...) or gru(data, batch_sizes, hx, params, ...) -> (output,
    h_n); the arguments follow lstm's."""
    return _rnn("GRU", args)


def rnn_tanh(*args):
    """Elman RNN with tanh; the arguments follow gru's."""
    return _rnn("RNN_TANH", args)


def rnn_relu(*args):
    """Elman RNN with relu; the arguments follow gru's."""
    return _rnn("RNN_RELU", args)


def _rnn(mode, args):
    packed = isinstance(args[2], Tensor)
    return _run(mode, args, packed, (args[2] if packed else args[1],))


def _run(mode, args, packed, hx):
    """Unpack either overload and run the layers."""
    if packed:
        data, batch_sizes, _, params, has_biases, num_layers, dropout, train, \
            bidirectional = args
        batch_sizes = tuple(batch_sizes.tolist())
        batch_first = False
    else:
        data, _, params, has_biases, num_layers, dropout, train, bidirectional, \
            batch_first = args
        if batch_first:
            data = data.transpose(0, 1)
        if data.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        batch_sizes = (data.shape[1],) * data.shape[0]
    proj = mode == "LSTM" and hx[0].shape[-1] != hx[1].shape[-1]
    cls = _node_class(mode, data, packed, proj)
    layers = _layer_weights(params, has_biases, proj, num_layers * (2 if bidirectional else 1))
    _check_shapes(data, layers[0][0], hx, batch_sizes[0] if batch_sizes else 0)
    output, finals = _layers(cls, mode, data, hx, layers, batch_sizes, num_layers,
                             bidirectional, dropout if train else 0.0)
    if batch_first:
        output = output.transpose(0, 1)
    return (output,) + tuple(stack(f) for f in finals)


def _check_shapes(x, w_ih, hx, batch):
    if x.shape[-1] != w_ih.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.numel() // x.shape[-1]}"
                           f"x{x.shape[-1]} and {w_ih.shape[1]}x{w_ih.shape[0]})")
    for h in hx:
        if h.shape[1] != batch:
            raise RuntimeError(f"The size of tensor a ({h.shape[1]}) must match the size of "
                               f"tensor b ({batch}) at non-singleton dimension 0")


def _node_class(mode, data, packed, proj):
    if packed:
        return PackedRnnLayer
    if mode == "LSTM" and not proj and data.dtype is D.float32 and data.numel():
        return MkldnnRnnLayer
    return StackedRnnLayer


def _layer_weights(params, has_biases, proj, count):
    """[(w_ih, w_hh, b_ih, b_hh, w_hr)] per layer and direction, None where absent."""
    per = 2 + 2 * bool(has_biases) + int(proj)
    params = list(params)
    if len(params) % per:
        raise RuntimeError("got an incorrect number of RNN parameters")
    if len(params) != per * count:
        raise RuntimeError("Expected more weights in stacked_rnn")
    layers = []
    for k in range(count):
        p = params[k * per:(k + 1) * per]
        w_hr = p.pop() if proj else None
        b_ih, b_hh = (p[2], p[3]) if has_biases else (None, None)
        layers.append((p[0], p[1], b_ih, b_hh, w_hr))
    return layers


def _layers(cls, mode, x, hx, layers, batch_sizes, num_layers, bidirectional, dropout):
    """(last layer's output, [h_n pieces, c_n pieces]) over all layers and directions."""
    dirs = 2 if bidirectional else 1
    finals = [[] for _ in hx]
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            idx = layer * dirs + d
            c0 = hx[1][idx] if len(hx) == 2 else None
            res = rnn_layer(cls, mode, x, layers[idx], hx[0][idx], c0, batch_sizes, d == 1)
            outs.append(res[0])
            for pieces, final in zip(finals, res[1:]):
                pieces.append(final)
        x = outs[0] if dirs == 1 else cat(outs, -1)
        if dropout and layer < num_layers - 1:
            x = _dropout(x, dropout, True)
    return x, finals

