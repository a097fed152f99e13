"""Fitting the ranker: a listwise loss on the tasks where picking matters, full-batch Adam in numpy.

The loss of one task is -log of the softmax mass the model puts on its right candidates: exactly
"the chance of picking a right one". Tasks whose candidates are all right or all wrong teach
nothing about picking and are left out of the loss (they still count in the accuracies). Full
batches, float64 and a seeded initialisation make the same data give the same weights.
"""
from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from nesy.ranking.data import EVALUATION_CHUNKS, RankingDataConfig, RankingGroup, describe, feature_arrays, \
    generate_parallel
from nesy.ranking.model import LearnedRanker, RankerWeights
from solvers.search.ranking import Ranker, SearchOrderRanker, rank

if TYPE_CHECKING:
    from nesy.executors import Executor


@dataclass(frozen=True)
class TrainConfig:
    hidden: int = 8
    steps: int = 600
    learning_rate: float = 0.02
    weight_decay: float = 1e-3       # L2 on the weights (not on the standardisation)
    validation_fraction: float = 0.2
    seed: int = 0
    log_every: int = 50


@dataclass
class _Batch:
    """Standardisable features of the candidates of tasks where picking matters, and each row's task."""

    x: np.ndarray       # (candidates, F)
    right: np.ndarray   # (candidates,) bool
    task: np.ndarray    # (candidates,) task index 0..tasks-1
    tasks: int


def _batch(groups: Sequence[RankingGroup]) -> _Batch:
    ambiguous = [g for g in groups if g.ambiguous]
    x, y, task = feature_arrays(ambiguous)
    return _Batch(x, y > 0.5, task.astype(int), len(ambiguous))


def _segment_logsumexp(s: np.ndarray, task: np.ndarray, tasks: int) -> np.ndarray:
    top = np.full(tasks, -np.inf)
    np.maximum.at(top, task, s)
    total = np.zeros(tasks)
    np.add.at(total, task, np.exp(s - top[task]))
    return top + np.log(total)


def listwise_loss(s: np.ndarray, batch: _Batch) -> tuple[float, np.ndarray]:
    """Mean over tasks of -log(softmax mass on the right candidates), and d loss / d s."""
    everything = _segment_logsumexp(s, batch.task, batch.tasks)
    masked = np.where(batch.right, s, -np.inf)
    on_right = _segment_logsumexp(masked, batch.task, batch.tasks)
    loss = float(np.mean(everything - on_right))
    gradient = np.exp(s - everything[batch.task]) - np.where(batch.right, np.exp(s - on_right[batch.task]), 0.0)
    return loss, gradient / batch.tasks


def _initial(width: int, config: TrainConfig, x: np.ndarray) -> RankerWeights:
    rng = np.random.default_rng(config.seed)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    return RankerWeights(mean, scale, np.zeros(width), rng.normal(0, 0.3 / np.sqrt(width), (width, config.hidden)),
                         np.zeros(config.hidden), rng.normal(0, 0.3, config.hidden))


