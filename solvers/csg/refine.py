"""Local search from a program: at every place of it, try each pool operand instead of the
sub-program there, the sub-program combined with each operand (`S + q`, `S - q`, `S * q`),
its children alone (a shorter program), and for a primitive its neighbours on CSGNet's grid, or
moved by a few pixels with `off_grid` (CSGNet's visually guided refinement of primitive
parameters). Every edit of a round is drawn
at once (`solvers.csg.edits`), ranked by IoU, the best few by the objective; the best edit that
improves the objective is taken, and rounds go on until none does or time is up."""
from __future__ import annotations

from typing import Callable

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import combine_packed
from dsl.csg.ops import combine, leaf
from dsl.csg.primitives import GRID, SIZE_STEP, Primitive
from dsl.csg.render import render_packed
from solvers.csg.beam import IOU_LENGTH_WEIGHT, OPERATORS, Candidate, score_candidates
from solvers.csg.edits import Place, places, replace_at
from solvers.csg.objective import Objective, TargetScorer
from solvers.csg.pool import OperandPool

RERANK = 48                  # edits of a round scored by the objective
GRAFTS = 400                 # operands tried per operator when growing a place (`S op q`)
OFF_GRID_STEPS = (1, 2, 4)   # pixels a parameter moves by when refinement may leave the grid


def grid_neighbours(primitive: Primitive, off_grid: bool = False) -> list[Primitive]:
    """The terminals one grid step away (x, y by 8, r by 4) and the other kinds at the same spot;
    with `off_grid`, also every parameter moved by 1, 2 and 4 pixels (integers off CSGNet's grid,
    as CSGNet's own refinement leaves its grid)."""
    kind, x, y, r = primitive.kind, primitive.x, primitive.y, primitive.r
    steps = [(GRID, 0, 0), (0, GRID, 0), (0, 0, SIZE_STEP)]
    if off_grid:
        steps += [(d, 0, 0) for d in OFF_GRID_STEPS] + [(0, d, 0) for d in OFF_GRID_STEPS] + \
                 [(0, 0, d) for d in OFF_GRID_STEPS]
    options = [(kind, x + sign * dx, y + sign * dy, r + sign * dr) for dx, dy, dr in steps for sign in (1, -1)]
    options += [(other, x, y, r) for other in "cst" if other != kind]
    out = []
    for option in dict.fromkeys(options):
        try:
            candidate = Primitive(*option)
        except ValueError:
            continue
        if off_grid or candidate.in_vocabulary:
            out.append(candidate)
    return out


def _edits(program: Program, pool: OperandPool, pool_tokens: np.ndarray, max_tokens: int, off_grid: bool):
    """(pictures (N, 64), tokens (N,), build(i) -> Program) of every edit of `program`."""
    pictures, tokens, builders = [], [], []
    total = program.size
    for path, sub in places(program):
        place = Place.of(program, path, sub)
        sub_value = render_packed(sub)
        rest = total - sub.size
        # the pool instead of the sub-program
        pictures.append(place.pictures(pool.packed))
        tokens.append(rest + pool_tokens)
        builders.append(lambda i, path=path: replace_at(program, path, pool.programs[i]))
        # the sub-program combined with the pool
        if total + 1 + pool_tokens.min() <= max_tokens:
            for name in OPERATORS:
                chosen = (pool.cutters if name == "-" else pool.adders)[:GRAFTS]
                pictures.append(place.pictures(combine_packed(name, sub_value[None], pool.packed[chosen])))
                tokens.append(total + 1 + pool_tokens[chosen])
                builders.append(lambda i, path=path, sub=sub, name=name, chosen=chosen:
                                replace_at(program, path, combine(name, sub, pool.programs[chosen[i]])))
        # smaller: a child alone; nearby: grid neighbours of a primitive
        local = list(sub.children) if sub.children else [leaf(p) for p in grid_neighbours(sub.head.value, off_grid)]
        if local:
            values = np.stack([render_packed(p) for p in local])
            pictures.append(place.pictures(values))
            tokens.append(rest + np.array([p.size for p in local]))
            builders.append(lambda i, path=path, local=local: replace_at(program, path, local[i]))
    sizes = np.cumsum([0] + [len(t) for t in tokens])

    def build(index: int) -> Program:
        group = int(np.searchsorted(sizes, index, side="right") - 1)
        return builders[group](int(index - sizes[group]))

    return np.concatenate(pictures), np.concatenate(tokens), build


def refine(start: Candidate, scorer: TargetScorer, pool: OperandPool, objective: Objective, max_tokens: int,
           deadline: float, now: Callable[[], float], round_seconds: float = 0.0,
           off_grid: bool = False) -> tuple[Candidate, float]:
    """The best program local search reaches from `start` before `deadline`, and the longest
    round it took (`round_seconds`: the longest known so far; a round that would end after the
    deadline is not begun)."""
    pool_tokens = pool.tokens()
    current = start
    while now() + round_seconds < deadline:
        round_started = now()
        pictures, tokens, build = _edits(current.program, pool, pool_tokens, max_tokens, off_grid)
        rank = scorer.iou(pictures) - IOU_LENGTH_WEIGHT * tokens
        rank[tokens > max_tokens] = -np.inf
        order = np.argsort(-rank, kind="stable")
        chosen, seen = [], {current.packed.tobytes()}
        for index in order:
            if len(chosen) >= RERANK or not np.isfinite(rank[index]):
                break
            key = pictures[index].tobytes()
            if key not in seen:
                seen.add(key)
                chosen.append(index)
        if not chosen:
            break
        programs = [build(i) for i in chosen]
        best = min(score_candidates(scorer, objective, programs, pictures[chosen]), key=lambda c: c.score)
        round_seconds = max(round_seconds, now() - round_started)
        if best.score >= current.score - 1e-9:
            break
        current = best
    return current, round_seconds

