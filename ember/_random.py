"""Random-number generators (torch.Generator) and the global seeding functions.

A Generator belongs to a device and wraps that device's engine, made by the device's backend
(`be.new_generator()`): on the CPU, torch's mt19937 generator bit for bit, so that
``ember.manual_seed(s)`` followed by the same calls gives torch's numbers. Samplers reach the
engine through `engine_for(generator, be)`.
"""
from __future__ import annotations

import contextlib

from ember import _dtype as D
from ember._backend import CPU_BACKEND, backend_for, cuda_device_count
from ember._device import device as Device
from ember._tensor import Tensor, _wrap

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

_NO_CUDA = (
    "Cannot get CUDA generator without ATen_cuda library. PyTorch splits its backend into two "
    "shared libraries: a CPU library and a CUDA library; this error has occurred because you "
    "are trying to use some CUDA functionality, but the CUDA library has not been loaded by "
    "the dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't "
    "directly use any symbols from the CUDA library! One common culprit is a lack of "
    "-Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic "
    "library dependencies if you don't depend on any of their symbols.  You can check if this "
    "has occurred by using ldd on your binary to see if there is a dependency on *_cuda.so "
    "library.")
_NO_BACKEND = {
    "mps": "Cannot execute getNewGenerator() without MPS backend.",
    "xla": "Cannot get XLA generator without torch_xla library. This error has occurred "
           "because you are trying to use some XLA functionality, but the XLA library has not "
           "been loaded by the dynamic linker. You must load xla libraries by `import "
           "torch_xla`",
}


def _generator_backend(device):
    """The backend whose engine a Generator on `device` holds, with torch's refusals."""
    if isinstance(device, int) and not isinstance(device, bool):
        if cuda_device_count() == 0:
            raise RuntimeError("Cannot access accelerator device when none is available.")
    elif not isinstance(device, (str, Device)):
        raise TypeError("Generator(): argument 'device' (position 1) must be ember.device, not "
                        f"{type(device).__name__}")
    dev = Device(device)
    if dev.type == "cpu":
        return CPU_BACKEND
    if dev.type == "cuda" and cuda_device_count() == 0:
        raise RuntimeError(_NO_CUDA)
    if dev.type != "cuda":
        raise RuntimeError(_NO_BACKEND.get(dev.type,
                                           f"{dev.type.upper()} device type not an accelerator."))
    return backend_for(dev)


class Generator:
    """A random-number generator on one device (torch.Generator).

    Holds the device backend's engine: seeding, the state as a uint8 tensor (on the CPU,
    the 5056 bytes of torch's ``get_state()``), and the raw draws the samplers transform.

    Example:
        >>> g = ember.Generator().manual_seed(0)
        >>> ember.rand(2, generator=g)
        tensor([0.4963, 0.7682])
    """

    __slots__ = ("_be", "_engine", "__weakref__")

    def __init__(self, device="cpu"):
        self._be = _generator_backend(device)
        self._engine = self._be.new_generator()

    @property
    def device(self):
        return self._be.device

    def manual_seed(self, seed) -> "Generator":
        """Seed with an int in [-2**63, 2**64) (negatives wrap modulo 2**64); returns self."""
        self._engine.manual_seed(seed)
        return self

    def seed(self) -> int:
        """Reseed from a non-deterministic 64-bit number and return it."""
        return self._engine.seed()

    def initial_seed(self) -> int:
        return self._engine.initial_seed()

    def get_state(self) -> Tensor:
        """The state as a uint8 tensor (a copy); set_state() on any generator restores it."""
        return _wrap(self._engine.get_state(), D.uint8, CPU_BACKEND)

    def set_state(self, new_state) -> "Generator":
        """Restore a state from get_state() (or torch's get_rng_state() bytes)."""
        if not isinstance(new_state, Tensor):
            kind = type(new_state)
            name = kind.__qualname__ if kind.__module__ == "builtins" else \
                f"{kind.__module__}.{kind.__qualname__}"
            raise TypeError(f"expected a ember.ByteTensor, but got {name}")
        if new_state.dtype is not D.uint8:
            raise TypeError("RNG state must be a ember.ByteTensor")
        if not new_state.is_contiguous():
            raise RuntimeError("RNG state must be contiguous")
        self._engine.set_state(new_state._be.to_host(new_state._arr))
        return self

    def clone_state(self) -> "Generator":
        """A new generator on the same device in this generator's state."""
        other = Generator(self.device)
        other._engine.set_state(self._engine.get_state())
        return other

    def get_offset(self) -> int:
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset) -> "Generator":
        raise RuntimeError("CPU Generator does not use offset")

    def graphsafe_get_state(self):
        raise NotImplementedError("graphsafe_get_state is not supported in this Generator")

    def graphsafe_set_state(self, state):
        raise NotImplementedError("graphsafe_set_state is not supported in this Generator")

    def __reduce__(self):
        return (Generator, (self.device,), (self.initial_seed(), None, self.get_state()))

    def __setstate__(self, state):
        seed, offset, st = state
        self.manual_seed(seed)
        if offset is not None:
            self.set_offset(offset)
        self.set_state(st)


default_generator = Generator()
_DEFAULTS = {CPU_BACKEND: default_generator}


def default_generator_for(be) -> Generator:
    """The default generator of backend `be`'s device (made on first use)."""
    gen = _DEFAULTS.get(be)
    if gen is None:
        gen = _DEFAULTS[be] = Generator(be.device)
    return gen


def engine_for(generator, be, op_name):
    """The engine a sampler on backend `be` draws from: `generator`'s or the device default."""
    if generator is None:
        return default_generator_for(be)._engine
    if not isinstance(generator, Generator):
        raise TypeError(f"{op_name}(): argument 'generator' must be ember.Generator, not "
                        f"{type(generator).__name__}")
    if generator._be is not be:
        raise RuntimeError(f"Expected a '{be.device.type}' device type for generator but found "
                           f"'{generator.device.type}'")
    return generator._engine


def manual_seed(seed) -> Generator:
    """Seed the generators of every device; returns the CPU default generator."""
    seed = int(seed)
    from ember import cuda
    cuda.manual_seed_all(seed)
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed every device's generator from a non-deterministic number and return it."""
    s = default_generator.seed()
    from ember import cuda
    cuda.manual_seed_all(s)
    return s


def initial_seed() -> int:
    """The seed of the CPU default generator."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The CPU default generator's state (uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the CPU default generator's state."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type=None):
    """Restore the CPU generator (and those of `devices`, by default every GPU) on exit."""
    if device_type == "meta" or not enabled:
        yield
        return
    import ember
    device_type = device_type or "cuda"
    device_mod = getattr(ember, device_type, None)
    if device_mod is None:
        raise RuntimeError(f"ember has no module of `{device_type}`, you should register a "
                           "module by `ember._register_device_module`.")
    devices = list(range(device_mod.device_count())) if devices is None else list(devices)
    cpu_state = get_rng_state()
    device_states = [device_mod.get_rng_state(d) for d in devices]
    try:
        yield
    finally:
        set_rng_state(cpu_state)
        for d, state in zip(devices, device_states):
            device_mod.set_rng_state(state, d)
