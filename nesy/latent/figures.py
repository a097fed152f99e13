"""The figures of `nesy latent eval`: exact match against test-time steps (ours next to the paper's
Table 2), and one task's latent trajectory under gradient search, projected to 2-D (PCA of the
path and the pairs' encoder means). matplotlib with the Agg backend: no display needed."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from dsl.core import Task
from nesy.latent.model import LatentProgramNetwork


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def accuracy_figure(report: dict[str, Any], path: Path) -> Path:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    series = [("LPN (ours)", report["network"], "o-", "tab:blue"),
              ("LPN + symbolic check (ours)", report["neurosymbolic"], "s-", "tab:green")]
    series += [(f"paper: {name}", values, "x--", colour)
               for (name, values), colour in zip(report["paper_table2"].items(), ("tab:gray", "tab:orange", "tab:purple"))]
    for label, values, style, colour in series:
        steps = sorted(values, key=int)
        axes.plot([max(int(s), 0.5) for s in steps], [100 * values[s] for s in steps], style, color=colour, label=label)
    axes.set_xscale("log")
    axes.set_xlabel("test-time gradient steps (0 drawn at 0.5)")
    axes.set_ylabel("exact match (%)")
    axes.set_ylim(0, 100)
    axes.set_title(f"{report['domain']}: {report['tasks']} test tasks, seed {report['seed']}")
    axes.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return Path(path)


def trajectory_figure(net: LatentProgramNetwork, domain: Any, task: Task, config: Any, path: Path) -> Path:
    """The path of one task's latent over max(config.steps) Adam steps, coloured by the given
    pairs' log-likelihood, with the encoder's per-pair means it starts from."""
    from nesy.latent.search import gradient_search

    plt = _pyplot()
    batch = domain.tensors([task])
    found = gradient_search(net, batch.x, batch.y, [max(config.steps)], lr=config.lr, record=True)
    with torch.no_grad():
        mu, _ = net.encode(batch.x, batch.y)
    path_z = torch.stack([z[0] for z in found.trajectory])                  # (steps + 1, Z)
    likelihood = torch.stack([ll[0] for ll in found.trajectory_likelihood])
    points = torch.cat([path_z, mu[0]])
    centre = points.mean(0)
    _, _, v = torch.linalg.svd(points - centre, full_matrices=False)
    flat = (points - centre) @ v[:2].T
    figure, axes = plt.subplots(figsize=(5.5, 4.5))
    steps = len(path_z)
    axes.plot(flat[:steps, 0], flat[:steps, 1], "-", color="lightgray", zorder=1)
    dots = axes.scatter(flat[:steps, 0], flat[:steps, 1], c=likelihood.numpy(), cmap="viridis", s=14, zorder=2)
    axes.scatter(flat[steps:, 0], flat[steps:, 1], marker="^", color="tab:red", label="encoder mean of each pair")
    best = int(likelihood.argmax())
    axes.scatter([flat[0, 0]], [flat[0, 1]], marker="o", facecolors="none", edgecolors="black", s=80,
                 label="start: mean over pairs")
    axes.scatter([flat[best, 0]], [flat[best, 1]], marker="*", color="black", s=120, label=f"best (step {best})")
    figure.colorbar(dots, label="log p(given pairs | z)")
    axes.set_title(f"latent trajectory, task {task.name}")
    axes.set_xlabel("PC 1")
    axes.set_ylabel("PC 2")
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return Path(path)


def curve_figure(cards: dict[str, dict[str, Any]], path: Path) -> Path:
    """Training curves of one or more weights cards (label -> card): the reconstruction loss (nats
    per pair of 10 tokens) and the program heads' losses, by optimizer step.

        python -c "import json; from nesy.latent.figures import curve_figure; curve_figure(
            {'Grad 0': json.load(open('datasets/latent/seqrules-grad0.json'))}, 'curve.png')"
    """
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    for (label, card), colour in zip(cards.items(), ("tab:blue", "tab:orange", "tab:green", "tab:red")):
        steps = [row["step"] for row in card["curve"]]
        left.plot(steps, [row["reconstruction"] for row in card["curve"]], "-", color=colour, label=label)
        right.plot(steps, [row["program"] for row in card["curve"]], "-", color=colour, label=f"{label}: program head")
        right.plot(steps, [row["prior"] for row in card["curve"]], ":", color=colour, label=f"{label}: rule prior")
    left.set_xlabel("optimizer step")
    left.set_ylabel("reconstruction (nats per pair)")
    left.set_title("-log p(y | x, z), leave-one-out")
    left.legend(fontsize=7)
    right.set_xlabel("optimizer step")
    right.set_ylabel("loss")
    right.set_title("symbolic heads")
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)
