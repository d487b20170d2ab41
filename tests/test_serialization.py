"""ember.save / ember.load against real torch, both directions; the weights_only refusals;
corrupt files; atomic saves that survive a killed writer."""
from __future__ import annotations

import collections
import io
import os
import pickle
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from parity import DTYPES, assert_same, ember, torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _pairs():
    """(ember object, torch object) pairs covering dtypes, views and containers."""
    out = []
    for name, (edt, tdt) in sorted(DTYPES.items()):
        arr = np.arange(12).reshape(3, 4) % 5
        out.append((ember.tensor(arr).to(edt), torch.tensor(arr).to(tdt)))
    e, t = ember.arange(24.).view(4, 6), torch.arange(24.).view(4, 6)
    out.append(({"base": e, "row": e[2], "col": e[:, 1], "t": e.t()},
                {"base": t, "row": t[2], "col": t[:, 1], "t": t.t()}))
    out.append((ember.zeros(0, 3), torch.zeros(0, 3)))
    out.append((ember.tensor(2.5), torch.tensor(2.5)))
    out.append(([ember.ones(2), (ember.zeros(1), {"k": ember.tensor([1])}), 3, "s", 1.5, None],
                [torch.ones(2), (torch.zeros(1), {"k": torch.tensor([1])}), 3, "s", 1.5, None]))
    out.append((collections.OrderedDict(w=ember.ones(2, 2), b=ember.zeros(2)),
                collections.OrderedDict(w=torch.ones(2, 2), b=torch.zeros(2))))
    out.append(({"dtype": ember.float64, "dev": ember.device("cpu"), "size": ember.Size([2, 3])},
                {"dtype": torch.float64, "dev": torch.device("cpu"), "size": torch.Size([2, 3])}))
    return out


def _same(e, t):
    if isinstance(t, torch.Tensor):
        assert_same(e, t, check_grad_fn=False)
        assert e.stride() == t.stride() and e.storage_offset() == t.storage_offset()
        assert e.requires_grad == t.requires_grad
    elif isinstance(t, dict):
        assert type(e).__name__ == type(t).__name__ and list(e) == list(t)
        for k in t:
            _same(e[k], t[k])
    elif isinstance(t, (torch.dtype, torch.device, torch.Size)):
        assert str(e).replace("ember.", "torch.") == str(t)
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
    else:
        assert e == t


@pytest.mark.parametrize("i", range(len(_pairs())))
def test_ember_saves_torch_loads(tmp_path, i):
    e, t = _pairs()[i]
    ember.save(e, tmp_path / "x.pt")
    _compare_torch(torch.load(tmp_path / "x.pt", weights_only=True), t)


