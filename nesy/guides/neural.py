"""`NeuralGuide`: the trained model behind the `Guide` interface search already calls.

- `op_costs`: the op prior scores the task once; ops a solution very probably does not use (below
  the op's own calibrated threshold) cost one more (never less: the guide only reorders, it cannot
  make plain search's programs cheaper than they are).
- `value_penalties`: one batch per level and type; values the scorer finds unhelpful are delayed
  (BUSTLE's re-weighting). A delayed value reappears at its new level and is not scored again.
  Tasks with a grammar of their own (SyGuS files) get no value delays: the scorer learned from
  pools of the DSL's free-form op set, not from theirs (measurements: BENCHMARKS.md).
  By default the guide is *conservative*: only values below the threshold that 2% of useful
  values fall under are delayed, by one level. `bold=True` is BUSTLE-like: one level below the
  10% threshold, two below the 2% one; it saves more candidates but can delay a value a
  solution needs past the time limit, so it is not the default (measurements: BENCHMARKS.md).

Calibrated thresholds come with the weights (see `nesy.guides.train`).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from dsl.core import INT, STRING, Dsl, Op, Program, Task, Type
from dsl.errors import NesyInputError
from nesy.guides.model import OP_KEY, GuideWeights, NumpyMlp, check_dsl_ops, load_weights, sigmoid
from nesy.guides.signatures import SignatureEncoder
from solvers.search.value_pool import Vector

if TYPE_CHECKING:
    from nesy.latent.guide import LatentGuide

SCORING_CHUNK = 2048           # values scored per batch
# Values scored per task at most: past it, values keep plain search's order. A count, not a share
# of the clock, so a guided search makes the same decisions however busy the machine is (about
# half a second of scoring on one core).
MAX_SCORED_PER_TASK = 100_000
MAX_SCORED_EXAMPLES = 4
# Bool values have one property (true on all / none / some examples): too little to judge them by,
# and they matter as ite conditions, so they are never delayed.
SCORED_TYPES = (STRING, INT)


class NeuralGuide:
    """A learned guide for one DSL.

    Example:
        >>> import nesy
        >>> from dsl.strings import STRINGS
        >>> guide = NeuralGuide.from_file(default_weights_path("strings"), STRINGS)
        >>> nesy.synthesize([("ab", "abab"), ("x", "xx")], guide=guide).found
        True
    """

    def __init__(self, weights: GuideWeights, dsl: Dsl, source: str = "<memory>",
                 use_op_prior: bool = True, use_value_scores: bool = True, bold: bool = False) -> None:
        config = weights.model.config
        check_dsl_ops(config, [op.signature for op in dsl.ops], source)
        self.encoder = SignatureEncoder(config.ops)
        if (self.encoder.value_width, self.encoder.task_width) != (config.value_width, config.task_width):
            raise NesyInputError("the property signatures changed since these weights were trained; retrain them",
                                 path=source)
        self.value_mlp = NumpyMlp(weights.model.value_net)
        self.op_mlp = NumpyMlp(weights.model.op_net)
        self.calibration = weights.calibration
        self.op_signatures = list(config.ops)
        self.use_op_prior = use_op_prior
        self.use_value_scores = use_value_scores
        self.bold = bold
        self._task: Task | None = None
        self._scored: set[int] = set()
        self._task_count = 0              # values of the current task scored so far
        self.seconds_scoring = 0.0
        self.values_scored = 0

    @classmethod
    def from_file(cls, path: str | Path, dsl: Dsl, **switches: bool) -> "NeuralGuide":
        return cls(load_weights(path), dsl, str(path), **switches)

    # -- Guide --------------------------------------------------------------------------------

    def op_probabilities(self, task: Task) -> dict[str, float]:
        row = self.encoder.encode_task(task, examples=min(MAX_SCORED_EXAMPLES, len(task.examples)))[None, :]
        probabilities = sigmoid(self.op_mlp(row))[0]
        return dict(zip(self.op_signatures, probabilities.tolist()))

    def op_costs(self, task: Task, ops: Sequence[Op]) -> Mapping[Op, int]:
        costs = {op: op.cost for op in ops}
        if not self.use_op_prior:
            return costs
        probabilities = self.op_probabilities(task)
        for op in ops:
            p = probabilities.get(op.signature)
            below = self.calibration.get(OP_KEY + op.signature)
            if p is not None and below is not None and p < below:
                costs[op] = op.cost + 1
        return costs

    def value_probabilities(self, task: Task, type_: Type, vectors: Sequence[Vector],
                            programs: Sequence[Program]) -> np.ndarray:
        if not len(vectors):
            return np.zeros(0, dtype=np.float32)
        # Signatures over at most MAX_SCORED_EXAMPLES examples: training tasks have 2-4, and the cost
        # of a row grows with the examples (SyGuS tasks are searched on up to 10).
        count = min(MAX_SCORED_EXAMPLES, len(task.examples))
        return sigmoid(self.value_mlp(self.encoder.encode_values(task, type_, vectors, programs, examples=count))[:, 0])

    def value_penalties(self, task: Task, type_: Type, vectors: Sequence[Vector],
                        programs: Sequence[Program]) -> Sequence[int]:
        penalties = [0] * len(vectors)
        if not self.use_value_scores or type_ not in SCORED_TYPES or task.grammar.ops is not None:
            return penalties
        now = time.perf_counter()
        if task is not self._task:            # a new search: forget which values were scored
            self._task, self._scored, self._task_count = task, set(), 0
        delay1, delay2 = self.calibration["delay1_below"], self.calibration["delay2_below"]
        if not self.bold:                     # one level, and only for the clearly unhelpful
            delay1, delay2 = delay2, -1.0
        fresh = [i for i, p in enumerate(programs) if id(p) not in self._scored]
        for begin in range(0, len(fresh), SCORING_CHUNK):
            # Values past the task's scoring allowance are not delayed (plain search's order), so
            # the guide can slow search down only so much.
            if self._task_count >= MAX_SCORED_PER_TASK:
                break
            chunk = fresh[begin:begin + min(SCORING_CHUNK, MAX_SCORED_PER_TASK - self._task_count)]
            self._task_count += len(chunk)
            p = self.value_probabilities(task, type_, [vectors[i] for i in chunk], [programs[i] for i in chunk])
            for i, probability in zip(chunk, p.tolist()):
                self._scored.add(id(programs[i]))
                penalties[i] = 2 if probability < delay2 else 1 if probability < delay1 else 0
            self.values_scored += len(chunk)
        self.seconds_scoring += time.perf_counter() - now
        return penalties


def default_weights_path(dsl_name: str) -> Path:
    """Where the shipped weights of a DSL live (`datasets/guides/<dsl>.pt` in the repository)."""
    return Path(__file__).resolve().parents[2] / "datasets" / "guides" / f"{dsl_name}.pt"


# DSLs whose weights ship in datasets/guides/: for these a missing file is an error, not plain search.
SHIPPED_GUIDES = ("strings",)


def load_guide(spec: str, dsl: Dsl) -> "NeuralGuide | LatentGuide | None":
    """`--guide` values: "none" (plain search, the default), "shipped" (the shipped weights; also
    spelled "default", its name while it was the default), "latent" (the latent program network's
    rule prior, `nesy.latent.guide`; seqrules), or a file path."""
    if spec == "none":
        return None
    if spec == "latent":
        from nesy.latent.guide import LatentGuide

        return LatentGuide.for_dsl(dsl)
    if spec in ("shipped", "default"):
        path = default_weights_path(dsl.name)
        if not path.exists() and dsl.name not in SHIPPED_GUIDES:
            return None  # a DSL without shipped weights (e.g. regex) searches unguided by default
        return NeuralGuide.from_file(path, dsl)
    return NeuralGuide.from_file(Path(spec), dsl)


def guide_runs(spec: str, dsl: Dsl) -> list[tuple[str, "NeuralGuide | LatentGuide | None"]]:
    """The labelled runs a `--guide` value asks for: "both" means guided and plain, in that order.

    The guide is loaded here, once, in the parent process; benchmark workers inherit it.
    """
    if spec == "none":
        return [("plain", None)]
    if spec == "latent":
        return [("latent", load_guide(spec, dsl))]
    guide = load_guide("shipped" if spec == "both" else spec, dsl)
    if guide is None:
        return [("plain", None)]
    return [("guided", guide), ("plain", None)] if spec == "both" else [("guided", guide)]
