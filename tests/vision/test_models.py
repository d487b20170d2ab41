"""ember.vision.models against torchvision 0.28: state_dict keys/shapes/counts from the stored
reference, init calls, seeded weights, forward values and reprs against torchvision itself
(when it imports), and the builders' arguments."""
from __future__ import annotations

import functools
import inspect
import json
import os
import sys
import types
import warnings

import numpy as np
import pytest

import ember
import ember.vision.models as EM
from ember import nn

torch = pytest.importorskip("torch")

REFERENCE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "reference",
                         "torchvision_models_state_dicts.json")


def _load_reference():
    if not os.path.exists(REFERENCE):
        return {}
    with open(REFERENCE) as f:
        return json.load(f)["models"]


REF = _load_reference()
needs_reference = pytest.mark.skipif(not REF, reason="shared/reference/"
                                     "torchvision_models_state_dicts.json not found")


@functools.lru_cache(maxsize=1)
def _torchvision_models():
    """torchvision.models, or None. The CUDA torchvision wheel next to a CPU torch fails to
    register its C++ ops; the models do not use them, so that module is stubbed."""
    sys.modules.setdefault("torchvision._meta_registrations",
                           types.ModuleType("torchvision._meta_registrations"))
    try:
        import torchvision.models
    except Exception:
        return None
    return torchvision.models


def needs_torchvision():
    tvm = _torchvision_models()
    if tvm is None:
        pytest.skip("torchvision is not importable")
    return tvm


class _InitRecorder:
    """Replaces a library's nn.init functions by recorders that leave tensors untouched:
    builds are fast (no random fill) and the calls can be compared between libraries."""

    NAMES = ("uniform_", "normal_", "constant_", "ones_", "zeros_", "kaiming_uniform_",
             "kaiming_normal_", "xavier_uniform_", "xavier_normal_", "trunc_normal_")

    def __init__(self, init_module, monkeypatch):
        self.calls = []
        for name in self.NAMES:
            original = getattr(init_module, name)
            monkeypatch.setattr(init_module, name, self._recorder(name, original))

    def _recorder(self, name, original):
        signature = inspect.signature(original)

        def record(tensor, *args, **kwargs):
            bound = signature.bind(tensor, *args, **kwargs)
            options = {k: v for k, v in bound.arguments.items() if k != "tensor"}
            self.calls.append((name, tuple(tensor.shape), options))
            return tensor
        return record


def _build(lib_models, name, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(lib_models, name)(**kwargs)


@needs_reference
@pytest.mark.parametrize("name", sorted(REF) or ["resnet18"])
def test_state_dict_matches_reference(name, monkeypatch):
    expected = REF[name]
    _InitRecorder(ember.nn.init, monkeypatch)
    model = _build(EM, name)
    got = [[k, list(v.shape), str(v.dtype).replace("ember.", "")]
           for k, v in model.state_dict().items()]
    assert got == expected["state_dict"]
    assert sum(p.numel() for p in model.parameters()) == expected["num_params"]


EXTRA = ["resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2",
         "wide_resnet101_2"]
VARIANTS = [("resnet18", dict(zero_init_residual=True, num_classes=10)),
            ("resnet50", dict(zero_init_residual=True,
                              replace_stride_with_dilation=[False, True, True])),
            ("mobilenet_v2", dict(width_mult=0.75, dropout=0.1, num_classes=7)),
            ("vgg11_bn", dict(num_classes=3, dropout=0.2)),
            ("alexnet", dict(num_classes=5, dropout=0.1))]


@pytest.mark.parametrize("name,kwargs", [(n, {}) for n in sorted(REF) + EXTRA] + VARIANTS)
def test_init_calls_and_repr_match_torchvision(name, kwargs, monkeypatch):
    """The same nn.init calls (function, shape, arguments) in the same order, the same
    printed module tree and the same state_dict layout as torchvision."""
    tvm = needs_torchvision()
    ours, theirs = _InitRecorder(ember.nn.init, monkeypatch), \
        _InitRecorder(torch.nn.init, monkeypatch)
    e, t = _build(EM, name, **kwargs), _build(tvm, name, **kwargs)
    assert ours.calls == theirs.calls
    assert repr(e).replace("ember.", "torch.") == repr(t)
    assert [(k, tuple(v.shape)) for k, v in e.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]


def _forward_both(e, t, x, train=False):
    e.train(train)
    t.train(train)
    ye = e(ember.tensor(x))
    yt = t(torch.tensor(x))
    return ye, yt


@pytest.mark.parametrize("name,kwargs", [("resnet18", {}), ("mobilenet_v2", {"width_mult": 0.5})])
def test_seeded_weights_and_forward_match_torchvision(name, kwargs):
    tvm = needs_torchvision()
    ember.manual_seed(0)
    e = _build(EM, name, **kwargs)
    torch.manual_seed(0)
    t = _build(tvm, name, **kwargs)
    for (k, ve), vt in zip(e.state_dict().items(), t.state_dict().values()):
        assert np.array_equal(ve.numpy(), vt.numpy()), k
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    with ember.no_grad(), torch.no_grad():
        ye, yt = _forward_both(e, t, x)
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-4, atol=1e-5)


