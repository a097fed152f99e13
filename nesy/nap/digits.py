"""The digits benchmark: scikit-learn's 8x8 digits (shipped with the package, no download) scaled to
[0, 1], a fixed seeded split, and a small ReLU MLP trained in seconds and cached under datasets/nap/.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsl.errors import NesyInputError
from nesy.nap.model import LoadedModel, from_torch

CACHE = Path(__file__).resolve().parents[2] / "datasets" / "nap"
REBUILD = "nesy nap train --hidden {hidden} --seed {seed}"


@dataclass(frozen=True)
class Digits:
    """Train / test split of the digits, inputs in [0, 1]^64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits_split(seed: int = 0) -> Digits:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = data.data.astype(np.float64) / 16.0
    x_train, x_test, y_train, y_test = train_test_split(x, data.target, test_size=0.25, random_state=seed,
                                                        stratify=data.target)
    return Digits(x_train, y_train, x_test, y_test)


def model_path(hidden: tuple[int, ...]) -> Path:
    return CACHE / f"digits-64-{'-'.join(map(str, hidden))}-10.pt"


def train_digits_mlp(hidden: tuple[int, ...] = (32, 32), seed: int = 0, epochs: int = 200):
    """Full-batch Adam on the training split; weights end on the 2^-16 grid so the torch model
    and the verifier's network are the same numbers."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    data = load_digits_split(seed)
    sizes = [64, *hidden, 10]
    layers: list[nn.Module] = []
    for k in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[k], sizes[k + 1]))
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    x = torch.as_tensor(data.x_train, dtype=torch.float32)
    y = torch.as_tensor(data.y_train)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.round(parameter * 2 ** 16) / 2 ** 16)
    return model


def test_accuracy(model: LoadedModel, data: Digits) -> float:
    _, logits = model.run(data.x_test)
    return float((logits.argmax(axis=1) == data.y_test).mean())


def digits_model(hidden: tuple[int, ...] = (32, 32), seed: int = 0, rebuild: bool = False) -> LoadedModel:
    """The cached digits MLP (trained and written to datasets/nap/ on first use or when rebuild)."""
    import torch

    if not hidden or any(h <= 0 for h in hidden):
        raise NesyInputError(f"hidden layer sizes must be positive, and at least one, got {hidden}")
    path = model_path(hidden)
    if rebuild or not path.is_file():
        model = train_digits_mlp(hidden, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), path)
        loaded = from_torch(model, str(path))
        card = {"architecture": [64, *hidden, 10], "seed": seed, "data": "sklearn.datasets.load_digits / 16, "
                "stratified 75/25 split (random_state=seed)", "training": "full-batch Adam lr 3e-3, wd 1e-4, "
                "200 epochs, weights rounded to multiples of 2^-16", "test_accuracy": test_accuracy(loaded,
                load_digits_split(seed)), "rebuild": REBUILD.format(hidden=",".join(map(str, hidden)), seed=seed)}
        path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
        return loaded
    from nesy.nap.model import load_model

    return load_model(path, architecture="relu-mlp")  # our own file: a state dict of Linear-ReLU layers
