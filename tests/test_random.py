"""ember's random front end against torch, bit for bit: Generator and the global seeding
functions, the factories, normal/bernoulli/multinomial/poisson, the in-place samplers on
every layout, their gradients, out= and *_like, and torch's errors."""
from __future__ import annotations

import copy
import pickle
import warnings

import ml_dtypes
import numpy as np
import pytest

import ember
from parity import torch, torch_name

SEEDS = [0, 1, 2 ** 32 + 5, 12345678901234]
SIZES = [0, 1, 15, 16, 17, 100, 1000]
FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


def gens(seed=0):
    return ember.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def to_torch(e):
    """An ember tensor as a torch tensor with the same bits (and strides)."""
    arr = np.asarray(e.detach())
    if arr.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(arr.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(np.array(arr))


def assert_bits(e, t, strides=False):
    assert isinstance(e, ember.Tensor), type(e)
    assert torch_name(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    if strides:
        assert e.stride() == t.stride(), (e.stride(), t.stride())
    theirs = t.detach().contiguous().reshape(-1)
    mines = [to_torch(e).reshape(-1)]
    if e.is_contiguous():
        mines.append(to_torch(e.view(-1)))      # through the storage too
    for mine in mines:
        if t.dtype.is_floating_point or t.dtype.is_complex:
            kind = _int_of(t.dtype)
            assert torch.equal(mine.view(kind), theirs.view(kind)), (mine, t)
        else:
            assert torch.equal(mine, theirs), (mine, t)


def _int_of(dtype):
    return {2: torch.int16, 4: torch.int32, 8: torch.int64, 16: torch.int64}[dtype.itemsize]


def same_state(eg, tg):
    assert bytes(np.asarray(eg.get_state())) == bytes(tg.get_state().numpy())


def both(call, seed=0, strides=False):
    """call(lib, generator) under ember and torch with equally seeded generators."""
    eg, tg = gens(seed)
    assert_bits(call(ember, eg), call(torch, tg), strides)
    same_state(eg, tg)


def same_error(call, prefix=60):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as mine:
        call(ember)
    assert type(mine.value) is type(theirs.value), (mine.value, theirs.value)
    assert torch_name(str(mine.value))[:prefix] == str(theirs.value)[:prefix]


def dt(lib, name):
    return getattr(lib, name)


# --- Generator and the global state ----------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS + [-1, -(2 ** 63), 2 ** 64 - 1])
def test_generator_seed_and_state_bytes(seed):
    eg, tg = gens(seed)
    assert eg.initial_seed() == tg.initial_seed()
    state = eg.get_state()
    assert state.dtype is ember.uint8 and tuple(state.shape) == (5056,)
    same_state(eg, tg)
    assert eg.manual_seed(seed) is eg and eg.device == ember.device("cpu")


def test_generator_defaults_seed_and_clone():
    eg, tg = ember.Generator(), torch.Generator()
    assert eg.initial_seed() == tg.initial_seed() == 67280421310721
    same_state(eg, tg)
    s = eg.seed()
    assert 0 <= s < 2 ** 64 and eg.initial_seed() == s
    same_state(eg, torch.Generator().manual_seed(s))
    ember.rand(5, generator=eg)
    twin = eg.clone_state()
    assert isinstance(twin, ember.Generator) and twin is not eg
    assert_bits(ember.randn(7, generator=twin), to_torch(ember.randn(7, generator=eg)))
    for device in ("cpu", "cpu:0", ember.device("cpu")):
        assert ember.Generator(device).device == ember.device("cpu")
        assert ember.Generator(device=device).device.type == "cpu"


def test_state_round_trips_both_ways():
    eg, tg = gens(11)
    torch.randn(3, generator=tg)                      # leaves torch's cached normal
    torch.rand(1000, generator=tg)
    eg.set_state(ember.tensor(tg.get_state().numpy()))
    both_next(eg, tg)
    ember.randn(5, generator=eg)                      # ember leaves the cache: torch loads it
    tg.set_state(to_torch(eg.get_state()))
    both_next(eg, tg)
    ember.set_rng_state(ember.tensor(torch.Generator().manual_seed(5).get_state().numpy()))
    assert_bits(ember.rand(3), torch.rand(3, generator=torch.Generator().manual_seed(5)))


def both_next(eg, tg):
    same_state(eg, tg)
    assert_bits(ember.randn(5, dtype=ember.float64, generator=eg),
                torch.randn(5, dtype=torch.float64, generator=tg))


def test_global_functions_follow_torch():
    for seed in (7, 2 ** 40 + 3):
        assert ember.manual_seed(seed) is ember.default_generator
        torch.manual_seed(seed)
        assert ember.initial_seed() == torch.initial_seed() == seed
        assert_bits(ember.get_rng_state(), torch.get_rng_state())
        assert_bits(ember.randn(3, 4), torch.randn(3, 4))
        state, tstate = ember.get_rng_state(), torch.get_rng_state()
        assert_bits(ember.rand(4), torch.rand(4))
        ember.set_rng_state(state)
        torch.set_rng_state(tstate)
        assert_bits(ember.rand(4), torch.rand(4))
    ember.manual_seed(1.5)          # torch.manual_seed converts with int() first
    assert ember.initial_seed() == 1
    s = ember.seed()
    assert ember.initial_seed() == s
    assert ember.random.default_generator is ember.default_generator
    assert ember.random.initial_seed() == s


def test_fork_rng_restores_state():
    ember.manual_seed(3)
    torch.manual_seed(3)
    with ember.random.fork_rng():
        ember.randn(100)
    with torch.random.fork_rng():
        torch.randn(100)
    assert_bits(ember.randn(20), torch.randn(20))
    with ember.random.fork_rng(enabled=False):
        ember.rand(3)
    torch.rand(3)
    with ember.random.fork_rng(devices=[]):
        ember.rand(3)
    assert_bits(ember.rand(3), torch.rand(3))


def test_generator_pickle_and_deepcopy():
    eg, tg = gens(9)
    ember.randn(3, generator=eg)
    torch.randn(3, generator=tg)
    for copied in (pickle.loads(pickle.dumps(eg)), copy.deepcopy(eg)):
        assert copied.initial_seed() == 9
        same_state(copied, tg)


@pytest.mark.parametrize("bad", [2 ** 64, -(2 ** 63) - 1, 1.5, True, "3", None])
def test_manual_seed_errors(bad):
    same_error(lambda lib: lib.Generator().manual_seed(bad))


def test_set_state_errors():
    good = torch.Generator().get_state()
    for bad in (lambda lib: lib.tensor(good.numpy()).float(),
                lambda lib: lib.tensor(good.numpy())[:100],
                lambda lib: lib.tensor(np.concatenate([good.numpy()] * 2))[::2],
                lambda lib: good.numpy(), lambda lib: [1, 2]):
        same_error(lambda lib: lib.Generator().set_state(bad(lib)))
    same_error(lambda lib: lib.set_rng_state(lib.tensor(good.numpy()).float()))
    eg = ember.Generator().set_state(ember.tensor(good.numpy()).reshape(2, 2528))
    same_state(eg, torch.Generator())


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "meta", "mps", "xla", 0, 1.5])
def test_generator_device_errors(device):
    same_error(lambda lib: lib.Generator(device))


