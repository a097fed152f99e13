"""Supervised training of the CSG proposer on the synthetic generator's programs (teacher forcing).

Programs come from `dsl.csg.generator` (train split only: no picture of the synthetic test set
is ever trained on; validation rows come from the val split), kept as token rows; each batch's
pictures are drawn on the fly by the batched renderer, which costs less than storing them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from dsl.csg.canvas import unpack
from dsl.csg.generator import LENGTHS, generate
from dsl.csg.render import render_tokens
from dsl.csg.tokens import token_array
from nesy.csg.model import ProposerConfig, ProposerModel, token_loss


@dataclass(frozen=True)
class TrainConfig:
    per_length: int = 10_000         # training programs per length 3, 5, ..., 13
    val_per_length: int = 100
    steps: int = 1500
    batch: int = 128
    learning_rate: float = 2e-3
    seed: int = 0
    threads: int = 1                 # on a busy 2-core machine, 2 threads were 8x slower than 1
    log_every: int = 100


def token_rows(per_length: int, seed: int, split: str, lengths: tuple[int, ...] = LENGTHS) -> np.ndarray:
    """(N, 14) int64 token rows, padded with STOP (every row has at least one STOP)."""
    programs = [p for length in lengths for p in generate(length, per_length, seed, split)]
    return token_array(programs, width=max(lengths) + 1).astype(np.int64)


def pictures(rows: np.ndarray) -> torch.Tensor:
    """(B, 64, 64) bool pictures of token rows."""
    return torch.from_numpy(unpack(render_tokens(rows)))


def evaluate(model: ProposerModel, rows: np.ndarray) -> tuple[float, float]:
    """Validation loss and whole-program accuracy under teacher forcing (every token right)."""
    model.eval()
    with torch.no_grad():
        tokens = torch.from_numpy(rows)
        logits = model(pictures(rows), tokens)
        loss = float(token_loss(logits, tokens))
        exact = float((logits.argmax(-1) == tokens).all(1).float().mean())
    model.train()
    return loss, exact


def train_proposer(train_rows: np.ndarray, val_rows: np.ndarray, config: TrainConfig,
                   model_config: ProposerConfig = ProposerConfig(),
                   log: Callable[[str], None] = lambda line: None,
                   start: ProposerModel | None = None) -> tuple[ProposerModel, list[dict]]:
    """The trained model and its curve (step, seconds, train loss, val loss, val exact); training
    goes on from `start` when given (a second stage on a busy machine), else from scratch."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = np.random.default_rng(config.seed)
    model = start if start is not None else ProposerModel(model_config)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.learning_rate, total_steps=config.steps,
                                                   pct_start=0.05)
    curve, losses, started = [], [], time.perf_counter()
    for step in range(1, config.steps + 1):
        rows = train_rows[rng.integers(len(train_rows), size=config.batch)]
        tokens = torch.from_numpy(rows)
        loss = token_loss(model(pictures(rows), tokens), tokens)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % config.log_every == 0 or step == config.steps:
            val_loss, val_exact = evaluate(model, val_rows)
            point = {"step": step, "seconds": round(time.perf_counter() - started, 1),
                     "train_loss": round(float(np.mean(losses)), 4), "val_loss": round(val_loss, 4),
                     "val_exact": round(val_exact, 4)}
            curve.append(point)
            losses = []
            log(" ".join(f"{k} {v}" for k, v in point.items()))
    model.eval()
    return model, curve
