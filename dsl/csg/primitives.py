"""CSGNet's primitives (circle, square, triangle at x, y with size r) and how CSGNet draws them.

The drawing follows CSGNet's rules (SOURCE.md of the CAD benchmark): x is the column, y the row; a
circle is every pixel strictly inside radius r; a square (side 1.412 r) and an equilateral
triangle (side 1.732 r, apex up) are filled polygons plus their closed outline, with vertex
coordinates truncated to integers. The arithmetic runs in the same order, in float64, so that
boundary pixels fall the same way (scripts/csg_check_renderer.py checks it pixel for pixel).

The vocabulary is CSGNet's 396 terminals, in CSGNet's token order: per kind and size, the centres
on the grid of 8 where CSGNet allows that size (a rule table; the tests check it against CSGNet's
own token list).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dsl.csg.canvas import SIZE, pack
from dsl.errors import NesyInputError

KINDS = ("c", "s", "t")               # circle, square, triangle
KIND_NAMES = {"c": "circle", "s": "square", "t": "triangle"}
GRID = 8                              # CSGNet's centres and sizes lie on multiples of 8 and 4
SIZE_STEP = 4
# Parameters nesy accepts off CSGNet's grid (refinement may move there); the centre stays on the
# canvas and the size keeps a shape no larger than the canvas.
COORDINATE_RANGE = (0, SIZE - 1)
SIZE_RANGE = (1, SIZE)

# (kind, r) -> (x from, x to, y from, y to), steps of GRID: where CSGNet's vocabulary has that size.
_VOCABULARY_RULES: dict[tuple[str, int], tuple[int, int, int, int]] = {
    ("c", 8): (8, 48, 8, 48), ("c", 12): (16, 48, 16, 48), ("c", 16): (16, 40, 16, 40),
    ("c", 20): (24, 40, 24, 40), ("c", 24): (24, 32, 24, 32), ("c", 28): (32, 32, 32, 32),
    ("s", 8): (8, 56, 8, 56), ("s", 12): (8, 48, 8, 48), ("s", 16): (16, 48, 16, 48),
    ("s", 20): (16, 48, 16, 48), ("s", 24): (16, 40, 16, 40), ("s", 28): (24, 40, 24, 40),
    ("s", 32): (24, 40, 24, 40),
    ("t", 8): (8, 56, 8, 56), ("t", 12): (16, 48, 16, 56), ("t", 16): (16, 48, 16, 48),
    ("t", 20): (24, 40, 24, 48), ("t", 24): (24, 40, 24, 48), ("t", 28): (24, 32, 32, 48),
    ("t", 32): (32, 32, 32, 40),
}


@dataclass(frozen=True, order=True)
class Primitive:
    """One shape: `kind` c / s / t, centre column `x`, centre row `y`, size `r`."""

    kind: str
    x: int
    y: int
    r: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise NesyInputError(f"unknown primitive {self.kind!r} (expected one of {', '.join(KINDS)})")
        low, high = COORDINATE_RANGE
        if not (low <= self.x <= high and low <= self.y <= high and SIZE_RANGE[0] <= self.r <= SIZE_RANGE[1]):
            raise NesyInputError(f"primitive {self}: x and y must lie in {low}..{high} and r in "
                                 f"{SIZE_RANGE[0]}..{SIZE_RANGE[1]}")

    def __str__(self) -> str:
        return f"{self.kind}({self.x},{self.y},{self.r})"

    @property
    def in_vocabulary(self) -> bool:
        """Is this one of CSGNet's 396 terminals?"""
        return self in VOCABULARY_INDEX

    @property
    def token(self) -> int:
        """Its index in CSGNet's vocabulary (a NesyInputError for a primitive off the grid)."""
        try:
            return VOCABULARY_INDEX[self]
        except KeyError:
            raise NesyInputError(f"{self} is not one of CSGNet's {len(VOCABULARY)} primitives") from None

    @property
    def image(self) -> np.ndarray:
        """The bool (64, 64) image CSGNet draws for it."""
        return _draw(self).copy()


def _vocabulary() -> tuple[Primitive, ...]:
    shapes = [Primitive(kind, x, y, r) for (kind, r), (x0, x1, y0, y1) in _VOCABULARY_RULES.items()
              for x in range(x0, x1 + 1, GRID) for y in range(y0, y1 + 1, GRID)]
    return tuple(sorted(shapes, key=str))      # CSGNet's token list is sorted as text


