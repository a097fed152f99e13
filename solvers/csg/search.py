"""Search-only CSG synthesis: a target picture -> a short program whose picture is close to it.

Sub-shapes are built bottom-up, one per distinct canvas (`pool`); a beam grows chains of them
ranked by IoU and the objective (`beam`); the best few are refined by local search (`refine`).
Every answer is drawn again by the DSL's renderer and scored by its metrics, independently of
the canvases search kept. `proposals` (programs from any source, e.g. a neural decoder's beam)
join the first beam and are refined like the others.

>>> from dsl.csg import parse_program, render
>>> answer = synthesize_shape(render(parse_program("s(24,24,16)c(40,40,12)+")), CsgSearchConfig(seconds=0.5))
>>> answer.iou, answer.text
(1.0, 's(24,24,16)c(40,40,12)+')
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import as_image
from dsl.csg.metrics import chamfer, iou
from dsl.csg.render import render, render_packed
from dsl.csg.syntax import print_postfix
from dsl.errors import NesyInputError
from solvers.csg.beam import Candidate, beam_search, score_candidates
from solvers.csg.objective import Objective, TargetScorer
from solvers.csg.pool import build_pool
from solvers.csg.refine import refine


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


@dataclass(frozen=True)
class CsgSearchConfig:
    """Budgets and weights of one search (defaults: CAD shapes at about 1 s each)."""

    seconds: float = 1.0
    beam_width: int = 6
    max_tokens: int = 25             # postfix tokens of an answer (CSGNet's synthetic set: 13)
    pool_size: int = 1500            # pair shapes kept besides the 396 terminals
    length_weight: float = 0.01      # objective: CD + this per token
    refine_share: float = 0.5        # of the time, for local search
    refine_starts: int = 3           # programs local search starts from (more if time is left)
    # refinement may move primitives off CSGNet's grid (integer x, y, r): not CSGNet's vocabulary
    off_grid: bool = False
    # "wall": seconds of the clock on the wall; "cpu": CPU seconds of this process, so that a
    # benchmark on a busy machine measures what an idle core would do in `seconds`
    clock: str = "wall"

    def __post_init__(self) -> None:
        checks = [("seconds", self.seconds > 0), ("beam_width", self.beam_width >= 1),
                  ("max_tokens", self.max_tokens >= 1), ("pool_size", self.pool_size >= 0),
                  ("length_weight", self.length_weight >= 0), ("refine_share", 0 <= self.refine_share <= 1),
                  ("refine_starts", self.refine_starts >= 1), ("clock", self.clock in CLOCKS)]
        for name, ok in checks:
            if not ok:
                raise NesyInputError(f"CSG search: {name} = {getattr(self, name)!r} is out of range")


@dataclass(frozen=True)
class CsgAnswer:
    """A program for a target, scored again from scratch; `exact` when the pictures are equal."""

    program: Program
    text: str                        # CSGNet's postfix
    iou: float
    cd: float
    tokens: int
    seconds: float                   # on the search's clock
    scored: int                      # candidates scored by the objective
    kept: int                        # distinct sub-shapes the pool kept (terminals and pairs)

    @property
    def exact(self) -> bool:
        return self.iou == 1.0


def synthesize_shape(target: np.ndarray, config: CsgSearchConfig = CsgSearchConfig(),
                     proposals: Sequence[Program] = ()) -> CsgAnswer:
    """The best program search finds for a bool (64, 64) target within `config.seconds`."""
    now = CLOCKS[config.clock]
    started = now()
    image = as_image(target, "target")
    deadline = started + config.seconds
    scorer = TargetScorer(image)
    objective = Objective(config.length_weight)
    pool = build_pool(scorer, config.pool_size)
    first = np.argsort(-scorer.iou(pool.packed), kind="stable")[:4 * config.beam_width]
    seeds = score_candidates(scorer, objective, [pool.programs[i] for i in first], pool.packed[first])
    if proposals:
        seeds += score_candidates(scorer, objective, list(proposals), np.stack([render_packed(p) for p in proposals]))
    beam_deadline = started + (1 - config.refine_share) * config.seconds
    kept = beam_search(scorer, pool, objective, config.beam_width, config.max_tokens, beam_deadline, seeds, now)
    starts = _distinct_best(kept, len(kept))
    finished, round_seconds = [], 0.0
    for index, start in enumerate(starts):      # the first few share the time; more while time is left
        if index >= config.refine_starts and now() + round_seconds >= deadline:
            break
        share = (deadline - now()) / max(1, config.refine_starts - index)
        refined, round_seconds = refine(start, scorer, pool, objective, config.max_tokens, now() + share, now,
                                        round_seconds, config.off_grid)
        finished.append(refined)
    best = min(finished, key=lambda c: c.score)
    return _rescored(best.program, image, now() - started, scorer.scored, len(pool))


def _distinct_best(candidates: list[Candidate], count: int) -> list[Candidate]:
    out, seen = [], set()
    for candidate in sorted(candidates, key=lambda c: c.score):
        key = candidate.packed.tobytes()
        if key not in seen:
            seen.add(key)
            out.append(candidate)
        if len(out) == count:
            break
    return out


def _rescored(program: Program, target: np.ndarray, seconds: float, scored: int, kept: int) -> CsgAnswer:
    picture = render(program)
    return CsgAnswer(program, print_postfix(program), float(iou(picture, target)), float(chamfer(picture, target)),
                     program.size, seconds, scored, kept)
