"""ember.random (torch.random): seeding, generator state, and fork_rng."""
from ember._random import Generator, default_generator  # noqa: F401  (torch.random has them)
from ember._random import (fork_rng, get_rng_state, initial_seed, manual_seed, seed,
                           set_rng_state)

__all__ = ["set_rng_state", "get_rng_state", "manual_seed", "seed", "initial_seed", "fork_rng"]
