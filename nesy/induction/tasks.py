"""Seeded generators of the algorithmic tasks: the NTM's copy, repeat copy and associative recall
(Graves et al. 2014, section 4) and the Pointer Network's sorting, planar convex hull and small TSP
(Vinyals et al. 2015).

Every generator takes a `numpy.random.Generator` and returns plain arrays; the models' own
encodings (delimiter channels, pointer targets) are made here too, so a task is one place.

    >>> import numpy as np
    >>> batch = copy_batch(np.random.default_rng(0), 2, 3)
    >>> batch.inputs.shape, batch.targets.shape, batch.output_start
    ((2, 7, 9), (2, 3, 8), 4)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsl.errors import NesyInputError

WIDTH = 8          # bits per vector (the paper's copy setting)
HULL_GRID = 10_000  # hull and TSP points are integers in [0, HULL_GRID): exact geometry on them


@dataclass(frozen=True)
class SequenceBatch:
    """An NTM batch: inputs B x T_in x C, targets B x T_out x W read at steps output_start.. ."""

    inputs: np.ndarray
    targets: np.ndarray
    output_start: int


def _check_length(length: int, name: str = "length") -> None:
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise NesyInputError(f"{name} must be a whole number of at least 1, got {length!r}")


def random_bits(rng: np.random.Generator, batch: int, length: int, width: int = WIDTH) -> np.ndarray:
    return rng.integers(0, 2, size=(batch, length, width)).astype(np.float32)


def copy_inputs(bits: np.ndarray) -> SequenceBatch:
    """The copy task for given bit vectors B x T x W: the vectors, a delimiter step (its own
    channel), then T blank steps during which the vectors must be written out."""
    batch, length, width = bits.shape
    inputs = np.zeros((batch, 2 * length + 1, width + 1), np.float32)
    inputs[:, :length, :width] = bits
    inputs[:, length, width] = 1.0
    return SequenceBatch(inputs, bits.astype(np.float32), length + 1)


def copy_batch(rng: np.random.Generator, batch: int, length: int, width: int = WIDTH) -> SequenceBatch:
    _check_length(length)
    return copy_inputs(random_bits(rng, batch, length, width))


def repeat_copy_batch(rng: np.random.Generator, batch: int, length: int, repeats: int, width: int = WIDTH,
                      max_repeats: int = 10) -> SequenceBatch:
    """Repeat copy: the vectors, then a step whose repeat channel holds repeats / max_repeats;
    the target is the vectors `repeats` times, then an end marker (an extra output channel)."""
    _check_length(length)
    _check_length(repeats, "repeats")
    bits = random_bits(rng, batch, length, width)
    steps_out = length * repeats + 1
    inputs = np.zeros((batch, length + 1 + steps_out, width + 2), np.float32)
    inputs[:, :length, :width] = bits
    inputs[:, length, width] = 1.0
    inputs[:, length, width + 1] = repeats / max_repeats
    targets = np.zeros((batch, steps_out, width + 1), np.float32)
    targets[:, :-1, :width] = np.tile(bits, (1, repeats, 1))
    targets[:, -1, width] = 1.0
    return SequenceBatch(inputs, targets, length + 1)


def associative_recall_batch(rng: np.random.Generator, batch: int, items: int, item_length: int = 3,
                             width: int = 6) -> SequenceBatch:
    """Associative recall: `items` items of item_length vectors each, separated by delimiter steps
    (channel width), then a query item between query delimiters (channel width + 1); the target
    is the item that followed the query in the list."""
    _check_length(items, "items")
    if items < 2:
        raise NesyInputError(f"associative recall needs at least 2 items, got {items}")
    data = random_bits(rng, batch, items * item_length, width).reshape(batch, items, item_length, width)
    query = rng.integers(0, items - 1, size=batch)
    steps_in = items * (item_length + 1) + item_length + 2
    inputs = np.zeros((batch, steps_in + item_length, width + 2), np.float32)
    for i in range(items):
        start = i * (item_length + 1)
        inputs[:, start, width] = 1.0
        inputs[:, start + 1:start + 1 + item_length, :width] = data[:, i]
    q = items * (item_length + 1)
    inputs[:, q, width + 1] = 1.0
    inputs[:, q + 1:q + 1 + item_length, :width] = data[np.arange(batch), query]
    inputs[:, q + 1 + item_length, width + 1] = 1.0
    targets = data[np.arange(batch), query + 1]
    return SequenceBatch(inputs, targets, steps_in)


# --- Pointer Network tasks ---------------------------------------------------------------------

@dataclass(frozen=True)
class PointerBatch:
    """A Pointer Network batch: inputs B x n x F (floats the network reads), the exact values the
    checkers use (B x n integers for hulls and tours, floats for sorting), targets B x m pointer
    indices into 1..n (0 is the end-of-output token), padded with -1 past each answer's end."""

    inputs: np.ndarray
    exact: np.ndarray
    targets: np.ndarray


def sort_batch(rng: np.random.Generator, batch: int, n: int) -> PointerBatch:
    """n numbers uniform in [0, 1); the target points at them in increasing order (ties cannot
    happen with floats in practice; `argsort` is stable if they do)."""
    _check_length(n, "n")
    values = rng.random((batch, n)).astype(np.float32)
    order = np.argsort(values, axis=1, kind="stable") + 1
    targets = np.concatenate([order, np.zeros((batch, 1), np.int64)], axis=1)
    return PointerBatch(values[:, :, None], values, targets)


