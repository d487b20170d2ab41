"""python -m ember.vision.train: short runs on subsets, the checkpoint in real torch, resume,
the pictures, and one-line errors for bad options and missing files."""
from __future__ import annotations

import hashlib
import os
import pickle
import struct
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.vision import train as T
from ember.vision._train_data import build_model

torch = pytest.importorskip("torch")
Image = pytest.importorskip("PIL.Image")

QUIET = dict(progress=False, log=lambda line: None)


@pytest.fixture(scope="module")
def one_epoch(tmp_path_factory):
    """A 1-epoch digits run on 400 training / 400 test images, with its log."""
    out = tmp_path_factory.mktemp("run")
    lines = []
    result = T.train(epochs=1, limit=400, out=str(out), progress=False, log=lines.append)
    return result, out, lines


def test_one_epoch_run_writes_checkpoint_and_pictures(one_epoch):
    result, out, lines = one_epoch
    assert result["files"][0] == os.path.join(str(out), "checkpoint.pt")
    assert {os.path.basename(f) for f in result["files"]} == {
        "checkpoint.pt", "curves.png", "misclassified.png"}
    history = result["history"]
    assert [len(v) for v in history.values()] == [1, 1, 1]
    assert 0.5 < result["accuracy"] <= 1 and history["train_loss"][0] < 2.3
    assert lines[0].startswith("digits: 400 training / 360 test images")
    assert lines[1].startswith("epoch 1/1  train loss ") and "test accuracy" in lines[1]
    assert lines[-1].startswith("test accuracy ") and "after 1 epoch (" in lines[-1]
    with Image.open(out / "curves.png") as im:
        assert im.size == (960, 540) and im.mode == "RGB"
    with Image.open(out / "misclassified.png") as im:
        assert im.mode == "RGB" and im.size[0] >= 200


def test_checkpoint_loads_in_torch(one_epoch):
    result, out, _ = one_epoch
    ckpt = torch.load(out / "checkpoint.pt", weights_only=True)
    assert ckpt["epoch"] == 1 and ckpt["dataset"] == "digits"
    assert ckpt["classes"] == [str(d) for d in range(10)]
    model = build_model(torch.nn, "digits", 1, 8, 10)
    model.load_state_dict(ckpt["model"])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    optimizer.load_state_dict(ckpt["optimizer"])
    assert optimizer.state_dict()["state"][0]["step"].item() == 7    # ceil(400 / 64) steps
    x = np.random.default_rng(0).standard_normal((5, 1, 8, 8)).astype(np.float32)
    model.eval()
    ours = result["model"].eval()
    with torch.no_grad(), ember.no_grad():
        np.testing.assert_allclose(model(torch.tensor(x)).numpy(),
                                   ours(ember.tensor(x)).numpy(), rtol=1e-5, atol=1e-5)
    # the loader's generator state travels too, as a plain uint8 tensor
    assert ckpt["generator_state"].dtype == torch.uint8


def test_resume_continues_the_same_run(tmp_path):
    straight = T.train(epochs=2, limit=200, out=str(tmp_path / "a"), **QUIET)
    T.train(epochs=1, limit=200, out=str(tmp_path / "b"), **QUIET)
    resumed = T.train(epochs=2, limit=200, out=str(tmp_path / "b"),
                      resume=str(tmp_path / "b" / "checkpoint.pt"), **QUIET)
    assert resumed["history"] == straight["history"]
    for (k, a), b in zip(straight["model"].state_dict().items(),
                         resumed["model"].state_dict().values()):
        assert ember.equal(a, b), k
    # nothing left to train: the checkpoint is evaluated and the pictures redrawn
    again = T.train(epochs=2, limit=200, out=str(tmp_path / "b"),
                    resume=str(tmp_path / "b" / "checkpoint.pt"), **QUIET)
    assert again["history"] == straight["history"]