def _twins(tvm, name, monkeypatch, **kwargs):
    """(ember model, torchvision model) with torchvision's seeded weights in both."""
    torch.manual_seed(0)
    t = _build(tvm, name, **kwargs)
    _InitRecorder(ember.nn.init, monkeypatch)
    e = _build(EM, name, **kwargs)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return e, t


@pytest.mark.parametrize("name,size,kwargs", [
    ("resnext50_32x4d", 32, {"replace_stride_with_dilation": [False, False, True]}),
    ("alexnet", 64, {"num_classes": 10})])
def test_forward_matches_torchvision(name, size, kwargs, monkeypatch):
    """torchvision's weights loaded into ember give torchvision's outputs."""
    e, t = _twins(needs_torchvision(), name, monkeypatch, **kwargs)
    x = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
    with ember.no_grad(), torch.no_grad():
        ye, yt = _forward_both(e, t, x)
    scale = np.abs(yt.numpy()).max()
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-4, atol=1e-5 * scale)


def test_resnet18_train_step_gradients_match_torchvision(monkeypatch):
    e, t = _twins(needs_torchvision(), "resnet18", monkeypatch, num_classes=10)
    x = np.random.default_rng(1).standard_normal((4, 3, 32, 32)).astype(np.float32)
    ye, yt = _forward_both(e, t, x, train=True)
    target = [1, 3, 5, 7]
    ember.nn.functional.cross_entropy(ye, ember.tensor(target)).backward()
    torch.nn.functional.cross_entropy(yt, torch.tensor(target)).backward()
    for name in ("fc.weight", "layer4.1.bn2.weight", "layer1.0.conv1.weight", "conv1.weight"):
        ge = e.get_parameter(name).grad.numpy()
        gt = t.get_parameter(name).grad.numpy()
        # BatchNorm over 4 values per channel in layer4 amplifies float32 rounding
        np.testing.assert_allclose(ge, gt, rtol=1e-3, atol=2e-4 * np.abs(gt).max(),
                                   err_msg=name)
    # BatchNorm running statistics moved the same way
    np.testing.assert_allclose(e.bn1.running_var.numpy(), t.bn1.running_var.numpy(), rtol=1e-5)


@pytest.mark.parametrize("name,size", [("resnet18", 32), ("mobilenet_v2", 32),
                                       ("alexnet", 64), ("vgg11", 32), ("vgg11_bn", 32)])
def test_forward_shapes(name, size, monkeypatch):
    _InitRecorder(ember.nn.init, monkeypatch)
    model = _build(EM, name, num_classes=7).eval()
    for p in model.parameters():    # recorded init left them empty
        p.data.fill_(0.01)
    with ember.no_grad():
        out = model(ember.ones(1, 3, size, size))
    assert out.shape == (1, 7) and out.dtype == ember.float32


def test_zero_init_residual_and_constants():
    ember.manual_seed(0)
    m = EM.resnet18(zero_init_residual=True)
    assert all(float(b.bn2.weight.abs().sum()) == 0 for layer in
               (m.layer1, m.layer2, m.layer3, m.layer4) for b in layer)
    assert float(m.bn1.weight.sum()) == 64 and float(m.bn1.bias.abs().sum()) == 0
    std = float(m.conv1.weight.std())
    assert abs(std - (2 / (64 * 49)) ** 0.5) < 0.01 * std     # kaiming fan_out, relu gain


