"""Training LPN: leave-one-out reconstruction with 0 or 1 latent gradient steps (Grad 0 / Grad 1).

For each task of N pairs, pair i is decoded from the mean of the other pairs' sampled latents,
moved by `grad_steps` steps of gradient ascent on the others' log-likelihood (the step is a
constant: stop-gradient through the update, no second derivatives), so the encoder learns a
latent a test-time search can improve. Loss = -log p(y_i | x_i, z_i) + beta * KL(encoder || N(0, I)),
plus the symbolic heads' losses (which rules, which rule in each slot), which by default also
train the encoder: the generator knows each task's program, and a latent organised by programs
learns in the minutes a CPU gives (measured: docs/latent.md). The paper has no such labels;
`supervise_latent=False` trains the heads on detached latents, as pure LPN.

    >>> from nesy.latent.domains import get_domain
    >>> net, card = train(get_domain("seqrules"), TrainConfig(steps=2, batch=4, log_every=1),
    ...                   model=LpnConfig(d_model=16, heads=2, latent=8, encoder_layers=1, decoder_layers=1))
    >>> len(card["curve"])
    2
"""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F

from dsl.errors import NesyInputError
from nesy.latent.domains import VALIDATION_SEED, SeqRulesDomain, TaskTensors
from nesy.latent.model import LatentProgramNetwork, LpnConfig, kl_to_standard_normal

WEIGHTS_FORMAT = "nesy-lpn-1"


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 3000
    batch: int = 64
    lr: float = 1e-3
    beta: float = 1e-3                 # KL weight
    grad_steps: int = 0                # latent gradient steps inside training (Grad 0 / Grad 1)
    inner_lr: float = 0.5              # size of that step (on a gradient clipped to norm 1 per latent)
    head_weight: float = 1.0           # the symbolic heads' losses
    # the heads' losses also train the encoder (program supervision shapes the latent space; the
    # paper has no program labels). False: the heads read detached latents.
    supervise_latent: bool = True
    seed: int = 0
    log_every: int = 100
    validation_tasks: int = 200
    threads: int = 1


def loo_latents(net: LatentProgramNetwork, batch: TaskTensors, sample: bool = True
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each pair's leave-one-out latent (the mean of the other pairs' latents): (B, N, Z), with
    the encoder's mu and logvar (B, N, Z)."""
    mu, logvar = net.encode(batch.x, batch.y)
    z = mu + torch.randn_like(mu) * (0.5 * logvar).exp() if sample else mu
    n = z.shape[1]
    return (z.sum(1, keepdim=True) - z) / (n - 1), mu, logvar


def context_log_likelihood(net: LatentProgramNetwork, x: torch.Tensor, y: torch.Tensor,
                           z: torch.Tensor) -> torch.Tensor:
    """For latent (b, i) the log-likelihood of task b's pairs other than i: (B, N)."""
    b, n, length = x.shape
    xs = x[:, None].expand(b, n, n, length).reshape(b * n, n, length)
    ys = y[:, None].expand(b, n, n, length).reshape(b * n, n, length)
    per_pair = net.pair_log_likelihood(xs, ys, z.reshape(b * n, -1)).reshape(b, n, n)
    others = 1.0 - torch.eye(n, device=x.device)
    return (per_pair * others).sum(-1)


def gradient_steps(net: LatentProgramNetwork, batch: TaskTensors, z: torch.Tensor, steps: int,
                   lr: float) -> torch.Tensor:
    """z moved by `steps` plain gradient-ascent steps on the other pairs' log-likelihood; each
    step is added as a constant (stop-gradient), so the encoder still gets gradients through z.

    Each latent's gradient is clipped to norm 1 first (as LPN's reference clips its latent
    optimiser): the summed log-likelihood of 4 pairs x 10 tokens has gradients of norm 10-100 on
    a fresh network, and an unclipped step would throw z far outside the prior."""
    for _ in range(steps):
        probe = z.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(context_log_likelihood(net, batch.x, batch.y, probe).sum(), probe)
        grad = grad.detach()
        grad = grad / grad.norm(dim=-1, keepdim=True).clamp(min=1.0)
        z = z + lr * grad
    return z


def training_loss(net: LatentProgramNetwork, batch: TaskTensors, config: TrainConfig) -> dict[str, torch.Tensor]:
    z, mu, logvar = loo_latents(net, batch)
    z = gradient_steps(net, batch, z, config.grad_steps, config.inner_lr)
    b, n, length = batch.x.shape
    flat_x, flat_y = batch.x.reshape(b * n, 1, length), batch.y.reshape(b * n, 1, length)
    reconstruction = -net.pair_log_likelihood(flat_x, flat_y, z.reshape(b * n, -1)).mean()
    kl = kl_to_standard_normal(mu, logvar).mean()
    parts = {"reconstruction": reconstruction, "kl": kl}
    loss = reconstruction + config.beta * kl
    if net.config.rules:
        heads_z = (z if config.supervise_latent else z.detach()).reshape(b * n, -1)
        rules = batch.rules[:, None].expand(b, n, -1).reshape(b * n, -1)
        slots = batch.slots[:, None].expand(b, n, -1).reshape(b * n, -1)
        known = slots[:, 0] >= 0
        if known.any():
            prior = F.binary_cross_entropy_with_logits(net.rule_logits(heads_z[known]), rules[known])
            program = F.cross_entropy(net.slot_logits(heads_z[known]).reshape(-1, net.config.rules + 1),
                                      slots[known].reshape(-1))
            parts.update(prior=prior, program=program)
            loss = loss + config.head_weight * (prior + program)
    parts["loss"] = loss
    return parts


