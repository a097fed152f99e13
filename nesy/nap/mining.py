"""Mining NAPs: for class c, the neurons that are on (or off) on at least a fraction delta of the
class-c training inputs. Recall and precision say how well the pattern describes the class.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsl.errors import NesyInputError
from solvers.nap.network import OFF, ON, Phases, ReluNetwork


@dataclass(frozen=True)
class NapSet:
    """One NAP per class, mined at one delta. Example:

    >>> naps = mine_naps(network, x_train, y_train, delta=0.99)   # doctest: +SKIP
    >>> naps.naps[3].fixed_count()                                  # doctest: +SKIP
    """

    delta: float
    naps: dict[int, Phases]

    def to_json(self) -> dict:
        return {"delta": self.delta,
                "naps": {str(c): [p.tolist() for p in phases.layers] for c, phases in sorted(self.naps.items())}}

    @staticmethod
    def from_json(data: dict, where: str) -> "NapSet":
        try:
            naps = {int(c): Phases(tuple(np.asarray(layer, dtype=np.int8) for layer in layers))
                    for c, layers in data["naps"].items()}
            delta = float(data["delta"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise NesyInputError(f"{where}: not a NAP file (expected {{'delta': ..., 'naps': {{class: "
                                 f"[[-1|0|1, ...], ...]}}}}): {error}") from error
        for c, phases in naps.items():
            if any(np.any(np.abs(p) > 1) for p in phases.layers):
                raise NesyInputError(f"{where}: class {c}: phases must be -1, 0 or 1")
        return NapSet(delta, naps)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json()))

    @staticmethod
    def load(path: str | Path) -> "NapSet":
        path = Path(path)
        if not path.is_file():
            raise NesyInputError(f"NAP file {path} not found")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            raise NesyInputError(f"{path}: line {error.lineno}: not JSON ({error.msg})") from error
        return NapSet.from_json(data, str(path))


def mine_naps(network: ReluNetwork, inputs: np.ndarray, labels: np.ndarray, delta: float) -> NapSet:
    """Per class, fix the neurons on (pre > 0) or off on at least a fraction delta of its inputs.

    >>> naps = mine_naps(digits_model().network, data.x_train, data.y_train, delta=0.99)   # doctest: +SKIP
    >>> naps.save("naps.json")                                                              # doctest: +SKIP
    """
    if not 0.5 < delta <= 1.0:
        raise NesyInputError(f"delta must be in (0.5, 1], got {delta}")
    hidden, _ = network.preactivations(inputs)
    naps = {}
    for c in sorted(set(int(y) for y in labels)):
        rows = labels == c
        layers = []
        for pre in hidden:
            on_rate = (pre[rows] > 0).mean(axis=0)
            phase = np.zeros(pre.shape[1], dtype=np.int8)
            phase[on_rate >= delta] = ON
            phase[(1 - on_rate) >= delta] = OFF
            layers.append(phase)
        naps[c] = Phases(tuple(layers))
    return NapSet(delta, naps)


@dataclass(frozen=True)
class NapStats:
    """Recall: share of class-c inputs following NAP_c. Precision: share of inputs following NAP_c that are c."""

    cls: int
    fixed: int
    recall: float
    precision: float


def nap_stats(network: ReluNetwork, naps: NapSet, inputs: np.ndarray, labels: np.ndarray) -> list[NapStats]:
    hidden, _ = network.preactivations(inputs)
    stats = []
    for c, phases in sorted(naps.naps.items()):
        follows = phases.followed_by(hidden)
        in_class = labels == c
        recall = float(follows[in_class].mean()) if in_class.any() else float("nan")
        precision = float(in_class[follows].mean()) if follows.any() else float("nan")
        stats.append(NapStats(c, phases.fixed_count(), recall, precision))
    return stats
