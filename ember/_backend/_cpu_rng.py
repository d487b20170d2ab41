"""torch's CPU random generator (CPUGeneratorImpl) in NumPy, bit for bit (torch 2.13, x86-64).

torch's engine is the reference mt19937 seeded with init_genrand on the low 32 bits of the seed;
NumPy's MT19937 with `_legacy_seeding` has the same state and tempered 32-bit outputs, and torch's
random64() is (first << 32) | second, which is also NumPy's next_uint64. The generator adds the
double normal that Box-Muller cached (and a float one it only carries in its state bytes).

The distributions live in _cpu_distributions.py and _cpu_sampling.py and are bound here as
methods; this file holds the state: seeding, raw words and get_state/set_state in the byte layout
of torch.get_rng_state().
"""
from __future__ import annotations

import operator
import os

import numpy as np

from ember._backend import _cpu_distributions as _dist
from ember._backend import _cpu_sampling as _sampling

DEFAULT_SEED = 67280421310721
_N = 624                                  # mt19937 words per block

# CPUGeneratorImplState: the legacy THGeneratorState (seed, left, seeded, next, 624 words widened
# to uint64, Box-Muller leftovers) followed by the cached float normal; padding bytes are zero.
_STATE = np.dtype({
    "names": ["seed", "left", "seeded", "next", "state", "normal_x", "normal_y", "normal_rho",
              "normal_is_valid", "next_float_normal", "float_normal_is_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", (_N,)), "<f8", "<f8", "<f8", "<i4", "<f4",
                "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056,
})


def _temper(y):
    y = y ^ (y >> 11)
    y ^= (y << 7) & np.uint32(0x9D2C5680)
    y ^= (y << 15) & np.uint32(0xEFC60000)
    return y ^ (y >> 18)


def _check_seed(seed):
    """torch's manual_seed argument: an int in [-2**63, 2**64), negatives wrapped."""
    if isinstance(seed, bool) or not hasattr(seed, "__index__"):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = operator.index(seed)
    if not -(1 << 63) <= seed < 1 << 64:
        raise ValueError("Overflow when unpacking long long")
    return seed & ((1 << 64) - 1)