def test_generator_cpu_only_methods():
    same_error(lambda lib: lib.Generator().get_offset())
    same_error(lambda lib: lib.Generator().graphsafe_get_state())
    same_error(lambda lib: lib.empty(3).uniform_(generator="x"), prefix=20)


# --- factories --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_rand_randn(dtype, n):
    for seed in SEEDS[:2]:
        both(lambda lib, g: lib.rand(n, dtype=dt(lib, dtype), generator=g), seed)
        both(lambda lib, g: lib.randn(n, dtype=dt(lib, dtype), generator=g), seed)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_rand_randn_complex(dtype):
    for n in (3, 40):
        both(lambda lib, g: lib.rand(n, dtype=dt(lib, dtype), generator=g))
        both(lambda lib, g: lib.randn(2, n, dtype=dt(lib, dtype), generator=g))


def test_factory_size_forms_and_options():
    for size in ((2, 3), ((2, 3),), ([4, 5],), ((),), (0, 3)):
        both(lambda lib, g: lib.randn(*size, generator=g))
        both(lambda lib, g: lib.rand(*size, generator=g))
    both(lambda lib, g: lib.rand(lib.Size([3, 2]), generator=g, layout=lib.strided,
                                 device="cpu", pin_memory=False))
    e = ember.rand(3, requires_grad=True)
    assert e.requires_grad and e.is_leaf and e.grad_fn is None


@pytest.mark.parametrize("dtype", INTS + FLOATS + ["bool"])
def test_randint(dtype):
    ranges = [(0, 2), (0, 10), (-5, 5), (3, 100), (0, 2 ** 28 - 1), (0, 2 ** 28),
              (-(2 ** 30), 2 ** 30), (-(2 ** 40), 2 ** 40)]
    for seed in SEEDS[:2]:
        for low, high in ranges:
            for n in (1, 17, 100):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        torch.randint(low, high, (n,), dtype=dt(torch, dtype))
                except RuntimeError:
                    same_error(lambda lib: lib.randint(low, high, (n,), dtype=dt(lib, dtype)))
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    both(lambda lib, g: lib.randint(low, high, (n,), dtype=dt(lib, dtype),
                                                    generator=g), seed)


