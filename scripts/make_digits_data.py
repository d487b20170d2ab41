"""Regenerate ember/vision/data/digits.pt.gz from scikit-learn's copy of the UCI digits.

    python scripts/make_digits_data.py

Run once by a maintainer (scikit-learn is not an ember dependency). The file is a gzipped
``ember.save`` of {"images": uint8 (1797, 8, 8) in 0..16, "labels": uint8 (1797,)}, which
``ember.vision.train`` reads with ``ember.load`` (and torch reads with ``torch.load``).
"""
from __future__ import annotations

import gzip
import io
import os

import numpy as np
from sklearn.datasets import load_digits

import ember

OUT = os.path.join(os.path.dirname(__file__), "..", "ember", "vision", "data", "digits.pt.gz")


def main():
    bunch = load_digits()
    images = ember.from_numpy(bunch.images.astype(np.uint8))
    labels = ember.from_numpy(bunch.target.astype(np.uint8))
    buf = io.BytesIO()
    ember.save({"images": images, "labels": labels}, buf)
    # mtime=0: no timestamp in the gzip header
    with open(OUT, "wb") as f:
        f.write(gzip.compress(buf.getvalue(), compresslevel=9, mtime=0))
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes, {len(labels)} images)")


if __name__ == "__main__":
    main()