def _compare_torch(a, b):
    if isinstance(b, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
        assert a.stride() == b.stride() and a.storage_offset() == b.storage_offset()
    elif isinstance(b, dict):
        assert list(a) == list(b)
        for k in b:
            _compare_torch(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b)
        for x, y in zip(a, b):
            _compare_torch(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("i", range(len(_pairs())))
def test_torch_saves_ember_loads(tmp_path, i):
    e, t = _pairs()[i]
    torch.save(t, tmp_path / "x.pt")
    _same(ember.load(tmp_path / "x.pt"), t)


def test_views_stay_views_both_ways(tmp_path):
    e = ember.arange(6.)
    ember.save({"a": e, "v": e[2:4]}, tmp_path / "e.pt")
    t = torch.load(tmp_path / "e.pt")
    t["v"][0] = 100
    assert t["a"][2].item() == 100
    torch.save(t, tmp_path / "t.pt")
    back = ember.load(tmp_path / "t.pt")
    back["v"][1] = -1
    assert back["a"].tolist() == [0.0, 1.0, 100.0, -1.0, 4.0, 5.0]


def test_parameters_and_requires_grad(tmp_path):
    p = ember.nn.Parameter(ember.ones(3))
    q = ember.ones(2).requires_grad_()
    ember.save({"p": p, "q": q}, tmp_path / "p.pt")
    t = torch.load(tmp_path / "p.pt")
    assert isinstance(t["p"], torch.nn.Parameter) and t["q"].requires_grad
    torch.save(t, tmp_path / "t.pt")
    back = ember.load(tmp_path / "t.pt")
    assert isinstance(back["p"], ember.nn.Parameter) and back["q"].requires_grad
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf"):
        ember.save(q * 2, io.BytesIO())


def test_torch_layer_and_optimizer_state_dicts_load(tmp_path):
    torch.manual_seed(0)
    layers = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.LSTM(4, 5, 2),
        torch.nn.Linear(5, 2), torch.nn.Embedding(7, 3), torch.nn.LayerNorm(3),
        torch.nn.TransformerEncoderLayer(8, 2, 16), torch.nn.GRU(3, 3), torch.nn.PReLU())
    opt = torch.optim.Adam(layers.parameters())
    layers[3](torch.ones(1, 5)).sum().backward()
    opt.step()
    torch.save({"model": layers.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.pt")
    got = ember.load(tmp_path / "ck.pt")
    want = torch.load(tmp_path / "ck.pt")
    assert list(got["model"]) == list(want["model"])
    for k, v in want["model"].items():
        assert np.array_equal(got["model"][k].numpy(), v.numpy()), k
    assert got["opt"]["param_groups"][0]["lr"] == want["opt"]["param_groups"][0]["lr"]
    assert got["model"]._metadata == want["model"]._metadata


def test_file_objects_and_paths(tmp_path):
    buf = io.BytesIO()
    ember.save(ember.arange(3), buf)
    buf.seek(0)
    assert torch.load(buf).tolist() == [0, 1, 2]
    buf.seek(0)
    assert ember.load(buf).tolist() == [0, 1, 2]
    ember.save([1, 2], str(tmp_path / "s.pt"))
    assert ember.load(str(tmp_path / "s.pt")) == [1, 2]


def test_legacy_format(tmp_path):
    t = {"a": torch.arange(6.).view(2, 3), "b": torch.tensor([True, False])}
    torch.save(t, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    got = ember.load(tmp_path / "old.pt")
    _same(got, t)


def test_mmap(tmp_path):
    ember.save({"w": ember.arange(10.)}, tmp_path / "m.pt")
    got = ember.load(tmp_path / "m.pt", mmap=True)
    assert got["w"].tolist() == list(range(10))
    with pytest.raises(ValueError, match="f must be a file path"):
        ember.load(io.BytesIO(b""), mmap=True)


def test_map_location_forms(tmp_path):
    ember.save(ember.ones(2), tmp_path / "a.pt")
    for loc in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s,
                lambda s, loc: None):
        assert ember.load(tmp_path / "a.pt", map_location=loc).tolist() == [1.0, 1.0]


def _zip_with_pickle(payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/byteorder", b"little")
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


def _global_call(module, name, arg):
    return (b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n" +
            pickle.dumps((arg,), protocol=2)[2:-1] + b"R.")


MALICIOUS = [
    ("os", "system"), ("posix", "system"), ("builtins", "eval"), ("builtins", "exec"),
    ("builtins", "getattr"), ("subprocess", "Popen"), ("__builtin__", "eval"),
    ("nt", "system"), ("sys", "exit"), ("builtins", "__import__"),
]


@pytest.mark.parametrize("module,name", MALICIOUS)
def test_malicious_pickles_refused(tmp_path, module, name):
    marker = tmp_path / "pwned"
    payload = _global_call(module, name, f"touch {marker}" if "system" in name or
                           name == "Popen" else f"open('{marker}', 'w')")
    data = _zip_with_pickle(payload)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as info:
        ember.load(io.BytesIO(data))
    assert f"{module}.{name}" in str(info.value)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):     # torch refuses the same file
        torch.load(io.BytesIO(data))


def test_malicious_legacy_pickle_refused(tmp_path):
    marker = tmp_path / "pwned"
    body = (pickle.dumps(0x1950a86a20f9469cfc6c, 2) + pickle.dumps(1001, 2) +
            pickle.dumps({"little_endian": True}, 2) +
            _global_call("os", "system", f"touch {marker}"))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(io.BytesIO(body))
    assert not marker.exists()


class Point:
    def __init__(self, x):
        self.x = x


def test_safe_globals(tmp_path):
    torch.save({"p": Point(3)}, tmp_path / "p.pt")
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        ember.load(tmp_path / "p.pt")
    with ember.serialization.safe_globals([Point]):
        assert ember.load(tmp_path / "p.pt")["p"].x == 3
    assert ember.load(tmp_path / "p.pt", weights_only=False)["p"].x == 3


@pytest.mark.parametrize("keep", [0, 30, 100, 400, 900])
def test_truncated_files_raise_clearly(tmp_path, keep):
    ember.save({"w": ember.arange(100.)}, tmp_path / "ok.pt")
    raw = (tmp_path / "ok.pt").read_bytes()
    (tmp_path / "bad.pt").write_bytes(raw[:keep])
    with pytest.raises(RuntimeError):
        ember.load(tmp_path / "bad.pt")


def test_corrupted_storage_bytes_raise(tmp_path):
    ember.save({"w": ember.arange(100.)}, tmp_path / "ok.pt")
    raw = bytearray((tmp_path / "ok.pt").read_bytes())
    z = zipfile.ZipFile(io.BytesIO(bytes(raw)))
    info = z.getinfo("ok/data/0")
    raw[info.header_offset + 200] ^= 0xFF
    (tmp_path / "bad.pt").write_bytes(bytes(raw))
    with pytest.raises(RuntimeError):
        ember.load(tmp_path / "bad.pt")


_WRITER = """
import sys, ember
path = sys.argv[1]
big = ember.ones(25_000_000)
while True:
    ember.save({"w": big, "tag": "new"}, path)
"""


def test_interrupted_save_keeps_previous_checkpoint(tmp_path):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.arange(5.), "tag": "old"}, path)
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], env=env)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:   # wait until a temporary file is being written
            if any(p.name.startswith(".ck.pt.") for p in tmp_path.iterdir()):
                break
            time.sleep(0.01)
        else:
            pytest.fail("the writer never started a save")
        time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    got = ember.load(path)
    assert got["tag"] in ("old", "new")      # whichever finished last, never a broken file
    if got["tag"] == "old":
        assert got["w"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_safetensors_numpy_round_trip(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    sd = {"w": ember.arange(6.).view(2, 3), "b": ember.zeros(3, dtype=ember.int64)}
    st.save_file({k: v.numpy() for k, v in sd.items()}, str(tmp_path / "m.safetensors"))
    back = {k: ember.from_numpy(v) for k, v in
            st.load_file(str(tmp_path / "m.safetensors")).items()}
    for k in sd:
        assert back[k].dtype is sd[k].dtype and back[k].tolist() == sd[k].tolist()
