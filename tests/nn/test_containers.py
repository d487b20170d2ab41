"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against torch."""
from __future__ import annotations

from collections import OrderedDict

import pytest

from nn._helpers import same, same_error


def scale(lib, k):
    """A small parametrised module (no RNG): x * k."""
    nn = lib.nn

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = nn.Parameter(lib.tensor(float(k)))

        def forward(self, x):
            return x * self.k

        def extra_repr(self):
            return f"k={k}"

    return Scale()


# --- Sequential -------------------------------------------------------------------------
def test_sequential_indexing_and_editing():
    def fn(lib):
        nn = lib.nn
        seq = nn.Sequential(OrderedDict([("a", scale(lib, 1)), ("b", nn.Identity()),
                                         ("c", scale(lib, 2)), ("d", scale(lib, 3))]))
        out = [repr(seq), list(seq._modules), len(seq), repr(seq[0]), repr(seq[-1]),
               type(seq[1:3]).__name__, list(seq[1:3]._modules), repr(seq[::2])]
        seq[1] = scale(lib, 5)
        out += [list(seq._modules), repr(seq.b)]
        del seq[1]
        out.append(list(seq._modules))
        del seq[0:2]
        out += [list(seq._modules), [type(m).__name__ for m in seq]]
        seq.append(nn.Identity()).insert(0, scale(lib, 7)).extend([nn.Identity()])
        out += [list(seq._modules), repr(seq), seq(lib.tensor([1.0, 2.0])).tolist()]
        out.append(repr(seq.pop(1)))
        out.append(list(seq._modules))
        return out
    same(fn)


def test_sequential_arithmetic():
    def fn(lib):
        nn = lib.nn
        a = nn.Sequential(scale(lib, 1), nn.Identity())
        b = nn.Sequential(scale(lib, 2))
        c = a + b
        d = a * 2
        e = 2 * b
        a += b
        b *= 3
        return [repr(x) for x in (c, d, e, a, b)] + [d[0] is d[2]]
    same(fn)


@pytest.mark.parametrize("call", ["seq[5]", "seq[-6]", "seq['a']", "seq + [1]", "seq * 0",
                                  "seq * 1.5", "seq.insert(9, lib.nn.Identity())",
                                  "seq.insert(0, 3)", "lib.nn.Sequential({'a': lib.nn.ReLU()})",
                                  "lib.nn.Sequential([lib.nn.Identity()])"])
def test_sequential_errors(call):
    def fn(lib):
        seq = lib.nn.Sequential(lib.nn.Identity(), lib.nn.Identity())
        if "ReLU" in call and not hasattr(lib.nn, "ReLU"):
            call_ = "lib.nn.Sequential({'a': lib.nn.Identity()})"
        else:
            call_ = call
        eval(call_, {"seq": seq, "lib": lib})
    same_error(fn)


def test_sequential_nested_repr_and_dir():
    def fn(lib):
        nn = lib.nn
        inner = nn.Sequential(scale(lib, 1), nn.Sequential(nn.Identity()))
        outer = nn.Sequential(scale(lib, 2), inner, nn.Identity())
        return (repr(outer), [n for n, _ in outer.named_parameters()],
                [k for k in dir(outer) if k.isdigit()], outer(lib.tensor(1.0)).item())
    same(fn)


# --- ModuleList -------------------------------------------------------------------------
def test_modulelist_methods():
    def fn(lib):
        nn = lib.nn
        layers = nn.ModuleList([scale(lib, 1)])
        layers.append(scale(lib, 2))
        layers.extend([scale(lib, 3), nn.Identity()])
        layers.insert(1, nn.Identity())
        out = [repr(layers), len(layers), type(layers[1]).__name__, list(layers._modules),
               repr(layers[1:3]), repr(layers[-1])]
        x = lib.tensor(1.0)
        for layer in layers:
            x = layer(x)
        out.append(x.item())
        del layers[0]
        out.append(list(layers._modules))
        layers[0] = scale(lib, 9)
        out.append(repr(layers[0]))
        out.append(repr(layers.pop(-1)))
        out.append(repr(layers + nn.ModuleList([nn.Identity()])))
        layers += [nn.Identity()]
        out.append(len(layers))
        del layers[::2]
        out.append(list(layers._modules))
        return out
    same(fn)


def test_modulelist_repeated_block_repr():
    def fn(lib):
        nn = lib.nn
        mods = ([scale(lib, 1) for _ in range(3)] + [nn.Identity()] +
                [scale(lib, 2) for _ in range(2)] + [nn.Sequential(nn.Identity())] * 2)
        return repr(nn.ModuleList(mods)), repr(nn.ModuleList())
    same(fn)


@pytest.mark.parametrize("call", ["ml[3]", "ml[-4]", "ml.extend(3)", "ml()", "ml['0']"])
def test_modulelist_errors(call):
    def fn(lib):
        ml = lib.nn.ModuleList([lib.nn.Identity()] * 3)
        eval(call, {"ml": ml, "lib": lib})
    same_error(fn)


