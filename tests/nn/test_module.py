"""nn.Module and nn.Parameter against torch: registration, errors, iteration order,
modes, conversion, printing, copying."""
from __future__ import annotations

import copy
import pickle

import pytest

import ember
from nn._helpers import both, needs_rng, same, same_error, torch, torch_name


def classes(lib):
    nn = lib.nn

    class Leaf(nn.Module):
        def __init__(self, n=2):
            super().__init__()
            self.w = nn.Parameter(lib.arange(float(n)))
            self.register_buffer("running", lib.zeros(n))
            self.register_buffer("scratch", lib.ones(n), persistent=False)

        def forward(self, x):
            return x * self.w + self.running

        def extra_repr(self):
            return f"n={self.w.shape[0]}"

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(lib.tensor(2.0))
            self.block = nn.Sequential(Leaf(), nn.Identity(), Leaf(3))
            self.head = Leaf()
            self.register_buffer("step", lib.tensor(0))

        def forward(self, x):
            return self.head(self.block[0](x)) * self.scale

    return Leaf, Net


def net(lib):
    return classes(lib)[1]()


def _picklable_classes(lib):
    """classes(lib), registered under module-level names so that pickle finds them."""
    found = classes(lib)
    for cls in found:
        cls.__qualname__ = f"_{lib.__name__}_{cls.__name__}"
        globals()[cls.__qualname__] = cls
    return found


_PICKLABLE = {lib.__name__: _picklable_classes(lib) for lib in (ember, torch)}


# --- Parameter / Buffer -----------------------------------------------------------------
def test_parameter_basics():
    def fn(lib):
        a = lib.arange(6, dtype=lib.float32).view(2, 3) / 4
        p = lib.nn.Parameter(a)
        q = lib.nn.Parameter(a, requires_grad=False)
        a[0, 0] = 9.0                      # shares storage
        return (repr(p), repr(q), p.requires_grad, q.requires_grad, p.is_leaf,
                isinstance(p, lib.Tensor), type(p * 2).__name__, type(p.data).__name__,
                type(p.detach()).__name__, repr(lib.nn.Parameter()), p[0, 0].item())
    same(fn)


def test_parameter_int_requires_grad_error():
    same_error(lambda lib: lib.nn.Parameter(lib.tensor([1, 2])))


