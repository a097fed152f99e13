"""The neural proposer's programs as search's seeds (issue 13: bottom-up search seeded and ordered
by the network's proposals, then local search).

`guided_shape` decodes the proposer's beams for the target (10 programs of each length 3, 5, ...,
13, `PROPOSAL_LENGTHS`) and hands them to
`synthesize_shape(..., proposals=...)`, which scores them with the pool's best shapes in its first
beam and refines the best distinct ones; decoding comes out of the same time budget, so guided
and search-only runs compare at equal time. `network_only` is CSGNet's own answer: of the beams,
the program whose picture is closest by the objective (CD + length), with no search (CSGNet's
single beam of 10 is `lengths=None`).

>>> from dsl.csg import parse_program, render
>>> answer = guided_shape(render(parse_program("s(24,24,16)c(40,40,12)+")), CsgSearchConfig(seconds=0.5))
>>> answer.iou
1.0
"""
from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import as_image
from dsl.csg.generator import LENGTHS
from dsl.csg.metrics import chamfer, iou
from dsl.csg.render import render, render_packed
from dsl.csg.syntax import print_postfix
from dsl.csg.tokens import from_tokens
from solvers.csg.beam import score_candidates
from solvers.csg.objective import Objective, TargetScorer
from solvers.csg.search import CLOCKS, CsgAnswer, CsgSearchConfig, synthesize_shape

if TYPE_CHECKING:
    from solvers.csg.bench import Solver

SHIPPED_WEIGHTS = Path(__file__).resolve().parents[2] / "datasets" / "csg" / "proposer.pt"
BEAM = 10                          # CSGNet's beam width
# beams of exactly these lengths (one batch): a plain beam ends at 3-5 tokens, as each token costs
# probability; 10 per length took CAD's network-only CD from 3.16 to 2.62 (BENCHMARKS.md)
PROPOSAL_LENGTHS = LENGTHS
# proposals that join search's first beam (of 6): all 60 crowded out the pool's seeds and did worse
# on CAD (49 shapes worse, 27 better than search only)
PROPOSALS_KEPT = 2
# what `--guide default` runs: search only, since the shipped proposer did not pay at equal time
# (BENCHMARKS.md, "2D CSG: the neural proposer")
DEFAULT_GUIDE = "none"


@functools.lru_cache(maxsize=4)
def _model(weights: str):
    import torch

    from nesy.csg.model import load_proposer

    torch.set_num_threads(1)       # one search per core: bench workers must not fight over threads
    return load_proposer(weights)[0]


def propose(target: np.ndarray, weights: str | Path = SHIPPED_WEIGHTS, width: int = BEAM,
            lengths: Sequence[int] | None = None) -> list[Program]:
    """The proposer's `width` best valid programs for a bool (64, 64) picture, most likely first;
    with `lengths`, `width` programs of each of these lengths (one batch), shortest first."""
    from nesy.csg.model import beam_search

    image = as_image(target, "target")
    if lengths is None:
        beams = beam_search(_model(str(weights)), image[None], width)
    else:
        beams = beam_search(_model(str(weights)), np.repeat(image[None], len(lengths), 0), width, lengths=lengths)
    return [from_tokens(tokens) for beam in beams for tokens, _ in beam]


def network_only(target: np.ndarray, config: CsgSearchConfig = CsgSearchConfig(),
                 weights: str | Path = SHIPPED_WEIGHTS, width: int = BEAM,
                 lengths: Sequence[int] | None = PROPOSAL_LENGTHS) -> CsgAnswer:
    """The beam's program closest to the target by the objective (no search; `config.seconds` unused)."""
    now = CLOCKS[config.clock]
    started = now()
    image = as_image(target, "target")
    best = _ranked(image, propose(image, weights, width, lengths), config)[0]
    picture = render(best)
    return CsgAnswer(best, print_postfix(best), float(iou(picture, image)), float(chamfer(picture, image)),
                     best.size, now() - started, len(lengths or [0]) * width, 0)


def _ranked(image: np.ndarray, programs: list[Program], config: CsgSearchConfig) -> list[Program]:
    """Programs by the search's objective (CD + length), best first."""
    candidates = score_candidates(TargetScorer(image), Objective(config.length_weight), programs,
                                  np.stack([render_packed(p) for p in programs]))
    return [c.program for c in sorted(candidates, key=lambda c: c.score)]


def guided_shape(target: np.ndarray, config: CsgSearchConfig = CsgSearchConfig(),
                 weights: str | Path = SHIPPED_WEIGHTS, width: int = BEAM,
                 lengths: Sequence[int] | None = PROPOSAL_LENGTHS) -> CsgAnswer:
    """Search seeded with the proposer's beam, all within `config.seconds` (decoding included)."""
    now = CLOCKS[config.clock]
    started = now()
    image = as_image(target, "target")
    proposals = [p for p in propose(image, weights, width, lengths) if p.size <= config.max_tokens]
    proposals = _ranked(image, proposals, config)[:PROPOSALS_KEPT]
    left = max(config.seconds - (now() - started), 0.01)
    answer = synthesize_shape(target, dataclasses.replace(config, seconds=left), proposals)
    return dataclasses.replace(answer, seconds=now() - started)


def bench_solvers(guide: str) -> list[tuple[str, Solver]]:
    """`nesy bench csg --guide` -> labelled solvers: 'none' search only, 'default' DEFAULT_GUIDE,
    'both' search-only, network-only and guided (shipped weights), or a weights file (guided)."""
    if guide == "default":
        guide = DEFAULT_GUIDE if DEFAULT_GUIDE == "none" else str(SHIPPED_WEIGHTS)
    if guide == "none":
        return [("search-only", synthesize_shape)]
    weights = str(SHIPPED_WEIGHTS) if guide == "both" else guide
    _model(weights)                # a missing or damaged file is one line now, not in every worker
    guided = ("guided", functools.partial(guided_shape, weights=weights))
    if guide != "both":
        return [guided]
    return [("search-only", synthesize_shape), ("network-only", functools.partial(network_only, weights=weights)),
            guided]