@torch.no_grad()
def exact_match(net: LatentProgramNetwork, batch: TaskTensors) -> float:
    """Share of test outputs decoded exactly from the mean latent of the given pairs (0 steps)."""
    mu, _ = net.encode(batch.x, batch.y)
    guess = net.decode(batch.test_x, mu.mean(1))
    return (guess == batch.test_y).all(-1).float().mean().item()


def train(domain: SeqRulesDomain, config: TrainConfig, model: LpnConfig | None = None,
          net: LatentProgramNetwork | None = None, progress: Callable[[dict], None] | None = None,
          ) -> tuple[LatentProgramNetwork, dict[str, Any]]:
    """Train a new network (or go on training `net`); returns it and its card (config, curve,
    CPU seconds). Ctrl-C stops training and returns the network as it is."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    net = net or LatentProgramNetwork(model or domain.config())
    optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * step / config.steps)))
    validation = domain.tensors(domain.test_tasks(config.validation_tasks, VALIDATION_SEED))
    curve: list[dict[str, float]] = []
    cpu = time.process_time()
    interrupted = False
    sums: dict[str, float] = {}
    try:
        for step in range(1, config.steps + 1):
            net.train()
            parts = training_loss(net, domain.training_batch(rng, config.batch), config)
            optimizer.zero_grad()
            parts["loss"].backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            for key, value in parts.items():
                sums[key] = sums.get(key, 0.0) + value.item()
            if step % config.log_every == 0 or step == config.steps:
                net.eval()
                count = config.log_every if step % config.log_every == 0 else step % config.log_every
                row = {"step": step, **{k: round(v / count, 4) for k, v in sums.items()},
                       "validation_exact_0_steps": round(exact_match(net, validation), 4),
                       "cpu_seconds": round(time.process_time() - cpu, 1)}
                curve.append(row)
                sums = {}
                if progress is not None:
                    progress(row)
    except KeyboardInterrupt:
        interrupted = True
    net.eval()
    card = {"domain": domain.name, "model": net.config.to_json(), "training": asdict(config), "curve": curve,
            "cpu_seconds": round(time.process_time() - cpu, 1), "interrupted": interrupted,
            "data": f"fresh tasks from dsl.seqrules.generator, random.Random({config.seed}); "
                    f"validation: {config.validation_tasks} tasks of seed {VALIDATION_SEED}"}
    return net, card


def save(net: LatentProgramNetwork, card: dict[str, Any], path: Path) -> None:
    """The weights (`path`, a torch file of tensors and plain values) and the card beside them
    (`path` with `.json`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": WEIGHTS_FORMAT, "config": net.config.to_json(), "domain": card["domain"],
                "state_dict": {k: v.half() if v.is_floating_point() else v for k, v in net.state_dict().items()}},
               path)
    path.with_suffix(".json").write_text(json.dumps(card, indent=1) + "\n")


def load(path: Path, domain: str | None = None) -> LatentProgramNetwork:
    """A network saved by `save`; a missing, damaged or mismatched file is a NesyInputError."""
    path = Path(path)
    if not path.is_file():
        raise NesyInputError("no such weights file (train one with `nesy latent train`)", path=str(path))
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise NesyInputError(f"damaged LPN weights ({type(error).__name__}: {str(error).splitlines()[0][:120]})",
                             path=str(path)) from None
    if not isinstance(saved, dict) or saved.get("format") != WEIGHTS_FORMAT:
        raise NesyInputError(f"not LPN weights (expected format {WEIGHTS_FORMAT!r})", path=str(path))
    if domain is not None and saved.get("domain") != domain:
        raise NesyInputError(f"these weights are for domain {saved.get('domain')!r}, not {domain!r}", path=str(path))
    try:
        net = LatentProgramNetwork(LpnConfig(**saved["config"]))
        net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in saved["state_dict"].items()})
    except (TypeError, KeyError, RuntimeError) as error:
        raise NesyInputError(f"damaged LPN weights: {str(error).splitlines()[0][:160]}", path=str(path)) from None
    for name, tensor in net.state_dict().items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise NesyInputError(f"damaged LPN weights: {name} holds NaN or infinite values", path=str(path))
    net.eval()
    return net

