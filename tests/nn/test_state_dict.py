"""state_dict / load_state_dict against torch: order, metadata, strictness, errors, hooks,
assign, extra state."""
from __future__ import annotations

import warnings

import pytest

from nn._helpers import same, same_error, torch_name


def make(lib, scale=1.0):
    nn = lib.nn

    class Leaf(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(lib.arange(6.0).view(2, 3) * scale)
            self.bias = nn.Parameter(lib.tensor([1.0, -1.0]) * scale)
            self.register_buffer("running", lib.zeros(2) + scale)
            self.register_buffer("tmp", lib.ones(1), persistent=False)
            self.register_buffer("empty", None)

    class Net(nn.Module):
        _version = 3

        def __init__(self):
            super().__init__()
            self.alpha = nn.Parameter(lib.tensor(0.5 * scale))
            self.first = Leaf()
            self.seq = nn.Sequential(Leaf(), nn.Identity())
            self.register_buffer("count", lib.tensor(7))

    return Net()


def test_state_dict_order_and_metadata():
    def fn(lib):
        m = make(lib)
        sd = m.state_dict()
        return (list(sd), {k: dict(v) for k, v in sd._metadata.items()},
                type(sd).__name__, [v.requires_grad for v in sd.values()],
                type(m.state_dict(keep_vars=True)["alpha"]).__name__,
                type(sd["alpha"]).__name__, list(m.state_dict(prefix="net.")))
    same(fn)


def test_state_dict_shares_memory_and_destination():
    def fn(lib):
        m = make(lib)
        sd = m.state_dict()
        with lib.no_grad():
            m.first.bias.fill_(0.5)
        dest = {}
        out = m.first.state_dict(destination=dest, prefix="x.")
        return sd["first.bias"], out is dest, list(dest)
    same(fn)


def test_state_dict_positional_args_warn():
    def fn(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sd = make(lib).state_dict(None, "p.")
        return list(sd), [type(x.message).__name__ for x in w]
    same(fn)


def test_load_roundtrip_and_result():
    def fn(lib):
        src, dst = make(lib, 2.0), make(lib)
        res = dst.load_state_dict(src.state_dict())
        return (repr(res), str(res), res.missing_keys, res.unexpected_keys,
                dst.first.weight, dst.count, dst.seq[0].running, dst.first.tmp)
    same(fn)


def test_load_non_strict():
    def fn(lib):
        src, dst = make(lib, 2.0), make(lib)
        sd = {k: v for k, v in src.state_dict().items() if not k.startswith("seq.")}
        sd["extra.weight"] = lib.zeros(1)
        sd["first.unknown"] = lib.zeros(1)
        res = dst.load_state_dict(sd, strict=False)
        return repr(res), res.missing_keys, res.unexpected_keys, dst.alpha
    same(fn)


@pytest.mark.parametrize("case", ["strict", "size", "size_nonstrict", "type", "not_mapping"])
def test_load_errors(case):
    def fn(lib):
        src, dst = make(lib, 2.0), make(lib)
        sd = dict(src.state_dict())
        if case == "strict":
            del sd["first.bias"]
            sd["seq.0.extra"] = lib.zeros(1)
            sd["bogus.weight"] = lib.zeros(1)
            dst.load_state_dict(sd)
        elif case in ("size", "size_nonstrict"):
            sd["first.weight"] = lib.zeros(5, 5)
            sd["alpha"] = lib.zeros(2)
            dst.load_state_dict(sd, strict=case == "size")
        elif case == "type":
            sd["first.bias"] = [1.0, 2.0]
            dst.load_state_dict(sd)
        else:
            dst.load_state_dict([1, 2])
    same_error(fn)


def test_load_scalar_from_one_element():
    def fn(lib):
        m = make(lib)
        sd = m.state_dict()
        sd["alpha"] = lib.tensor([4.0])
        m.load_state_dict(sd)
        return m.alpha
    same(fn)


def test_load_assign():
    def fn(lib):
        m = make(lib)
        old = m.first.weight
        sd = make(lib, 3.0).state_dict()
        frozen = lib.nn.Parameter(lib.zeros(2, 3), requires_grad=False)
        sd["first.weight"] = frozen
        m.load_state_dict(sd, assign=True)
        return (m.first.weight is old, m.first.weight is frozen, m.first.weight.requires_grad,
                type(m.first.bias).__name__, m.first.bias.requires_grad, m.seq[0].running,
                m.first.bias.data_ptr() == sd["first.bias"].data_ptr())
    same(fn)


def test_state_dict_hooks():
    def fn(lib):
        calls = []
        m = make(lib)
        m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))
        m.first.register_state_dict_pre_hook(
            lambda mod, prefix, keep: calls.append(("pre-first", prefix, keep)))

        def post(mod, sd, prefix, meta):
            calls.append(("post", prefix, meta["version"]))
            sd["added"] = lib.ones(1)
        m.register_state_dict_post_hook(post)

        def legacy(mod, sd, prefix, meta):
            return {"replaced": 1}
        h = m.first._register_state_dict_hook(legacy)
        sd = m.state_dict()
        h.remove()
        return calls, list(sd)
    same(fn)


