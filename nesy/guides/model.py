"""The guide's two small networks, and their file format.

- value scorer: property signature of a value (`SignatureEncoder.value_width`) -> logit that the
  value is part of a solution that generalises;
- op prior: signature of the task (`SignatureEncoder.task_width`) -> one logit per op of the DSL
  (does a solution use it?), as Probe/EuPhony learn per-task op weights.

Search runs in worker processes that should not pay for torch threads, so inference uses the
same weights as plain numpy arrays (`NumpyMlp`); torch is only needed to train and to read the
file.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from dsl.errors import NesyInputError

FORMAT = "nesy-guide"
VERSION = 1
OP_KEY = "op_raise_below:"   # calibration key prefix: per-op probability below which its cost rises


@dataclass(frozen=True)
class GuideConfig:
    dsl: str
    value_width: int
    task_width: int
    ops: tuple[str, ...]          # op signatures, in the order of the op-prior outputs
    hidden: int = 64


def mlp(width_in: int, hidden: int, width_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(width_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden // 2), nn.ReLU(),
                         nn.Linear(hidden // 2, width_out))


class GuideModel(nn.Module):
    def __init__(self, config: GuideConfig) -> None:
        super().__init__()
        self.config = config
        self.value_net = mlp(config.value_width, config.hidden, 1)
        self.op_net = mlp(config.task_width, config.hidden, len(config.ops))

    def value_logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.value_net(x).squeeze(-1)   # (values, value_width) -> (values,)

    def op_logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.op_net(x)                  # (tasks, task_width) -> (tasks, ops)


@dataclass
class GuideWeights:
    """What a weights file holds: the model, how to turn probabilities into costs, and its card."""

    model: GuideModel
    calibration: dict[str, float]   # thresholds chosen on validation data (see train.py)
    card: dict[str, Any]


def save_weights(weights: GuideWeights, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    config = asdict(weights.model.config)
    config["ops"] = list(config["ops"])
    torch.save({"format": FORMAT, "version": VERSION, "config": config,
                "state_dict": {k: v.detach().clone() for k, v in weights.model.state_dict().items()},
                "calibration": dict(weights.calibration), "card": weights.card}, path)


def load_weights(path: str | Path) -> GuideWeights:
    """Read a weights file; anything damaged or foreign is a NesyInputError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise NesyInputError("no guide weights here (train them with `nesy train guide`)", path=str(path))
    try:  # weights_only=True: tensors and plain containers only, so no code in the file can run
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for truncated / non-torch files
        text = " ".join(str(error).split())  # one line; torch's weights_only refusal is a page long
        reason = text.partition("WeightsUnpickler error:")[2].split(" Check the documentation")[0] or text
        raise NesyInputError(f"not a readable guide weights file ({type(error).__name__}: {reason.strip()[:200]})",
                             path=str(path)) from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise NesyInputError(f"not a guide weights file (expected format {FORMAT!r})", path=str(path))
    if blob.get("version") != VERSION:
        raise NesyInputError(f"guide weights version {blob.get('version')!r}, this nesy reads {VERSION}",
                             path=str(path))
    try:
        raw = blob["config"]
        config = GuideConfig(str(raw["dsl"]), int(raw["value_width"]), int(raw["task_width"]),
                             tuple(str(op) for op in raw["ops"]), int(raw["hidden"]))
        model = GuideModel(config)
        model.load_state_dict(blob["state_dict"])
        calibration = {str(k): float(v) for k, v in blob["calibration"].items()}
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise NesyInputError(f"damaged guide weights: {str(error).splitlines()[0]}", path=str(path)) from None
    for name, tensor in model.state_dict().items():
        if not torch.isfinite(tensor).all():
            raise NesyInputError(f"damaged guide weights: {name} holds NaN or infinite values", path=str(path))
    model.eval()
    return GuideWeights(model, calibration, dict(blob.get("card", {})))


class NumpyMlp:
    """A trained `nn.Sequential` of Linear/ReLU as numpy arrays: cheap, thread-free inference."""

    def __init__(self, net: nn.Sequential) -> None:
        self.layers: list[tuple[np.ndarray, np.ndarray]] = [
            (m.weight.detach().numpy().T.astype(np.float32).copy(), m.bias.detach().numpy().astype(np.float32).copy())
            for m in net if isinstance(m, nn.Linear)]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i + 1 < len(self.layers):
                np.maximum(x, 0.0, out=x)
        return x


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0)))


def check_dsl_ops(config: GuideConfig, op_signatures: Sequence[str], path: str) -> None:
    """Weights trained for one op table must not silently score another: every op they know must be
    the DSL's. A DSL that gained ops keeps its weights (scores go by signature): the new ops get
    no prior and no root-op feature until the guide is retrained."""
    missing = [signature for signature in config.ops if signature not in set(op_signatures)]
    if missing:
        raise NesyInputError(f"these guide weights were trained for another op table of DSL {config.dsl!r} "
                             f"({len(missing)} of their {len(config.ops)} ops are not in it, e.g. {missing[0]}); "
                             f"retrain them", path=path)
