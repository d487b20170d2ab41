"""ember's CPU random streams against torch's CPU generator, bit for bit."""
import math
import warnings
from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from ember._backend import _cpu_float as CF                     # noqa: E402
from ember._backend._cpu_rng import DEFAULT_SEED, CPUGenerator  # noqa: E402
from ember._backend._cpu_sampling import _top_k                 # noqa: E402

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
BF16 = np.dtype(ml_dtypes.bfloat16)
INTS = [np.dtype(t) for t in (np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_)]
FLOATS = [F32, F64, F16, BF16]
TORCH = {F16: torch.float16, F32: torch.float32, F64: torch.float64, BF16: torch.bfloat16,
         np.dtype(np.int64): torch.int64, np.dtype(np.int32): torch.int32,
         np.dtype(np.int16): torch.int16, np.dtype(np.int8): torch.int8,
         np.dtype(np.uint8): torch.uint8, np.dtype(np.bool_): torch.bool,
         np.dtype(np.complex64): torch.complex64, np.dtype(np.complex128): torch.complex128}
SEEDS = [0, 1, 42, 2 ** 32 + 5, 2 ** 63]
SIZES = [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 4097]


def to_np(t):
    t = t.detach()
    return t.view(torch.int16).numpy().view(BF16) if t.dtype == torch.bfloat16 else t.numpy()


def assert_same(mine, theirs):
    theirs = to_np(theirs) if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    mine = np.asarray(mine)
    assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
    assert mine.tobytes() == theirs.tobytes(), (mine.ravel()[:8], theirs.ravel()[:8])


def pair(seed):
    return CPUGenerator(seed), torch.Generator().manual_seed(seed)


def assert_in_step(g, tg):
    """Same state bytes, and the next draws agree."""
    assert_same(g.get_state(), tg.get_state())
    assert_same(g.normal((5,), F64), torch.randn(5, dtype=torch.float64, generator=tg))


@pytest.fixture(params=[1, None], ids=["1thread", "default_threads"])
def threads(request):
    old = torch.get_num_threads()
    torch.set_num_threads(request.param or old)
    yield
    torch.set_num_threads(old)


# --- seeding and state ---------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS + [-1, -(2 ** 63), 2 ** 64 - 1, 12345678901234])
def test_manual_seed_and_state_bytes(seed):
    g, tg = pair(seed)
    assert g.initial_seed() == tg.initial_seed()
    assert_same(g.get_state(), tg.get_state())
    assert_same(g.randint((7,), np.dtype(np.int64), 0, 1000),
                torch.randint(0, 1000, (7,), generator=tg))
    assert_in_step(g, tg)


def test_default_seed_and_reseed():
    g, tg = CPUGenerator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == DEFAULT_SEED
    assert_same(g.get_state(), tg.get_state())
    s = g.seed()
    assert 0 <= s < 2 ** 64 and g.initial_seed() == s
    assert_same(g.get_state(), torch.Generator().manual_seed(s).get_state())