class CPUGenerator:
    """torch.Generator('cpu'): mt19937 words, their distributions, and torch's state bytes."""

    __slots__ = ("_bg", "_np", "_seed", "_next_at_end", "_pending", "_pending_next",
                 "next_double_normal", "next_float_normal")

    def __init__(self, seed=DEFAULT_SEED):
        self._bg = np.random.MT19937(0)
        self._np = np.random.Generator(self._bg)
        self.manual_seed(seed)

    # --- seeding --------------------------------------------------------------------------------
    def manual_seed(self, seed):
        """Seed as torch does: initial_seed() is seed mod 2**64, the engine gets its low 32 bits;
        the cached normals are dropped. Returns self."""
        seed = _check_seed(seed)
        self._bg._legacy_seeding(seed & 0xFFFFFFFF)
        self._seed = seed
        # NumPy reports position 624 both right after seeding and at the end of a block; torch
        # says next = 0 after seeding and 624 at the end of a block.
        self._next_at_end = 0
        self._pending, self._pending_next = None, 0
        self.next_double_normal = None
        self.next_float_normal = None
        return self

    def initial_seed(self):
        return self._seed

    def seed(self):
        """Reseed from a non-deterministic 64-bit value and return it."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    # --- raw words ------------------------------------------------------------------------------
    def random_u32(self, n):
        """n outputs of torch's random() (tempered mt19937 words) as uint32."""
        if n <= 0:
            return np.empty(0, np.uint32)
        self._next_at_end = _N
        if self._pending is not None:
            return self._pending_words(n)
        return self._np.integers(0, 1 << 32, size=n, dtype=np.uint32)

    def random_u64(self, n):
        """n outputs of torch's random64(): (first << 32) | second."""
        if self._pending is not None:
            w = self.random_u32(2 * n).astype(np.uint64)
            return (w[0::2] << np.uint64(32)) | w[1::2]
        if n <= 0:
            return np.empty(0, np.uint64)
        self._next_at_end = _N
        return self._np.integers(0, 1 << 64, size=n, dtype=np.uint64)

    def _pending_words(self, n):
        """Words still due from a state whose (left, next) torch never produces itself."""
        k = min(n, self._pending.size)
        head, self._pending = self._pending[:k], self._pending[k:]
        self._pending_next += k
        if self._pending.size == 0:
            self._pending = None
        if k == n:
            return head
        return np.concatenate([head, self._np.integers(0, 1 << 32, n - k, dtype=np.uint32)])

    def _save(self):
        """An opaque snapshot of the whole state, for samplers that draw ahead."""
        return (self._bg.state, self._next_at_end, self._pending, self._pending_next,
                self.next_double_normal)

    def _load(self, snap):
        (self._bg.state, self._next_at_end, self._pending, self._pending_next,
         self.next_double_normal) = snap

    # --- torch's state bytes --------------------------------------------------------------------
    def get_state(self):
        """The 5056 bytes torch.Generator.get_state() returns for this state (uint8 array)."""
        st = self._bg.state["state"]
        rec = np.zeros((), _STATE)
        rec["seed"], rec["seeded"], rec["state"] = self._seed, 1, st["key"]
        if self._pending is not None:
            left, nxt = self._pending.size + 1, self._pending_next
        elif st["pos"] == _N:
            left, nxt = 1, self._next_at_end
        else:
            left, nxt = _N + 1 - st["pos"], st["pos"]
        rec["left"], rec["next"] = left, nxt
        if self.next_double_normal is not None:
            rec["normal_is_valid"], rec["normal_y"] = 1, self.next_double_normal
        if self.next_float_normal is not None:
            rec["float_normal_is_valid"], rec["next_float_normal"] = 1, self.next_float_normal
        return rec.reshape(1).view(np.uint8).copy()

    def set_state(self, state):
        """Load bytes from get_state() or torch.get_rng_state() (a uint8 array of 5056)."""
        state = np.ascontiguousarray(state, dtype=np.uint8).reshape(-1)
        if state.size != _STATE.itemsize:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE.itemsize} but "
                               f"found the input RNG state size to be {state.size}")
        rec = state.view(_STATE)[0]
        left, nxt = int(rec["left"]), int(rec["next"]) & 0xFFFFFFFF
        # Beyond torch's own check, next + left - 1 > 624 would make torch read past its words.
        if not (rec["seeded"] and 0 < left <= _N and nxt <= _N and nxt + left - 1 <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = rec["state"].astype(np.uint32)          # torch keeps the low 32 bits
        pos, pending = nxt, None
        if left == 1:
            pos = _N
        elif left + nxt != _N + 1:
            # torch emits words next .. next + left - 2, then regenerates from all 624.
            pos, pending = _N, _temper(key[nxt:nxt + left - 1])
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = int(rec["seed"])
        self._next_at_end = nxt if left == 1 else _N
        self._pending, self._pending_next = pending, nxt
        self.next_double_normal = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self.next_float_normal = (float(rec["next_float_normal"])
                                  if rec["float_normal_is_valid"] else None)

    # --- distributions (see _cpu_distributions.py and _cpu_sampling.py) ------------------------
    uniform_float = _dist.uniform_float
    uniform_double = _dist.uniform_double
    uniform = _dist.uniform
    normal = _dist.normal
    normal_serial = _dist.normal_serial
    log_normal = _dist.log_normal
    exponential = _dist.exponential
    geometric = _dist.geometric
    cauchy = _dist.cauchy
    bernoulli_scalar = _dist.bernoulli_scalar
    bernoulli_tensor = _dist.bernoulli_tensor
    randint = _dist.randint
    random_full = _dist.random_full
    randperm = _sampling.randperm
    multinomial = _sampling.multinomial
    poisson = _sampling.poisson
