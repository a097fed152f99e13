"""Test-time search in LPN's latent space, batched over tasks.

- `gradient_search`: start from the mean of the encoder's means over the given pairs, run Adam on z
  to raise sum_pairs log p(y | x, z), keep the best z seen (the likelihood can go down on a step).
  One run to the largest step count gives every smaller count too: the best z within the first k
  steps is what a k-step run keeps, since Adam's path does not depend on how long it will run.
- `sampling_search`: the baseline, the best of `samples` latents drawn from the encoder's Gaussian
  (the mean of the pairs' means, their mean variance).

Adam's moments are per coordinate, so one optimizer over a batch of tasks' latents is each task's
own search.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import torch

from nesy.latent.model import LatentProgramNetwork


@dataclass
class LatentSearch:
    """Best latent and its log-likelihood after each requested step count, and (optionally) the
    path of every task's latent, step by step."""

    best: dict[int, torch.Tensor]                   # steps -> (B, Z)
    likelihood: dict[int, torch.Tensor]             # steps -> (B,) sum of the pairs' log p
    trajectory: list[torch.Tensor] = field(default_factory=list)      # each (B, Z)
    trajectory_likelihood: list[torch.Tensor] = field(default_factory=list)


@contextlib.contextmanager
def frozen(net: LatentProgramNetwork) -> Iterator[LatentProgramNetwork]:
    """The network with its weights out of autograd (only z is searched), in eval mode."""
    flags = [p.requires_grad for p in net.parameters()]
    was_training = net.training
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    try:
        yield net
    finally:
        for p, flag in zip(net.parameters(), flags):
            p.requires_grad_(flag)
        net.train(was_training)


def start_latent(net: LatentProgramNetwork, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The encoder's task latent (mean of the pairs' means) and its mean variance: (B, Z) each."""
    with torch.no_grad():
        mu, logvar = net.encode(x, y)
    return mu.mean(1), logvar.exp().mean(1)


def gradient_search(net: LatentProgramNetwork, x: torch.Tensor, y: torch.Tensor, steps: Sequence[int],
                    lr: float = 0.1, record: bool = False) -> LatentSearch:
    """Adam on z for max(steps) steps; the best z within each count of `steps` (0: the encoder's).

    x, y: (B, N, L) given pairs."""
    wanted = sorted(set(int(s) for s in steps))
    if not wanted or wanted[0] < 0:
        raise ValueError("steps are whole numbers >= 0")
    with frozen(net):
        z0, _ = start_latent(net, x, y)
        z = z0.clone().requires_grad_(True)
        optimizer = torch.optim.Adam([z], lr=lr)
        best, best_ll = z0.clone(), torch.full((x.shape[0],), -float("inf"))
        found = LatentSearch({}, {})
        for step in range(wanted[-1] + 1):
            ll = net.log_likelihood(x, y, z)                       # of z after `step` updates
            with torch.no_grad():
                better = ll > best_ll
                best = torch.where(better[:, None], z, best)
                best_ll = torch.where(better, ll, best_ll)
                if step in wanted:
                    found.best[step], found.likelihood[step] = best.clone(), best_ll.clone()
                if record:
                    found.trajectory.append(z.detach().clone())
                    found.trajectory_likelihood.append(ll.detach().clone())
            if step == wanted[-1]:
                break
            optimizer.zero_grad()
            (-ll.sum()).backward()
            optimizer.step()
    return found


def sampling_search(net: LatentProgramNetwork, x: torch.Tensor, y: torch.Tensor, samples: int,
                    seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The best of `samples` latents from the encoder's Gaussian (the mean itself included), by
    the given pairs' log-likelihood: (B, Z) and (B,)."""
    generator = torch.Generator().manual_seed(seed)
    with frozen(net), torch.no_grad():
        mean, variance = start_latent(net, x, y)
        best, best_ll = mean, net.log_likelihood(x, y, mean)
        for _ in range(samples):
            z = mean + variance.sqrt() * torch.randn(mean.shape, generator=generator)
            ll = net.log_likelihood(x, y, z)
            better = ll > best_ll
            best, best_ll = torch.where(better[:, None], z, best), torch.where(better, ll, best_ll)
    return best, best_ll