@pytest.mark.parametrize("bad, exc, msg", [
    (2 ** 64, ValueError, "Overflow when unpacking long long"),
    (-(2 ** 63) - 1, ValueError, "Overflow when unpacking long long"),
    (1.5, RuntimeError, "manual_seed expected a long, but got float"),
    (True, RuntimeError, "manual_seed expected a long, but got bool"),
])
def test_manual_seed_errors(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        torch.Generator().manual_seed(bad)
    with pytest.raises(exc, match=msg):
        CPUGenerator().manual_seed(bad)


def test_raw_words_follow_torch():
    g, tg = pair(3)
    # random_(0, 2**27) is u32 % 2**27; int64 random_() is u64 % 2**63.
    assert_same(g.random_u32(700) & np.uint32(2 ** 27 - 1),
                torch.randint(0, 2 ** 27, (700,), generator=tg).numpy().astype(np.uint32))
    assert_same((g.random_u64(300) & np.uint64(2 ** 63 - 1)).view(np.int64),
                torch.empty(300, dtype=torch.int64).random_(generator=tg))
    assert_in_step(g, tg)


def draw_sequence(g, tg):
    """A mix of calls that shares the cached normal and crosses a 624-word block."""
    steps = [
        (lambda: g.normal((3,), F32), lambda: torch.randn(3, generator=tg)),
        (lambda: g.normal((20,), F32), lambda: torch.randn(20, generator=tg)),
        (lambda: g.uniform((5,), F32), lambda: torch.rand(5, generator=tg)),
        (lambda: g.normal((1,), F64), lambda: torch.randn(1, dtype=torch.float64, generator=tg)),
        (lambda: g.log_normal((4,), F32, 0.5, 0.25),
         lambda: torch.empty(4).log_normal_(0.5, 0.25, generator=tg)),
        (lambda: g.normal((7,), F16, 1.0, 3.0),
         lambda: torch.empty(7, dtype=torch.float16).normal_(1.0, 3.0, generator=tg)),
        (lambda: g.randperm(300), lambda: torch.randperm(300, generator=tg)),
        (lambda: g.normal((1,), F32), lambda: torch.randn(1, generator=tg)),
    ]
    for mine, theirs in steps:
        assert_same(mine(), theirs())
        assert_same(g.get_state(), tg.get_state())


@pytest.mark.parametrize("seed", SEEDS)
def test_mixed_sequence(seed):
    g, tg = pair(seed)
    draw_sequence(g, tg)
    assert_in_step(g, tg)


def test_state_round_trips_both_ways():
    g, tg = pair(11)
    torch.randn(3, generator=tg)               # leaves a cached normal in the state
    torch.rand(1000, generator=tg)
    g.set_state(tg.get_state().numpy())
    assert g.next_double_normal is not None
    assert_in_step(g, tg)

    g.normal((5,), F32)                        # ember leaves a cache, torch loads it
    tg.set_state(torch.from_numpy(g.get_state()))
    assert_in_step(g, tg)

    fresh = torch.Generator().manual_seed(5)   # freshly seeded: next = 0, left = 1
    g.set_state(fresh.get_state().numpy())
    assert_same(g.get_state(), fresh.get_state())
    assert_in_step(g, fresh)


def test_state_with_float_cache_and_odd_position():
    tg = torch.Generator().manual_seed(7)
    torch.randn(3, generator=tg)
    state = tg.get_state()
    state[5048:5052] = torch.tensor([1.5]).view(torch.uint8)
    state[5052] = 1                                  # cached float normal: carried only
    state[8:12] = torch.tensor([5], dtype=torch.int32).view(torch.uint8)
    state[16:24] = torch.tensor([0]).view(torch.uint8)    # left=5, next=0: never produced
    tg.set_state(state)
    g = CPUGenerator()
    g.set_state(state.numpy())
    assert_same(g.get_state(), tg.get_state())
    assert_same(g.randint((8,), np.dtype(np.int64), 0, 2 ** 31),
                torch.randint(0, 2 ** 31, (8,), generator=tg))
    assert_in_step(g, tg)


def test_set_state_errors():
    g = CPUGenerator()
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056 but "
                                           "found the input RNG state size to be 10"):
        g.set_state(np.zeros(10, np.uint8))
    bad = torch.Generator().get_state()
    bad[12] = 0                                      # not seeded
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        torch.Generator().set_state(bad)
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        g.set_state(bad.numpy())


# --- uniform and normal --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("n", SIZES)
def test_rand_and_randn(dtype, n):
    for seed in (0, 2 ** 32 + 5):
        g, tg = pair(seed)
        assert_same(g.uniform((n,), dtype), torch.rand(n, dtype=TORCH[dtype], generator=tg))
        assert_same(g.normal((n,), dtype), torch.randn(n, dtype=TORCH[dtype], generator=tg))
        assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("low, high", [(-2.0, 3.0), (0.1, 0.7), (-1e-3, 5.5), (100.0, 101.0),
                                       (0.0, 1e-30), (1000.0, 1001.0)])
def test_uniform_bounds(dtype, low, high):
    g, tg = pair(1)
    assert_same(g.uniform((3000,), dtype, low, high),
                torch.empty(3000, dtype=TORCH[dtype]).uniform_(low, high, generator=tg))
    assert_in_step(g, tg)


def test_uniform_rounding_up_to_high_gives_low():
    g, tg = pair(1)
    a, b = 2.0 ** 50, 2.0 ** 50 + 1          # fma rounds 1/8 of the draws up to b
    out = g.uniform((2000,), F64, a, b)
    assert_same(out, torch.empty(2000, dtype=torch.float64).uniform_(a, b, generator=tg))
    assert (out == a).sum() > 100 and not (out == b).any()


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("n", [5, 16, 17, 100, 4097])
@pytest.mark.parametrize("mean, std", [(0.5, 2.0), (-1.3, 0.37), (0.0, 0.1), (3.0, 1.0)])
def test_normal_mean_std(dtype, n, mean, std):
    g, tg = pair(3)
    assert_same(g.normal((n,), dtype, mean, std),
                torch.empty(n, dtype=TORCH[dtype]).normal_(mean, std, generator=tg))
    assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", [F32, F16], ids=str)
