"""The renderer draws as CSGNet does: hand-drawn primitives, the three operators, and the batched
token renderer agreeing with the one-program renderer."""
from __future__ import annotations

import numpy as np
import pytest

from dsl.core import evaluate
from dsl.csg import parse_program, render
from dsl.csg.canvas import Canvas, pack, pixel_count, unpack
from dsl.csg.generator import random_tree
from dsl.csg.render import render_many, render_tokens
from dsl.csg.tokens import STOP, token_array
from dsl.errors import NesyInputError

TRIANGLE = """
........#.....
.......##.....
.......###....
......####....
......#####...
.....######...
....########..
....########..
...##########.
...##########.
..############
..############
.##############
"""
CIRCLE = """
.....#######....
...###########..
..#############.
..#############.
.###############
.###############
.###############
.###############
.###############
.###############
.###############
..#############.
..#############.
...###########..
.....#######....
"""


def _art(text: str) -> np.ndarray:
    rows = text.strip("\n").splitlines()
    width = max(len(r) for r in rows)
    return np.array([[c == "#" for c in r.ljust(width, ".")] for r in rows])


def _top_left(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    assert not image[rows:].any() and not image[:, cols:].any()   # nothing outside the drawn corner
    return image[:rows, :cols]


def test_triangle_apex_up_with_its_outline() -> None:
    expected = _art(TRIANGLE)
    image = render(parse_program("t(8,8,8)"))
    np.testing.assert_array_equal(_top_left(image, 13, 15)[:, :expected.shape[1]], expected)


def test_circle_is_strictly_inside_its_radius() -> None:
    expected = np.zeros((64, 64), dtype=bool)
    expected[1:16, :16] = _art(CIRCLE)
    np.testing.assert_array_equal(render(parse_program("c(8,8,8)")), expected)


def test_square_side_is_1_412_r_about_the_centre() -> None:
    image = render(parse_program("s(32,32,8)"))   # half side 5.648: columns and rows 26..37
    expected = np.zeros((64, 64), dtype=bool)
    expected[26:38, 26:38] = True
    np.testing.assert_array_equal(image, expected)


def test_x_is_the_column_and_y_the_row() -> None:
    image = render(parse_program("s(8,48,8)"))
    rows, cols = np.nonzero(image)
    assert cols.mean() == pytest.approx(7.5) and rows.mean() == pytest.approx(47.5)


def test_operators_union_intersection_and_first_minus_second() -> None:
    a, b = render(parse_program("s(24,32,16)")), render(parse_program("c(40,32,16)"))
    np.testing.assert_array_equal(render(parse_program("s(24,32,16)c(40,32,16)+")), a | b)
    np.testing.assert_array_equal(render(parse_program("s(24,32,16)c(40,32,16)*")), a & b)
    np.testing.assert_array_equal(render(parse_program("s(24,32,16)c(40,32,16)-")), a & ~b)
    assert (a & ~b).sum() < a.sum()
    np.testing.assert_array_equal(evaluate(parse_program("s(24,32,16)c(40,32,16)-"), {}), a & ~b)


def test_batched_tokens_draw_what_single_programs_draw() -> None:
    rng = np.random.default_rng(3)
    programs = [random_tree(int(rng.integers(1, 8)), rng) for _ in range(300)]
    batched = unpack(render_tokens(token_array(programs)))
    np.testing.assert_array_equal(batched, render_many(programs))


def test_packing_round_trips_and_counts_pixels() -> None:
    image = np.random.default_rng(0).random((5, 64, 64)) < 0.3
    np.testing.assert_array_equal(unpack(pack(image)), image)
    np.testing.assert_array_equal(pixel_count(pack(image)), image.sum(axis=(1, 2)))
    canvas = Canvas.from_image(image[0])
    assert canvas == Canvas.from_image(image[0].astype(np.uint8) * 255) and hash(canvas) == hash(Canvas(canvas.bits))


def test_bad_token_rows_are_refused_by_row() -> None:
    with pytest.raises(NesyInputError, match="row 2"):
        render_tokens(np.array([[0, 1, 396], [0, 396, STOP]]))
    with pytest.raises(NesyInputError, match="leaves 2 shapes"):
        render_tokens(np.array([[0, 1, STOP]]))
