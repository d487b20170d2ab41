"""Benchmark workloads: each builds a zero-argument step for a library (ember or torch)."""
from workloads._base import Workload
from workloads.overhead import WORKLOADS as _OVERHEAD
from workloads.random import WORKLOADS as _RANDOM
from workloads.reductions import WORKLOADS as _REDUCTIONS
from workloads.indexing import WORKLOADS as _INDEXING
from workloads.sorting import WORKLOADS as _SORTING
from workloads.linalg import WORKLOADS as _LINALG
from workloads.rnn import WORKLOADS as _RNN
from workloads.transformer import WORKLOADS as _TRANSFORMER
from workloads.activations import WORKLOADS as _ACTIVATIONS
from workloads.conv import WORKLOADS as _CONV
from workloads.losses import WORKLOADS as _LOSSES
from workloads.pooling import WORKLOADS as _POOLING
from workloads.normalization import WORKLOADS as _NORMALIZATION
from workloads.training import WORKLOADS as _TRAINING

WORKLOADS: list[Workload] = [*_OVERHEAD, *_RANDOM, *_REDUCTIONS, *_SORTING, *_INDEXING,
                             *_LINALG, *_RNN, *_TRANSFORMER, *_CONV, *_ACTIVATIONS, *_LOSSES,
                             *_POOLING, *_NORMALIZATION, *_TRAINING]
