"""One seeded training script, run unchanged under ember and under torch: model init,
dropout, DataLoader shuffling from the global generator, SGD with momentum and
CrossEntropyLoss must give the same losses step after step."""
from __future__ import annotations

import math

import pytest

import ember

torch = pytest.importorskip("torch")

STEPS = 50


def train_script(lib, steps=STEPS):
    """The user's script: everything random comes from ``lib.manual_seed(0)``."""
    nn = lib.nn
    lib.manual_seed(0)
    x = lib.randn(400, 20)
    teacher = lib.randn(20, 4)
    y = (x @ teacher + 0.5 * lib.randn(400, 4)).argmax(1)
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=32,
                                       shuffle=True, drop_last=False)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 64),
                          nn.Tanh(), nn.Dropout(0.1), nn.Linear(64, 4))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    criterion = nn.CrossEntropyLoss()
    losses, accuracy = [], None
    while len(losses) < steps:          # 13 batches an epoch: the loader is re-shuffled
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    model.eval()
    with lib.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    return losses, accuracy, [p.detach().clone() for p in model.parameters()]


def test_same_losses_under_ember_and_torch():
    ours, our_acc, our_params = train_script(ember)
    theirs, their_acc, their_params = train_script(torch)
    assert len(ours) == len(theirs) == STEPS
    for step, (a, b) in enumerate(zip(ours, theirs)):
        assert math.isclose(a, b, rel_tol=1e-4), f"step {step}: ember {a} vs torch {b}"
    assert theirs[-1] < 0.6 * theirs[0]            # it did learn something
    assert math.isclose(our_acc, their_acc, abs_tol=1 / 400 + 1e-9)
    for p, q in zip(our_params, their_params):
        assert max(abs(u - v) for u, v in zip(p.flatten().tolist(), q.flatten().tolist())) \
            < 1e-4