def reverse_batch(rng: np.random.Generator, batch: int, n: int, vocab: int = 256) -> PointerBatch:
    """n tokens 0..vocab-1 (fed as t / vocab); the target points at them last to first."""
    _check_length(n, "n")
    tokens = rng.integers(0, vocab, size=(batch, n))
    order = np.tile(np.arange(n, 0, -1), (batch, 1))
    targets = np.concatenate([order, np.zeros((batch, 1), np.int64)], axis=1)
    return PointerBatch((tokens / vocab).astype(np.float32)[:, :, None], tokens, targets)


def random_points(rng: np.random.Generator, batch: int, n: int) -> np.ndarray:
    """B x n x 2 distinct integer points in [0, HULL_GRID)^2."""
    points = rng.integers(0, HULL_GRID, size=(batch, n, 2))
    for b in range(batch):   # redraw the (rare) repeated points so every instance has n distinct ones
        while len({tuple(p) for p in points[b]}) < n:
            points[b] = rng.integers(0, HULL_GRID, size=(n, 2))
    return points


def convex_hull(points: np.ndarray) -> list[int]:
    """Indices (0-based) of the strict hull vertices (collinear boundary points left out),
    counter-clockwise, starting from the lowest index: Andrew's monotone chain on exact integers."""
    pts = [(int(x), int(y), i) for i, (x, y) in enumerate(points)]
    pts.sort()
    if len(pts) < 3:
        return sorted(p[2] for p in pts)

    def cross(o, a, b) -> int:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ring = [p[2] for p in lower[:-1] + upper[:-1]]
    start = ring.index(min(ring))
    return ring[start:] + ring[:start]


def hull_batch(rng: np.random.Generator, batch: int, n: int) -> PointerBatch:
    if not isinstance(n, (int, np.integer)) or n < 3:
        raise NesyInputError(f"convex hull needs n >= 3 points, got {n!r}")
    points = random_points(rng, batch, n)
    hulls = [convex_hull(p) for p in points]
    width = max(len(h) for h in hulls) + 1
    targets = np.full((batch, width), -1, np.int64)
    for b, hull in enumerate(hulls):
        targets[b, :len(hull)] = np.array(hull) + 1
        targets[b, len(hull)] = 0
    return PointerBatch((points / HULL_GRID).astype(np.float32), points, targets)


def tour_lengths(points: np.ndarray, tours: np.ndarray) -> np.ndarray:
    """points B x n x 2, tours B x n (0-based, a closed tour) -> B lengths in units of the grid."""
    ordered = np.take_along_axis(points.astype(np.float64), tours[:, :, None], axis=1)
    steps = ordered - np.roll(ordered, -1, axis=1)
    return np.sqrt((steps ** 2).sum(-1)).sum(-1) / HULL_GRID


def optimal_tours(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact TSP optimum by Held-Karp dynamic programming, vectorised over the batch.

    points B x n x 2 (n <= 12) -> tours B x n (0-based, starting at city 0, the smaller neighbour of
    city 0 second: one tour per cycle) and their lengths (grid units / HULL_GRID)."""
    batch, n, _ = points.shape
    if n > 12:
        raise NesyInputError(f"exact TSP by dynamic programming is for n <= 12 cities, got {n}")
    p = points.astype(np.float64) / HULL_GRID
    dist = np.sqrt(((p[:, :, None, :] - p[:, None, :, :]) ** 2).sum(-1))          # B x n x n
    if n <= 3:
        tours = np.tile(np.arange(n), (batch, 1))
        return tours, tour_lengths(points, tours)
    full = 1 << (n - 1)   # subsets of cities 1..n-1; bit k-1 stands for city k
    cost = np.full((batch, full, n), np.inf)
    parent = np.zeros((batch, full, n), np.int64)
    for k in range(1, n):
        cost[:, 1 << (k - 1), k] = dist[:, 0, k]
    for subset in range(1, full):
        members = [k for k in range(1, n) if subset >> (k - 1) & 1]
        if len(members) < 2:
            continue
        for k in members:
            rest = subset ^ (1 << (k - 1))
            before = [j for j in members if j != k]
            options = cost[:, rest, before] + dist[:, before, k]                          # B x |before|
            best = options.argmin(axis=1)
            cost[:, subset, k] = options[np.arange(batch), best]
            parent[:, subset, k] = np.array(before)[best]
    closing = cost[:, full - 1, 1:] + dist[:, 1:, 0]
    last = closing.argmin(axis=1) + 1
    tours = np.zeros((batch, n), np.int64)
    for b in range(batch):
        subset, city, path = full - 1, last[b], []
        while city != 0:
            path.append(city)
            city, subset = parent[b, subset, city], subset ^ (1 << (city - 1))
        path.reverse()
        tour = [0] + path
        if tour[1] > tour[-1]:          # the same cycle the other way round
            tour = [0] + tour[1:][::-1]
        tours[b] = tour
    return tours, tour_lengths(points, tours)


def tsp_batch(rng: np.random.Generator, batch: int, n: int) -> PointerBatch:
    if not isinstance(n, (int, np.integer)) or n < 3:
        raise NesyInputError(f"TSP needs n >= 3 cities, got {n!r}")
    points = random_points(rng, batch, n)
    tours, _ = optimal_tours(points)
    targets = np.concatenate([tours + 1, np.zeros((batch, 1), np.int64)], axis=1)
    return PointerBatch((points / HULL_GRID).astype(np.float32), points, targets)