def test_randn_many_chunks(dtype):
    g, tg = pair(12)
    n = 150_007                                # several lane chunks and a tail
    assert_same(g.normal((n,), dtype), torch.randn(n, dtype=TORCH[dtype], generator=tg))
    assert_same(g.normal((n,), dtype, -0.7, 1.3),
                torch.empty(n, dtype=TORCH[dtype]).normal_(-0.7, 1.3, generator=tg))
    assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", [np.dtype(np.complex64), np.dtype(np.complex128)], ids=str)
def test_complex_rand_randn(dtype):
    g, tg = pair(4)
    for n in (3, 40):
        assert_same(g.uniform((n,), dtype), torch.rand(n, dtype=TORCH[dtype], generator=tg))
        assert_same(g.normal((n,), dtype, 0.5, 2.0),
                    torch.empty(n, dtype=TORCH[dtype]).normal_(0.5, 2.0, generator=tg))
    assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_normal_on_non_contiguous_is_serial(dtype):
    g, tg = pair(9)
    t = torch.empty(8, 6, dtype=TORCH[dtype]).t().normal_(0.25, 1.5, generator=tg)
    memory_order = to_np(t.t().contiguous()).reshape(-1)
    assert_same(g.normal_serial(48, dtype, 0.25, 1.5), memory_order)
    assert_in_step(g, tg)


def test_normal_with_tensor_mean_std_is_randn_then_mul_add():
    g, tg = pair(2)
    mean, std = np.linspace(-1, 1, 40, dtype=F32), np.linspace(0.1, 2, 40, dtype=F32)
    expected = torch.normal(torch.from_numpy(mean), torch.from_numpy(std), generator=tg)
    assert_same(g.normal((40,), F32) * std + mean, expected)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 16), (1,), (0, 3)])
def test_shapes(shape):
    g, tg = pair(6)
    assert_same(g.normal(shape, F32), torch.randn(shape, generator=tg))
    assert_same(g.uniform(shape, F64), torch.rand(shape, dtype=torch.float64, generator=tg))
    assert_in_step(g, tg)


# --- other transforms ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_exponential_cauchy_log_normal(dtype, threads):
    td = TORCH[dtype]
    for n in (1, 17, 1000):
        g, tg = pair(5)
        for lambd in (1.0, 3.7, 0.25):
            assert_same(g.exponential((n,), dtype, lambd),
                        torch.empty(n, dtype=td).exponential_(lambd, generator=tg))
        for median, sigma in ((0.0, 1.0), (1.5, 0.3)):
            assert_same(g.cauchy((n,), dtype, median, sigma),
                        torch.empty(n, dtype=td).cauchy_(median, sigma, generator=tg))
        assert_same(g.log_normal((n,), dtype), torch.empty(n, dtype=td).log_normal_(generator=tg))
        assert_same(g.log_normal((n,), dtype, -0.5, 0.3),
                    torch.empty(n, dtype=td).log_normal_(-0.5, 0.3, generator=tg))
        assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", FLOATS + INTS[:-1], ids=str)
@pytest.mark.parametrize("p", [0.5, 0.1, 0.9, 1e-3])
def test_geometric(dtype, p):
    g, tg = pair(5)
    assert_same(g.geometric((500,), dtype, p),
                torch.empty(500, dtype=TORCH[dtype]).geometric_(p, generator=tg))
    assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", FLOATS + INTS, ids=str)
def test_bernoulli_scalar(dtype, threads):
    for seed in SEEDS[:3]:
        g, tg = pair(seed)
        for p in (0.5, 0.3, 0.0, 1.0):
            for n in (7, 1000, 4097):
                assert_same(g.bernoulli_scalar((n,), dtype, p),
                            torch.empty(n, dtype=TORCH[dtype]).bernoulli_(p, generator=tg))
        assert_in_step(g, tg)


def test_dropout_mask(threads):
    # F.dropout is input * empty_like(input).bernoulli_(1 - p).div_(1 - p)
    torch.manual_seed(123)
    expected = torch.nn.functional.dropout(torch.ones(64, 33), 0.2)
    mask = CPUGenerator(123).bernoulli_scalar((64, 33), F32, 0.8)
    mask /= F32.type(0.8)
    assert_same(np.ones((64, 33), F32) * mask, expected)