def test_randint_overloads():
    both(lambda lib, g: lib.randint(10, (3, 4), generator=g))
    both(lambda lib, g: lib.randint(3, 10, (2, 5), generator=g))
    both(lambda lib, g: lib.randint(high=5, size=(3,), generator=g))
    both(lambda lib, g: lib.randint(low=2, high=5, size=[3], generator=g))
    both(lambda lib, g: lib.randint(5, size=(3,), generator=g))
    both(lambda lib, g: lib.randint(2, 5, size=(3,), generator=g))
    both(lambda lib, g: lib.randint(0, lib.tensor(7), (9,), generator=g))
    both(lambda lib, g: lib.randint(-(2 ** 63), 2 ** 63 - 1, (5,), generator=g))
    for bad in (lambda lib: lib.randint(5, 3, (2,)), lambda lib: lib.randint(5, 5, (0,)),
                lambda lib: lib.randint(0, 3, (3,), dtype=lib.bool),
                lambda lib: lib.randint(0, 300, (3,), dtype=lib.uint8),
                lambda lib: lib.randint(-200, 3, (3,), dtype=lib.int8),
                lambda lib: lib.randint(0, 70000, (3,), dtype=lib.float16),
                lambda lib: lib.randint(0, 5, (3,), dtype=lib.complex64),
                lambda lib: lib.randint(0, 2 ** 63, (3,)), lambda lib: lib.randint(0, 5, 3),
                lambda lib: lib.randint(0, 5.5, (3,)), lambda lib: lib.randint(5),
                lambda lib: lib.randint(0, 5, (3,), requires_grad=True)):
        same_error(bad, prefix=30)


def test_randint_warns_beyond_mantissa():
    with pytest.warns(UserWarning, match=r"to - 1 is out of bounds \[-\(2\^24\), 2\^24\]"):
        ember.randint(0, 2 ** 25, (3,), dtype=ember.float32)


@pytest.mark.parametrize("n", [0, 1, 2, 16, 17, 100, 1000, 60000])
def test_randperm(n):
    for seed in SEEDS[:2]:
        both(lambda lib, g: lib.randperm(n, generator=g), seed)


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "float32", "float64", "float16",
                                   "bfloat16"])
def test_randperm_dtypes(dtype):
    both(lambda lib, g: lib.randperm(200, dtype=dt(lib, dtype), generator=g))


def test_randperm_errors():
    for bad in (lambda lib: lib.randperm(-1), lambda lib: lib.randperm(3, dtype=lib.bool),
                lambda lib: lib.randperm(3000, dtype=lib.float16),
                lambda lib: lib.randperm(2 ** 24 + 2, dtype=lib.float32),
                lambda lib: lib.randperm(300, dtype=lib.uint8),
                lambda lib: lib.randperm(129, dtype=lib.int8),
                lambda lib: lib.randperm(3, dtype=lib.complex64), lambda lib: lib.randperm(3.0),
                lambda lib: lib.randperm(3, requires_grad=True)):
        same_error(bad)
    both(lambda lib, g: lib.randperm(128, dtype=lib.int8, generator=g))


def test_factory_errors():
    for bad in (lambda lib: lib.rand(3, dtype=lib.int64), lambda lib: lib.rand(3, dtype=lib.bool),
                lambda lib: lib.randn(3, dtype=lib.int32), lambda lib: lib.randn(-1),
                lambda lib: lib.rand(0, dtype=lib.int64)):
        same_error(bad)
    both(lambda lib, g: lib.randn(0, dtype=lib.int64, generator=g))


def test_out_fills_in_place():
    both(lambda lib, g: lib.rand(3, out=lib.empty(3, dtype=lib.float64), generator=g))
    both(lambda lib, g: lib.randn(4, 6, out=lib.empty(6, 4).t(), generator=g), strides=True)
    both(lambda lib, g: lib.randn(4, 6, out=lib.empty(2), generator=g))
    both(lambda lib, g: lib.randint(0, 5, (3,), out=lib.empty(3, dtype=lib.float64),
                                    generator=g))
    both(lambda lib, g: lib.randperm(5, out=lib.empty(3, dtype=lib.float64), generator=g))
    same_error(lambda lib: lib.rand(3, out=lib.empty(3, dtype=lib.float64), dtype=lib.float32))
    same_error(lambda lib: lib.rand(3, out=lib.empty(3, dtype=lib.int64)))
    eout = ember.empty(5)
    r = ember.rand(5, out=eout)
    assert r is eout and eout._version == 1


