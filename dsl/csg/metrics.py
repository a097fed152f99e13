"""IoU and CSGNet's Chamfer distance (CD), batched in numpy.

CD is computed as CSGNet computes it with OpenCV: Canny edges of both images (thresholds 1 and 3,
3x3 Sobel, L1 gradient), the 3x3 chamfer distance transform of each edge map's complement
(OpenCV's DIST_L2 with mask 3: steps 0.955 and 1.3693), and half the sum
of the two directed means (each sum over 0/255 edge maps, divided by the edge sum + 1, as CSGNet
writes it). A blank or full canvas, or one without edges, scores 16.

The Canny and distance transform here are numpy re-implementations of OpenCV's integer
algorithms (for binary images the gradient thresholds make hysteresis trivial: every pixel that
survives non-maximum suppression is an edge), checked against OpenCV in
scripts/csg_check_renderer.py. `chamfer(..., backend="opencv")` uses OpenCV itself when the
optional extra `csg` is installed.
"""
from __future__ import annotations

import numpy as np

from dsl.csg.canvas import SIZE
from dsl.errors import NesyInputError

EMPTY_CD = 16.0                     # CSGNet's score for a blank or full canvas
_AXIAL = float(np.float32(0.955))   # OpenCV's DIST_L2 3x3 steps, as float32 constants
_DIAGONAL = float(np.float32(1.3693))
_FAR = 1e9
_TAN22 = int(0.4142135623730950488016887242097 * (1 << 15) + 0.5)   # OpenCV's CANNY_SHIFT = 15


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """Intersection over union of bool images (..., 64, 64), broadcast; 1 where both are blank."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    inter = np.logical_and(a, b).sum(axis=(-2, -1))
    union = np.logical_or(a, b).sum(axis=(-2, -1))
    result = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
    return float(result) if result.ndim == 0 else result


def _direction_table() -> np.ndarray:
    """OpenCV's gradient direction class for |dx|, |dy| in 0..4 (Sobel of a 0/1 image): 0 across
    columns, 1 across rows, 2 diagonal; its fixed-point tangent test, which scaling by 255 keeps."""
    ax, ay = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    tg22 = ax * _TAN22
    horizontal = (ay << 15) < tg22
    vertical = ~horizontal & ((ay << 15) > tg22 + (ax << 16))
    return np.where(horizontal, 0, np.where(vertical, 1, 2)).astype(np.int8)


_DIRECTIONS = _direction_table()


def canny_edges(images: np.ndarray) -> np.ndarray:
    """OpenCV's `Canny(255 * image, 1, 3)` of bool images (N, 64, 64), as bool edge maps.

    On a binary image every gradient is 0 or at least 255, far above both thresholds, so an
    edge is exactly a pixel with a gradient that survives non-maximum suppression; the work is
    done on the 0/1 image, where OpenCV's comparisons come out the same."""
    images = np.asarray(images, dtype=bool)
    p = np.pad(images.astype(np.int8), ((0, 0), (1, 1), (1, 1)), mode="edge")   # BORDER_REPLICATE
    across = p[:, :, 2:] - p[:, :, :-2]                                        # (N, 66, 64)
    dx = across[:, :-2] + 2 * across[:, 1:-1] + across[:, 2:]
    smooth = p[:, :, :-2] + 2 * p[:, :, 1:-1] + p[:, :, 2:]
    dy = smooth[:, 2:] - smooth[:, :-2]
    ax, ay = np.abs(dx), np.abs(dy)
    m = np.zeros((len(images), SIZE + 2, SIZE + 2), dtype=np.int8)            # zero outside the image
    m[:, 1:-1, 1:-1] = ax + ay
    centre = m[:, 1:-1, 1:-1]

    def at(dr: int, dc: int) -> np.ndarray:
        return m[:, 1 + dr:SIZE + 1 + dr, 1 + dc:SIZE + 1 + dc]

    direction = _DIRECTIONS[ax, ay]
    same_sign = (dx ^ dy) >= 0                    # OpenCV's s = 1: the up-left / down-right diagonal
    keep_h = (centre > at(0, -1)) & (centre >= at(0, 1))
    keep_v = (centre > at(-1, 0)) & (centre >= at(1, 0))
    keep_d = np.where(same_sign, (centre > at(-1, -1)) & (centre > at(1, 1)),
                      (centre > at(-1, 1)) & (centre > at(1, -1)))
    keep = np.where(direction == 0, keep_h, np.where(direction == 1, keep_v, keep_d))
    return (centre > 0) & keep