def _step(weights: RankerWeights, batch: _Batch, decay: float) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of the trainable arrays (backpropagation through the two layers)."""
    z = weights.standardise(batch.x)
    hidden = np.tanh(z @ weights.w1 + weights.b1)
    loss, ds = listwise_loss(z @ weights.linear + hidden @ weights.w2, batch)
    dpre = np.outer(ds, weights.w2) * (1 - hidden ** 2)
    grads = {"linear": z.T @ ds + decay * weights.linear, "w2": hidden.T @ ds + decay * weights.w2,
             "w1": z.T @ dpre + decay * weights.w1, "b1": dpre.sum(axis=0)}
    penalty = 0.5 * decay * sum(float((getattr(weights, n) ** 2).sum()) for n in ("linear", "w2", "w1"))
    return loss + penalty, grads


def split(groups: Sequence[RankingGroup], fraction: float, seed: int) -> tuple[list[RankingGroup], list[RankingGroup]]:
    """Training and validation groups, by task (seeded)."""
    order = np.random.default_rng(seed).permutation(len(groups))
    cut = int(round(len(groups) * fraction))
    held = set(order[:cut].tolist())
    return ([g for i, g in enumerate(groups) if i not in held], [g for i, g in enumerate(groups) if i in held])


def train_ranker(groups: Sequence[RankingGroup], config: TrainConfig = TrainConfig(),
                 log: Callable[[str], None] = print) -> tuple[RankerWeights, list[dict[str, Any]]]:
    """Fit on `groups` (a seeded share held back for validation); the weights and the curve."""
    train, validation = split(groups, config.validation_fraction, config.seed)
    batch, check = _batch(train), _batch(validation)
    if batch.tasks == 0:
        raise ValueError("no training task has both right and wrong candidates: generate more tasks")
    weights = _initial(batch.x.shape[1], config, batch.x)
    names = ("linear", "w1", "b1", "w2")
    moments = {n: (np.zeros_like(getattr(weights, n)), np.zeros_like(getattr(weights, n))) for n in names}
    curve: list[dict[str, Any]] = []
    for step in range(1, config.steps + 1):
        loss, grads = _step(weights, batch, config.weight_decay)
        for n in names:
            m, v = moments[n]
            m[:] = 0.9 * m + 0.1 * grads[n]
            v[:] = 0.999 * v + 0.001 * grads[n] ** 2
            update = config.learning_rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
            setattr(weights, n, getattr(weights, n) - update)
        if step % config.log_every == 0 or step == config.steps:
            point = {"step": step, "loss": round(loss, 4),
                     "val_loss": round(listwise_loss(weights.logits(check.x), check)[0], 4) if check.tasks else None,
                     "val_pick": pick_accuracy(LearnedRanker(weights), validation)["ambiguous"]}
            curve.append(point)
            log("step {step}: loss {loss}, validation loss {val_loss}, validation pick (ambiguous) {val_pick}"
                .format(**point))
    return weights, curve


def pick_accuracy(ranker: Ranker, groups: Sequence[RankingGroup]) -> dict[str, Any]:
    """How often the ranker's first pick is right: over tasks with a right candidate, over the
    ambiguous ones (some right, some wrong) and over every task search found a program for."""
    picked = [g.labels[g.candidates.index(rank(ranker, g.task, g.probes, g.candidates)[0].candidate)]
              for g in groups]
    with_right = [p for p, g in zip(picked, groups) if any(g.labels)]
    ambiguous = [p for p, g in zip(picked, groups) if g.ambiguous]
    return {"with_a_right_candidate": _share(with_right), "ambiguous": _share(ambiguous),
            "all_found": _share(picked), "tasks": len(groups), "ambiguous_tasks": len(ambiguous)}


def _share(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None




@dataclass
class RankingData:
    """Training and evaluation groups (evaluation tasks come from chunks no training run reads)."""

    train: list[RankingGroup]
    evaluation: list[RankingGroup]
    card: dict[str, Any]


def make_data(tasks: int, evaluation_tasks: int, seed: int, jobs: int,
              config: RankingDataConfig = RankingDataConfig(), log: Callable[[str], None] = print,
              executor: "Executor | None" = None) -> RankingData:
    """Generate both sets (on `executor` when given: `nesy.executors`); the card says how big they
    are and how long they took."""
    started = time.monotonic()
    train = generate_parallel("strings", tasks, seed, jobs, config, progress=log, executor=executor)
    log(f"training data: {describe(train, tasks)} in {time.monotonic() - started:.0f} s")
    evaluation = generate_parallel("strings", evaluation_tasks, seed, jobs, config, first_chunk=EVALUATION_CHUNKS,
                                   progress=log, executor=executor)
    log(f"evaluation data: {describe(evaluation, evaluation_tasks)}")
    card = {"seed": seed, "data": describe(train, tasks), "evaluation_data": describe(evaluation, evaluation_tasks),
            "data_config": asdict(config), "data_seconds": round(time.monotonic() - started, 1), "jobs": jobs}
    return RankingData(train, evaluation, card)


def fit_and_measure(data: RankingData, config: TrainConfig, log: Callable[[str], None] = print) -> RankerWeights:
    """Fit on the training groups, measure the pick against search's own order on the evaluation
    groups; the weights carry the card."""
    started = time.monotonic()
    weights, curve = train_ranker(data.train, config, log)
    learned = pick_accuracy(LearnedRanker(weights), data.evaluation)
    search_order = pick_accuracy(SearchOrderRanker(), data.evaluation)
    log(f"evaluation pick accuracy: learned {learned}, search order {search_order}")
    weights.card = {**data.card, "train_config": asdict(config), "curve": curve,
                    "evaluation": {"learned": learned, "search-order": search_order},
                    "training_fit": pick_accuracy(LearnedRanker(weights), data.train),
                    "train_seconds": round(time.monotonic() - started, 1),
                    "machine": f"{platform.machine()}, python {platform.python_version()}"}
    return weights