# --- normal ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [1, 5, 16, 40])
def test_normal_overloads(dtype, n):
    rng = np.random.default_rng(n)
    m_np, s_np = rng.uniform(-2, 2, n), rng.uniform(0.1, 2, n)

    def mean(lib):
        return lib.tensor(m_np, dtype=lib.float32).to(dt(lib, dtype))

    def std(lib):
        return lib.tensor(s_np, dtype=lib.float32).to(dt(lib, dtype))
    both(lambda lib, g: lib.normal(mean(lib), std(lib), generator=g))
    both(lambda lib, g: lib.normal(mean(lib), 0.37, generator=g))
    both(lambda lib, g: lib.normal(mean(lib), generator=g))
    both(lambda lib, g: lib.normal(0.37, std(lib), generator=g))
    both(lambda lib, g: lib.normal(-0.5, 1.3, (n, 2), dtype=dt(lib, dtype), generator=g))
    both(lambda lib, g: lib.normal(mean=mean(lib), std=std(lib), generator=g))


def test_normal_broadcast_mixed_dtypes_and_out():
    def line(lib, lo, hi, n, dtype="float32"):
        return lib.tensor(np.linspace(lo, hi, n), dtype=dt(lib, dtype))
    both(lambda lib, g: lib.normal(line(lib, -1, 1, 2).reshape(2, 1), line(lib, 0.1, 2, 20),
                                   generator=g))
    both(lambda lib, g: lib.normal(lib.zeros(40, dtype=lib.float64), line(lib, 0.1, 2, 40),
                                   generator=g))
    both(lambda lib, g: lib.normal(line(lib, -1, 1, 40), lib.tensor(0.3, dtype=lib.float64),
                                   generator=g))
    both(lambda lib, g: lib.normal(line(lib, -1, 1, 40), line(lib, 0.1, 2, 40, "float64"),
                                   generator=g))
    both(lambda lib, g: lib.normal(lib.zeros(3, dtype=lib.complex64), 1.0, generator=g))
    both(lambda lib, g: lib.normal(lib.zeros(5), lib.ones(5),
                                   out=lib.empty(5, dtype=lib.float64), generator=g))
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        ember.normal(ember.zeros(3), ember.ones(3), out=ember.empty(5))


def test_normal_errors():
    for bad in (lambda lib: lib.normal(lib.zeros(3), lib.ones(4)),
                lambda lib: lib.normal(lib.zeros(3), lib.tensor([1.0, -1.0, 1.0])),
                lambda lib: lib.normal(lib.zeros(3), lib.tensor([1.0, float("nan"), 1.0])),
                lambda lib: lib.normal(lib.zeros(3), -1.0),
                lambda lib: lib.normal(0.0, -1.0, (2, 2)), lambda lib: lib.normal(0.0, 1.0),
                lambda lib: lib.normal(lib.zeros(3, dtype=lib.int64), 1.0),
                lambda lib: lib.normal(1.0, lib.ones(3, dtype=lib.int64)),
                lambda lib: lib.normal(lib.zeros(0, dtype=lib.int64), lib.zeros(0)),
                lambda lib: lib.normal(lib.zeros(3), lib.ones(3, requires_grad=True),
                                       out=lib.empty(3))):
        same_error(bad)


def test_normal_gradients_are_zero_with_torchs_nodes():
    def grads(lib, which):
        m = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        s = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = {"tt": lambda: lib.normal(m, s), "tf": lambda: lib.normal(m, 2.0),
             "ft": lambda: lib.normal(1.0, s), "t": lambda: lib.normal(m),
             "tt_mean": lambda: lib.normal(m, s.detach())}[which]()
        inputs = [x for x in (m, s) if any(x is e[0].variable for e in _edges(y))]
        g = lib.autograd.grad((y * y).sum(), inputs, create_graph=True)
        return type(y.grad_fn).__name__, [np.asarray(x.detach()).tolist() for x in g]
    for which in ("tt", "tf", "ft", "t", "tt_mean"):
        assert grads(ember, which) == grads(torch, which)
    y = ember.normal(0.0, 1.0, (3,), requires_grad=True)
    assert y.requires_grad and y.grad_fn is None


def _edges(y):
    return [e for e in y.grad_fn.next_functions if e[0] is not None]


# --- in-place samplers -------------------------------------------------------------------------

