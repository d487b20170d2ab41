"""Op table entries for recurrent and attention functions: torch.lstm_cell / gru_cell /
rnn_tanh_cell / rnn_relu_cell, torch.lstm / gru / rnn_tanh over padded and packed inputs,
and nn.functional.scaled_dot_product_attention (fused 4-D and math 3-D paths)."""
from __future__ import annotations

from opdb import FLOATS, OpInfo, Sample, values

OPS: list[OpInfo] = []


def _v(dtype, rng, *shape):
    return values(dtype, shape, rng, -1.0, 1.0)


def _cell_samples(gates, two_states=False):
    def make(dtype, rng):
        x, h = _v(dtype, rng, 3, 4), _v(dtype, rng, 3, 5)
        w_ih, w_hh = _v(dtype, rng, gates * 5, 4), _v(dtype, rng, gates * 5, 5)
        b_ih, b_hh = _v(dtype, rng, gates * 5), _v(dtype, rng, gates * 5)
        states = (h, _v(dtype, rng, 3, 5)) if two_states else (h,)
        return [Sample((x, *states, w_ih, w_hh, b_ih, b_hh)), Sample((x, *states, w_ih, w_hh))]
    return make


def _lstm_cell(lib, x, h, c, *weights):
    return lib.lstm_cell(x, (h, c), *weights)


def _cell(name):
    def call(lib, x, h, *weights):
        return getattr(lib, name)(x, h, *weights)
    call.__name__ = name
    return call


for _name, _gates in (("gru_cell", 3), ("rnn_tanh_cell", 1), ("rnn_relu_cell", 1)):
    OPS.append(OpInfo(_name, _cell(_name), _cell_samples(_gates), dtypes=FLOATS))
OPS.append(OpInfo("lstm_cell", _lstm_cell, _cell_samples(4, True), dtypes=FLOATS))


def _sequence_samples(gates, two_states=False):
    """(x (T, B, I), h0[, c0], w_ih, w_hh, b_ih, b_hh) of a one-layer network."""
    def make(dtype, rng):
        x = _v(dtype, rng, 4, 3, 2)
        states = tuple(_v(dtype, rng, 1, 3, 5) for _ in range(2 if two_states else 1))
        weights = (_v(dtype, rng, gates * 5, 2), _v(dtype, rng, gates * 5, 5),
                   _v(dtype, rng, gates * 5), _v(dtype, rng, gates * 5))
        x_bf = x.swapaxes(0, 1).copy()
        return [Sample((x, *states, *weights)), Sample((x_bf, *states, *weights),
                                                       {"batch_first": True}),
                Sample((x, *states, *weights), {"packed": True})]
    return make


def _sequence(name, n_states):
    def call(lib, x, *rest, batch_first=False, packed=False):
        states, params = rest[:n_states], list(rest[n_states:])
        hx = tuple(states) if n_states == 2 else states[0]
        fn = getattr(lib, name)
        if packed:        # rows of steps with batch sizes 3, 3, 2, 1
            data = lib.cat([x[0], x[1], x[2, :2], x[3, :1]])
            return fn(data, lib.tensor([3, 3, 2, 1]), hx, params, True, 1, 0.0, False, False)
        return fn(x, hx, params, True, 1, 0.0, False, False, batch_first)
    call.__name__ = name
    return call


OPS += [OpInfo("lstm", _sequence("lstm", 2), _sequence_samples(4, True), dtypes=FLOATS,
               rtol=1e-4, atol=1e-5, noncontiguous=False),
        OpInfo("gru", _sequence("gru", 1), _sequence_samples(3), dtypes=FLOATS, rtol=1e-4,
               atol=1e-5, noncontiguous=False),
        OpInfo("rnn_tanh", _sequence("rnn_tanh", 1), _sequence_samples(1), dtypes=FLOATS,
               rtol=1e-4, atol=1e-5, noncontiguous=False)]


def _sdpa(lib, q, k, v, *mask, **kwargs):
    return lib.nn.functional.scaled_dot_product_attention(q, k, v, *mask, **kwargs)


def _sdpa_samples(shape_q, shape_kv):
    def make(dtype, rng):
        q, k, v = _v(dtype, rng, *shape_q), _v(dtype, rng, *shape_kv), _v(dtype, rng, *shape_kv)
        mask = rng.standard_normal((shape_q[-2], shape_kv[-2])) > -0.5
        return [Sample((q, k, v)), Sample((q, k, v, mask)), Sample((q, k, v),
                                                                   {"is_causal": True}),
                Sample((q, k, v), {"scale": 0.5})]
    return make


# torch's fused CPU kernel (4-D inputs) has no double backward: gradgrad on the math path
OPS += [OpInfo("sdpa_fused", _sdpa, _sdpa_samples((2, 2, 4, 3), (2, 2, 5, 3)),
               dtypes=FLOATS + ("bfloat16",), gradgrad=False, rtol=1e-4, atol=1e-5),
        OpInfo("sdpa_math", _sdpa, _sdpa_samples((2, 4, 3), (2, 5, 3)),
               dtypes=FLOATS + ("bfloat16",), rtol=1e-4, atol=1e-5)]
