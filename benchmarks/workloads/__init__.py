"""Benchmark workloads: each builds a zero-argument step for a library (ember or torch)."""
from workloads._base import Workload
from workloads.overhead import WORKLOADS as _OVERHEAD

WORKLOADS: list[Workload] = [*_OVERHEAD]
