"""Symbolic checks of every network output, independent of the networks and of the generators'
own answers where that is possible: copy/recall exactness, sortedness and permutation, convex
hulls by exact integer geometry, tour validity and the gap to the exact optimum.

Each checker takes one instance and one output and returns a `Verdict` with the reason; a failure
report groups verdicts by size and by input feature and keeps the failing inputs.

    >>> check_sort([0.3, 0.1, 0.2], [2, 3, 1]).ok
    True
    >>> check_sort([0.3, 0.1, 0.2], [2, 1, 3]).reason
    'not sorted at output position 3: 0.2 after 0.3'
    >>> check_hull([(0, 0), (4, 0), (0, 4), (1, 1)], [1, 2, 3]).ok
    True
    >>> check_hull([(0, 0), (4, 0), (0, 4), (1, 1)], [1, 2, 4, 3]).reason
    'not strictly convex at vertex 4 (point (1, 1))'
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    gap: float | None = None        # TSP: tour length / optimum - 1

    def __bool__(self) -> bool:
        return self.ok


OK = Verdict(True)


def check_bits(targets: np.ndarray, outputs: np.ndarray) -> Verdict:
    """Copy, repeat copy, recall: the output bits (T x W, 0/1) equal the targets exactly."""
    targets, outputs = np.asarray(targets) > 0.5, np.asarray(outputs) > 0.5
    if targets.shape != outputs.shape:
        return Verdict(False, f"output shape {outputs.shape} is not the target's {targets.shape}")
    wrong = np.argwhere(targets != outputs)
    if len(wrong):
        step, bit = wrong[0]
        return Verdict(False, f"{len(wrong)} wrong bits, first at step {step + 1} bit {bit + 1}")
    return OK


def _as_permutation(pointers: Sequence[int], n: int) -> Verdict:
    indices = list(pointers)
    if any(not 1 <= p <= n for p in indices):
        bad = next(p for p in indices if not 1 <= p <= n)
        return Verdict(False, f"pointer {bad} is outside 1..{n}")
    if sorted(indices) != list(range(1, n + 1)):
        missing = sorted(set(range(1, n + 1)) - set(indices))
        repeated = sorted({p for p in indices if indices.count(p) > 1})
        return Verdict(False, f"not a permutation: missing {missing[:5]}, repeated {repeated[:5]}")
    return OK


def check_sort(values: Sequence[float], pointers: Sequence[int]) -> Verdict:
    """pointers (1-based) name every value once, in non-decreasing order of value."""
    verdict = _as_permutation(pointers, len(values))
    if not verdict:
        return verdict
    ordered = [values[p - 1] for p in pointers]
    for i in range(1, len(ordered)):
        if ordered[i] < ordered[i - 1]:
            return Verdict(False, f"not sorted at output position {i + 1}: {ordered[i]:.3g} after {ordered[i - 1]:.3g}")
    return OK


def check_reverse(tokens: Sequence, pointers: Sequence[int]) -> Verdict:
    """The pointed-at tokens are the input's tokens last to first (equal tokens may swap)."""
    verdict = _as_permutation(pointers, len(tokens))
    if not verdict:
        return verdict
    got = [tokens[p - 1] for p in pointers]
    want = list(tokens)[::-1]
    if got != want:
        first = next(i for i, (a, b) in enumerate(zip(got, want)) if a != b)
        return Verdict(False, f"output position {first + 1} is {got[first]}, the reverse has {want[first]}")
    return OK


def _cross(o, a, b) -> int:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def check_hull(points: Sequence[Sequence[int]], pointers: Sequence[int]) -> Verdict:
    """pointers (1-based) are the strict convex hull's vertices in counter-clockwise order, from
    any start: exact integer cross products, no floating point. Strictly convex at every vertex
    (collinear boundary points are not vertices), every point inside or on the boundary, and every
    extreme point present (a strictly convex polygon containing all points has all of them)."""
    pts = [(int(x), int(y)) for x, y in points]
    n = len(pts)
    if any(not 1 <= p <= n for p in pointers):
        return Verdict(False, f"pointer {next(p for p in pointers if not 1 <= p <= n)} is outside 1..{n}")
    if len(set(pointers)) != len(pointers):
        return Verdict(False, f"a vertex repeats: {[p for p in pointers if list(pointers).count(p) > 1][0]}")
    if len(pointers) < 3:
        return Verdict(False, f"{len(pointers)} vertices: a hull of points not all on a line has at least 3")
    ring = [pts[p - 1] for p in pointers]
    k = len(ring)
    for i in range(k):
        if _cross(ring[i - 1], ring[i], ring[(i + 1) % k]) <= 0:
            return Verdict(False, f"not strictly convex at vertex {pointers[i]} (point {ring[i]})")
    # a locally convex ring could still wind twice: the turning must total one turn
    if _winding_turns(ring) != 1:
        return Verdict(False, "the vertices wind around more than once")
    for index, p in enumerate(pts, start=1):
        for i in range(k):
            if _cross(ring[i], ring[(i + 1) % k], p) < 0:
                return Verdict(False, f"point {index} {p} lies outside edge {pointers[i]}-{pointers[(i + 1) % k]}")
    return OK