VOCABULARY: tuple[Primitive, ...] = _vocabulary()
VOCABULARY_INDEX: dict[Primitive, int] = {p: i for i, p in enumerate(VOCABULARY)}


@lru_cache(maxsize=4096)
def _draw(primitive: Primitive) -> np.ndarray:
    kind, x, y, r = primitive.kind, primitive.x, primitive.y, primitive.r
    if kind == "c":
        return _disk(x, y, r)
    if kind == "s":
        half = r * 1.412 / 2.0
        cols = [int(x - half), int(x + half), int(x + half), int(x - half)]
        rows = [int(y + half), int(y + half), int(y - half), int(y - half)]
    else:
        length = 1.732 * r
        rows = [int(y + length / (2 * 1.732)), int(y + length / (2 * 1.732)), int(y - length / 1.732)]
        cols = [int(x - length / 2.0), int(x + length / 2.0), x]
    image = _filled_polygon(rows, cols)
    _draw_outline(image, rows, cols)
    return image


def _disk(x: int, y: int, r: int) -> np.ndarray:
    rows, cols = np.ogrid[0:SIZE, 0:SIZE]
    return ((cols - x) / r) ** 2 + ((rows - y) / r) ** 2 < 1


def _filled_polygon(rows: list[int], cols: list[int]) -> np.ndarray:
    """Pixels whose centre is inside the polygon (even-odd crossings) or on its boundary."""
    r, c = np.ogrid[0:SIZE, 0:SIZE]
    r = r.astype(float)
    c = c.astype(float)
    inside = np.zeros((SIZE, SIZE), dtype=bool)
    on_edge = np.zeros((SIZE, SIZE), dtype=bool)
    count = len(rows)
    for i in range(count):
        j = i - 1
        ri, ci, rj, cj = float(rows[i]), float(cols[i]), float(rows[j]), float(cols[j])
        spans = ((ri <= r) & (r < rj)) | ((rj <= r) & (r < ri))
        if ri != rj:
            with np.errstate(divide="ignore", invalid="ignore"):
                crossing = c < (cj - ci) * (r - ri) / (rj - ri) + ci
            inside ^= spans & crossing
        cross = (cj - ci) * (r - ri) - (rj - ri) * (c - ci)
        within = (np.minimum(ri, rj) <= r) & (r <= np.maximum(ri, rj)) & \
                 (np.minimum(ci, cj) <= c) & (c <= np.maximum(ci, cj))
        on_edge |= within & (cross == 0)
    return inside | on_edge


def _draw_outline(image: np.ndarray, rows: list[int], cols: list[int]) -> None:
    """The closed outline, one Bresenham segment from each vertex to the next (as drawn in order)."""
    count = len(rows)
    for i in range(count):
        j = (i + 1) % count
        for rr, cc in _segment(rows[i], cols[i], rows[j], cols[j]):
            if 0 <= rr < SIZE and 0 <= cc < SIZE:
                image[rr, cc] = True


def _segment(r0: int, c0: int, r1: int, c1: int) -> list[tuple[int, int]]:
    """Bresenham's pixels from (r0, c0) to (r1, c1), stepping along the longer axis."""
    steep = abs(r1 - r0) > abs(c1 - c0)
    if steep:
        r0, c0, r1, c1 = c0, r0, c1, r1
    dr, dc = abs(r1 - r0), abs(c1 - c0)
    sr = 1 if r1 - r0 > 0 else -1
    sc = 1 if c1 - c0 > 0 else -1
    r, c, d = r0, c0, 2 * dr - dc
    pixels = []
    for _ in range(dc):
        pixels.append((c, r) if steep else (r, c))
        while d >= 0:
            r += sr
            d -= 2 * dc
        c += sc
        d += 2 * dr
    pixels.append((c1, r1) if steep else (r1, c1))
    return pixels


@lru_cache(maxsize=1)
def vocabulary_masks() -> np.ndarray:
    """The packed canvases of the 396 terminals, (396, 64) uint64, in token order (read-only)."""
    masks = pack(np.stack([_draw(p) for p in VOCABULARY]))
    masks.flags.writeable = False
    return masks