def distance_transform(edges: np.ndarray) -> np.ndarray:
    """OpenCV's `distanceTransform(~edges, DIST_L2, 3)`: the 3x3 chamfer distance of every pixel
    to the nearest edge pixel, (N, 64, 64) bool -> float64 (N, 64, 64). Two raster passes, each
    row done at once: the row before, then a running minimum along the row. OpenCV adds the steps
    one by one in float32; this sums in float64, so values differ from OpenCV's in the 4th decimal
    at most (the figure is in docs/csg.md)."""
    d = np.where(edges, 0.0, _FAR)
    steps = np.arange(SIZE, dtype=np.float64) * _AXIAL
    for rows, along in ((range(1, SIZE), 1), (range(SIZE - 2, -1, -1), -1)):
        previous = -along
        if along == -1:   # backward pass: the row below first, the bottom row from its right end
            d[:, SIZE - 1] = _along_row(d[:, SIZE - 1], steps, reverse=True)
        else:
            d[:, 0] = _along_row(d[:, 0], steps, reverse=False)
        for i in rows:
            above = d[:, i + previous]
            near = np.minimum(above + _AXIAL, np.minimum(_shift(above, 1), _shift(above, -1)) + _DIAGONAL)
            d[:, i] = _along_row(np.minimum(d[:, i], near), steps, reverse=along == -1)
    return d


def _shift(row: np.ndarray, by: int) -> np.ndarray:
    """row[j - by] at j (far beyond the border)."""
    out = np.full_like(row, _FAR)
    if by > 0:
        out[:, by:] = row[:, :-by]
    else:
        out[:, :by] = row[:, -by:]
    return out


def _along_row(row: np.ndarray, steps: np.ndarray, reverse: bool) -> np.ndarray:
    """min over k before j (after j when reverse) of row[k] + axial * |j - k|."""
    if reverse:
        return _along_row(row[:, ::-1], steps, False)[:, ::-1]
    return np.minimum.accumulate(row - steps, axis=1) + steps


def chamfer(a: np.ndarray, b: np.ndarray, backend: str = "numpy") -> np.ndarray | float:
    """CSGNet's Chamfer distance between bool images (..., 64, 64) (broadcast), in pixels."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    shape = np.broadcast_shapes(a.shape, b.shape)[:-2]
    flat_a = np.broadcast_to(a, shape + (SIZE, SIZE)).reshape(-1, SIZE, SIZE)
    flat_b = np.broadcast_to(b, shape + (SIZE, SIZE)).reshape(-1, SIZE, SIZE)
    if backend == "numpy":
        edges_a, edges_b = canny_edges(flat_a), canny_edges(flat_b)
        distances_a, distances_b = distance_transform(edges_a), distance_transform(edges_b)
    elif backend == "opencv":
        edges_a, edges_b, distances_a, distances_b = _opencv_maps(flat_a, flat_b)
    else:
        raise NesyInputError(f"unknown Chamfer backend {backend!r} (expected numpy or opencv)")
    result = directed_chamfer(distances_a, edges_b) + directed_chamfer(distances_b, edges_a)
    result = result / 2.0
    result[_blank_or_full(flat_a) | _blank_or_full(flat_b)] = EMPTY_CD
    result[~edges_a.any(axis=(1, 2)) | ~edges_b.any(axis=(1, 2))] = EMPTY_CD
    result = result.reshape(shape)
    return float(result) if result.ndim == 0 else result


def directed_chamfer(distances: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """CSGNet's one-way term: sum(D * 255 E) / (sum(255 E) + 1), per image."""
    total = (distances * edges).sum(axis=(-2, -1)) * 255.0
    return total / (255.0 * edges.sum(axis=(-2, -1)) + 1.0)


def _blank_or_full(images: np.ndarray) -> np.ndarray:
    count = images.sum(axis=(1, 2))
    return (count == 0) | (count == SIZE * SIZE)


def _opencv_maps(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    try:
        import cv2
    except ImportError:
        raise NesyInputError("the opencv Chamfer backend needs OpenCV: pip install 'nesy[csg]'") from None

    def maps(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        edges = np.stack([cv2.Canny(image.astype(np.uint8) * 255, 1, 3) for image in images]) > 0
        distances = np.stack([cv2.distanceTransform((~e).astype(np.uint8) * 255, cv2.DIST_L2, 3) for e in edges])
        return edges, distances.astype(np.float64)

    edges_a, distances_a = maps(a)
    edges_b, distances_b = maps(b)
    return edges_a, edges_b, distances_a, distances_b
