"""Mining NAPs: for class c, the neurons that are on (or off) on at least a fraction delta of the
class-c training inputs. Recall and precision say how well the pattern describes the class.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dsl.errors import NesyInputError
from solvers.nap.network import OFF, ON, Phases, ReluNetwork


@dataclass(frozen=True)
class NapSet:
    """One NAP per class, mined at one delta. Example:

    >>> from nesy.nap import digits_model, load_digits_split
    >>> data = load_digits_split()
    >>> naps = mine_naps(digits_model().network, data.x_train, data.y_train, delta=0.99)
    >>> len(naps.naps), naps.naps[3].fixed_count() > 0
    (10, True)
    """

    delta: float
    naps: dict[int, Phases]

    def to_json(self) -> dict:
        return {"delta": self.delta,
                "naps": {str(c): [p.tolist() for p in phases.layers] for c, phases in sorted(self.naps.items())}}

    @staticmethod
    def from_json(data: Any, where: str) -> "NapSet":
        if not isinstance(data, dict) or not isinstance(data.get("naps"), dict) or "delta" not in data:
            raise NesyInputError(f"{where}: not a NAP file (expected {{'delta': ..., 'naps': {{class: "
                                 "[[-1|0|1, ...], ...]}})")
        delta = data["delta"]
        if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not 0 <= delta <= 1:
            raise NesyInputError(f"{where}: 'delta' must be a number in [0, 1], got {str(delta)[:40]}")
        if not data["naps"]:
            raise NesyInputError(f"{where}: the file holds no NAPs")
        naps = {_class_number(key, where): _phases(layers, f"{where}: class {key[:40]}")
                for key, layers in data["naps"].items()}
        shapes = {tuple(len(p) for p in phases.layers) for phases in naps.values()}
        if len(shapes) > 1:
            raise NesyInputError(f"{where}: the NAPs have different layer sizes {sorted(shapes)}")
        return NapSet(float(delta), naps)

    def check_fits(self, network: ReluNetwork, where: str) -> None:
        """Every class is one of the network's outputs and every NAP has its hidden layer sizes."""
        for c, phases in sorted(self.naps.items()):
            if c >= network.output_size:
                raise NesyInputError(f"{where}: class {c} has a NAP, but the network has {network.output_size} "
                                     f"outputs (classes 0-{network.output_size - 1})")
            phases.check_fits(network, f"{where}, class {c}")

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json()))

    @staticmethod
    def load(path: str | Path) -> "NapSet":
        path = Path(path)
        if not path.is_file():
            raise NesyInputError(f"NAP file {path} not found")
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise NesyInputError(f"{path}: not UTF-8 text (byte {error.start})") from None
        except json.JSONDecodeError as error:
            raise NesyInputError(f"{path}: line {error.lineno}: not JSON ({error.msg})") from None
        except ValueError as error:  # e.g. an integer of more digits than Python converts
            raise NesyInputError(f"{path}: not readable JSON ({' '.join(str(error).split())[:120]})") from None
        except RecursionError:
            raise NesyInputError(f"{path}: JSON nested too deeply") from None
        return NapSet.from_json(data, str(path))


def _class_number(key: str, where: str) -> int:
    if not (key.isascii() and key.isdigit() and len(key) <= 9):
        raise NesyInputError(f"{where}: class {key[:40]!r} is not a class number (0, 1, ...)")
    return int(key)


def _phases(layers: Any, where: str) -> Phases:
    """Per hidden layer a list of -1 (off), 0 (free), 1 (on)."""
    if not isinstance(layers, list) or not layers:
        raise NesyInputError(f"{where}: expected a list of hidden layers, each a list of -1, 0 or 1")
    arrays = []
    for k, layer in enumerate(layers):
        if (not isinstance(layer, list) or not layer
                or any(isinstance(v, bool) or v not in (-1, 0, 1) or not isinstance(v, (int, float)) for v in layer)):
            raise NesyInputError(f"{where}: layer {k}: expected a non-empty list of -1, 0 or 1")
        arrays.append(np.asarray(layer, dtype=np.int8))
    return Phases(tuple(arrays))


def mine_naps(network: ReluNetwork, inputs: np.ndarray, labels: np.ndarray, delta: float) -> NapSet:
    """Per class, fix the neurons on (pre > 0) or off on at least a fraction delta of its inputs.

    >>> import tempfile, pathlib
    >>> from nesy.nap import digits_model, load_digits_split
    >>> data = load_digits_split()
    >>> naps = mine_naps(digits_model().network, data.x_train, data.y_train, delta=0.99)
    >>> naps.save(pathlib.Path(tempfile.mkdtemp()) / "naps.json")
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
