"""Transform classes vs torchvision: same seed -> same output, reprs, argument errors."""
from __future__ import annotations

import random

import pytest

import ember
from vision._helpers import (ET, TT, assert_same, image_tensors, needs_nn, pil_image,
                             same_error, seeded, torch)


def run_seeded(make, img_e, img_t, seeds=range(6), atol=0.0):
    """make(T) builds the transform; apply it under the same seeds in both libraries."""
    te, tt = make(ET), make(TT)
    for seed in seeds:
        assert_same(*seeded(seed, lambda: te(img_e), lambda: tt(img_t)), atol=atol)


PIL_RANDOM = {
    "RandomCrop": lambda T: T.RandomCrop(5),
    "RandomCropPad": lambda T: T.RandomCrop((12, 6), padding=2, pad_if_needed=True, fill=7),
    "RandomCropReflect": lambda T: T.RandomCrop(14, padding=(1, 2), pad_if_needed=True,
                                                padding_mode="reflect"),
    "RandomResizedCrop": lambda T: T.RandomResizedCrop(6),
    "RandomResizedCropScale": lambda T: T.RandomResizedCrop((5, 7), scale=(0.5, 0.9),
                                                            ratio=(0.5, 2.0)),
    "RandomResizedCropFallback": lambda T: T.RandomResizedCrop(4, scale=(2.0, 3.0)),
    "RandomHorizontalFlip": lambda T: T.RandomHorizontalFlip(),
    "RandomVerticalFlip": lambda T: T.RandomVerticalFlip(0.7),
    "RandomRotation": lambda T: T.RandomRotation(40),
    "RandomRotationExpand": lambda T: T.RandomRotation((10, 80), expand=True, fill=5),
    "RandomAffine": lambda T: T.RandomAffine(20, translate=(0.2, 0.1), scale=(0.8, 1.2),
                                             shear=(-5, 5, -3, 3)),
    "RandomAffineShear": lambda T: T.RandomAffine(0, shear=10, fill=(1, 2, 3)),
    "RandomPerspective": lambda T: T.RandomPerspective(0.6, p=0.8),
    "ColorJitter": lambda T: T.ColorJitter(0.4, 0.4, 0.4, 0.2),
    "ColorJitterTuple": lambda T: T.ColorJitter(brightness=(0.5, 0.9), hue=(-0.1, 0.3)),
    "RandomGrayscale": lambda T: T.RandomGrayscale(0.5),
    "RandomInvert": lambda T: T.RandomInvert(),
    "RandomPosterize": lambda T: T.RandomPosterize(3),
    "RandomSolarize": lambda T: T.RandomSolarize(120),
    "RandomAdjustSharpness": lambda T: T.RandomAdjustSharpness(2.0),
    "RandomAutocontrast": lambda T: T.RandomAutocontrast(),
    "RandomEqualize": lambda T: T.RandomEqualize(),
    "RandomApply": lambda T: T.RandomApply([T.ColorJitter(0.5), T.RandomCrop(6)], p=0.6),
    "Compose": lambda T: T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(),
                                    T.ToTensor(), T.Normalize([0.5] * 3, [0.2] * 3)]),
}


@pytest.mark.parametrize("name", sorted(PIL_RANDOM))
def test_random_transforms_pil(name):
    img = pil_image("RGB", 10, 12)
    run_seeded(PIL_RANDOM[name], img, img)


TENSOR_RANDOM = {
    "RandomCrop": lambda T: T.RandomCrop(5),
    "RandomHorizontalFlip": lambda T: T.RandomHorizontalFlip(),
    "RandomVerticalFlip": lambda T: T.RandomVerticalFlip(),
    "ColorJitter": lambda T: T.ColorJitter(0.3, 0.3, 0.3, 0.1),
    "RandomGrayscale": lambda T: T.RandomGrayscale(0.5),
    "RandomErasing": lambda T: T.RandomErasing(p=0.8),
    "RandomErasingValue": lambda T: T.RandomErasing(p=1.0, value=(1, 2, 3), scale=(0.1, 0.5)),
    "RandomErasingRandom": lambda T: T.RandomErasing(p=1.0, value="random"),
    "RandomErasingBig": lambda T: T.RandomErasing(p=1.0, scale=(0.99, 1.0), ratio=(1, 1)),
    "RandomInvert": lambda T: T.RandomInvert(),
    "RandomEqualize": lambda T: T.RandomEqualize(),
    "FiveCrop": lambda T: T.FiveCrop(4),
    "TenCrop": lambda T: T.TenCrop((3, 5)),
}


@pytest.mark.parametrize("name", sorted(TENSOR_RANDOM))
def test_random_transforms_tensor(name):
    dtype = "float32" if name.startswith("RandomErasing") else "uint8"
    e, t = image_tensors(dtype, (3, 10, 12))
    run_seeded(TENSOR_RANDOM[name], e, t, atol=1e-6 if dtype == "float32" else 0)


