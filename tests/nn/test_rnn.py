"""RNN, LSTM, GRU, their cells and torch.lstm / gru / rnn_* against torch."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from nn._helpers import both, same, same_error

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3, 5)).astype(np.float32)


def _close(e, t, rtol=1e-4, atol=1e-5):
    """Compare nested results: arrays by value, everything else exactly."""
    if isinstance(e, (list, tuple)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _close(a, b, rtol, atol)
    elif isinstance(e, np.ndarray):
        assert e.dtype == t.dtype and e.shape == t.shape
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol)
    else:
        assert e == t, (e, t)


def _np(t):
    return None if t is None else t.detach().numpy()


def _flat(h):
    return h if isinstance(h, tuple) else (h,)


def _module_case(lib, cls, kwargs, *, x=X, h0=False, train=False, dtype="float32",
                 unbatched=False):
    """Seeded module, forward, loss on output and final states, backward."""
    lib.manual_seed(0)
    m = getattr(lib.nn, cls)(5, 6, **kwargs).to(getattr(lib, dtype))
    m.train(train)
    leaf = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
    inp = leaf
    if kwargs.get("batch_first"):
        inp = inp.transpose(0, 1)
    if unbatched:
        inp = inp[:, 0]
    hx = None
    if h0:
        dirs = 2 if kwargs.get("bidirectional") else 1
        size = (kwargs.get("num_layers", 1) * dirs,) + ((3,) if not unbatched else ())
        hsize = kwargs.get("proj_size") or 6
        hx = lib.ones(*size, hsize, dtype=inp.dtype) * 0.3
        if cls == "LSTM":
            hx = (hx, lib.ones(*size, 6, dtype=inp.dtype) * -0.2)
    out, hidden = m(inp, hx)
    loss = (out * out).sum() + sum((h * h.cos()).sum() for h in _flat(hidden))
    loss.backward()
    return ([_np(out)] + [_np(h) for h in _flat(hidden)],
            [_np(p.grad) for p in m.parameters()] + [_np(leaf.grad)], None,
            type(out.grad_fn).__name__, [type(h.grad_fn).__name__ for h in _flat(hidden)])


CONFIGS = [
    ("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 3}), ("LSTM", {"proj_size": 2, "num_layers": 2, "bias": False}),
    ("LSTM", {"batch_first": True}), ("GRU", {}), ("GRU", {"num_layers": 2, "bias": False}),
    ("GRU", {"bidirectional": True, "batch_first": True}), ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
]


@pytest.mark.parametrize("cls,kwargs", CONFIGS)
def test_module_forward_backward(cls, kwargs):
    e, t = both(lambda lib: _module_case(lib, cls, kwargs, h0=True))
    _close(e[:2], t[:2])
    assert e[3] == t[3] or (e[3], t[3]) == ("TransposeBackward0", "TransposeBackward1")
    assert e[4] == t[4]


@pytest.mark.parametrize("cls,kwargs", [("LSTM", {"num_layers": 2}), ("GRU", {}),
                                        ("RNN", {"nonlinearity": "relu"}),
                                        ("LSTM", {"proj_size": 2, "bidirectional": True})])
def test_module_float64_default_state(cls, kwargs):
    e, t = both(lambda lib: _module_case(lib, cls, kwargs, dtype="float64"))
    _close(e[:2], t[:2], rtol=1e-10, atol=1e-12)
    assert e[3:] == t[3:]


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("h0", [False, True])
def test_module_unbatched(cls, h0):
    e, t = both(lambda lib: _module_case(lib, cls, {"num_layers": 2}, h0=h0, unbatched=True))
    _close(e[:2], t[:2])
    assert e[3:] == t[3:]


@pytest.mark.parametrize("cls,kwargs", [("LSTM", {"num_layers": 3, "dropout": 0.4}),
                                        ("GRU", {"num_layers": 2, "dropout": 0.5,
                                                 "bidirectional": True}),
                                        ("RNN", {"num_layers": 2, "dropout": 1.0})])
def test_dropout_between_layers_draws_torch_bits(cls, kwargs):
    e, t = both(lambda lib: _module_case(lib, cls, kwargs, train=True))
    _close(e[:2], t[:2])


def _input_grad_case(lib, cls, kwargs):
    lib.manual_seed(1)
    m = getattr(lib.nn, cls)(5, 6, **kwargs).double()
    x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    out, _ = m(x)
    (out.sin()).sum().backward()
    return _np(x.grad)


@pytest.mark.parametrize("cls,kwargs", [("LSTM", {"num_layers": 2, "bidirectional": True}),
                                        ("GRU", {"num_layers": 2}), ("RNN", {})])
def test_input_gradient(cls, kwargs):
    e, t = both(lambda lib: _input_grad_case(lib, cls, kwargs))
    _close(e, t, rtol=1e-10, atol=1e-12)


def _packed_case(lib, cls, kwargs, enforce_sorted):
    rnn_utils = lib.nn.utils.rnn
    lib.manual_seed(0)
    m = getattr(lib.nn, cls)(5, 6, **kwargs).double()
    x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    lengths = [4, 3, 1] if enforce_sorted else [2, 4, 3]
    packed = rnn_utils.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
    out, hidden = m(packed)
    padded, lens = rnn_utils.pad_packed_sequence(out)
    loss = padded.tanh().sum() + sum((h * h).sum() for h in _flat(hidden))
    loss.backward()
    return ([_np(padded), _np(lens), _np(out.batch_sizes)] + [_np(h) for h in _flat(hidden)],
            [_np(p.grad) for p in m.parameters()] + [_np(x.grad)],
            type(out.data.grad_fn).__name__)


@pytest.mark.parametrize("cls,kwargs", [("LSTM", {"num_layers": 2, "bidirectional": True}),
                                        ("LSTM", {"proj_size": 2}),
                                        ("GRU", {"bidirectional": True}),
                                        ("RNN", {"num_layers": 2})])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequence(cls, kwargs, enforce_sorted):
    e, t = both(lambda lib: _packed_case(lib, cls, kwargs, enforce_sorted))
    _close(e, t, rtol=1e-10, atol=1e-12)


def _double_backward_case(lib, cls, kwargs, packed):
    lib.manual_seed(2)
    m = getattr(lib.nn, cls)(5, 4, **kwargs).double()
    x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    inp = lib.nn.utils.rnn.pack_padded_sequence(x, [4, 2, 2]) if packed else x
    out, _ = m(inp)
    out = out.data if packed else out
    params = list(m.parameters())
    grads = lib.autograd.grad((out ** 2).sum(), [x] + params, create_graph=True)
    sum((g * g).sum() for g in grads).backward()
    return [_np(p.grad) for p in params] + [_np(x.grad)]


@pytest.mark.parametrize("cls,kwargs,packed", [
    ("LSTM", {}, False), ("LSTM", {"proj_size": 2, "bidirectional": True}, True),
    ("GRU", {"num_layers": 2}, False), ("RNN", {"bidirectional": True}, True),
    ("RNN", {"nonlinearity": "relu"}, False)])
def test_double_backward(cls, kwargs, packed):
    e, t = both(lambda lib: _double_backward_case(lib, cls, kwargs, packed))
    _close(e, t, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("cls,args,kwargs", [
    ("LSTM", (10, 20), {"num_layers": 2, "batch_first": True}),
    ("LSTM", (3, 4), {"proj_size": 2, "bidirectional": True, "bias": False, "dropout": 0.5}),
    ("GRU", (3, 4, 2), {}), ("RNN", (3, 4), {"nonlinearity": "relu"}),
    ("RNN", (3, 4, 1, "relu", False), {}),
    ("RNNCell", (3, 4), {"nonlinearity": "relu", "bias": False}), ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {})])
def test_seeded_init_names_and_repr(cls, args, kwargs):
    def fn(lib):
        lib.manual_seed(0)
        m = getattr(lib.nn, cls)(*args, **kwargs)
        return repr(m), [(n, p.detach().numpy().tobytes()) for n, p in m.named_parameters()]
    same(fn)


def test_flat_weights_and_all_weights():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
        names = list(m._flat_weights_names)
        ok = all(a is b for a, b in zip(m._flat_weights, [getattr(m, n) for n in names]))
        shapes = [[tuple(p.shape) for p in ws] for ws in m.all_weights]
        m.flatten_parameters()
        m.weight_ih_l0 = lib.nn.Parameter(lib.zeros(16, 3))
        replaced = m._flat_weights[0] is m.weight_ih_l0
        m.double()
        return (names, ok, shapes, replaced, str(m._flat_weights[3].dtype),
                list(m.state_dict()), m._all_weights)
    same(fn)


def test_deepcopy_and_pickle_keep_flat_weights():
    lib = ember
    lib.manual_seed(0)
    m = lib.nn.GRU(3, 4)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert all(a is getattr(clone, n)
                   for a, n in zip(clone._flat_weights, clone._flat_weights_names))
        x = lib.ones(2, 1, 3)
        np.testing.assert_array_equal(_np(clone(x)[0]), _np(m(x)[0]))


# --- cells --------------------------------------------------------------------------------
def _cell_case(lib, cls, hx, unbatched, dtype):
    lib.manual_seed(0)
    m = getattr(lib.nn, cls)(5, 6).to(getattr(lib, dtype))
    x = lib.tensor(X[0], dtype=getattr(lib, dtype), requires_grad=True)
    state = None
    if hx:
        h = lib.full((3, 6), 0.5, dtype=x.dtype, requires_grad=True)
        state = (h, h * 2) if cls == "LSTMCell" else h
    if unbatched:
        x = x[0]
        if state is not None:
            state = tuple(s[0] for s in state) if cls == "LSTMCell" else state[0]
    out = m(x, state)
    outs = _flat(out)
    sum((o.exp()).sum() for o in outs).backward()
    return ([_np(o) for o in outs], [_np(p.grad) for p in m.parameters()],
            [type(o.grad_fn).__name__ for o in outs])


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("hx,unbatched", [(False, False), (True, False), (True, True)])
def test_cells(cls, hx, unbatched):
    e, t = both(lambda lib: _cell_case(lib, cls, hx, unbatched, "float32"))
    _close(e, t)
    e, t = both(lambda lib: _cell_case(lib, cls, hx, unbatched, "float64"))
    _close(e, t, rtol=1e-12, atol=1e-12)


def test_relu_cell():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.RNNCell(5, 6, nonlinearity="relu").double()
        y = m(lib.tensor(X[0], dtype=lib.float64))
        return y.detach().numpy().round(10).tolist(), type(y.grad_fn).__name__
    same(fn)


# --- top-level functions --------------------------------------------------------------------
def _functional_case(lib, name):
    rng = np.random.default_rng(3)
    gates = {"lstm": 4, "gru": 3}.get(name, 1) * 4
    arrays = [rng.standard_normal(s) for s in ((gates, 5), (gates, 4), (gates,), (gates,))]
    params = [lib.tensor(a, requires_grad=True) for a in arrays]
    x = lib.tensor(X, dtype=lib.float64)
    h = lib.zeros(1, 3, 4, dtype=lib.float64)
    hx = (h, h) if name == "lstm" else h
    res = getattr(lib, name)(x, hx, params, True, 1, 0.0, False, False, False)
    cell = getattr(lib, "rnn_tanh_cell" if name.startswith("rnn") else name + "_cell")
    step = cell(x[0], hx[0] if name != "lstm" else (h[0], h[0]), *params)
    return [_np(r) for r in res] + [_np(s) for s in _flat(step)], type(res).__name__


@pytest.mark.parametrize("name", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
def test_top_level_functions(name):
    e, t = both(lambda lib: _functional_case(lib, name))
    _close(e, t, rtol=1e-12, atol=1e-12)


# --- errors -----------------------------------------------------------------------------------
ERRORS = {
    "input_size": lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(5, 3, 7)),
    "hidden0": lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(5, 3, 10),
                                               (lib.zeros(1, 3, 5), lib.zeros(1, 3, 20))),
    "hidden1": lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(5, 3, 10),
                                               (lib.zeros(1, 3, 20), lib.zeros(1, 2, 20))),
    "gru_hidden": lambda lib: lib.nn.GRU(10, 20)(lib.zeros(5, 3, 10), lib.zeros(2, 3, 20)),
    "hx_dim": lambda lib: lib.nn.GRU(10, 20)(lib.zeros(5, 3, 10), lib.zeros(3, 20)),
    "unbatched_hx": lambda lib: lib.nn.RNN(10, 20)(lib.zeros(5, 10), lib.zeros(1, 3, 20)),
    "lstm_hx_dims": lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(5, 3, 10),
                                                    (lib.zeros(3, 20), lib.zeros(1, 3, 20))),
    "input_4d": lambda lib: lib.nn.GRU(10, 20)(lib.zeros(5, 10, 3, 10)),
    "rnn_input_4d": lambda lib: lib.nn.RNN(10, 20)(lib.zeros(5, 10, 3, 10)),
    "dtype": lambda lib: lib.nn.GRU(10, 20)(lib.zeros(5, 3, 10, dtype=lib.float64)),
    "empty_seq": lambda lib: lib.nn.LSTM(4, 5)(lib.zeros(0, 3, 4)),
    "nonlinearity": lambda lib: lib.nn.RNN(10, 20, nonlinearity="sigmoid"),
    "proj_gru": lambda lib: lib.nn.GRU(10, 20, proj_size=3),
    "proj_size": lambda lib: lib.nn.LSTM(10, 20, proj_size=20),
    "dropout": lambda lib: lib.nn.LSTM(10, 20, dropout=2),
    "hidden_zero": lambda lib: lib.nn.LSTM(10, 0),
    "layers_zero": lambda lib: lib.nn.LSTM(10, 20, num_layers=0),
    "float_size": lambda lib: lib.nn.LSTM(10.0, 20),
    "cell_input": lambda lib: lib.nn.LSTMCell(10, 20)(lib.zeros(3, 7)),
    "cell_hidden": lambda lib: lib.nn.LSTMCell(10, 20)(lib.zeros(3, 10),
                                                       (lib.zeros(3, 20), lib.zeros(3, 5))),
    "cell_batch": lambda lib: lib.nn.GRUCell(10, 20)(lib.zeros(3, 10), lib.zeros(2, 5)),
    "cell_dims": lambda lib: lib.nn.RNNCell(10, 20)(lib.zeros(3, 10, 2)),
    "cell_hx_dims": lambda lib: lib.nn.LSTMCell(10, 20)(lib.zeros(3, 10),
                                                        (lib.zeros(3, 20), lib.zeros(3, 20, 1))),
    "cell_nonlinearity": lambda lib: lib.nn.RNNCell(10, 20, nonlinearity="x")(lib.zeros(3, 10)),
    "functional_batch": lambda lib: lib.gru(lib.zeros(4, 3, 5), lib.zeros(1, 2, 4),
                                            [lib.zeros(12, 5), lib.zeros(12, 4)], False, 1,
                                            0.0, False, False, False),
    "functional_input": lambda lib: lib.rnn_tanh(lib.zeros(4, 3, 6), lib.zeros(1, 3, 4),
                                                 [lib.zeros(4, 5), lib.zeros(4, 4)], False, 1,
                                                 0.0, False, False, False),
    "param_count": lambda lib: lib.gru(lib.zeros(3, 2, 4), lib.zeros(1, 2, 5),
                                       [lib.zeros(15, 4), lib.zeros(15, 5), lib.zeros(15)], True,
                                       1, 0.0, False, False, False),
    "layer_count": lambda lib: lib.gru(lib.zeros(3, 2, 4), lib.zeros(3, 2, 5),
                                       [lib.zeros(15, 4), lib.zeros(15, 5)], False, 3, 0.0,
                                       False, False, False),
    "lstm_one_state": lambda lib: lib.lstm(lib.zeros(3, 2, 4), (lib.zeros(1, 2, 5),),
                                           [lib.zeros(20, 4), lib.zeros(20, 5)], False, 1,
                                           0.0, False, False, False),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors(case):
    same_error(ERRORS[case])


def test_dropout_warning_and_empty_batch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater"):
        ember.nn.LSTM(3, 4, dropout=0.5)

    def fn(lib):
        out, (h, c) = lib.nn.LSTM(4, 5)(lib.zeros(2, 0, 4))
        return out.shape, h.shape, c.shape
    same(fn)
