"""Beam search over chains `((a op b) op c) ...`: each step combines every kept program with every
operand of the pool by `+`, `-` and `*`, ranks the results by IoU with the target (cheap, for
thousands), re-ranks the best few by the objective (CD and length), and keeps the best `width`
distinct pictures (observational equivalence: one program per canvas)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import combine_packed, pixel_count
from dsl.csg.ops import combine
from solvers.csg.objective import Objective, TargetScorer
from solvers.csg.pool import OperandPool

OPERATORS = ("+", "-", "*")
IOU_LENGTH_WEIGHT = 0.002      # IoU given up per token when ranking a step's results
RERANK_FACTOR = 4              # results re-ranked by the objective: this many per kept program


@dataclass
class Candidate:
    """A program, its packed picture, its postfix length and its objective (lower is better)."""

    program: Program
    packed: np.ndarray
    tokens: int
    cd: float
    score: float


def score_candidates(scorer: TargetScorer, objective: Objective, programs: list[Program],
                     packed: np.ndarray) -> list[Candidate]:
    cds = scorer.chamfer(packed)
    tokens = np.array([p.size for p in programs])
    scores = objective(cds, tokens)
    return [Candidate(p, m, int(t), float(c), float(s)) for p, m, t, c, s in zip(programs, packed, tokens, cds, scores)]


def beam_search(scorer: TargetScorer, pool: OperandPool, objective: Objective, width: int, max_tokens: int,
                deadline: float, seeds: list[Candidate], now: Callable[[], float]) -> list[Candidate]:
    """Every program the beam kept, at every depth (the caller picks and refines the best);
    `deadline` is on the clock `now`."""
    pool_tokens = pool.tokens()
    beam = sorted(seeds, key=lambda c: c.score)[:width]
    kept = list(beam)
    seen = {c.packed.tobytes() for c in kept}
    last_step = 0.0
    while beam and now() + last_step < deadline:   # a step that would end late is not begun
        step_started = now()
        states = np.stack([c.packed for c in beam])                           # (B, 64)
        state_tokens = np.array([c.tokens for c in beam])
        results = []
        for op_index, name in enumerate(OPERATORS):
            new = combine_packed(name, states[:, None, :], pool.packed[None, :, :])  # (B, M, 64)
            tokens = state_tokens[:, None] + pool_tokens[None, :] + 1
            rank = scorer.iou(new) - IOU_LENGTH_WEIGHT * tokens
            rank[tokens > max_tokens] = -np.inf
            results.append((new, rank))
        rank = np.stack([r for _, r in results])                              # (3, B, M)
        flat = rank.ravel()
        count = min(len(flat), RERANK_FACTOR * width * 3)
        best = np.argpartition(-flat, count - 1)[:count]
        best = best[np.argsort(-flat[best], kind="stable")]
        programs, masks = [], []
        for index in best:
            if not np.isfinite(flat[index]) or len(programs) >= RERANK_FACTOR * width:
                break
            op_index, state, operand = np.unravel_index(index, rank.shape)
            mask = results[op_index][0][state, operand]
            key = mask.tobytes()
            if key in seen or not pixel_count(mask):
                continue
            seen.add(key)
            programs.append(combine(OPERATORS[op_index], beam[state].program, pool.programs[operand]))
            masks.append(mask)
        if not programs:
            break
        scored = score_candidates(scorer, objective, programs, np.stack(masks))
        beam = sorted(scored, key=lambda c: c.score)[:width]
        kept.extend(beam)
        last_step = now() - step_started
    return kept
