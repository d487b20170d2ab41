"""Random sampling on the CPU generator (bit-exact with torch's streams, DESIGN.md §6)."""
from __future__ import annotations

from workloads._base import Workload

N = 1_000_000


def rand_1m(lib):
    lib.manual_seed(0)
    return lambda: lib.rand(N)


def randn_1m(lib):
    lib.manual_seed(0)
    return lambda: lib.randn(N)


def randperm_60k(lib):
    lib.manual_seed(0)
    return lambda: lib.randperm(60_000)


def dropout_mask_1m(lib):
    """F.dropout's mask: empty_like(x).bernoulli_(1 - p), scaled by 1 / (1 - p)."""
    lib.manual_seed(0)
    x = lib.ones(1000, 1000)

    def step():
        noise = lib.empty_like(x).bernoulli_(0.9)
        return x * noise.div_(0.9)
    return step


WORKLOADS = [
    Workload("random: rand(1e6)", rand_1m),
    Workload("random: randn(1e6)", randn_1m),
    Workload("random: randperm(60000)", randperm_60k),
    Workload("random: dropout mask bernoulli_(0.9) on 1e6", dropout_mask_1m),
]
