"""Sound bounds on a ReLU network's pre-activations and outputs over an input box, in float64 numpy.

Two passes per layer, keeping the tighter of the two: interval arithmetic, and symbolic linear bounds
back-substituted to the input (the CROWN / DeepPoly scheme: each unstable ReLU is enclosed between two
lines, and a linear function of a layer is pushed back through the lines to the box). Required phases
(a NAP, or one branch of a case split) clip the bounds and make fixed ReLUs exactly linear, which is
what makes NAP-constrained queries so much easier than plain robustness.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solvers.nap.network import OFF, ON, Phases, Region, ReluNetwork


@dataclass(frozen=True)
class Relaxation:
    """Per neuron of one hidden layer: lower_slope*z + lower_offset <= relu(z) <= upper_slope*z + upper_offset."""

    lower_slope: np.ndarray
    lower_offset: np.ndarray
    upper_slope: np.ndarray
    upper_offset: np.ndarray


@dataclass(frozen=True)
class Bounds:
    """Pre-activation bounds per hidden layer, logit bounds, and whether the constrained region is empty."""

    pre_lo: tuple[np.ndarray, ...]
    pre_hi: tuple[np.ndarray, ...]
    out_lo: np.ndarray
    out_hi: np.ndarray
    relaxations: tuple[Relaxation, ...]
    infeasible: bool

    def unstable(self, phases: Phases) -> list[tuple[int, int]]:
        """Neurons whose sign the bounds leave open and that no phase fixes."""
        found = []
        for k, (lo, hi, phase) in enumerate(zip(self.pre_lo, self.pre_hi, phases.layers)):
            for i in np.nonzero((lo < 0) & (hi > 0) & (phase == 0))[0]:
                found.append((k, int(i)))
        return found


def relax_relu(lo: np.ndarray, hi: np.ndarray, phase: np.ndarray) -> Relaxation:
    """Linear enclosure of ReLU on [lo, hi]; exact where the sign is known or required."""
    active = (lo >= 0) | (phase == ON)
    inactive = ((hi <= 0) | (phase == OFF)) & ~active
    unstable = ~active & ~inactive
    width = np.where(unstable, hi - lo, 1.0)
    slope = np.where(unstable, hi / width, 0.0)
    upper_slope = np.where(active, 1.0, slope)
    upper_offset = np.where(unstable, -slope * lo, 0.0)
    # The lower line through the origin with the slope (0 or 1) that loses the least area.
    lower_slope = np.where(active, 1.0, np.where(unstable & (hi > -lo), 1.0, 0.0))
    zeros = np.zeros_like(lo)
    return Relaxation(lower_slope, zeros, upper_slope, upper_offset)


def _upper_bound(coeffs: np.ndarray, const: np.ndarray, depth: int, network: ReluNetwork,
                 relaxations: list[Relaxation], region: Region) -> np.ndarray:
    """Upper bound over the region of coeffs @ z_depth + const, z_depth the pre-activations of layer depth."""
    a, c = coeffs, const.copy()
    for j in range(depth, -1, -1):
        layer = network.layers[j]
        c = c + a @ layer.bias
        a = a @ layer.weight
        if j == 0:
            break
        relax = relaxations[j - 1]
        pos, neg = np.maximum(a, 0.0), np.minimum(a, 0.0)
        c = c + pos @ relax.upper_offset + neg @ relax.lower_offset
        a = pos * relax.upper_slope + neg * relax.lower_slope
    return c + np.maximum(a, 0.0) @ region.hi + np.minimum(a, 0.0) @ region.lo


def symbolic_bounds(coeffs: np.ndarray, depth: int, network: ReluNetwork, relaxations: list[Relaxation],
                    region: Region) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of coeffs @ z_depth over the region, through the given relaxations."""
    both = np.vstack([coeffs, -coeffs])
    upper = _upper_bound(both, np.zeros(len(both)), depth, network, relaxations, region)
    m = len(coeffs)
    return -upper[m:], upper[:m]


def propagate(network: ReluNetwork, region: Region, phases: Phases | None = None) -> Bounds:
    """Bounds of every layer over the region, restricted to inputs that follow `phases`."""
    phases = phases or Phases.free(network)
    relaxations: list[Relaxation] = []
    pre_lo, pre_hi = [], []
    box_lo, box_hi = region.lo.astype(np.float64), region.hi.astype(np.float64)
    infeasible = False
    for k, layer in enumerate(network.layers):
        pos, neg = np.maximum(layer.weight, 0.0), np.minimum(layer.weight, 0.0)
        lo = pos @ box_lo + neg @ box_hi + layer.bias
        hi = pos @ box_hi + neg @ box_lo + layer.bias
        if k > 0:
            eye = np.eye(layer.weight.shape[0])
            sym_lo, sym_hi = symbolic_bounds(eye, k, network, relaxations, region)
            lo, hi = np.maximum(lo, sym_lo), np.minimum(hi, sym_hi)
        if k == len(network.layers) - 1:
            return Bounds(tuple(pre_lo), tuple(pre_hi), lo, hi, tuple(relaxations), infeasible)
        phase = phases.layers[k]
        # A required phase restricts the region: ON needs z > 0, OFF needs z <= 0.
        infeasible |= bool(np.any((phase == ON) & (hi <= 0)) or np.any((phase == OFF) & (lo > 0)))
        lo = np.where(phase == ON, np.maximum(lo, 0.0), lo)
        hi = np.where(phase == OFF, np.minimum(hi, 0.0), hi)
        pre_lo.append(lo)
        pre_hi.append(hi)
        relaxations.append(relax_relu(lo, hi, phase))
        box_lo, box_hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
    raise AssertionError("unreachable: the loop returns at the last layer")


def objective_upper(network: ReluNetwork, bounds: Bounds, region: Region, weights: np.ndarray) -> float:
    """Upper bound of weights @ logits over the region (through the relaxations of `bounds`)."""
    depth = len(network.layers) - 1
    symbolic = _upper_bound(weights[None, :], np.zeros(1), depth, network, list(bounds.relaxations), region)[0]
    interval = np.maximum(weights, 0.0) @ bounds.out_hi + np.minimum(weights, 0.0) @ bounds.out_lo
    return float(min(symbolic, interval))
