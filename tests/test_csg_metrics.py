"""IoU and CSGNet's Chamfer distance on pairs whose answers are known."""
from __future__ import annotations

import numpy as np
import pytest

from dsl.csg import parse_program, render
from dsl.csg.generator import random_tree
from dsl.csg.metrics import EMPTY_CD, canny_edges, chamfer, distance_transform, iou
from dsl.csg.render import render_many


def _square(top: int, left: int, side: int) -> np.ndarray:
    image = np.zeros((64, 64), dtype=bool)
    image[top:top + side, left:left + side] = True
    return image


def test_iou_of_overlapping_squares() -> None:
    a, b = _square(10, 10, 20), _square(10, 20, 20)      # overlap 20 x 10 of 400 + 400 - 200
    assert iou(a, b) == pytest.approx(200 / 600)
    assert iou(a, a) == 1.0
    np.testing.assert_allclose(iou(np.stack([a, b]), a), [1.0, 1 / 3])


def test_chamfer_is_zero_for_equal_shapes_and_symmetric() -> None:
    a, b = render(parse_program("c(32,32,16)")), render(parse_program("s(24,40,12)"))
    assert chamfer(a, a) == 0.0
    assert chamfer(a, b) == pytest.approx(chamfer(b, a))
    assert chamfer(a, b) > 1.0


def test_blank_or_full_canvases_score_sixteen() -> None:
    a = _square(10, 10, 20)
    assert chamfer(a, np.zeros((64, 64), bool)) == EMPTY_CD
    assert chamfer(np.ones((64, 64), bool), a) == EMPTY_CD


def test_canny_marks_the_inner_border_of_a_square() -> None:
    edges = canny_edges(_square(10, 10, 20)[None])[0]
    # the gradient peaks on the pixel pairs across the border; OpenCV keeps the inner or outer one
    rows, cols = np.nonzero(edges)
    assert rows.min() in (9, 10) and rows.max() in (29, 30) and cols.min() in (9, 10) and cols.max() in (29, 30)
    assert not edges[15:25, 15:25].any()


def test_distance_transform_is_the_3x3_chamfer_metric() -> None:
    edges = np.zeros((1, 64, 64), dtype=bool)
    edges[0, 20, 30] = True
    rows, cols = np.mgrid[0:64, 0:64]
    dr, dc = np.abs(rows - 20), np.abs(cols - 30)
    expected = 1.3693 * np.minimum(dr, dc) + 0.955 * (np.maximum(dr, dc) - np.minimum(dr, dc))
    np.testing.assert_allclose(distance_transform(edges)[0], expected, atol=1e-5)


def test_one_pixel_shift_costs_about_one_pixel_on_the_shifted_sides() -> None:
    a, b = _square(10, 10, 20), _square(10, 11, 20)
    assert 0.2 < chamfer(a, b) < 0.955


def test_numpy_chamfer_equals_opencv_on_random_programs() -> None:
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(5)
    images = render_many([random_tree(int(rng.integers(1, 6)), rng) for _ in range(80)])
    a, b = images[:40], images[40:]
    np.testing.assert_array_equal(canny_edges(a), np.stack([cv2.Canny(i.astype(np.uint8) * 255, 1, 3) for i in a]) > 0)
    np.testing.assert_allclose(chamfer(a, b), chamfer(a, b, backend="opencv"), atol=1e-4)