def test_norm_layer_group_norm():
    m = EM.resnet18(norm_layer=lambda c: nn.GroupNorm(8, c), num_classes=4)
    assert isinstance(m.layer1[0].bn1, nn.GroupNorm)
    assert float(m.layer1[0].bn1.weight.sum()) == 64
    with ember.no_grad():
        assert m.eval()(ember.randn(1, 3, 32, 32)).shape == (1, 4)


def test_builder_arguments():
    with pytest.raises(ValueError, match="replace_stride_with_dilation should be None"):
        EM.resnet50(replace_stride_with_dilation=[False, True])
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1"):
        EM.resnet18(groups=2)
    with pytest.raises(NotImplementedError, match="Dilation > 1 not supported in BasicBlock"):
        EM.resnet18(replace_stride_with_dilation=[False, False, True])
    with pytest.raises(ValueError, match="The parameter 'groups' expected value 32 but got 4"):
        EM.resnext50_32x4d(groups=4)
    with pytest.raises(ValueError, match="inverted_residual_setting should be non-empty"):
        EM.mobilenet_v2(inverted_residual_setting=[[1, 16, 1]])
    with pytest.raises(ValueError, match="stride should be 1 or 2 instead of 3"):
        EM.mobilenetv2.InvertedResidual(8, 8, 3, 1)
    with pytest.raises(TypeError):
        EM.resnet18(not_an_option=1)
    assert EM.mobilenet_v2(width_mult=0.5, num_classes=3).last_channel == 1280


def test_pretrained_weights_raise_a_clear_error():
    for weights in ("DEFAULT", "IMAGENET1K_V1", EM.ResNet18_Weights.IMAGENET1K_V1,
                    EM.ResNet18_Weights.DEFAULT):
        with pytest.raises(NotImplementedError, match="cannot download pretrained weights"):
            EM.resnet18(weights=weights)
    with pytest.raises(NotImplementedError), pytest.warns(UserWarning, match="'pretrained'"):
        EM.mobilenet_v2(pretrained=True)
    with pytest.warns(UserWarning, match="deprecated since 0.13"):
        assert isinstance(EM.alexnet(pretrained=False, num_classes=3), EM.AlexNet)
    with pytest.raises(ValueError, match="Invalid weight name provided: 'NOPE'"):
        EM.vgg11(weights="NOPE")
    with pytest.raises(TypeError, match="expected VGG11_Weights"):
        EM.vgg11(weights=EM.ResNet18_Weights.DEFAULT)
    assert EM.ResNet50_Weights.DEFAULT is EM.ResNet50_Weights.IMAGENET1K_V2
    assert repr(EM.VGG16_Weights.DEFAULT) == "VGG16_Weights.IMAGENET1K_V1"


def test_registry():
    names = EM.list_models()
    for n in ("alexnet", "vgg11", "vgg19_bn", "resnet18", "resnet152", "mobilenet_v2"):
        assert n in names
    assert EM.list_models(include="vgg1[19]*") == ["vgg11", "vgg11_bn", "vgg19", "vgg19_bn"]
    assert EM.list_models(include="resnet*", exclude="*1*") == ["resnet34", "resnet50"]
    m = EM.get_model("ResNet18", num_classes=3)
    assert m.fc.out_features == 3
    assert EM.get_model_weights("resnet50") is EM.ResNet50_Weights
    assert EM.get_weight("ResNet50_Weights.IMAGENET1K_V1") is EM.ResNet50_Weights.IMAGENET1K_V1
    with pytest.raises(ValueError, match="Unknown model nope"):
        EM.get_model("nope")


def test_conv2d_norm_activation():
    from ember.vision.ops.misc import Conv2dNormActivation
    block = Conv2dNormActivation(4, 8, kernel_size=3, stride=2, activation_layer=nn.ReLU6)
    assert repr(block) == ("Conv2dNormActivation(\n"
                           "  (0): Conv2d(4, 8, kernel_size=(3, 3), stride=(2, 2), "
                           "padding=(1, 1), bias=False)\n"
                           "  (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, "
                           "bias=True, track_running_stats=True)\n"
                           "  (2): ReLU6(inplace=True)\n)")
    plain = Conv2dNormActivation(4, 8, 5, norm_layer=None, activation_layer=None)
    assert len(plain) == 1 and plain[0].bias is not None and plain[0].padding == (2, 2)
    assert block.out_channels == 8
