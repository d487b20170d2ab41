"""Train a small convnet on handwritten digits (or MNIST / CIFAR-10) with ember.

    python -m ember.vision.train [--dataset {digits,mnist,cifar10}] [--root DIR]
                                 [--epochs N] [--batch-size N] [--lr LR] [--workers N]
                                 [--seed N] [--resume CHECKPOINT] [--out DIR] [--device DEV]
                                 [--threads N] [--limit N] [--no-progress]

(``python -m ember train ...`` and ``python -m ember.vision ...`` run the same job.)

The default data set, the UCI handwritten digits (1797 8x8 images), ships with ember; a fixed
split keeps 360 of them for testing. Each epoch shows a progress bar (with tqdm, the
``progress`` extra) and prints the train loss and the test accuracy. ``--out`` receives
``checkpoint.pt`` (``ember.save``; real torch loads it with ``weights_only=True``: model and
optimizer state_dicts, epoch, class names, history), ``curves.png`` (loss and accuracy per
epoch) and ``misclassified.png`` (the test images the model gets wrong). ``--resume``
continues from a checkpoint up to ``--epochs`` epochs in all.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

import ember
from ember import nn
from ember.utils.data import DataLoader, TensorDataset
from ember.vision._train_data import (DATASETS, DataError, build_model, load_dataset,
                                      normalizer)

__all__ = ["train", "main", "TrainError"]

PROG = "python -m ember.vision.train"
DEFAULT_EPOCHS = {"digits": 12, "mnist": 3, "cifar10": 10}
# BLAS threads: the digits net's matrices are too small to gain from more than one, and a
# second spinning BLAS thread costs a lot on a busy machine
DEFAULT_THREADS = {"digits": 1}


class TrainError(Exception):
    """A bad option or an unusable file: reported as one line on stderr, exit code 2."""


def _progress_bar(iterable, total, desc, enabled):
    """tqdm over ``iterable`` when asked for and installed, else ``iterable`` itself."""
    if not enabled:
        return iterable
    try:
        # NOTE: not tqdm.auto, whose asyncio class calls iter() on construction: a
        # DataLoader would then draw its shuffle seed twice per epoch
        from tqdm import tqdm
    except ImportError:
        return iterable
    # disable=None: no bar when stderr is not a terminal (logs, CI)
    return tqdm(iterable, total=total, desc=desc, unit="batch", leave=False, dynamic_ncols=True,
                disable=None)


def _device(name):
    try:
        device = ember.device(name)
    except (RuntimeError, ValueError):
        raise TrainError(f"--device {name!r}: not a device (use cpu, cuda or cuda:N)") from None
    if device.type not in ("cpu", "cuda"):
        raise TrainError(f"--device {name!r}: ember trains on 'cpu' or 'cuda' only")
    if device.type == "cuda" and not ember.cuda.is_available():
        raise TrainError(f"--device {name!r}: no CUDA device available (needs CuPy and a GPU)")
    return device


def _check_options(epochs, batch_size, lr, workers, limit, threads):
    for name, value, low in (("--epochs", epochs, 1), ("--batch-size", batch_size, 1),
                             ("--workers", workers, 0), ("--threads", threads, 1)):
        if value < low:
            raise TrainError(f"{name} must be at least {low}, got {value}")
    if not (lr > 0 and math.isfinite(lr)):
        raise TrainError(f"--lr must be a positive number, got {lr}")
    if limit is not None and limit < 1:
        raise TrainError(f"--limit must be at least 1, got {limit}")


def _load_checkpoint(path, dataset):
    if not os.path.isfile(path):
        raise TrainError(f"--resume {path!r}: no such file")
    try:
        ckpt = ember.load(path)
    except Exception as e:    # any unreadable file (zip, pickle or allow-list errors)
        raise TrainError(f"--resume {path!r}: not a readable checkpoint ({e})") from None
    needed = {"model", "optimizer", "epoch", "dataset", "history"}
    if not isinstance(ckpt, dict) or not needed <= set(ckpt):
        raise TrainError(f"--resume {path!r}: not a checkpoint written by {PROG}")
    if ckpt["dataset"] != dataset:
        raise TrainError(f"--resume {path!r}: trained on {ckpt['dataset']!r}, not {dataset!r} "
                         f"(pass --dataset {ckpt['dataset']})")
    return ckpt


def _run_epoch(model, bar, criterion, optimizer, device):
    """One pass over the loader (or its progress bar); the mean training loss."""
    model.train()
    total, count = 0.0, 0
    for i, (x, y) in enumerate(bar):
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
        if hasattr(bar, "set_postfix") and i % 5 == 0:
            bar.set_postfix(loss=f"{total / count:.4f}")
    return total / count


@ember.no_grad()
def _evaluate(model, x, y, criterion, device, batch=500):
    """(mean loss, accuracy, predicted labels) over the test tensors."""
    model.eval()
    loss, preds = 0.0, []
    for i in range(0, len(y), batch):
        out = model(x[i:i + batch].to(device))
        loss += criterion(out, y[i:i + batch].to(device)).item() * len(out)
        preds.append(out.argmax(1).cpu())
    preds = ember.cat(preds)
    return loss / len(y), (preds == y).float().mean().item(), preds


def _write_pictures(out, history, test_x, test_y, preds, classes, dataset, log):
    try:
        from ember.vision._train_plots import plot_curves, save_misclassified
    except ModuleNotFoundError as e:
        if e.name != "PIL":
            raise
        log("Pillow is not installed: no pictures (pip install 'ember[vision]')")
        return []
    curves = os.path.join(out, "curves.png")
    plot_curves(history, curves, f"{dataset}: train loss and test accuracy")
    wrong = (preds != test_y).nonzero().flatten()
    grid = os.path.join(out, "misclassified.png")
    shown = save_misclassified(test_x[wrong], test_y[wrong], preds[wrong], classes, grid,
                               f"{len(wrong)} of {len(test_y)} test images misclassified"
                               + (f" (first {min(len(wrong), 48)} shown)"
                                  if len(wrong) > 48 else ""))
    if not shown and os.path.exists(grid):
        os.remove(grid)    # a stale grid from an earlier run would mislead
    return [curves] + ([grid] if shown else [])


class _Session:
    """One training run: data, model, optimizer and history, restored from a checkpoint
    when resuming."""

    def __init__(self, opts, ckpt, log):
        self.opts, self.log = opts, log
        train_x, train_y, test_x, test_y, classes = load_dataset(opts.dataset, opts.root)
        if opts.limit is not None:
            train_x, train_y = train_x[:opts.limit], train_y[:opts.limit]
            test_x, test_y = test_x[:opts.limit], test_y[:opts.limit]
        norm = normalizer(train_x)
        self.test = (norm(test_x), test_x, test_y)
        self.classes = classes
        self.generator = ember.Generator().manual_seed(opts.seed)
        self.loader = DataLoader(TensorDataset(norm(train_x), train_y),
                                 batch_size=opts.batch_size, shuffle=True,
                                 generator=self.generator, num_workers=opts.workers,
                                 persistent_workers=opts.workers > 0)
        ember.manual_seed(opts.seed)
        self.model = build_model(nn, opts.dataset, train_x.shape[1], train_x.shape[2],
                                 len(classes)).to(opts.device)
        self.optimizer = ember.optim.Adam(self.model.parameters(), lr=opts.lr)
        self.criterion = nn.CrossEntropyLoss()
        self.history = {"train_loss": [], "test_loss": [], "test_acc": []}
        self.epoch = 0
        if ckpt is not None:
            self.model.load_state_dict(ckpt["model"])
            self.optimizer.load_state_dict(ckpt["optimizer"])
            self.history = {k: list(v) for k, v in ckpt["history"].items()}
            self.epoch = ckpt["epoch"]
            if "generator_state" in ckpt:
                self.generator.set_state(ckpt["generator_state"])
            log(f"resumed from {opts.resume} after epoch {self.epoch}")

    def run_epoch(self):
        """Train one epoch, evaluate, log one line, write the checkpoint."""
        opts, tick = self.opts, time.perf_counter()
        self.epoch += 1
        bar = _progress_bar(self.loader, len(self.loader),
                            f"epoch {self.epoch}/{opts.epochs}", opts.progress)
        train_loss = _run_epoch(self.model, bar, self.criterion, self.optimizer, opts.device)
        test_loss, acc, _ = self.evaluate()
        for key, value in zip(self.history, (train_loss, test_loss, acc)):
            self.history[key].append(value)
        self.log(f"epoch {self.epoch:>{len(str(opts.epochs))}}/{opts.epochs}  "
                 f"train loss {train_loss:.4f}  test loss {test_loss:.4f}  "
                 f"test accuracy {100 * acc:.2f}%  ({time.perf_counter() - tick:.1f}s)")
        state = {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                 "epoch": self.epoch, "classes": self.classes, "dataset": opts.dataset,
                 "history": self.history, "generator_state": self.generator.get_state()}
        _writing(ember.save, state, self.checkpoint)

    @property
    def checkpoint(self):
        return os.path.join(self.opts.out, "checkpoint.pt")

    def evaluate(self):
        test_in, _, test_y = self.test
        return _evaluate(self.model, test_in, test_y, self.criterion, self.opts.device)

    def pictures(self):
        """Write curves.png and misclassified.png; the paths written."""
        _, test_x, test_y = self.test
        return _writing(_write_pictures, self.opts.out, self.history, test_x, test_y,
                        self.evaluate()[2], self.classes, self.opts.dataset, self.log)


def _writing(fn, *args):
    """fn(*args), with a failure to write a file reported as a TrainError."""
    try:
        return fn(*args)
    except OSError as e:
        raise TrainError(f"cannot write to --out: {e}") from None


def train(dataset="digits", root="./data", epochs=None, batch_size=64, lr=1e-3, workers=0,
          seed=0, resume=None, out="./ember-train-out", device="cpu", progress=True,
          limit=None, threads=None, log=print):
    """Train, evaluate after each epoch, checkpoint, and draw the pictures.

    Returns a dict: ``history`` (train_loss, test_loss, test_acc per epoch), ``accuracy``
    (the last test accuracy), ``seconds``, the written ``files`` and the ``model``.
    ``limit`` keeps only the first ``limit`` training and test images (quick runs);
    ``threads`` sets ember's BLAS threads for the run (restored afterwards). Raises
    TrainError or DataError for bad options and missing files.
    """
    if dataset not in DATASETS:
        raise TrainError(f"--dataset {dataset!r}: choose from {', '.join(DATASETS)}")
    epochs = DEFAULT_EPOCHS[dataset] if epochs is None else epochs
    if threads is None:
        threads = DEFAULT_THREADS.get(dataset, ember.get_num_threads())
    _check_options(epochs, batch_size, lr, workers, limit, threads)
    opts = argparse.Namespace(dataset=dataset, root=root, epochs=epochs, batch_size=batch_size,
                              lr=lr, workers=workers, seed=seed, resume=resume, out=out,
                              device=_device(device), progress=progress, limit=limit)
    ckpt = _load_checkpoint(resume, dataset) if resume else None
    if os.path.exists(out) and not os.path.isdir(out):
        raise TrainError(f"--out {out!r} is a file, not a folder")
    previous = ember.get_num_threads()
    ember.set_num_threads(threads)
    try:
        return _train(opts, ckpt, log)
    finally:
        ember.set_num_threads(previous)


def _train(opts, ckpt, log):
    start = time.perf_counter()
    run = _Session(opts, ckpt, log)
    try:      # only once the data loaded: a failed run leaves no empty folder behind
        os.makedirs(opts.out, exist_ok=True)
    except OSError as e:
        raise TrainError(f"--out {opts.out!r}: {e.strerror}") from None
    log(f"{opts.dataset}: {len(run.loader.dataset)} training / {len(run.test[2])} test "
        f"images, {sum(p.numel() for p in run.model.parameters())} parameters, "
        f"device {opts.device}")
    if run.epoch >= opts.epochs:
        log(f"the checkpoint already has {run.epoch} epochs (--epochs {opts.epochs})")
    while run.epoch < opts.epochs:
        run.run_epoch()
    files = ([run.checkpoint] if os.path.exists(run.checkpoint) else []) + run.pictures()
    seconds = time.perf_counter() - start
    acc = run.history["test_acc"]
    accuracy = acc[-1] if acc else run.evaluate()[1]
    log(f"test accuracy {100 * accuracy:.2f}% after {len(acc)} epoch{'s' * (len(acc) != 1)} "
        f"({seconds:.1f}s); wrote {', '.join(files)}")
    return {"history": run.history, "accuracy": accuracy, "seconds": seconds, "files": files,
            "model": run.model}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # one line, no usage block: the message says what to fix
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(argv=None):
    """The command line as a Namespace (exits with code 2 on bad arguments)."""
    ap = _Parser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", choices=DATASETS, default="digits",
                    help="digits (shipped), or mnist / cifar10 read from --root")
    ap.add_argument("--root", default="./data",
                    help="folder holding MNIST/raw or cifar-10-batches-py (default ./data)")
    ap.add_argument("--epochs", type=int, default=None,
                    help="epochs in all (default: digits 12, mnist 3, cifar10 10)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    ap.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    ap.add_argument("--seed", type=int, default=0,
                    help="seeds the initial weights and the shuffling")
    ap.add_argument("--resume", metavar="CHECKPOINT", help="continue from a checkpoint.pt")
    ap.add_argument("--out", default="./ember-train-out",
                    help="output folder (default ./ember-train-out)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    ap.add_argument("--threads", type=int, default=None,
                    help="BLAS threads (default: 1 for digits, else ember's default)")
    ap.add_argument("--limit", type=int, default=None,
                    help="use only the first N training and test images")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    return ap.parse_args(argv)


def main(argv=None):
    """Run the command line; returns the exit code (2 for bad options or missing files)."""
    args = parse_args(argv)
    try:
        train(args.dataset, args.root, args.epochs, args.batch_size, args.lr, args.workers,
              args.seed, args.resume, args.out, args.device, not args.no_progress, args.limit,
              args.threads)
    except (TrainError, DataError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