def _winding_turns(ring: list[tuple[int, int]]) -> int:
    """How many times a ring of left turns goes around: its edges' directions, sorted by angle
    exactly (half-plane, then cross product), must appear in cyclic order once."""
    edges = [(ring[(i + 1) % len(ring)][0] - ring[i][0], ring[(i + 1) % len(ring)][1] - ring[i][1])
             for i in range(len(ring))]
    descents = 0
    for i in range(len(edges)):
        a, b = edges[i], edges[(i + 1) % len(edges)]
        # the angle of b below the angle of a (in [0, 2 pi)) means the turning passed 2 pi once
        if _angle_key(b) < _angle_key(a):
            descents += 1
    return descents


def _angle_key(v: tuple[int, int]) -> tuple[int, int, Fraction]:
    """Exact order of direction angles in [0, 2 pi): the half (0: angles [0, pi), 1: [pi, 2 pi)),
    then the half's first direction, then a fraction that grows with the angle inside the half
    (-cot in the upper half, where cot falls from +inf to -inf; likewise in the lower half)."""
    x, y = v
    half = 0 if (y > 0 or (y == 0 and x > 0)) else 1
    if y == 0:
        return (half, 0, Fraction(0))
    return (half, 1, Fraction(-x, y))


def check_tour(points: Sequence[Sequence[int]], pointers: Sequence[int], optimum: float | None = None,
               tolerance: float = 1e-9) -> Verdict:
    """pointers (1-based) visit every city exactly once; with the optimum's length, the gap."""
    verdict = _as_permutation(pointers, len(points))
    if not verdict:
        return verdict
    from nesy.induction.tasks import tour_lengths
    length = float(tour_lengths(np.asarray(points)[None], np.asarray(pointers)[None] - 1)[0])
    if optimum is None:
        return Verdict(True, gap=None)
    gap = length / optimum - 1
    if gap < -tolerance:
        return Verdict(False, f"tour {length:.6f} is shorter than the 'optimum' {optimum:.6f}: the optimum is wrong", gap)
    return Verdict(True, "" if gap <= tolerance else f"valid, {100 * gap:.2f}% above optimal", gap)


# --- failure reports ---------------------------------------------------------------------------

@dataclass
class FailureReport:
    """Verdicts grouped by size (length / n) and by an input feature, failing inputs kept.
    A verdict counts as exact when it is ok with no reason (a valid but longer tour is not)."""

    task: str
    by_size: dict[int, list[int]] = field(default_factory=dict)            # size -> [exact, total]
    by_feature: dict[str, list[int]] = field(default_factory=dict)         # feature value -> [exact, total]
    failures: list[dict] = field(default_factory=list)
    keep: int = 50

    def add(self, size: int, feature: str, verdict: Verdict, instance: dict) -> None:
        exact = verdict.ok and not verdict.reason
        for table, key in ((self.by_size, size), (self.by_feature, feature)):
            row = table.setdefault(key, [0, 0])
            row[0] += int(exact)
            row[1] += 1
        if not exact and len(self.failures) < self.keep:
            self.failures.append({**instance, "size": size, "feature": feature, "reason": verdict.reason})

    def exact(self, size: int) -> float:
        right, total = self.by_size.get(size, (0, 0))
        return right / total if total else float("nan")

    def as_dict(self) -> dict:
        return {"task": self.task,
                "by_size": {str(k): {"exact": v[0], "total": v[1]} for k, v in sorted(self.by_size.items())},
                "by_feature": {k: {"exact": v[0], "total": v[1]} for k, v in sorted(self.by_feature.items())},
                "failures": self.failures}

    def save(self, path: str | Path) -> None:
        from nesy.commands.options import write_atomically
        write_atomically(path, json.dumps(self.as_dict(), indent=1, default=to_plain))

    def __str__(self) -> str:
        lines = [f"{self.task}: exact answers by size"]
        lines += [f"  {k:>4}: {v[0]}/{v[1]} ({100 * v[0] / v[1]:.1f}%)" for k, v in sorted(self.by_size.items())]
        lines.append("  by input feature:")
        lines += [f"    {k}: {v[0]}/{v[1]}" for k, v in sorted(self.by_feature.items())]
        if self.failures:
            lines.append(f"  first failure: {self.failures[0]['reason']}")
        return "\n".join(lines)


def to_plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON: {type(value)}")


def features_bits(bits: np.ndarray) -> str:
    """A copy input's feature: the share of ones, in bands."""
    share = float(np.asarray(bits).mean())
    return "ones<40%" if share < 0.4 else "ones>60%" if share > 0.6 else "ones 40-60%"


def features_gap(values: Iterable[float]) -> str:
    """A sort input's feature: the smallest gap between two values, in bands."""
    v = np.sort(np.asarray(list(values), dtype=np.float64))
    gap = float(np.diff(v).min()) if len(v) > 1 else 1.0
    return "min gap<0.001" if gap < 1e-3 else "min gap<0.01" if gap < 1e-2 else "min gap>=0.01"


def features_hull(points: np.ndarray, hull_size: int) -> str:
    """A hull input's feature: how many of its points are hull vertices."""
    return f"hull {hull_size} of {len(points)}" if len(points) <= 10 else \
        f"hull share {'<20%' if hull_size / len(points) < 0.2 else '>=20%'}"