NN_RANDOM = {
    "RandomResizedCrop": lambda T: T.RandomResizedCrop(6),
    "RandomRotation": lambda T: T.RandomRotation(30, fill=2),
    "RandomAffine": lambda T: T.RandomAffine(15, translate=(0.1, 0.1)),
    "RandomPerspective": lambda T: T.RandomPerspective(p=1.0),
    "GaussianBlur": lambda T: T.GaussianBlur(5, sigma=(0.5, 2.0)),
    "ElasticTransform": lambda T: T.ElasticTransform(alpha=30.0, sigma=2.0),
}


@needs_nn()
@pytest.mark.parametrize("name", sorted(NN_RANDOM))
def test_random_transforms_tensor_nn(name):
    e, t = image_tensors("float32", (3, 10, 12))
    run_seeded(NN_RANDOM[name], e, t, seeds=range(3), atol=1e-5)


def test_get_params_streams():
    img = pil_image("RGB", 20, 30)
    for seed in range(5):
        assert seeded(seed, lambda: ET.RandomCrop.get_params(img, (7, 9)),
                      lambda: TT.RandomCrop.get_params(img, (7, 9)))[0] == \
            seeded(seed, lambda: 0, lambda: TT.RandomCrop.get_params(img, (7, 9)))[1]
        e, t = seeded(seed, lambda: ET.RandomResizedCrop.get_params(img, [0.08, 1.0],
                                                                    [0.75, 1.333]),
                      lambda: TT.RandomResizedCrop.get_params(img, [0.08, 1.0], [0.75, 1.333]))
        assert e == t
        e, t = seeded(seed, lambda: ET.RandomAffine.get_params([-5, 5], [0.1, 0.2], [0.9, 1.1],
                                                               [-2, 2, -3, 3], [30, 20]),
                      lambda: TT.RandomAffine.get_params([-5, 5], [0.1, 0.2], [0.9, 1.1],
                                                         [-2, 2, -3, 3], [30, 20]))
        assert e == t
        e, t = seeded(seed, lambda: ET.RandomPerspective.get_params(30, 20, 0.5),
                      lambda: TT.RandomPerspective.get_params(30, 20, 0.5))
        assert e == t
        e, t = seeded(seed, lambda: ET.ColorJitter.get_params((0.5, 1.5), None, (0, 2), (-.1, .1)),
                      lambda: TT.ColorJitter.get_params((0.5, 1.5), None, (0, 2), (-.1, .1)))
        assert e[0].tolist() == t[0].tolist() and e[1:] == t[1:]
        e, t = seeded(seed, lambda: ET.GaussianBlur.get_params(0.1, 2.0),
                      lambda: TT.GaussianBlur.get_params(0.1, 2.0))
        assert e == t
        assert ember.get_rng_state().tolist() == torch.get_rng_state().tolist()


def test_random_order_choice_use_python_random():
    img = pil_image("RGB")
    for make in (lambda T: T.RandomOrder([T.CenterCrop(6), T.Pad(1), T.Grayscale(3)]),
                 lambda T: T.RandomChoice([T.CenterCrop(6), T.Pad(1)], p=[0.3, 0.7])):
        te, tt = make(ET), make(TT)
        for seed in range(4):
            random.seed(seed)
            e = te(img)
            random.seed(seed)
            assert_same(e, tt(img))


REPRS = [
    lambda T: T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))]),
    lambda T: T.Compose([]),
    lambda T: T.Compose([T.Compose([T.CenterCrop(3)]), T.Lambda(abs)]),
    lambda T: T.Resize(5), lambda T: T.Resize([4, 6], T.InterpolationMode.NEAREST, None, False),
    lambda T: T.Resize(7, max_size=9), lambda T: T.Resize(5, interpolation=3),
    lambda T: T.CenterCrop((3, 4)), lambda T: T.CenterCrop([5]),
    lambda T: T.Pad([1, 2], fill=3, padding_mode="edge"),
    lambda T: T.RandomCrop(4, padding=2), lambda T: T.RandomResizedCrop(224),
    lambda T: T.RandomResizedCrop((3, 4), scale=(0.123456, 0.9), ratio=(0.5, 1.0),
                                  interpolation=T.InterpolationMode.BICUBIC, antialias=False),
    lambda T: T.FiveCrop(3), lambda T: T.TenCrop(3, vertical_flip=True),
    lambda T: T.RandomHorizontalFlip(), lambda T: T.RandomVerticalFlip(0.3),
    lambda T: T.RandomPerspective(), lambda T: T.ColorJitter(0.1, 0.2, 0.3, 0.1),
    lambda T: T.ColorJitter(), lambda T: T.RandomRotation(10),
    lambda T: T.RandomRotation((1, 5), expand=True, center=(1, 2), fill=(1, 2, 3)),
    lambda T: T.RandomAffine(5), lambda T: T.RandomAffine(
        (1, 2), translate=(0.1, 0.2), scale=(0.5, 1.5), shear=3,
        interpolation=T.InterpolationMode.BILINEAR, fill=1, center=(2, 2)),
    lambda T: T.Grayscale(3), lambda T: T.RandomGrayscale(), lambda T: T.RandomErasing(),
    lambda T: T.RandomErasing(value="random", inplace=True), lambda T: T.GaussianBlur(3),
    lambda T: T.GaussianBlur((3, 5), 1.5), lambda T: T.RandomInvert(),
    lambda T: T.RandomPosterize(2), lambda T: T.RandomSolarize(1.5),
    lambda T: T.RandomAdjustSharpness(2), lambda T: T.RandomAutocontrast(0.2),
    lambda T: T.RandomEqualize(), lambda T: T.ToPILImage(), lambda T: T.ToPILImage("RGB"),
    lambda T: T.PILToTensor(), lambda T: T.RandomApply([T.CenterCrop(2)], p=0.3),
    lambda T: T.RandomOrder([T.CenterCrop(2), T.Pad(1)]),
    lambda T: T.RandomChoice([T.CenterCrop(2)], p=[1.0]), lambda T: T.ElasticTransform(),
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_reprs(i):
    e, t = REPRS[i](ET), REPRS[i](TT)
    assert repr(e).replace("ember.", "torch.") == repr(t)