# --- ModuleDict -------------------------------------------------------------------------
def test_moduledict_methods():
    def fn(lib):
        nn = lib.nn
        d = nn.ModuleDict({"conv": scale(lib, 1), "pool": nn.Identity()})
        out = [repr(d), list(d.keys()), [type(m).__name__ for m in d.values()],
               [(k, type(v).__name__) for k, v in d.items()]]
        d.update({"act": nn.Identity()})
        d.update(nn.ModuleDict({"pool": scale(lib, 2)}))
        d.update([("drop", nn.Identity())])
        d["out"] = scale(lib, 3)
        out += [list(d), repr(d["pool"]), "act" in d, len(d)]
        m = d.pop("conv")
        out += [repr(m), list(d.keys()), len(list(d.parameters()))]
        del d["act"]
        out.append(list(d))
        d.clear()
        out += [len(d), repr(d)]
        d2 = nn.ModuleDict(OrderedDict([("b", nn.Identity()), ("a", scale(lib, 4))]))
        out.append(list(d2.keys()))
        return out
    same(fn)


@pytest.mark.parametrize("call", ["d.update(3)", "d.update([('a',)])", "d.update([3])",
                                  "d['missing']", "d['a.b'] = lib.nn.Identity()", "d()"])
def test_moduledict_errors(call):
    def fn(lib):
        d = lib.nn.ModuleDict({"x": lib.nn.Identity()})
        exec(call, {"d": d, "lib": lib})
    same_error(fn)


# --- ParameterList / ParameterDict ------------------------------------------------------
def test_parameterlist():
    def fn(lib):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.full((2,), float(i))) for i in range(3)])
        pl.append(lib.ones(2, 3))                  # wrapped into a Parameter
        pl.extend([lib.zeros(1, dtype=lib.float64), "text"])
        out = [repr(pl), len(pl), type(pl[3]).__name__, pl[3].requires_grad, pl[-1],
               [n for n, _ in pl.named_parameters()], len(pl[1:3]), repr(pl[::2])]
        pl[0] = lib.zeros(2)
        out.append(type(pl[0]).__name__)
        m = nn.Module()
        m.plist = pl
        out.append(list(m.state_dict()))
        return out
    same(fn)


def test_parameterdict():
    def fn(lib):
        nn = lib.nn
        pd = nn.ParameterDict({"scale": nn.Parameter(lib.tensor(2.0)),
                               "bias": lib.zeros(3)})      # plain dicts are added sorted
        pd["extra"] = lib.ones(2, 2)
        pd.update([("z", nn.Parameter(lib.ones(1)))])
        pd.update(OrderedDict([("y", lib.ones(1)), ("a", "obj")]))
        out = [repr(pd), list(pd.keys()), len(pd), "scale" in pd, pd.get("nope", 5),
               type(pd["extra"]).__name__, [n for n, _ in pd.named_parameters()],
               list(reversed(pd)), pd.setdefault("new", None), list(pd)]
        k, v = pd.popitem()
        out += [k, v, repr(pd.pop("extra")), list(pd.copy().keys())]
        merged = pd | nn.ParameterDict({"q": lib.ones(1)})
        out.append(list(merged.keys()))
        pd |= {"r": lib.ones(1)}
        out.append(list(pd.keys()))
        out.append(list(pd.fromkeys(["u", "v"], lib.ones(1)).keys()))
        pd.clear()
        out.append(len(pd))
        return out
    same(fn)


@pytest.mark.parametrize("call", ["pl(1)", "pl[5]", "pl.extend(lib.ones(2))", "pd(1)",
                                  "pd[1]", "pd.update(3)", "pd.update([(1, 2, 3)])"])
def test_parameter_container_errors(call):
    def fn(lib):
        pl = lib.nn.ParameterList([lib.ones(1)])
        pd = lib.nn.ParameterDict({"a": lib.ones(1)})
        eval(call, {"pl": pl, "pd": pd, "lib": lib})
    same_error(fn)


def test_parameter_containers_in_forward():
    def fn(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.plist = nn.ParameterList(
                    [nn.Parameter(lib.full((2,), float(i))) for i in range(3)])
                self.pdict = nn.ParameterDict({"scale": nn.Parameter(lib.tensor(2.0)),
                                               "shift": nn.Parameter(lib.tensor(-1.0))})

            def forward(self, x):
                for p in self.plist:
                    x = x + p
                return x * self.pdict["scale"] + self.pdict["shift"]

        net = Net()
        out = net(lib.tensor([1.0, 2.0]))
        out.sum().backward()
        return (out, net.plist[0].grad, net.pdict["scale"].grad,
                [n for n, _ in net.named_parameters()], list(net.state_dict()))
    same(fn)