INPLACE = {
    "uniform_": lambda t, g: t.uniform_(-1.5, 2.5, generator=g),
    "uniform_default": lambda t, g: t.uniform_(generator=g),
    "normal_": lambda t, g: t.normal_(0.25, 1.5, generator=g),
    "normal_default": lambda t, g: t.normal_(generator=g),
    "random_from_to": lambda t, g: t.random_(-3, 40, generator=g),
    "random_to": lambda t, g: t.random_(100, generator=g),
    "random_from": lambda t, g: t.random_(5, None, generator=g),
    "random": lambda t, g: t.random_(generator=g),
    "bernoulli_": lambda t, g: t.bernoulli_(0.3, generator=g),
    "bernoulli_p": lambda t, g: t.bernoulli_(t.new_full(t.shape[-1:], 0.7).float(),
                                             generator=g),
    "exponential_": lambda t, g: t.exponential_(2.5, generator=g),
    "geometric_": lambda t, g: t.geometric_(0.3, generator=g),
    "cauchy_": lambda t, g: t.cauchy_(0.5, 2.0, generator=g),
    "log_normal_": lambda t, g: t.log_normal_(0.1, 0.5, generator=g),
}
CONTINUOUS = {"uniform_", "uniform_default", "normal_", "normal_default", "exponential_",
              "cauchy_", "log_normal_"}
LAYOUTS = {
    "contiguous": lambda lib, d: lib.empty(6, 8, dtype=d),
    "transposed": lambda lib, d: lib.empty(8, 6, dtype=d).t(),
    "sliced": lambda lib, d: lib.empty(8, 12, dtype=d)[:, ::2],
    "permuted": lambda lib, d: lib.empty(4, 5, 6, dtype=d).permute(2, 0, 1),
    "window": lambda lib, d: lib.empty(6, 8, dtype=d)[1:5, 2:7],
    "small": lambda lib, d: lib.empty(5, dtype=d),
    "empty": lambda lib, d: lib.empty(0, 3, dtype=d),
    "scalar": lambda lib, d: lib.empty((), dtype=d),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", INPLACE)
def test_inplace_samplers_every_layout(name, layout):
    dtypes = FLOATS if name in CONTINUOUS else FLOATS + ["int64", "int32", "uint8"]
    for dtype in dtypes:
        if name == "random_from_to" and dtype == "uint8":
            continue
        fill = INPLACE[name]

        def call(lib, g):
            t = LAYOUTS[layout](lib, dt(lib, dtype))
            out = fill(t, g)
            assert out is t
            return t
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            both(call, seed=3, strides=True)


def test_inplace_on_channels_last_and_odd_strides():
    both(lambda lib, g: lib.empty(2, 3, 4, 4).permute(0, 2, 3, 1).contiguous()
         .permute(0, 3, 1, 2).normal_(generator=g), strides=True)
    both(lambda lib, g: lib.empty_strided((20, 1), (1, 5)).normal_(generator=g), strides=True)
    both(lambda lib, g: lib.empty(3, 4, dtype=lib.complex64).t().normal_(0.5, 2.0, generator=g),
         strides=True)
    both(lambda lib, g: lib.empty(3, 4, dtype=lib.complex128)[:, ::2].uniform_(generator=g),
         strides=True)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64",
                                   "bool"])
@pytest.mark.parametrize("p_dtype", ["float32", "float64", "float16", "bfloat16"])
def test_bernoulli_tensor_p(dtype, p_dtype):
    def probs(lib, shape):
        g = lib.Generator().manual_seed(99)
        return lib.rand(*shape, generator=g).to(dt(lib, p_dtype))
    both(lambda lib, g: lib.empty(3, 4, 5, dtype=dt(lib, dtype))
         .bernoulli_(probs(lib, (3, 1, 5)), generator=g))
    both(lambda lib, g: lib.empty(6, 8, dtype=dt(lib, dtype)).t()
         .bernoulli_(probs(lib, (6,)), generator=g), strides=True)
    both(lambda lib, g: lib.bernoulli(probs(lib, (8, 6)).t(), generator=g), strides=True)
    both(lambda lib, g: lib.bernoulli(probs(lib, (17,)), out=lib.empty(17, dtype=dt(lib, dtype)),
                                      generator=g))


def test_bernoulli_functions_and_method():
    both(lambda lib, g: lib.bernoulli(lib.ones(5, 4), 0.3, generator=g))
    both(lambda lib, g: lib.ones(3, 5, dtype=lib.int64).bernoulli(0.6, generator=g))
    both(lambda lib, g: lib.full((40,), 0.4).bernoulli(generator=g))


def test_bernoulli_stops_at_an_invalid_probability():
    def call(lib, g):
        t = lib.zeros(10)
        p = lib.full((10,), 0.5)
        p[6] = 1.5
        with pytest.raises(RuntimeError, match="Expected p_in >= 0 && p_in <= 1"):
            t.bernoulli_(p, generator=g)
        return t
    both(call)