@pytest.mark.parametrize("p_dtype", FLOATS, ids=str)
@pytest.mark.parametrize("dtype", [F32, F64, F16, BF16, np.dtype(np.bool_), np.dtype(np.int64)],
                         ids=str)
def test_bernoulli_tensor(p_dtype, dtype, threads):
    probs = torch.rand(3, 1, 5, generator=torch.Generator().manual_seed(99)).to(TORCH[p_dtype])
    g, tg = pair(8)
    assert_same(g.bernoulli_tensor((3, 4, 5), dtype, to_np(probs)),
                torch.empty(3, 4, 5, dtype=TORCH[dtype]).bernoulli_(probs, generator=tg))
    assert_same(g.bernoulli_tensor((3, 1, 5), p_dtype, to_np(probs)),
                torch.bernoulli(probs, generator=tg))
    assert_in_step(g, tg)


# --- integers --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", INTS + FLOATS, ids=str)
def test_randint_and_random(dtype):
    ranges = [(0, 2), (0, 10), (-5, 5), (3, 100), (0, 2 ** 28 - 1), (0, 2 ** 28),
              (-(2 ** 30), 2 ** 30), (0, 2 ** 31 - 1), (-(2 ** 40), 2 ** 40), (5, 2 ** 62)]
    for seed in (0, 2 ** 63):
        g, tg = pair(seed)
        for low, high in ranges:
            try:
                with warnings.catch_warnings():      # torch warns past a float's mantissa
                    warnings.simplefilter("ignore")
                    expected = torch.randint(low, high, (60,), dtype=TORCH[dtype], generator=tg)
            except RuntimeError:
                continue                             # out of the dtype's range
            assert_same(g.randint((60,), dtype, low, high), expected)
        assert_same(g.random_full((300,), dtype),
                    torch.empty(300, dtype=TORCH[dtype]).random_(generator=tg))
        low = 0 if dtype == np.bool_ else 3
        assert_same(g.randint((300,), dtype, low, None),
                    torch.empty(300, dtype=TORCH[dtype]).random_(low, None, generator=tg))
        assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", INTS + FLOATS, ids=str)
def test_random_full_int64_range(dtype):
    g, tg = pair(2)
    try:
        expected = torch.empty(100, dtype=TORCH[dtype]).random_(-(2 ** 63), None, generator=tg)
    except (RuntimeError, NotImplementedError) as err:
        with pytest.raises(type(err)) as mine:
            g.randint((100,), dtype, -(2 ** 63), None)
        assert str(mine.value) == str(err)
        return
    assert_same(g.randint((100,), dtype, -(2 ** 63), None), expected)
    assert_in_step(g, tg)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 16, 100, 1000, 60000])
def test_randperm(n, threads):
    for seed in (0, 42):
        g, tg = pair(seed)
        assert_same(g.randperm(n), torch.randperm(n, generator=tg))
        assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", [np.dtype(np.int32), np.dtype(np.int16), F32, F16, BF16],
                         ids=str)
def test_randperm_dtypes(dtype):
    g, tg = pair(1)
    assert_same(g.randperm(200, dtype), torch.randperm(200, dtype=TORCH[dtype], generator=tg))
    assert_in_step(g, tg)


# --- multinomial and poisson ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_multinomial(dtype, threads):
    probs = torch.rand(4, 30, generator=torch.Generator().manual_seed(5)).to(TORCH[dtype])
    probs[:, :3] = 0
    probs[2, 10:25] = 0                        # row 2 runs out of non-zero categories
    for p in (probs, probs.t().contiguous().t(), probs[1]):
        for num_samples, replacement in ((1, False), (1, True), (5, False), (5, True),
                                         (12, False), (27, False), (30, False), (100, True)):
            g, tg = pair(7)
            expected = torch.multinomial(p, num_samples, replacement, generator=tg)
            assert_same(g.multinomial(to_np(p), num_samples, replacement), expected)
            assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", [F32, BF16], ids=str)
@pytest.mark.parametrize("k", [2, 10, 16, 17, 40, 600])
def test_multinomial_ties_use_stl_order(dtype, k):
    probs = torch.zeros(3, 1000, dtype=TORCH[dtype])
    probs[:, 100], probs[:, 7], probs[1, 500] = 0.5, 0.25, 1.0
    probs[2, ::3] = 0.01
    g, tg = pair(3)
    assert_same(g.multinomial(to_np(probs), k), torch.multinomial(probs, k, generator=tg))