def test_state_dict_hook_errors():
    def bad_post(lib):
        m = make(lib)
        m.register_state_dict_post_hook(lambda *a: {})
        m.state_dict()
    same_error(bad_post)

    def reused(lib):
        m = make(lib)

        def hook(*a):
            return None
        m.register_state_dict_post_hook(hook)
        m._register_state_dict_hook(hook)
    same_error(reused)


def test_load_state_dict_hooks():
    def fn(lib):
        calls = []
        m = make(lib)

        def pre(mod, sd, prefix, meta, strict, missing, unexpected, errors):
            calls.append(("pre", type(mod).__name__, prefix, sorted(meta), strict))
            sd[prefix + "bias"] = sd.pop(prefix + "b_old")

        def post(mod, keys):
            calls.append(("post", list(keys.missing_keys), list(keys.unexpected_keys)))
            keys.unexpected_keys.clear()

        m.first.register_load_state_dict_pre_hook(pre)
        m.register_load_state_dict_post_hook(post)
        sd = make(lib, 2.0).state_dict()
        sd["first.b_old"] = sd.pop("first.bias")
        sd["stray"] = lib.zeros(1)
        res = m.load_state_dict(sd)
        return calls, repr(res), m.first.bias
    same(fn)


def test_load_post_hook_must_return_none():
    def fn(lib):
        m = make(lib)
        m.register_load_state_dict_post_hook(lambda mod, keys: keys)
        m.load_state_dict(m.state_dict())
    same_error(fn)


def test_extra_state_and_load_from_state_dict_override():
    def fn(lib):
        nn = lib.nn

        class WithExtra(nn.Module):
            def __init__(self):
                super().__init__()
                self.p = nn.Parameter(lib.ones(1))
                self.note = "x"

            def get_extra_state(self):
                return {"note": self.note}

            def set_extra_state(self, state):
                self.note = state["note"]

        class Renamer(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(lib.zeros(2))

            def _load_from_state_dict(self, sd, prefix, meta, strict, missing, unexpected,
                                      errors):
                if prefix + "old_w" in sd:
                    sd[prefix + "w"] = sd.pop(prefix + "old_w")
                super()._load_from_state_dict(sd, prefix, meta, strict, missing, unexpected,
                                              errors)

        a, b = WithExtra(), WithExtra()
        a.note = "saved"
        sd = a.state_dict()
        b.load_state_dict(sd)
        r = Renamer()
        r.load_state_dict({"old_w": lib.tensor([3.0, 4.0])})
        res = WithExtra().load_state_dict({"p": lib.ones(1)}, strict=False)
        return list(sd), sd["_extra_state"], b.note, r.w, repr(res)
    same(fn)


def test_extra_state_missing_and_unexpected():
    def missing(lib):
        class WithExtra(lib.nn.Module):
            def get_extra_state(self):
                return 1

            def set_extra_state(self, state):
                pass
        WithExtra().load_state_dict({})
    same_error(missing)
    same_error(lambda lib: lib.nn.Identity().load_state_dict({"_extra_state": 1}))


def test_metadata_reaches_load():
    def fn(lib):
        seen = []

        class V(lib.nn.Module):
            _version = 2

            def _load_from_state_dict(self, sd, prefix, meta, *rest):
                seen.append((prefix, dict(meta)))
                super()._load_from_state_dict(sd, prefix, meta, *rest)

        outer = lib.nn.Sequential(V())
        sd = outer.state_dict()
        outer.load_state_dict(sd)
        plain = dict(sd)
        outer.load_state_dict(plain, assign=True)
        return seen
    same(fn)


def test_error_message_full_text():
    def fn(lib):
        m = make(lib)
        sd = m.state_dict()
        del sd["alpha"]
        sd["zz"] = lib.zeros(1)
        sd["first.weight"] = lib.zeros(3, 2)
        try:
            m.load_state_dict(sd)
        except RuntimeError as e:
            return torch_name(str(e))
    same(fn)
