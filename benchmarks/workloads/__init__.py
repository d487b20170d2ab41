"""Benchmark workloads: each builds a zero-argument step for a library (ember or torch)."""
from workloads._base import Workload
from workloads.overhead import WORKLOADS as _OVERHEAD
from workloads.random import WORKLOADS as _RANDOM
from workloads.reductions import WORKLOADS as _REDUCTIONS
from workloads.indexing import WORKLOADS as _INDEXING
from workloads.sorting import WORKLOADS as _SORTING
from workloads.linalg import WORKLOADS as _LINALG

WORKLOADS: list[Workload] = [*_OVERHEAD, *_RANDOM, *_REDUCTIONS, *_SORTING, *_INDEXING,
                             *_LINALG]