def test_parameter_deepcopy_and_pickle():
    def fn(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        p.grad = lib.tensor([3.0, 4.0])
        d = copy.deepcopy(p)
        r = pickle.loads(pickle.dumps(p))
        return (type(d).__name__, d.tolist(), d.grad is None, d.requires_grad,
                d.data_ptr() != p.data_ptr(), type(r).__name__, r.tolist(), r.requires_grad)
    same(fn)


def test_buffer_marker():
    def fn(lib):
        b = lib.nn.Buffer(lib.ones(2), persistent=False)
        m = lib.nn.Module()
        m.buf = b
        m.other = lib.nn.Buffer(lib.zeros(1))
        return (type(b).__name__, isinstance(b, lib.nn.Buffer),
                isinstance(lib.ones(1), lib.nn.Buffer), list(m._buffers),
                sorted(m._non_persistent_buffers_set), list(m.state_dict()))
    same(fn)


def test_uninitialized_parameter():
    def fn(lib):
        p = lib.nn.UninitializedParameter()
        msg = None
        try:
            p.shape
        except RuntimeError as e:
            msg = str(e)
        d = copy.deepcopy(p)
        p.materialize((2, 3))
        return (repr(d), msg, type(p).__name__, tuple(p.shape),
                lib.nn.parameter.is_lazy(d), lib.nn.parameter.is_lazy(p))
    same(fn)


# --- registration -----------------------------------------------------------------------
def test_register_and_setattr():
    def fn(lib):
        nn = lib.nn
        m = nn.Module()
        m.register_parameter("w", nn.Parameter(lib.ones(2)))
        m.register_buffer("running", lib.zeros(2))
        m.register_buffer("tmp", lib.ones(1), persistent=False)
        m.register_parameter("none_param", None)
        m.sub = nn.Identity()
        m.p2 = nn.Parameter(lib.zeros(1))
        m.plain = lib.zeros(1)
        m.running = lib.tensor([9.0, 9.0])
        m.w = None
        out = [list(m._parameters), list(m._buffers), sorted(m._non_persistent_buffers_set),
               list(m._modules), "plain" in m.__dict__, m.none_param, m._parameters["w"],
               m.running.tolist(), [n for n, _ in m.named_parameters()]]
        del m.sub
        del m.running
        out += [list(m._modules), hasattr(m, "sub"), list(m._buffers)]
        m.register_module("again", nn.Identity())
        m.sub2 = None
        out.append(list(m._modules))
        return out
    same(fn)


@pytest.mark.parametrize("case", range(13))
def test_registration_errors(case):
    def fn(lib):
        nn = lib.nn
        m = nn.Module()
        m.register_parameter("w", nn.Parameter(lib.ones(2)))
        m.register_buffer("b", lib.ones(2))
        m.sub = nn.Identity()
        calls = [
            lambda: m.register_parameter("a.b", nn.Parameter(lib.ones(1))),
            lambda: m.register_parameter("", nn.Parameter(lib.ones(1))),
            lambda: m.register_parameter(1, nn.Parameter(lib.ones(1))),
            lambda: m.register_buffer("x.y", lib.ones(1)),
            lambda: m.register_buffer("w", lib.ones(1)),
            lambda: m.register_parameter("b", nn.Parameter(lib.ones(1))),
            lambda: m.register_parameter("p", lib.ones(1)),
            lambda: m.register_buffer("c", [1, 2]),
            lambda: m.add_module("sub.mod", nn.Identity()),
            lambda: m.add_module("w", nn.Identity()),
            lambda: m.add_module("r", "not a module"),
            lambda: setattr(m, "w", lib.zeros(2)),
            lambda: setattr(m, "sub", lib.zeros(2)),
        ]
        calls[case]()
    same_error(fn)


def test_assign_before_init_errors():
    def make(kind):
        def fn(lib):
            class Bad(lib.nn.Module):
                def __init__(self):
                    if kind == "param":
                        self.p = lib.nn.Parameter(lib.zeros(1))
                    elif kind == "module":
                        self.sub = lib.nn.Identity()
                    else:
                        self.register_buffer("b", lib.zeros(1))
            Bad()
        return fn
    for kind in ("param", "module", "buffer"):
        same_error(make(kind))


def test_init_argument_errors():
    same_error(lambda lib: lib.nn.Module(1))
    same_error(lambda lib: lib.nn.Module(a=1))


def test_missing_forward_and_attribute():
    same_error(lambda lib: lib.nn.Module()(lib.ones(1)))
    same_error(lambda lib: lib.nn.Module().nothing)


# --- iteration --------------------------------------------------------------------------
def test_iteration_orders():
    def fn(lib):
        m = net(lib)
        return ([n for n, _ in m.named_parameters()],
                [n for n, _ in m.named_parameters(recurse=False)],
                [n for n, _ in m.named_parameters(prefix="net")],
                [n for n, _ in m.named_buffers()],
                [tuple(b.shape) for b in m.buffers()],
                [n for n, _ in m.named_children()],
                [type(c).__name__ for c in m.children()],
                [n for n, _ in m.named_modules()],
                [n for n, _ in m.named_modules(prefix="root")],
                [type(x).__name__ for x in m.modules()],
                len(list(m.parameters())), type(m.parameters()).__name__)
    same(fn)


def test_shared_modules_and_duplicates():
    def fn(lib):
        nn = lib.nn
        shared = classes(lib)[0]()
        seq = nn.Sequential(shared, nn.Identity(), shared)
        seq.tied = shared.w
        return (len(list(seq.modules())), len(list(seq.parameters())),
                [n for n, _ in seq.named_parameters()],
                [n for n, _ in seq.named_parameters(remove_duplicate=False)],
                [n for n, _ in seq.named_modules()],
                len(list(seq.named_modules(remove_duplicate=False))),
                [n for n, _ in seq.named_children()])
    same(fn)


def test_get_set_submodule_parameter_buffer():
    def fn(lib):
        m = net(lib)
        m.set_submodule("block.1", lib.nn.Identity())
        m.set_submodule("extra", lib.nn.Identity())
        return (type(m.get_submodule("block.0")).__name__, m.get_submodule("") is m,
                m.get_parameter("block.2.w").tolist(), m.get_buffer("head.running").tolist(),
                m.get_buffer("step").tolist(), list(m._modules))
    same(fn)


@pytest.mark.parametrize("target", ["block.9", "head.w.x", "scale"])
def test_get_submodule_errors(target):
    same_error(lambda lib: net(lib).get_submodule(target))


@pytest.mark.parametrize("call", ["get_parameter('head.running')", "get_parameter('head.x')",
                                  "get_buffer('head.w')", "set_submodule('', None)",
                                  "set_submodule('head', 3)",
                                  "set_submodule('head.zz', lib.nn.Identity(), strict=True)",
                                  "set_submodule('scale', lib.nn.Identity())"])
def test_accessor_errors(call):
    same_error(lambda lib: eval(f"net(lib).{call}", {"net": net, "lib": lib}))


# --- modes, gradients, apply ------------------------------------------------------------
def test_train_eval_requires_grad_zero_grad():
    def fn(lib):
        m = net(lib)
        out = [m.training]
        r = m.eval()
        out += [r is m, [x.training for x in m.modules()]]
        m.train()
        m.block[0].training = False
        out.append([x.training for x in m.modules()])
        m.requires_grad_(False)
        out.append([p.requires_grad for p in m.parameters()])
        m.requires_grad_()
        y = m(lib.ones(2)).sum()
        y.backward()
        out.append([p.grad is None for p in m.parameters()])
        m.zero_grad(set_to_none=False)
        out.append([None if p.grad is None else p.grad.tolist() for p in m.parameters()])
        m.zero_grad()
        out.append([p.grad for p in m.parameters()])
        return out
    same(fn)
    same_error(lambda lib: net(lib).train("x"))


def test_apply_order():
    def fn(lib):
        order = []
        m = net(lib)
        r = m.apply(lambda x: order.append(type(x).__name__))
        return order, r is m
    same(fn)


@pytest.mark.parametrize("conv", ["half", "double", "float", "bfloat16", "cpu",
                                  "to(lib.float64)", "to('cpu', lib.float16)",
                                  "to(dtype=lib.float64, device='cpu', non_blocking=True)",
                                  "to(lib.ones(1, dtype=lib.float64))", "type(lib.float64)",
                                  "to(lib.complex64)", "to(memory_format=lib.channels_last)"])
def test_conversion_keeps_parameters(conv):
    def fn(lib):
        m = net(lib)
        w = m.head.w
        m.head.w.grad = lib.ones(2)
        r = eval(f"m.{conv}", {"m": m, "lib": lib})
        return (r is m, m.head.w is w, [(n, torch_name(t.dtype))
                                        for n, t in m.state_dict().items()],
                torch_name(m.head.w.grad.dtype), isinstance(m.scale, lib.nn.Parameter))
    same(fn)


@pytest.mark.parametrize("args", ["lib.int32", "lib.float32, lib.float64", "'cpu', 'cpu'",
                                  "foo=1", "lib.float32, foo=1", "'cpu', copy=True",
                                  "lib.ones(1, dtype=lib.int64)"])
def test_to_errors(args):
    same_error(lambda lib: eval(f"net(lib).to({args})", {"net": net, "lib": lib}))


def test_apply_private_replaces_buffers():
    def fn(lib):
        m = net(lib)
        buf = m.head.running
        m._apply(lambda t: t.double())
        return m.head.running is buf, torch_name(m.head.running.dtype), m.head.w.dtype
    e, t = both(fn)
    assert e[:2] == (t[0], t[1]) and torch_name(e[2]) == str(t[2])


# --- printing and introspection ---------------------------------------------------------
def test_repr_nesting():
    def fn(lib):
        m = net(lib)
        m.block.add_module("inner", lib.nn.Sequential(lib.nn.Identity()))
        return repr(m), repr(lib.nn.Module()), repr(m.head), m._get_name()
    same(fn)


def test_dir_lists_members():
    def fn(lib):
        m = net(lib)
        d = dir(m)
        return [k for k in ("scale", "block", "head", "step", "forward", "training") if k in d]
    same(fn)


def test_deepcopy_and_pickle_module():
    def fn(lib):
        m = _PICKLABLE[lib.__name__][1]()
        m.register_forward_hook(print)
        d = copy.deepcopy(m)
        r = pickle.loads(pickle.dumps(m))
        return (repr(d), d.head.w is m.head.w, d.head.w.tolist(), len(d._forward_hooks),
                repr(r), list(r.state_dict()), r.head.w.requires_grad)
    same(fn)


def test_setstate_fills_missing_hook_dicts():
    def fn(lib):
        m = net(lib)
        state = m.__getstate__()
        for key in ("_forward_pre_hooks", "_backward_pre_hooks", "_state_dict_pre_hooks",
                    "_non_persistent_buffers_set", "_is_full_backward_hook"):
            state.pop(key)
        m2 = lib.nn.Module.__new__(type(m))
        m2.__setstate__(state)
        return (type(m2._forward_pre_hooks).__name__, m2._is_full_backward_hook,
                m2._non_persistent_buffers_set, m2(lib.ones(2)).tolist())
    same(fn)


def test_share_memory_returns_self():
    def fn(lib):
        m = net(lib)
        return m.share_memory() is m
    same(fn)


@needs_rng
def test_to_empty_and_linear_seeded():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        w = m.weight
        m.to_empty(device="cpu")
        return tuple(m.weight.shape), m.weight is w, torch_name(m.weight.dtype)
    same(fn)


def test_call_skips_hook_machinery_without_hooks():
    m = ember.nn.Identity()
    x = ember.ones(2)
    assert m(x) is x
    assert not (m._forward_hooks or m._forward_pre_hooks or m._backward_hooks)
    assert torch.nn.Identity()(torch.ones(2)).tolist() == m(x).tolist()
