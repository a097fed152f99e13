"""Training loops for the NTM and the Pointer Network: batched, Adam, gradient-norm clipping,
optional gradient noise with Neelakantan et al.'s (2015) schedule sigma_t^2 = eta / (1 + t)^0.55.

Each loop returns the model and a record (config, curve, counts, CPU seconds) that becomes the
weights' card. Budgets are counted in sequences seen (batch x steps), which the load of the machine
does not change.

    >>> config = NTMTrainConfig(task="copy", max_sequences=64, batch=16, max_length=3, seed=0)
    >>> model, record = train_ntm(config)
    >>> record["sequences"], len(record["curve"]) > 0
    (64, True)
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from dsl.errors import NesyInputError
from nesy.induction import tasks
from nesy.induction.ntm import NTM, NTMConfig
from nesy.induction.pointer import PointerConfig, PointerNet

NTM_TASKS = ("copy", "repeat_copy", "associative_recall")
POINTER_TASKS = ("sort", "hull", "tsp", "reverse")
Progress = Callable[[dict], None]


def gradient_noise(model: torch.nn.Module, eta: float, step: int, generator: torch.Generator) -> None:
    """Add N(0, eta / (1 + step)^0.55) to every gradient (Neelakantan et al. 2015)."""
    sigma = math.sqrt(eta / (1 + step) ** 0.55)
    for p in model.parameters():
        if p.grad is not None:
            p.grad.add_(torch.randn(p.grad.shape, generator=generator) * sigma)


def _check_common(batch: int, learning_rate: float, clip: float, noise_eta: float) -> None:
    if batch < 1:
        raise NesyInputError(f"batch must be at least 1, got {batch}")
    if not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise NesyInputError(f"learning rate must be a finite number above 0, got {learning_rate}")
    if not clip > 0:
        raise NesyInputError(f"gradient clip must be above 0, got {clip}")
    if noise_eta < 0:
        raise NesyInputError(f"gradient noise eta must be at least 0, got {noise_eta}")


def make_optimizer(name: str, model: torch.nn.Module, learning_rate: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=learning_rate)
    if name == "rmsprop":
        return torch.optim.RMSprop(model.parameters(), lr=learning_rate, momentum=0.9, alpha=0.95)
    raise NesyInputError(f"optimizer must be adam or rmsprop, got {name!r}")


# --- NTM ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NTMTrainConfig:
    task: str = "copy"
    seed: int = 0
    batch: int = 4                 # 8 converged later in sequences (docs/induction.md)
    learning_rate: float = 3e-3
    clip: float = 10.0             # gradient norm
    noise_eta: float = 0.0         # 0: no gradient noise
    min_length: int = 1
    max_length: int = 20           # copy lengths 1..20 (the paper's training range)
    curriculum: bool = True        # lengths up to a level that grows by 2 when the last 10 batches average < 1 bit error
    curriculum_start: int = 6      # the first level (2 before 2026-12-07: every copy seed converged later)
    max_sequences: int = 20_000    # budget: training sequences seen
    eval_every: int = 400          # sequences between validations (100 held-out inputs, lengths min..max)
    confirm: int = 2000            # stop once validation has stayed below 1 bit error for this many more
    optimizer: str = "adam"        # "adam" or "rmsprop" (momentum 0.9, alpha 0.95: the paper's and pytorch-ntm's)
    model: NTMConfig = field(default_factory=NTMConfig)

    def as_dict(self) -> dict:
        return {**asdict(self), "model": self.model.as_dict()}


def ntm_batch(task: str, rng: np.random.Generator, batch: int, length: int) -> tasks.SequenceBatch:
    if task == "copy":
        return tasks.copy_batch(rng, batch, length)
    if task == "repeat_copy":
        return tasks.repeat_copy_batch(rng, batch, length, int(rng.integers(1, 4)), max_repeats=3)
    if task == "associative_recall":
        return tasks.associative_recall_batch(rng, batch, max(2, length))
    raise NesyInputError(f"unknown NTM task {task!r} (known: {', '.join(NTM_TASKS)})")


def ntm_model_config(task: str, base: NTMConfig) -> NTMConfig:
    """The input/output widths each task needs."""
    sizes = {"copy": (tasks.WIDTH + 1, tasks.WIDTH), "repeat_copy": (tasks.WIDTH + 2, tasks.WIDTH + 1),
             "associative_recall": (8, 6)}
    if task not in sizes:
        raise NesyInputError(f"unknown NTM task {task!r} (known: {', '.join(NTM_TASKS)})")
    inputs, outputs = sizes[task]
    return replace(base, input_size=inputs, output_size=outputs)


def ntm_outputs(model: NTM, batch: tasks.SequenceBatch, trace: bool = False):
    """Logits at the answer steps, B x T_out x W (and the weighting trace)."""
    x = torch.from_numpy(batch.inputs)
    result = model(x, trace=trace)
    logits = result[0] if trace else result
    answer = logits[:, batch.output_start:batch.output_start + batch.targets.shape[1]]
    return (answer, result[1]) if trace else answer


def bit_errors(logits: torch.Tensor, targets: np.ndarray) -> np.ndarray:
    """Per sequence: how many output bits are wrong after rounding (B)."""
    guess = (logits.detach() > 0).numpy()
    return (guess != (targets > 0.5)).sum(axis=(1, 2))


def ntm_validation_set(task: str, seed: int, lengths: range, per_length: int) -> list[tasks.SequenceBatch]:
    """Held-out batches, one per length, from a generator the training data never use."""
    rng = np.random.default_rng([seed, 7919])
    return [ntm_batch(task, rng, per_length, length) for length in lengths]


@torch.no_grad()
def mean_bit_errors(model: NTM, batches: list[tasks.SequenceBatch]) -> float:
    errors = [bit_errors(ntm_outputs(model, b), b.targets) for b in batches]
    return float(np.concatenate(errors).mean())


def converged_at(curve: list[dict], threshold: float = 1.0, key: str = "val_bit_errors") -> int | None:
    """Sequences seen at the first validation after which the mean bit error per sequence never
    again reaches `threshold` (None: it never settles below)."""
    settled = None
    for point in curve:
        if key not in point:
            continue
        if point[key] < threshold:
            settled = point["sequences"] if settled is None else settled
        else:
            settled = None
    return settled


def train_ntm(config: NTMTrainConfig, progress: Progress | None = None) -> tuple[NTM, dict]:
    """Train on random lengths (a curriculum of growing maximum length, if asked); validate every
    `eval_every` sequences on 100 held-out inputs spread over min..max length; stop when the
    validation bit error has stayed below 1 for `confirm` sequences, or at the budget."""
    _check_common(config.batch, config.learning_rate, config.clip, config.noise_eta)
    if not 1 <= config.min_length <= config.max_length:
        raise NesyInputError(f"lengths must satisfy 1 <= min <= max, got {config.min_length}..{config.max_length}")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    noise = torch.Generator().manual_seed(config.seed + 1)
    model = NTM(ntm_model_config(config.task, config.model))
    optimizer = make_optimizer(config.optimizer, model, config.learning_rate)
    lengths = range(config.min_length, config.max_length + 1)
    validation = ntm_validation_set(config.task, config.seed, lengths, max(1, 100 // len(lengths)))
    level = min(max(config.curriculum_start, config.min_length), config.max_length) if config.curriculum \
        else config.max_length
    curve: list[dict] = []
    recent: list[float] = []
    sequences, step, cpu = 0, 0, time.process_time()
    while sequences < config.max_sequences:
        length = int(rng.integers(config.min_length, level + 1))
        batch = ntm_batch(config.task, rng, config.batch, length)
        logits = ntm_outputs(model, batch)
        loss = F.binary_cross_entropy_with_logits(logits, torch.from_numpy(batch.targets))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        if config.noise_eta:
            gradient_noise(model, config.noise_eta, step, noise)
        optimizer.step()
        step += 1
        sequences += config.batch
        errors = bit_errors(logits, batch.targets)
        recent = (recent + [float(errors.mean())])[-10:]
        if config.curriculum and level < config.max_length and len(recent) == 10 and np.mean(recent) < 1:
            level, recent = min(level + 2, config.max_length), []
        point = {"sequences": sequences, "loss": round(loss.item(), 5), "length": length, "level": level,
                 "bit_errors": round(float(errors.mean()), 3)}
        if sequences % config.eval_every < config.batch:
            point["val_bit_errors"] = round(mean_bit_errors(model, validation), 3)
        curve.append(point)
        if progress:
            progress(point)
        settled = converged_at(curve)
        if settled is not None and sequences - settled >= config.confirm:
            break
    record = {"kind": "ntm", "task": config.task, "train_config": config.as_dict(),
              "model_config": model.config.as_dict(), "sequences": sequences, "steps": step,
              "sequences_to_converge": converged_at(curve),
              "cpu_seconds": round(time.process_time() - cpu, 1), "curve": curve}
    return model, record


# --- Pointer Network ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PointerTrainConfig:
    task: str = "sort"
    seed: int = 0
    batch: int = 128
    learning_rate: float = 1e-3
    clip: float = 2.0              # gradient norm (Vinyals et al. clip at 2.0)
    noise_eta: float = 0.0
    sizes: tuple[int, ...] = (5, 10)   # n drawn per batch from these
    steps: int = 2000
    hidden: int = 128
    eval_every: int = 250
    eval_instances: int = 200

    def as_dict(self) -> dict:
        return asdict(self)


def pointer_batch(task: str, rng: np.random.Generator, batch: int, n: int) -> tasks.PointerBatch:
    makers = {"sort": tasks.sort_batch, "hull": tasks.hull_batch, "tsp": tasks.tsp_batch,
              "reverse": tasks.reverse_batch}
    if task not in makers:
        raise NesyInputError(f"unknown Pointer Network task {task!r} (known: {', '.join(POINTER_TASKS)})")
    return makers[task](rng, batch, n)


def pointer_model_config(task: str, hidden: int) -> PointerConfig:
    if task not in POINTER_TASKS:
        raise NesyInputError(f"unknown Pointer Network task {task!r} (known: {', '.join(POINTER_TASKS)})")
    return PointerConfig(input_size=1 if task in ("sort", "reverse") else 2, hidden=hidden,
                         permutation=task != "hull")


def predictions(model: PointerNet, batch: tasks.PointerBatch) -> list[list[int]]:
    """Greedy answers as pointer lists (1-based, the end token dropped)."""
    out = model.decode(torch.from_numpy(batch.inputs)).tolist()
    return [row[:row.index(0)] if 0 in row else row for row in out]


def exact_share(model: PointerNet, task: str, batch: tasks.PointerBatch) -> float:
    """Share of instances the symbolic checker accepts as exactly right (TSP: optimal)."""
    from nesy.induction.evaluate import verdicts
    found = verdicts(task, batch, predictions(model, batch))
    return float(np.mean([v.ok and not v.reason for v in found]))


def train_pointer(config: PointerTrainConfig, progress: Progress | None = None) -> tuple[PointerNet, dict]:
    _check_common(config.batch, config.learning_rate, config.clip, config.noise_eta)
    if not config.sizes or min(config.sizes) < (1 if config.task in ("sort", "reverse") else 3):
        raise NesyInputError(f"sizes {config.sizes!r}: give input sizes (hull and TSP need n >= 3)")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    noise = torch.Generator().manual_seed(config.seed + 1)
    model = PointerNet(pointer_model_config(config.task, config.hidden))
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    held_out_rng = np.random.default_rng([config.seed, 7919])
    validation = {n: pointer_batch(config.task, held_out_rng, config.eval_instances, n) for n in sorted(set(config.sizes))}
    curve: list[dict] = []
    cpu = time.process_time()
    for step in range(1, config.steps + 1):
        n = int(rng.choice(config.sizes))
        batch = pointer_batch(config.task, rng, config.batch, n)
        model.train()
        logits = model(torch.from_numpy(batch.inputs), torch.from_numpy(batch.targets))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(batch.targets).reshape(-1),
                               ignore_index=-1)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        if config.noise_eta:
            gradient_noise(model, config.noise_eta, step, noise)
        optimizer.step()
        point = {"step": step, "sequences": step * config.batch, "n": n, "loss": round(loss.item(), 5)}
        if step % config.eval_every == 0 or step == config.steps:
            model.eval()
            point["val_exact"] = {str(k): round(exact_share(model, config.task, b), 4) for k, b in validation.items()}
        curve.append(point)
        if progress:
            progress(point)
    record = {"kind": "pointer", "task": config.task, "train_config": config.as_dict(),
              "model_config": model.config.as_dict(), "sequences": config.steps * config.batch,
              "steps": config.steps, "cpu_seconds": round(time.process_time() - cpu, 1), "curve": curve}
    return model, record