def test_dropout_style_mask():
    def call(lib, g):
        x = lib.ones(64, 33)
        noise = lib.empty_like(x).bernoulli_(0.8, generator=g)
        return x * noise.div_(0.8)
    both(call, seed=123)


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_like_factories(layout):
    for dtype in ("float32", "float64", "float16", "complex64"):
        def src(lib):
            return LAYOUTS[layout](lib, dt(lib, dtype))
        both(lambda lib, g: lib.rand_like(src(lib), generator=g), strides=True)
        both(lambda lib, g: lib.randn_like(src(lib), generator=g), strides=True)
        both(lambda lib, g: lib.rand_like(src(lib), dtype=lib.float64, generator=g),
             strides=True)
        both(lambda lib, g: lib.randn_like(src(lib), memory_format=lib.contiguous_format,
                                           generator=g), strides=True)
    for args in ((5,), (-3, 40), (lambda lib: lib.tensor(9),)):
        both(lambda lib, g: lib.randint_like(LAYOUTS[layout](lib, lib.float32),
                                             *[a(lib) if callable(a) else a for a in args],
                                             generator=g), strides=True)
    both(lambda lib, g: lib.randint_like(lib.empty(3, 4, dtype=lib.int16), low=2, high=9,
                                         generator=g))
    both(lambda lib, g: lib.randint_like(lib.empty(3, dtype=lib.bool), 2, generator=g))


def test_versions_match_torch():
    def versions(lib):
        m, s = lib.zeros(3), lib.ones(3)
        fresh = [lib.normal(m, s), lib.normal(m, 1.0), lib.normal(1.0, s), lib.rand(3),
                 lib.bernoulli(m), lib.rand_like(m), lib.randperm(3), lib.poisson(m)]
        bumped = []
        for fill in (lambda o: lib.rand(3, out=o), lambda o: lib.normal(m, s, out=o),
                     lambda o: lib.bernoulli(m, out=o), lambda o: o.uniform_()):
            o = lib.empty(3)
            fill(o)
            bumped.append(o._version)
        o = lib.empty(2, dtype=lib.int64)
        lib.multinomial(s, 2, out=o)
        return [t._version for t in fresh], bumped, o._version
    assert versions(ember) == versions(torch)


def test_like_layouts_of_non_dense_inputs():
    both(lambda lib, g: lib.randn_like(lib.empty(8, 6).t()[:, ::2], generator=g), strides=True)
    both(lambda lib, g: lib.rand_like(lib.empty(4, 5, 6).permute(1, 2, 0)[:, ::2],
                                      generator=g), strides=True)
    both(lambda lib, g: lib.rand_like(lib.empty(3, 1, 4).expand(3, 5, 4).transpose(0, 2),
                                      generator=g), strides=True)
    both(lambda lib, g: lib.rand_like(lib.empty(2, 0, 3).transpose(0, 2), generator=g),
         strides=True)
    both(lambda lib, g: lib.randn_like(lib.empty(2, 3, 4, 5)[:, :, ::2],
                                       memory_format=lib.channels_last, generator=g),
         strides=True)
    same_error(lambda lib: lib.rand_like(lib.empty(3, 4), memory_format=lib.channels_last))
    x = ember.ones(3, requires_grad=True)
    assert not ember.rand_like(x).requires_grad
    assert ember.randn_like(x, requires_grad=True).is_leaf


def test_inplace_graph_nodes_and_versions():
    def nodes(lib):
        names = []
        m = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        for name, fill in INPLACE.items():
            x = m.clone()
            v = x._version
            fill(x, None)
            names.append((name, type(x.grad_fn).__name__, x._version - v))
            g, = lib.autograd.grad(x.sum(), m)
            assert not np.asarray(g).any()
        p = lib.full((3,), 0.5, requires_grad=True)
        y = lib.zeros(3).bernoulli_(p)
        names.append(("bernoulli_p_grad", type(y.grad_fn).__name__,
                      lib.autograd.grad(y.sum(), p)[0].tolist()))
        base = m.clone()
        base[1:].normal_()
        names.append(("view", type(base.grad_fn).__name__,
                      lib.autograd.grad(base.sum(), m)[0].tolist()))
        return names
    assert nodes(ember) == nodes(torch)


def test_functional_graph_nodes():
    def nodes(lib):
        m = lib.tensor([0.2, 0.5, 0.9], requires_grad=True)
        out = []
        for y in (lib.bernoulli(m), lib.poisson(m * 3), lib.bernoulli(m, 0.5)):
            out.append(type(y.grad_fn).__name__)
        out.append(lib.autograd.grad(lib.poisson(m).sum(), m)[0].tolist())
        try:
            lib.bernoulli(m, 0.5).sum().backward()
        except RuntimeError as err:
            out.append(str(err))
        return out
    assert nodes(ember) == nodes(torch)


