"""Data sets and models for ``python -m ember.vision.train``.

Each data set comes back as uint8 image tensors (N, C, H, W) with int64 labels, split into
train and test, plus its class names. ``digits`` is shipped inside ember (the UCI handwritten
digits, see ``data/DIGITS_LICENSE.txt``); ``mnist`` and ``cifar10`` are read by
``ember.vision.datasets`` from their standard files under ``--root``.
"""
from __future__ import annotations

import gzip
import io
import os

import ember

__all__ = ["DATASETS", "DataError", "load_dataset", "build_model", "normalizer"]

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
DIGITS_FILE = os.path.join(DATA_DIR, "digits.pt.gz")
DIGITS_TEST = 360        # images held out for testing (20% of 1797)
DIGITS_SPLIT_SEED = 0    # the split is fixed: it does not follow --seed

# per data set: VGG-style trunk (channels, "M" = 2x2 max-pool) and the hidden width of the
# head (None: one Linear). Sized so that a CPU trains each in minutes (digits: seconds).
ARCHS = {
    "digits": ([32, 32, "M", 64, "M"], None),
    "mnist": ([32, "M", 64, "M"], 128),
    "cifar10": ([32, 32, "M", 64, 64, "M", 128, 128, "M"], 256),
}
DATASETS = tuple(ARCHS)


class DataError(Exception):
    """A data set's files are missing or unreadable (reported as one line, exit code 2)."""


def _digits():
    """(train images, train labels, test images, test labels, classes) of the UCI digits,
    pixel values rescaled from 0..16 to 0..255."""
    try:
        with open(DIGITS_FILE, "rb") as f:
            blob = ember.load(io.BytesIO(gzip.decompress(f.read())))
    except (OSError, EOFError, RuntimeError) as e:
        raise DataError(f"cannot read the shipped digits file {DIGITS_FILE}: {e}") from None
    images = (blob["images"].int() * 255 + 8).div(16, rounding_mode="floor").to(ember.uint8)
    labels = blob["labels"].long()
    order = ember.randperm(len(labels), generator=ember.Generator().manual_seed(
        DIGITS_SPLIT_SEED))
    test, train = order[:DIGITS_TEST], order[DIGITS_TEST:]
    images = images.unsqueeze(1)
    return images[train], labels[train], images[test], labels[test], [str(d) for d in range(10)]


def _mnist(root):
    from ember.vision.datasets import MNIST
    try:
        splits = [MNIST(root, train=train) for train in (True, False)]
    except RuntimeError:
        raise DataError(f"MNIST not found: expected the four IDX files "
                        f"(train-images-idx3-ubyte, ...) in {os.path.join(root, 'MNIST', 'raw')}"
                        ) from None
    (tr, te) = splits
    return (tr.data.unsqueeze(1), tr.targets, te.data.unsqueeze(1), te.targets,
            [c.split(" - ")[0] for c in tr.classes])


def _cifar10(root):
    from ember.vision.datasets import CIFAR10
    try:
        splits = [CIFAR10(root, train=train) for train in (True, False)]
    except RuntimeError:
        raise DataError(f"CIFAR-10 not found or corrupted: expected data_batch_1..5, test_batch "
                        f"and batches.meta in {os.path.join(root, 'cifar-10-batches-py')}"
                        ) from None
    tr, te = splits
    # torchvision keeps CIFAR as an (N, H, W, C) ndarray: make (N, C, H, W) tensors
    return (ember.as_tensor(tr.data).permute(0, 3, 1, 2).contiguous(), ember.tensor(tr.targets),
            ember.as_tensor(te.data).permute(0, 3, 1, 2).contiguous(), ember.tensor(te.targets),
            list(tr.classes))


def load_dataset(name, root):
    """(train_x, train_y, test_x, test_y, classes): uint8 (N, C, H, W) images, int64 labels."""
    if name == "digits":
        return _digits()
    if not os.path.isdir(root):
        raise DataError(f"--root {root!r} is not a directory (needed for --dataset {name})")
    return _mnist(root) if name == "mnist" else _cifar10(root)


def normalizer(train_x):
    """A function mapping uint8 images to float32, standardised per channel with the mean
    and std of the training images."""
    x = train_x.float().div_(255)
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    std = x.std(dim=(0, 2, 3), keepdim=True)
    return lambda images: images.float().div_(255).sub_(mean).div_(std)


def build_model(nn, name, in_channels, size, num_classes):
    """The convnet for data set ``name``, built from the ``nn`` namespace given (ember.nn or
    torch.nn: the same code builds the torch twin a checkpoint loads into).

    3x3 convs (no bias) with BatchNorm and ReLU, 2x2 max-pools, then a linear head.
    """
    trunk, hidden = ARCHS[name]
    layers = []
    channels = in_channels
    for v in trunk:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
            size //= 2
            continue
        layers += [nn.Conv2d(channels, v, 3, padding=1, bias=False), nn.BatchNorm2d(v),
                   nn.ReLU(inplace=True)]
        channels = v
    layers.append(nn.Flatten())
    features = channels * size * size
    if hidden is not None:
        layers += [nn.Dropout(0.25), nn.Linear(features, hidden), nn.ReLU(inplace=True)]
        features = hidden
    layers.append(nn.Linear(features, num_classes))
    return nn.Sequential(*layers)