def test_runs_without_tqdm_and_restores_threads(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    before = ember.get_num_threads()
    T.train(epochs=1, limit=64, out=str(tmp_path), progress=True, threads=1)
    assert ember.get_num_threads() == before
    assert "epoch 1/1  train loss" in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Runs in a scratch folder: the default --out (./ember-train-out) lands there."""
    monkeypatch.chdir(tmp_path)


def _main(argv, capsys):
    code = T.main(argv)
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize("argv,message", [
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),
    (["--batch-size", "-3"], "--batch-size must be at least 1, got -3"),
    (["--lr", "nan"], "--lr must be a positive number, got nan"),
    (["--workers", "-1"], "--workers must be at least 0"),
    (["--dataset", "imagenet"], "argument --dataset: invalid choice: 'imagenet'"),
    (["--epochs", "two"], "argument --epochs: invalid int value: 'two'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["--device", "tpu"], "--device 'tpu': not a device"),
    (["--dataset", "mnist", "--root", "/no/such/dir"], "--root '/no/such/dir' is not a"),
    (["--resume", "/no/such/checkpoint.pt"], "--resume '/no/such/checkpoint.pt': no such file"),
])
def test_bad_arguments_give_one_line_and_exit_2(argv, message, capsys):
    try:
        code, err = _main(argv, capsys)
    except SystemExit as e:          # argparse's own errors exit from parse_args
        code, err = e.code, capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("python -m ember.vision.train: error: ") and message in err
    assert not os.path.exists("ember-train-out")     # a failed run leaves nothing behind


def test_missing_dataset_files_and_bad_checkpoints(tmp_path, capsys):
    code, err = _main(["--dataset", "mnist", "--root", str(tmp_path)], capsys)
    assert code == 2 and "MNIST not found" in err and err.count("\n") == 1
    code, err = _main(["--dataset", "cifar10", "--root", str(tmp_path)], capsys)
    assert code == 2 and "CIFAR-10 not found" in err
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    code, err = _main(["--resume", str(junk)], capsys)
    assert code == 2 and "not a readable checkpoint" in err
    ember.save({"weights": ember.zeros(2)}, str(tmp_path / "other.pt"))
    code, err = _main(["--resume", str(tmp_path / "other.pt")], capsys)
    assert code == 2 and "not a checkpoint written by" in err
    (tmp_path / "file").write_text("x")
    code, err = _main(["--out", str(tmp_path / "file")], capsys)
    assert code == 2 and "is a file, not a folder" in err


def test_resume_refuses_another_dataset(one_epoch, tmp_path, capsys):
    _, out, _ = one_epoch
    code, err = _main(["--dataset", "mnist", "--root", str(tmp_path), "--resume",
                       str(out / "checkpoint.pt")], capsys)
    assert code == 2 and "trained on 'digits', not 'mnist'" in err


def _write_idx(path, arr):
    header = struct.pack(">HBB", 0, 0x08, arr.ndim) + b"".join(
        struct.pack(">I", n) for n in arr.shape)
    with open(path, "wb") as f:
        f.write(header + arr.tobytes())


def test_mnist_from_idx_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rs = np.random.RandomState(0)
    for split, n in (("train", 96), ("t10k", 32)):
        _write_idx(raw / f"{split}-images-idx3-ubyte", rs.randint(0, 256, (n, 28, 28), np.uint8))
        _write_idx(raw / f"{split}-labels-idx1-ubyte", rs.randint(0, 10, n).astype(np.uint8))
    result = T.train("mnist", root=str(tmp_path), epochs=1, out=str(tmp_path / "out"),
                     batch_size=32, **QUIET)
    assert len(result["history"]["test_acc"]) == 1
    ckpt = torch.load(tmp_path / "out" / "checkpoint.pt", weights_only=True)
    assert ckpt["classes"] == [str(d) for d in range(10)]
    build_model(torch.nn, "mnist", 1, 28, 10).load_state_dict(ckpt["model"])


def test_cifar10_from_python_batches(tmp_path, monkeypatch):
    from ember.vision.datasets import CIFAR10
    base = tmp_path / "cifar-10-batches-py"
    base.mkdir()
    rs = np.random.RandomState(0)
    md5 = {}
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        entry = {"data": rs.randint(0, 256, (8, 3072)).astype(np.uint8),
                 "labels": rs.randint(0, 10, 8).tolist()}
        (base / name).write_bytes(pickle.dumps(entry))
    (base / "batches.meta").write_bytes(pickle.dumps({"label_names": [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
        "truck"]}))
    for name in names + ["batches.meta"]:
        md5[name] = hashlib.md5((base / name).read_bytes()).hexdigest()
    monkeypatch.setattr(CIFAR10, "train_list", [[n, md5[n]] for n in names[:5]])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", md5["test_batch"]]])
    monkeypatch.setattr(CIFAR10, "meta", dict(CIFAR10.meta, md5=md5["batches.meta"]))
    result = T.train("cifar10", root=str(tmp_path), epochs=1, out=str(tmp_path / "out"),
                     batch_size=16, **QUIET)
    ckpt = torch.load(tmp_path / "out" / "checkpoint.pt", weights_only=True)
    assert ckpt["classes"][1] == "automobile"
    build_model(torch.nn, "cifar10", 3, 32, 10).load_state_dict(ckpt["model"])
    assert os.path.exists(tmp_path / "out" / "misclassified.png") == \
        (result["accuracy"] < 1)


def test_python_dash_m_entry_points(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ember.__file__)))
    run = subprocess.run([sys.executable, "-m", "ember", "train", "--epochs", "0"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("python -m ember.vision.train: error")
    run = subprocess.run([sys.executable, "-m", "ember.vision", "--help"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0 and "--dataset {digits,mnist,cifar10}" in run.stdout
