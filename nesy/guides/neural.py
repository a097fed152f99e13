"""`NeuralGuide`: the trained model behind the `Guide` interface search already calls.

- `op_costs`: the op prior scores the task once; ops a solution very probably does not use cost
  one more (never less: the guide only reorders, it cannot make plain search's programs cheaper
  than they are, so what plain search reaches the guided one reaches one level later at worst).
- `value_penalties`: one batch per level and type; values the scorer finds unhelpful are delayed
  (BUSTLE's re-weighting). A delayed value reappears at its new level and is not scored again.
  By default the guide is *conservative*: only values below the threshold that 2% of useful
  values fall under are delayed, by one level. `bold=True` is BUSTLE-like: one level below the
  10% threshold, two below the 2% one. On our spreadsheet suite the bold setting needed 4x fewer
  candidates on the tasks both solved but lost two tasks to over-fitting joins (docs/guides.md),
  so bold is not the default.

Calibrated thresholds come with the weights (see `nesy.guides.train`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from dsl.core import Dsl, Op, Program, Task, Type
from nesy.guides.model import GuideWeights, NumpyMlp, check_dsl_ops, load_weights, sigmoid
from nesy.guides.signatures import SignatureEncoder
from solvers.value_pool import Vector

MAX_SCORED_PER_CALL = 20_000   # beyond this, a level's values are scored in chunks


class NeuralGuide:
    """A learned guide for one DSL.

    Example:
        >>> from dsl.strings import STRINGS
        >>> guide = NeuralGuide.from_file(default_weights_path("strings"), STRINGS)   # doctest: +SKIP
        >>> nesy.synthesize(examples, guide=guide)                                     # doctest: +SKIP
    """

    def __init__(self, weights: GuideWeights, dsl: Dsl, source: str = "<memory>",
                 use_op_prior: bool = True, use_value_scores: bool = True, bold: bool = False) -> None:
        config = weights.model.config
        check_dsl_ops(config, [op.signature for op in dsl.ops], source)
        self.encoder = SignatureEncoder(config.ops)
        if (self.encoder.value_width, self.encoder.task_width) != (config.value_width, config.task_width):
            raise ValueError(f"{source}: signature widths changed since these weights were trained; retrain them")
        self.value_mlp = NumpyMlp(weights.model.value_net)
        self.op_mlp = NumpyMlp(weights.model.op_net)
        self.calibration = weights.calibration
        self.op_signatures = list(config.ops)
        self.use_op_prior = use_op_prior
        self.use_value_scores = use_value_scores
        self.bold = bold
        self._task: Task | None = None
        self._scored: set[int] = set()
        self.seconds_scoring = 0.0
        self.values_scored = 0

    @classmethod
    def from_file(cls, path: str | Path, dsl: Dsl, **switches: bool) -> "NeuralGuide":
        return cls(load_weights(path), dsl, str(path), **switches)

    # -- Guide --------------------------------------------------------------------------------

    def op_probabilities(self, task: Task) -> dict[str, float]:
        row = self.encoder.encode_task(task)[None, :]
        probabilities = sigmoid(self.op_mlp(row))[0]
        return dict(zip(self.op_signatures, probabilities.tolist()))

    def op_costs(self, task: Task, ops: Sequence[Op]) -> Mapping[Op, int]:
        costs = {op: op.cost for op in ops}
        if not self.use_op_prior:
            return costs
        probabilities = self.op_probabilities(task)
        below = self.calibration["op_raise_below"]
        for op in ops:
            p = probabilities.get(op.signature)
            if p is not None and p < below:
                costs[op] = op.cost + 1
        return costs

    def value_probabilities(self, task: Task, type_: Type, vectors: Sequence[Vector],
                            programs: Sequence[Program]) -> np.ndarray:
        if not len(vectors):
            return np.zeros(0, dtype=np.float32)
        return sigmoid(self.value_mlp(self.encoder.encode_values(task, type_, vectors, programs))[:, 0])

    def value_penalties(self, task: Task, type_: Type, vectors: Sequence[Vector],
                        programs: Sequence[Program]) -> Sequence[int]:
        import time

        if not self.use_value_scores:
            return [0] * len(vectors)
        if task is not self._task:            # a new search: forget which values were scored
            self._task, self._scored = task, set()
        started = time.perf_counter()
        fresh = [i for i, p in enumerate(programs) if id(p) not in self._scored]
        penalties = [0] * len(vectors)
        delay1, delay2 = self.calibration["delay1_below"], self.calibration["delay2_below"]
        if not self.bold:                     # one level, and only for the clearly unhelpful
            delay1, delay2 = delay2, -1.0
        for begin in range(0, len(fresh), MAX_SCORED_PER_CALL):
            chunk = fresh[begin:begin + MAX_SCORED_PER_CALL]
            p = self.value_probabilities(task, type_, [vectors[i] for i in chunk], [programs[i] for i in chunk])
            for i, probability in zip(chunk, p.tolist()):
                self._scored.add(id(programs[i]))
                penalties[i] = 2 if probability < delay2 else 1 if probability < delay1 else 0
        self.values_scored += len(fresh)
        self.seconds_scoring += time.perf_counter() - started
        return penalties


def default_weights_path(dsl_name: str) -> Path:
    """Where the shipped weights of a DSL live (`datasets/guides/<dsl>.pt` in the repository)."""
    return Path(__file__).resolve().parents[2] / "datasets" / "guides" / f"{dsl_name}.pt"


def load_guide(spec: str, dsl: Dsl) -> NeuralGuide | None:
    """`--guide` values: "none" (plain search), "default" (the shipped weights), or a file path."""
    if spec == "none":
        return None
    path = default_weights_path(dsl.name) if spec == "default" else Path(spec)
    return NeuralGuide.from_file(path, dsl)


def guide_runs(spec: str, dsl: Dsl) -> list[tuple[str, NeuralGuide | None]]:
    """The labelled runs a `--guide` value asks for: "both" means guided and plain, in that order.

    The guide is loaded here, once, in the parent process; benchmark workers inherit it.
    """
    if spec == "none":
        return [("plain", None)]
    guide = load_guide("default" if spec == "both" else spec, dsl)
    return [("guided", guide), ("plain", None)] if spec == "both" else [("guided", guide)]
