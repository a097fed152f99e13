"""Training the guide: binary cross-entropy for the value scorer and the op prior, then calibration.

Calibration turns probabilities into integer costs without guessing: on held-back validation data,
a value is delayed by 1 below the probability that only `delay1_positive_rate` of the useful
values fall under, and by 2 below the one that only `delay2_positive_rate` fall under. Each op
gets its own threshold: the probability below which `op_positive_rate` of the validation tasks
that used *that* op fall (an op no validation target used is never raised: random targets say
nothing about it). So the guide is conservative by construction: it rarely delays what a
solution needs.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from nesy.guides.data import GuideData
from nesy.guides.model import OP_KEY, GuideConfig, GuideModel, GuideWeights

MIN_OP_USES = 20   # validation tasks that must use an op before its cost may ever be raised


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 12
    batch_size: int = 512
    learning_rate: float = 2e-3
    weight_decay: float = 1e-5
    hidden: int = 64
    validation_fraction: float = 0.1
    delay1_positive_rate: float = 0.10
    delay2_positive_rate: float = 0.02
    op_positive_rate: float = 0.02
    seed: int = 0
    threads: int = 1
    op_passes: int = 5            # the op prior sees ~25x fewer rows than the scorer: more passes


def _split(n: int, fraction: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(n, generator=generator)
    cut = max(1, int(n * fraction)) if n > 1 else 0
    return order[cut:], order[:cut]


def _epoch(model: nn.Module, forward: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, y: torch.Tensor,
           optimizer: torch.optim.Optimizer | None, batch_size: int, generator: torch.Generator) -> float:
    """One pass (training when `optimizer` is given); returns the mean loss."""
    loss_fn = nn.BCEWithLogitsLoss(reduction="sum")
    order = torch.randperm(len(x), generator=generator) if optimizer is not None else torch.arange(len(x))
    total = 0.0
    model.train(optimizer is not None)
    with torch.set_grad_enabled(optimizer is not None):
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss = loss_fn(forward(x[batch]), y[batch])
            if optimizer is not None:
                optimizer.zero_grad()
                (loss / len(batch)).backward()
                optimizer.step()
            total += float(loss.detach())
    return total / max(1, len(x) * (y.shape[1] if y.dim() > 1 else 1))


def _quantile_of_positives(scores: np.ndarray, labels: np.ndarray, rate: float) -> float:
    positives = np.sort(scores[labels > 0.5])
    if len(positives) == 0:
        return 0.0
    return float(positives[min(len(positives) - 1, int(math.floor(rate * len(positives))))])


def train_guide(data: GuideData, dsl_name: str, op_signatures: tuple[str, ...], config: TrainConfig = TrainConfig(),
                log: Callable[[str], None] = print) -> tuple[GuideWeights, list[dict[str, Any]]]:
    """Fit both networks on `data`; returns the weights (with calibration) and the training curve."""
    torch.set_num_threads(max(1, config.threads))
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    vx, vy = torch.from_numpy(data.value_x), torch.from_numpy(data.value_y)
    tx, ty = torch.from_numpy(data.task_x), torch.from_numpy(data.op_y)
    model = GuideModel(GuideConfig(dsl_name, vx.shape[1], tx.shape[1], tuple(op_signatures), config.hidden))
    v_train, v_val = _split(len(vx), config.validation_fraction, generator)
    t_train, t_val = _split(len(tx), config.validation_fraction, generator)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, config.epochs))
    curve: list[dict[str, Any]] = []
    started = time.monotonic()
    for epoch in range(1, config.epochs + 1):
        value_loss = _epoch(model, model.value_logits, vx[v_train], vy[v_train], optimizer, config.batch_size, generator)
        for _ in range(config.op_passes):
            op_loss = _epoch(model, model.op_logits, tx[t_train], ty[t_train], optimizer, 128, generator)
        scheduler.step()
        val_value = _epoch(model, model.value_logits, vx[v_val], vy[v_val], None, 4096, generator)
        val_op = _epoch(model, model.op_logits, tx[t_val], ty[t_val], None, 4096, generator)
        with torch.no_grad():
            accuracy = float(((model.value_logits(vx[v_val]) > 0).float() == vy[v_val]).float().mean())
        point = {"epoch": epoch, "value_loss": round(value_loss, 4), "value_val_loss": round(val_value, 4),
                 "value_val_accuracy": round(accuracy, 4), "op_loss": round(op_loss, 4),
                 "op_val_loss": round(val_op, 4), "seconds": round(time.monotonic() - started, 1)}
        curve.append(point)
        log("epoch {epoch}: value loss {value_loss} (val {value_val_loss}, acc {value_val_accuracy}), "
            "op loss {op_loss} (val {op_val_loss}), {seconds} s".format(**point))
    model.eval()
    calibration = _calibrate(model, vx[v_val], vy[v_val], tx[t_val], ty[t_val], config)
    return GuideWeights(model, calibration, {}), curve


def _calibrate(model: GuideModel, vx: torch.Tensor, vy: torch.Tensor, tx: torch.Tensor, ty: torch.Tensor,
               config: TrainConfig) -> dict[str, float]:
    with torch.no_grad():
        value_p = torch.sigmoid(model.value_logits(vx)).numpy()
        op_p = torch.sigmoid(model.op_logits(tx)).numpy()
    labels = vy.numpy()
    delay1 = _quantile_of_positives(value_p, labels, config.delay1_positive_rate)
    delay2 = _quantile_of_positives(value_p, labels, config.delay2_positive_rate)
    negatives = labels < 0.5
    calibration = {"delay1_below": delay1, "delay2_below": min(delay1, delay2),
                   "negatives_delayed": float((value_p[negatives] < delay1).mean()) if negatives.any() else 0.0}
    used = ty.numpy()
    for index, signature in enumerate(model.config.ops):
        if used[:, index].sum() >= MIN_OP_USES:
            calibration[OP_KEY + signature] = _quantile_of_positives(op_p[:, index], used[:, index],
                                                                    config.op_positive_rate)
    return calibration
