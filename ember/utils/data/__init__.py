"""ember.utils.data (torch.utils.data): datasets, samplers, collation and DataLoader.

NOTE(torch): the deprecated DataPipes (IterDataPipe, MapDataPipe, DataChunk and their
decorators) are not provided.
"""
from ember.utils.data.dataloader import (DataLoader, _DatasetKind, default_collate,
                                         default_convert, get_worker_info)
from ember.utils.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                                      StackDataset, Subset, TensorDataset, random_split)
from ember.utils.data.distributed import DistributedSampler
from ember.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                      SubsetRandomSampler, WeightedRandomSampler)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "_DatasetKind",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
