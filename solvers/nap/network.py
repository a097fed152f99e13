"""The network and specification shapes that NAP verification works on, in plain numpy.

`nesy.nap` turns torch / ONNX models into a `ReluNetwork`; everything in `solvers` reasons about this
one representation, so the verifier never imports torch and both model formats get the same verdicts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dsl.errors import NesyInputError

GRID_BITS = 16
"""Weights are rounded to multiples of 2^-GRID_BITS: exact in float64 and as Z3 rationals alike."""


def round_to_grid(values: np.ndarray, bits: int = GRID_BITS) -> np.ndarray:
    """Round to the dyadic grid so float bound propagation, Z3 and replay all see one network."""
    scale = float(2 ** bits)
    return np.round(np.asarray(values, dtype=np.float64) * scale) / scale


@dataclass(frozen=True, eq=False)
class AffineLayer:
    """y = weight @ x + bias; weight has shape (out, in)."""

    weight: np.ndarray
    bias: np.ndarray

    def __post_init__(self) -> None:
        if self.weight.ndim != 2 or 0 in self.weight.shape or self.bias.shape != (self.weight.shape[0],):
            raise NesyInputError(f"affine layer: weight {self.weight.shape} and bias {self.bias.shape} do not fit")


@dataclass(frozen=True, eq=False)
class ReluNetwork:
    """Affine layers with a ReLU after every one but the last (whose outputs are the logits)."""

    layers: tuple[AffineLayer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise NesyInputError("network has no affine layers")
        for index in range(1, len(self.layers)):
            previous, layer = self.layers[index - 1], self.layers[index]
            if layer.weight.shape[1] != previous.weight.shape[0]:
                raise NesyInputError(f"layer {index}: takes {layer.weight.shape[1]} inputs but layer "
                                     f"{index - 1} gives {previous.weight.shape[0]}")

    @property
    def input_size(self) -> int:
        return self.layers[0].weight.shape[1]

    @property
    def output_size(self) -> int:
        return self.layers[-1].weight.shape[0]

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        return tuple(layer.weight.shape[0] for layer in self.layers[:-1])

    def rounded(self, bits: int = GRID_BITS) -> "ReluNetwork":
        return ReluNetwork(tuple(AffineLayer(round_to_grid(l.weight, bits), round_to_grid(l.bias, bits))
                                 for l in self.layers))

    def preactivations(self, x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Hidden pre-activations (one (batch, n_k) array per hidden layer) and logits for a batch."""
        h = np.atleast_2d(np.asarray(x, dtype=np.float64))
        hidden = []
        for layer in self.layers[:-1]:
            pre = h @ layer.weight.T + layer.bias
            hidden.append(pre)
            h = np.maximum(pre, 0.0)
        last = self.layers[-1]
        return hidden, h @ last.weight.T + last.bias

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.preactivations(x)[1]


ON, OFF, FREE = 1, -1, 0


@dataclass(frozen=True, eq=False)
class Phases:
    """Required ReLU states: per hidden layer an int8 array of ON (pre > 0), OFF (pre <= 0) or FREE.

    A NAP is a `Phases`; so is a branch of case splitting, which is why both share one type.
    """

    layers: tuple[np.ndarray, ...]

    @staticmethod
    def free(network: ReluNetwork) -> "Phases":
        return Phases(tuple(np.zeros(n, dtype=np.int8) for n in network.hidden_sizes))

    def check_fits(self, network: ReluNetwork, where: str) -> None:
        sizes = tuple(len(p) for p in self.layers)
        if sizes != network.hidden_sizes:
            raise NesyInputError(f"{where}: NAP has layer sizes {sizes}, the network has {network.hidden_sizes}")

    def fixed_count(self) -> int:
        return int(sum(np.count_nonzero(p) for p in self.layers))

    def with_phase(self, layer: int, neuron: int, phase: int) -> "Phases":
        layers = [p.copy() for p in self.layers]
        layers[layer][neuron] = phase
        return Phases(tuple(layers))

    def conflicts(self, other: "Phases") -> list[tuple[int, int]]:
        """(layer, neuron) pairs that one requires ON and the other OFF: such NAPs are disjoint."""
        found = []
        for k, (a, b) in enumerate(zip(self.layers, other.layers)):
            for i in np.nonzero(a * b == -1)[0]:
                found.append((k, int(i)))
        return found

    def merged(self, other: "Phases") -> "Phases":
        """Both sets of requirements at once (callers check `conflicts` first)."""
        return Phases(tuple(np.where(a != 0, a, b).astype(np.int8) for a, b in zip(self.layers, other.layers)))

    def followed_by(self, hidden: list[np.ndarray], margin: float = 0.0) -> np.ndarray:
        """For a batch of pre-activations: which rows follow these phases (ON: pre > margin, OFF: pre <= -margin)."""
        ok = np.ones(hidden[0].shape[0], dtype=bool)
        for pre, phase in zip(hidden, self.layers):
            on, off = phase == ON, phase == OFF
            ok &= np.all(pre[:, on] > margin, axis=1) & np.all(pre[:, off] <= -margin, axis=1)
        return ok


@dataclass(frozen=True, eq=False)
class Region:
    """An input box lo <= x <= hi (an L-infinity ball clipped to the domain is one too)."""

    lo: np.ndarray
    hi: np.ndarray
    name: str = field(default="box")

    def __post_init__(self) -> None:
        if not (np.all(np.isfinite(self.lo)) and np.all(np.isfinite(self.hi))):
            raise NesyInputError(f"region {self.name}: bounds must be finite numbers")
        if self.lo.shape != self.hi.shape or np.any(self.lo > self.hi):
            raise NesyInputError(f"region {self.name}: lower bounds must not exceed upper bounds")

    @staticmethod
    def ball(center: np.ndarray, eps: float, domain: "Region") -> "Region":
        """L-infinity ball of radius eps around center, clipped to the domain box."""
        lo = np.clip(center - eps, domain.lo, domain.hi)
        hi = np.clip(center + eps, domain.lo, domain.hi)
        return Region(np.minimum(lo, hi), hi, f"ball({eps:g})")