def test_inplace_leaf_and_inference_errors():
    same_error(lambda lib: lib.ones(3, requires_grad=True).uniform_(2, 1))
    same_error(lambda lib: lib.ones(3, requires_grad=True).normal_())
    same_error(lambda lib: lib.ones(3).expand(2, 3).uniform_())
    same_error(lambda lib: lib.ones(3).expand(2, 3).bernoulli_(lib.full((3,), 0.5)))


ERRORS = [
    lambda lib: lib.ones(3, dtype=lib.int64).uniform_(),
    lambda lib: lib.ones(3).uniform_(2, 1),
    lambda lib: lib.ones(3).uniform_(-3e38, 3e38),
    lambda lib: lib.ones(3, dtype=lib.float16).uniform_(0, 70000),
    lambda lib: lib.ones(3).uniform_(0, float("inf")),
    lambda lib: lib.ones(3, dtype=lib.float16).uniform_(-60000, 60000),
    lambda lib: lib.ones(3, dtype=lib.int64).normal_(),
    lambda lib: lib.ones(3).normal_(0, -1),
    lambda lib: lib.ones(3).normal_(0, float("nan")),
    lambda lib: lib.ones(3).random_(5, 3),
    lambda lib: lib.ones(3).random_(0),
    lambda lib: lib.ones(3, dtype=lib.float16).random_(0, 70000),
    lambda lib: lib.ones(3, dtype=lib.uint8).random_(-1, 5),
    lambda lib: lib.ones(3, dtype=lib.bool).random_(0, 3),
    lambda lib: lib.ones(3, dtype=lib.complex64).random_(),
    lambda lib: lib.ones(3, dtype=lib.complex64).random_(0, 3),
    lambda lib: lib.ones(3, dtype=lib.complex64).random_(3, None),
    lambda lib: lib.ones(3, dtype=lib.float16).random_(-(2 ** 63), None),
    lambda lib: lib.ones(3).random_(2.5),
    lambda lib: lib.ones(3).bernoulli_(1.5),
    lambda lib: lib.ones(3).bernoulli_(float("nan")),
    lambda lib: lib.ones(3, dtype=lib.complex64).bernoulli_(0.5),
    lambda lib: lib.ones(3, dtype=lib.complex64).bernoulli_(lib.full((3,), 0.5)),
    lambda lib: lib.ones(3).bernoulli_(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.ones(3).bernoulli_(lib.full((2, 3), 0.5)),
    lambda lib: lib.ones(3).bernoulli_(lib.full((2,), 0.5)),
    lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.bernoulli(lib.full((3,), 2.0)),
    lambda lib: lib.bernoulli(lib.ones(3), 1.5),
    lambda lib: lib.ones(3).exponential_(0),
    lambda lib: lib.ones(3, dtype=lib.int64).exponential_(),
    lambda lib: lib.ones(3, dtype=lib.uint8).exponential_(),
    lambda lib: lib.ones(3).geometric_(1),
    lambda lib: lib.ones(3, dtype=lib.bool).geometric_(0.5),
    lambda lib: lib.ones(3).cauchy_(0, 0),
    lambda lib: lib.ones(3, dtype=lib.int64).cauchy_(),
    lambda lib: lib.zeros(0, dtype=lib.complex64).cauchy_(),
    lambda lib: lib.ones(3).log_normal_(1, 0),
    lambda lib: lib.ones(3, dtype=lib.int64).log_normal_(),
    lambda lib: lib.multinomial(lib.ones(3, dtype=lib.int64), 2),
    lambda lib: lib.multinomial(lib.tensor(1.0), 1),
    lambda lib: lib.multinomial(lib.ones(3), 4),
    lambda lib: lib.multinomial(lib.ones(3), 0),
    lambda lib: lib.multinomial(lib.ones(2, 0), 3, True),
    lambda lib: lib.multinomial(lib.ones(0), 1, True),
    lambda lib: lib.multinomial(lib.tensor([0.5, -0.1]), 1),
    lambda lib: lib.multinomial(lib.ones(5), 3, out=lib.empty(3, dtype=lib.int32)),
    lambda lib: lib.poisson(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.poisson(lib.tensor([-1.0])),
    lambda lib: lib.rand_like(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.randn_like(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.randint_like(lib.ones(3), 5, 3),
    lambda lib: lib.randint_like(lib.ones(3, dtype=lib.bool), 5),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(ERRORS[case])


EMPTY_OK = [
    lambda lib, g: lib.zeros(0, dtype=lib.int64).normal_(generator=g),
    lambda lib, g: lib.zeros(0, dtype=lib.complex64).random_(generator=g),
    lambda lib, g: lib.zeros(0, dtype=lib.complex64).bernoulli_(0.5, generator=g),
    lambda lib, g: lib.zeros(0, dtype=lib.int64).exponential_(generator=g),
    lambda lib, g: lib.zeros(0, dtype=lib.bool).geometric_(0.5, generator=g),
    lambda lib, g: lib.zeros(0, dtype=lib.int64).log_normal_(generator=g),
    lambda lib, g: lib.zeros(0, dtype=lib.float16).random_(-(2 ** 63), None, generator=g),
    lambda lib, g: lib.zeros(0).bernoulli_(lib.full((2, 3), 0.5), generator=g),
    lambda lib, g: lib.normal(lib.zeros(0, dtype=lib.int64), 1.0, generator=g),
    lambda lib, g: lib.multinomial(lib.ones(0, 3), 2, generator=g),
    lambda lib, g: lib.multinomial(lib.ones(0, 0), 1, True, generator=g),
]


@pytest.mark.parametrize("case", range(len(EMPTY_OK)))
def test_empty_tensors_skip_dtype_checks(case):
    both(EMPTY_OK[case])


# --- multinomial and poisson -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
def test_multinomial(dtype):
    def probs(lib):
        p = lib.rand(4, 30, generator=lib.Generator().manual_seed(5)).to(dt(lib, dtype))
        p[:, :3] = 0
        return p
    for num_samples, replacement in ((1, False), (1, True), (5, False), (5, True), (27, False),
                                     (100, True)):
        both(lambda lib, g: lib.multinomial(probs(lib), num_samples, replacement, generator=g))
        both(lambda lib, g: probs(lib)[2].multinomial(num_samples, replacement, generator=g))
        both(lambda lib, g: lib.multinomial(probs(lib).t().contiguous().t(), num_samples,
                                            replacement, generator=g))
    both(lambda lib, g: lib.multinomial(probs(lib), 3, out=lib.empty(7, dtype=lib.int64),
                                        generator=g))


@pytest.mark.parametrize("dtype", FLOATS)
def test_poisson(dtype):
    rates = [0.0, 0.5, 3.0, 9.99, 10.0, 25.0, 1000.0, 7.5, 0.01] * 5
    both(lambda lib, g: lib.poisson(lib.tensor(rates).to(dt(lib, dtype)), g))
    both(lambda lib, g: lib.poisson(lib.tensor(rates).reshape(9, 5).t().to(dt(lib, dtype)),
                                    generator=g))


# --- interleaved streams ----------------------------------------------------------------------

def _steps(lib, g):
    x = lib.zeros(6, 9)
    return [
        lambda: lib.randn(3, generator=g), lambda: lib.rand(5, generator=g),
        lambda: lib.randn(20, generator=g), lambda: _fill_slice(x, g),
        lambda: lib.randint(0, 1000, (7,), generator=g), lambda: lib.randn(1, generator=g),
        lambda: lib.randperm(300, generator=g), lambda: lib.rand(2, 3, dtype=lib.float64,
                                                                   generator=g),
        lambda: lib.empty(4).log_normal_(generator=g), lambda: lib.randn(33, generator=g),
        lambda: lib.normal(lib.zeros(4), lib.ones(4), generator=g),
        lambda: lib.empty(700).uniform_(generator=g),      # crosses a 624-word block
        lambda: lib.bernoulli(lib.full((9,), 0.5), generator=g),
        lambda: lib.randn(2, dtype=lib.float16, generator=g),
        lambda: lib.multinomial(lib.ones(10), 4, generator=g),
        lambda: lib.randn(1, dtype=lib.float64, generator=g),
    ]


def _fill_slice(x, g):
    x[1:4, ::2].normal_(generator=g)
    return x


@pytest.mark.parametrize("seed", SEEDS)
def test_interleaved_calls_stay_in_step(seed):
    eg, tg = gens(seed)
    for mine, theirs in zip(_steps(ember, eg), _steps(torch, tg)):
        assert_bits(mine(), theirs())
        same_state(eg, tg)


def test_interleaved_calls_on_the_global_generator():
    ember.manual_seed(2024)
    torch.manual_seed(2024)
    for mine, theirs in zip(_steps(ember, None), _steps(torch, None)):
        assert_bits(mine(), theirs())
    assert_bits(ember.get_rng_state(), torch.get_rng_state())
