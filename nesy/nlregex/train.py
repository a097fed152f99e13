"""Training the seq2seq model on Deep-Regex data: teacher forcing, Adam, best-on-validation weights.

One model can learn several datasets at once (the default: the train splits of NL-RX-Turk,
NL-RX-Synth and KB13 together, validated on their val splits), which is what fits a small CPU budget.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import torch
from torch.nn import functional as F

from nesy.nlregex.data import Pair
from nesy.nlregex.model import BOS, EOS, Seq2Seq, Seq2SeqConfig, TrainedModel, Vocabulary


@dataclass
class TrainConfig:
    steps: int = 6000            # optimizer steps (a load-independent budget)
    batch: int = 64
    learning_rate: float = 2e-3
    embedding: int = 64
    hidden: int = 256
    dropout: float = 0.2
    seed: int = 0
    threads: int = 1
    eval_every: int = 500        # steps between validation losses
    seconds: float | None = None  # stop early after this much wall time (None: no limit)


def batches(pairs: Sequence[Pair], source: Vocabulary, target: Vocabulary, size: int,
            rng: random.Random):
    """Endless shuffled batches: (source ids (B,S), lengths (B,), target in (B,T), target out (B,T))."""
    order = list(range(len(pairs)))
    while True:
        rng.shuffle(order)
        for start in range(0, len(order) - size + 1, size):
            yield tensors([pairs[i] for i in order[start:start + size]], source, target)


def tensors(chunk: Sequence[Pair], source: Vocabulary, target: Vocabulary):
    src = [source.encode(p.description) or [3] for p in chunk]
    tgt = [target.encode([BOS, *p.regex, EOS]) for p in chunk]
    S, T = max(map(len, src)), max(map(len, tgt)) - 1
    source_ids = torch.zeros(len(chunk), S, dtype=torch.long)
    target_in = torch.zeros(len(chunk), T, dtype=torch.long)
    target_out = torch.zeros(len(chunk), T, dtype=torch.long)
    for row, (s, t) in enumerate(zip(src, tgt)):
        source_ids[row, :len(s)] = torch.tensor(s)
        target_in[row, :len(t) - 1] = torch.tensor(t[:-1])
        target_out[row, :len(t) - 1] = torch.tensor(t[1:])
    return source_ids, torch.tensor([len(s) for s in src]), target_in, target_out


def loss_of(network: Seq2Seq, batch) -> torch.Tensor:
    """Mean cross-entropy per target token (padding ignored)."""
    source_ids, lengths, target_in, target_out = batch
    logits = network(source_ids, lengths, target_in)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target_out.reshape(-1), ignore_index=0)


@torch.no_grad()
def validation_loss(network: Seq2Seq, pairs: Sequence[Pair], source: Vocabulary, target: Vocabulary) -> float:
    network.eval()
    total, tokens = 0.0, 0
    for start in range(0, len(pairs), 256):
        batch = tensors(pairs[start:start + 256], source, target)
        count = int((batch[3] != 0).sum())
        total += float(loss_of(network, batch)) * count
        tokens += count
    network.train()
    return total / max(tokens, 1)


def train_model(train: Sequence[Pair], val: Sequence[Pair], config: TrainConfig,
                log: Callable[[str], None] = lambda line: None) -> TrainedModel:
    """Fit a model; the weights kept are those with the lowest validation loss seen."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    source = Vocabulary.build(p.description for p in train)
    target = Vocabulary.build(p.regex for p in train)
    network = Seq2Seq(Seq2SeqConfig(len(source), len(target), config.embedding, config.hidden, config.dropout,
                                    max_target=max(len(p.regex) for p in train) + 10))
    optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    warmup = max(1, min(200, config.steps // 10))
    schedule = torch.optim.lr_scheduler.LambdaLR(      # linear warm-up, then cosine decay to 0
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(step, config.steps)
                                                                                    / config.steps)))
    started, cpu_started = time.monotonic(), time.process_time()
    curve: list[dict] = []
    best = (float("inf"), None)
    running = 0.0
    network.train()
    stream = batches(train, source, target, min(config.batch, len(train)), rng)
    for step in range(1, config.steps + 1):
        loss = loss_of(network, next(stream))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        value = float(loss.detach())
        running = 0.98 * running + 0.02 * value if step > 1 else value
        out_of_time = config.seconds is not None and time.monotonic() - started > config.seconds
        if step % config.eval_every == 0 or step == config.steps or out_of_time:
            val_loss = validation_loss(network, val, source, target) if val else running
            curve.append({"step": step, "train_loss": round(running, 4), "val_loss": round(val_loss, 4),
                          "cpu_seconds": round(time.process_time() - cpu_started, 1)})
            log(f"step {step}: train {running:.3f}  val {val_loss:.3f}  "
                f"({time.monotonic() - started:.0f} s wall, {time.process_time() - cpu_started:.0f} s CPU)")
            if val_loss < best[0]:
                best = (val_loss, {k: v.clone() for k, v in network.state_dict().items()})
        if out_of_time:
            break
    if best[1] is not None:
        network.load_state_dict(best[1])
    network.eval()
    card = {"train_config": asdict(config), "curve": curve, "best_val_loss": round(best[0], 4),
            "train_pairs": len(train), "val_pairs": len(val), "parameters": sum(p.numel() for p in network.parameters()),
            "cpu_seconds": round(time.process_time() - cpu_started, 1),
            "wall_seconds": round(time.monotonic() - started, 1)}
    return TrainedModel(network, source, target, card)
