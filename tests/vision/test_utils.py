"""ember.vision.utils vs torchvision.utils: make_grid, save_image, draw_bounding_boxes."""
from __future__ import annotations

import io

import numpy as np
import pytest

import ember
import ember.vision.utils as EV
from vision._helpers import Image, assert_same, image_tensors, same_error, tensors, torch, tv

TV = tv.utils


@pytest.mark.parametrize("shape", [(5, 3, 4, 6), (7, 1, 3, 3), (1, 3, 4, 4), (3, 4, 4),
                                   (1, 4, 5), (4, 5), (10, 2, 3, 3)])
@pytest.mark.parametrize("kw", [{}, {"nrow": 3, "padding": 1}, {"nrow": 2, "padding": 0},
                                {"padding": 3, "pad_value": 0.7}, {"nrow": 20}])
def test_make_grid(shape, kw):
    e, t = image_tensors("float32", shape)
    assert_same(EV.make_grid(e, **kw), TV.make_grid(t, **kw))


@pytest.mark.parametrize("kw", [{"normalize": True}, {"normalize": True, "scale_each": True},
                                {"normalize": True, "value_range": (0.2, 0.6)},
                                {"normalize": True, "scale_each": True,
                                 "value_range": (-1.0, 1.0)}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_make_grid_normalize(kw, dtype):
    rs = np.random.RandomState(4)
    arr = (rs.randn(5, 3, 4, 4) * rs.rand(5, 1, 1, 1) * 3).astype(dtype)
    e, t = tensors(arr)
    oe, ot = EV.make_grid(e, nrow=2, **kw), TV.make_grid(t, nrow=2, **kw)
    assert_same(oe, ot)
    assert_same(e, t)  # the input is left untouched
    flat = tensors(np.full((2, 3, 2, 2), 0.5, dtype))
    assert_same(EV.make_grid(flat[0], **kw), TV.make_grid(flat[1], **kw))


def test_make_grid_list_uint8_and_errors():
    e, t = image_tensors("uint8", (4, 3, 5, 5))
    assert_same(EV.make_grid(list(e), nrow=3, pad_value=255),
                TV.make_grid(list(t), nrow=3, pad_value=255))
    same_error(lambda: EV.make_grid([1]), lambda: TV.make_grid([1]))
    same_error(lambda: EV.make_grid(3), lambda: TV.make_grid(3))
    same_error(lambda: EV.make_grid(e.float(), normalize=True, value_range=[0, 1]),
               lambda: TV.make_grid(t.float(), normalize=True, value_range=[0, 1]))


@pytest.mark.parametrize("shape", [(6, 3, 5, 7), (3, 8, 9), (2, 1, 4, 4)])
def test_save_image(tmp_path, shape):
    rs = np.random.RandomState(5)
    e, t = tensors((rs.rand(*shape) * 1.2 - 0.1).astype(np.float32))
    EV.save_image(e, tmp_path / "e.png", nrow=4, padding=1)
    TV.save_image(t, tmp_path / "t.png", nrow=4, padding=1)
    pe, pt = Image.open(tmp_path / "e.png"), Image.open(tmp_path / "t.png")
    assert (pe.mode, pe.size) == (pt.mode, pt.size)
    np.testing.assert_array_equal(np.asarray(pe), np.asarray(pt))
    buf_e, buf_t = io.BytesIO(), io.BytesIO()
    EV.save_image(e, buf_e, format="png")
    TV.save_image(t, buf_t, format="png")
    assert buf_e.getvalue() == buf_t.getvalue()


BOXES = [[1, 2, 10, 12], [5, 5, 18, 15], [0, 0, 19, 19]]


@pytest.mark.parametrize("kw", [
    {}, {"colors": "red", "width": 2}, {"colors": ["blue", (0, 255, 0), "#ff00ff"]},
    {"fill": True, "labels": ["a", "bb", "c"]},
    {"labels": ["x", "y", "z"], "fill_labels": True, "label_colors": "white"},
    {"labels": ["x", None, "z"], "colors": (10, 20, 30), "label_background_colors": "yellow",
     "fill_labels": True},
])
@pytest.mark.parametrize("dtype,channels", [("uint8", 3), ("uint8", 1), ("float32", 3)])
def test_draw_bounding_boxes(kw, dtype, channels):
    e, t = image_tensors(dtype, (channels, 20, 24))
    be, bt = ember.tensor(BOXES, dtype=ember.float32), torch.tensor(BOXES, dtype=torch.float32)
    assert_same(EV.draw_bounding_boxes(e, be, **kw), TV.draw_bounding_boxes(t, bt, **kw))


def test_draw_oriented_boxes():
    e, t = image_tensors("uint8", (3, 20, 24))
    boxes = [[2, 2, 12, 4, 10, 14, 0, 12]]
    assert_same(EV.draw_bounding_boxes(e, ember.tensor(boxes), width=1),
                TV.draw_bounding_boxes(t, torch.tensor(boxes), width=1))


def test_draw_bounding_boxes_errors():
    e, t = image_tensors("uint8", (3, 20, 24))
    be, bt = ember.tensor(BOXES), torch.tensor(BOXES)
    cases = [
        (lambda img, lib: img.to(lib.int32), {}), (lambda img, lib: img.unsqueeze(0), {}),
        (lambda img, lib: img[:2], {}), (lambda img, lib: img, {"labels": ["a"]}),
        (lambda img, lib: img, {"colors": ["red"]}), (lambda img, lib: img, {"colors": (1, 2)}),
        (lambda img, lib: img, {"colors": 5}),
    ]
    for make, kw in cases:
        same_error(lambda: EV.draw_bounding_boxes(make(e, ember), be, **kw),
                   lambda: TV.draw_bounding_boxes(make(t, torch), bt, **kw))
    bad_e, bad_t = ember.tensor([[5, 5, 1, 1]]), torch.tensor([[5, 5, 1, 1]])
    same_error(lambda: EV.draw_bounding_boxes(e, bad_e), lambda: TV.draw_bounding_boxes(t, bad_t))
    same_error(lambda: EV.draw_bounding_boxes([1], be), lambda: TV.draw_bounding_boxes([1], bt))
    with pytest.warns(UserWarning, match="boxes doesn't contain any box"):
        assert EV.draw_bounding_boxes(e, ember.zeros(0, 4)) is e