def test_module_transforms_and_dtype_repr():
    e, t = ET.ConvertImageDtype(ember.float64), TT.ConvertImageDtype(torch.float64)
    assert repr(e) == repr(t) == "ConvertImageDtype()"
    assert isinstance(ET.Normalize([0.5], [0.5]), ember.nn.Module)
    x = ember.arange(6, dtype=ember.uint8).view(1, 2, 3)
    assert e(x).dtype == ember.float64
    m = ember.eye(12, dtype=ember.float64)
    lt = ET.LinearTransformation(m, ember.zeros(12, dtype=ember.float64))
    tt = TT.LinearTransformation(torch.eye(12, dtype=torch.float64),
                                 torch.zeros(12, dtype=torch.float64))
    ximg, timg = image_tensors("float64", (3, 2, 2))
    assert_same(lt(ximg), tt(timg))
    assert repr(lt) == repr(tt)


CTOR_ERRORS = [
    lambda T: T.Resize(2.5), lambda T: T.Resize([1, 2, 3]), lambda T: T.CenterCrop((1, 2, 3)),
    lambda T: T.Pad("x"), lambda T: T.Pad(1, fill="x"), lambda T: T.Pad(1, padding_mode="wrap"),
    lambda T: T.Pad([1, 2, 3]), lambda T: T.RandomResizedCrop(3, scale=5),
    lambda T: T.RandomResizedCrop(3, ratio=5), lambda T: T.ColorJitter(-1),
    lambda T: T.ColorJitter(hue=0.7), lambda T: T.ColorJitter(brightness=(1, 2, 3)),
    lambda T: T.ColorJitter(contrast=(2, 1)), lambda T: T.RandomRotation(-5),
    lambda T: T.RandomRotation([1, 2, 3]), lambda T: T.RandomRotation(5, center=3),
    lambda T: T.RandomRotation(5, fill={}), lambda T: T.RandomAffine(5, translate=(2, 0)),
    lambda T: T.RandomAffine(5, scale=(0, 1)), lambda T: T.RandomAffine(5, shear=(1, 2, 3)),
    lambda T: T.RandomAffine(5, translate=0.1), lambda T: T.RandomErasing(value="x"),
    lambda T: T.RandomErasing(value={}), lambda T: T.RandomErasing(scale=(0, 2)),
    lambda T: T.RandomErasing(p=2), lambda T: T.RandomErasing(scale=1),
    lambda T: T.GaussianBlur(4), lambda T: T.GaussianBlur(3, -1),
    lambda T: T.GaussianBlur(3, (2, 1)), lambda T: T.GaussianBlur(3, (1, 2, 3)),
    lambda T: T.Lambda(3), lambda T: T.RandomChoice([T.Pad(1)], p=0.5),
    lambda T: T.RandomOrder(T.Pad(1)), lambda T: T.ElasticTransform(alpha=3),
    lambda T: T.ElasticTransform(sigma=(1.0,)), lambda T: T.ElasticTransform(fill="x"),
]


@pytest.mark.parametrize("i", range(len(CTOR_ERRORS)))
def test_constructor_errors(i):
    same_error(lambda: CTOR_ERRORS[i](ET), lambda: CTOR_ERRORS[i](TT))


def test_call_errors():
    img = pil_image("RGB", 5, 6)
    same_error(lambda: ET.RandomCrop(9)(img), lambda: TT.RandomCrop(9)(img))
    e, t = image_tensors("float32", (3, 5, 6))
    same_error(lambda: ET.RandomErasing(p=1, value=[1, 2])(e),
               lambda: TT.RandomErasing(p=1, value=[1, 2])(t))
