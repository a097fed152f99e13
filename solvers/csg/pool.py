"""The operands search combines: sub-shapes built bottom-up (primitives, then pairs of them),
one program per distinct canvas (observational equivalence on pixel masks), ranked by how
well each could add to the target or cut from it.

A shape that helps as `+ S` lies mostly inside the target; one that helps as `- S` mostly
outside it; pairs (`p * q`, `p - q`, `p + q`) make the thin bars and notches single terminals
cannot. The pool keeps the best of each kind, so a beam step scores a few thousand operands.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import pixel_count
from dsl.csg.ops import combine, leaf
from dsl.csg.primitives import VOCABULARY, vocabulary_masks
from solvers.csg.objective import TargetScorer

OUTSIDE_WEIGHT = 2.0        # a pixel put where the target is not costs this many pixels gained


@dataclass
class OperandPool:
    """Sub-shape programs and their packed canvases (M, 64), all canvases distinct."""

    programs: list[Program]
    packed: np.ndarray
    adders: np.ndarray          # operand indices, best first for `S + q` and `S * q`
    cutters: np.ndarray         # operand indices, best first for `S - q`

    def __len__(self) -> int:
        return len(self.programs)

    def tokens(self) -> np.ndarray:
        return np.array([p.size for p in self.programs])


def _relevance(scorer: TargetScorer, packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inside = pixel_count(packed & scorer.packed)
    outside = pixel_count(packed & ~scorer.packed)
    return inside - OUTSIDE_WEIGHT * outside, outside - OUTSIDE_WEIGHT * inside


def build_pool(scorer: TargetScorer, size: int = 1500, pair_primitives: int = 120) -> OperandPool:
    """Every terminal, plus up to `size` distinct pair shapes (half the best for adding, half the
    best for cutting) built from the `pair_primitives` terminals that overlap the target most."""
    masks = vocabulary_masks()
    programs = [leaf(p) for p in VOCABULARY]
    overlap = pixel_count(masks & scorer.packed)
    ranked = np.argsort(-overlap, kind="stable")[:pair_primitives]
    a, b = np.meshgrid(ranked, ranked, indexing="ij")
    a, b = a.ravel(), b.ravel()
    distinct = a != b
    a, b = a[distinct], b[distinct]
    names = np.repeat(np.array(["*", "-", "+"]), len(a))
    firsts, seconds = np.tile(a, 3), np.tile(b, 3)
    left, right = masks[a], masks[b]
    candidates = np.concatenate([left & right, left & ~right, left | right])
    keep = candidates.any(axis=1)
    names, firsts, seconds, candidates = names[keep], firsts[keep], seconds[keep], candidates[keep]
    chosen: list[int] = []
    for score in _relevance(scorer, candidates):      # the best for adding, then for cutting
        order = np.argsort(-score, kind="stable")[:2 * size]      # enough to leave size / 2 distinct
        chosen.extend(order[_first_distinct(candidates[order], size // 2)])
    chosen = np.array(sorted(set(chosen)), dtype=np.int64)
    chosen = chosen[_first_distinct(candidates[chosen], len(chosen), exclude=masks)]
    chosen_programs = [combine(str(names[k]), leaf(VOCABULARY[firsts[k]]), leaf(VOCABULARY[seconds[k]]))
                       for k in chosen]
    chosen_masks = candidates[chosen]
    packed = np.concatenate([masks, chosen_masks])
    adding, cutting = _relevance(scorer, packed)
    return OperandPool(programs + chosen_programs, packed, np.argsort(-adding, kind="stable"),
                       np.argsort(-cutting, kind="stable"))


def _first_distinct(packed: np.ndarray, count: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Indices of the first `count` rows whose canvas differs from every earlier row (and from
    every row of `exclude`)."""
    rows = packed if exclude is None else np.concatenate([exclude, packed])
    _, first = np.unique(rows.view(np.dtype((np.void, rows.shape[1] * 8))).ravel(), return_index=True)
    first = np.sort(first)
    if exclude is not None:
        first = first[first >= len(exclude)] - len(exclude)
    return first[:count]
