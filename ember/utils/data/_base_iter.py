"""DataLoader iterators: the shared base and the single-process one."""
from __future__ import annotations

import warnings

from ember.utils.data._utils.fetch import _DatasetKind

_NO_PIN = ("'pin_memory' argument is set as true but no accelerator is found, then device "
           "pinned memory won't be used.")


def _draw_base_seed(generator) -> int:
    """One int64 draw from ``generator`` (the global one if None): the workers' base seed."""
    import ember
    return ember.empty((), dtype=ember.int64).random_(generator=generator).item()


def _pin_memory_setting(loader) -> bool:
    """Whether batches would be pinned; warns as torch does. Pinning itself is a no-op:
    ember's host arrays are what a device copy reads from."""
    import ember
    if loader.pin_memory and loader.pin_memory_device:
        warnings.warn("pin_memory_device is deprecated, the current accelerator will be used "
                      f"as the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                      stacklevel=4)
    if loader.pin_memory and not ember.cuda.is_available():
        warnings.warn(_NO_PIN, stacklevel=4)
    return loader.pin_memory and ember.cuda.is_available()


class _BaseDataLoaderIter:
    """State shared by both iterators: the index sampler's iterator and the base seed.

    NOTE(torch): creating an iterator first iterates the index sampler (a generator, so a
    random sampler draws nothing yet), then draws the base seed from the loader's
    generator; a RandomSampler draws its own seed when the first batch is requested.
    """

    def __init__(self, loader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._pin_memory = _pin_memory_setting(loader)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_base_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._dataset_kind == _DatasetKind.Iterable \
                and self._IterableDataset_len_called is not None \
                and self._num_yielded > self._IterableDataset_len_called:
            self._warn_too_many_samples()
        return data

    def _warn_too_many_samples(self):
        msg = (f"Length of IterableDataset {self._dataset} was reported to be "
               f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
               f"{self._num_yielded} samples have been fetched. ")
        if self._num_workers > 0:
            msg += ("For multiprocessing data-loading, this could be caused by not properly "
                    "configuring the IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset"
                    " for examples.")
        warnings.warn(msg, stacklevel=3)

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        # NOTE(torch): the name is a second argument, not formatted into the message.
        raise NotImplementedError("{} cannot be pickled", self.__class__.__name__)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Fetches and collates each batch in the calling process."""

    def __init__(self, loader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        if self._num_workers != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires num_workers == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        return self._dataset_fetcher.fetch(index)  # may raise StopIteration