def test_top_k_matches_torch_topk_with_ties():
    rng = np.random.default_rng(0)
    for trial in range(60):
        n = int(rng.integers(1, 2000))
        k = int(rng.integers(1, min(n, 80) + 1))
        v = rng.integers(0, int(rng.integers(1, 20)), n).astype(F32)
        if trial % 5 == 0:
            v[rng.integers(0, n, 3)] = np.nan
        assert_same(_top_k(v, k), torch.topk(torch.from_numpy(v), k).indices)


@pytest.mark.parametrize("probs, replacement", [
    ([0.5, -0.1, 0.2], True), ([0.5, np.inf, 0.2], True), ([0.5, np.nan, 0.2], True),
    ([0.0, 0.0], True), ([0.5, -0.1, 0.2], False), ([0.0, 0.0, 0.0], False),
    ([0.0, 0.0], False), ([[0.5, 0.5], [0.2, -1.0]], True), ([[[0.5]]], True)])
def test_multinomial_errors(probs, replacement):
    g, tg = pair(0)
    p = np.array(probs, F32)
    with pytest.raises(RuntimeError) as theirs:
        torch.multinomial(torch.from_numpy(p), 3, replacement, generator=tg)
    with pytest.raises(RuntimeError) as mine:
        g.multinomial(p, 3, replacement)
    assert str(mine.value) == str(theirs.value)
    assert_in_step(g, tg)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_poisson(dtype):
    rates = torch.tensor([0.0, 0.5, 3.0, 9.99, 10.0, 25.0, 1000.0, 1e6, 7.5, 0.01] * 20)
    rates = rates.to(TORCH[dtype])
    g, tg = pair(6)
    assert_same(g.poisson(to_np(rates)), torch.poisson(rates, generator=tg))
    assert_same(g.poisson(to_np(rates[:7]).reshape(7, 1)),
                torch.poisson(rates[:7].reshape(7, 1), generator=tg))
    assert_in_step(g, tg)


def test_poisson_error_after_partial_draws():
    rates = torch.tensor([3.0, 20.0, -1.0, 2.0])
    g, tg = pair(6)
    with pytest.raises(RuntimeError, match="invalid Poisson rate, expected rate to be non-"):
        torch.poisson(rates, generator=tg)
    with pytest.raises(RuntimeError, match="invalid Poisson rate, expected rate to be non-"):
        g.poisson(to_np(rates))
    assert_in_step(g, tg)


# --- the float helpers -----------------------------------------------------------------------

def exact_round(value, dtype):
    """Round a Fraction to the nearest `dtype` value, ties to even."""
    guess = dtype.type(float(value))
    up = np.nextafter(guess, dtype.type(np.inf))
    down = np.nextafter(guess, dtype.type(-np.inf))
    best = min((abs(Fraction(float(c)) - value), int(np.array(c).view(np.int64 if dtype == F64
               else np.int32)) & 1, c) for c in (down, guess, up))
    return best[2]


def test_fma32_double_rounding_case():
    # exact = 1 + 2**-24 + 2**-70: in double a tie that rounds to 1.0; fused it is 1 + 2**-23.
    a, b, c = F32.type(-(1 + 2 ** -23)), F32.type(2 ** -24 * (1 - 2 ** -23)), F32.type(1 + 2 ** -23)
    naive = F32.type(np.float64(a) * np.float64(b) + np.float64(c))
    assert naive == 1.0
    assert CF.fma32(np.array([a]), b, c)[0] == F32.type(1 + 2 ** -23)


def test_fma_emulations_against_fractions():
    rng = np.random.default_rng(1)
    for dtype, fma in ((F32, CF.fma32), (F64, CF.fma64)):
        a = (rng.standard_normal(400) * np.exp2(rng.integers(-30, 30, 400))).astype(dtype)
        b = (rng.standard_normal(400) * np.exp2(rng.integers(-30, 30, 400))).astype(dtype)
        c = (rng.standard_normal(400) * np.exp2(rng.integers(-60, 30, 400))).astype(dtype)
        got = fma(a, b, c)
        for x, y, z, r in zip(a, b, c, got):
            exact = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
            assert r == exact_round(exact, dtype)


def test_libm_fallback_matches():
    x = np.linspace(0.001, 3, 50)
    for name in ("log", "log1p", "cos", "sin", "tan", "exp"):
        arg = -x / 4 if name == "log1p" else x
        assert_same(CF._python_libm(name)(arg), np.array([getattr(math, name)(v) for v in arg]))
        assert_same(CF.libm(name)(arg), CF._python_libm(name)(arg))
