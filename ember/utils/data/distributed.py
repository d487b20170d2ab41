"""DistributedSampler (torch.utils.data.distributed): each replica's share of a dataset."""
from __future__ import annotations

import math
from collections.abc import Iterator

from ember.utils.data.sampler import Sampler

__all__ = ["DistributedSampler"]


def _default_group_value(name):
    """World size or rank of the default process group (ember.distributed), as torch asks."""
    try:
        import ember.distributed as dist
    except ImportError:  # no ember.distributed: there is no process group either
        dist = None
    if dist is not None and not dist.is_available():
        raise RuntimeError("Requires distributed package to be available")
    if dist is None or not dist.is_initialized():
        raise ValueError("Default process group has not been initialized, please make sure to "
                         "call init_process_group.")
    return getattr(dist, name)()


class DistributedSampler(Sampler):
    """Restricts loading to this replica's share: indices ``rank, rank + num_replicas, ...``
    of a (by default shuffled) epoch, padded by repeating its start so every replica gets
    ``ceil(len / num_replicas)`` samples, or cut to an even split with ``drop_last``.

    Shuffling uses a generator seeded with ``seed + epoch``: call :meth:`set_epoch` each
    epoch for a new order (identical on every replica).
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = _default_group_value("get_world_size")
        if rank is None:
            rank = _default_group_value("get_rank")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas)
                                         / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator:
        if self.shuffle:
            from ember import Generator, randperm
            g = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which (with ``seed``) seeds the next iteration's shuffle."""
        self.epoch = epoch
