"""Sound linear bounds (CROWN, with optimisable slopes and split multipliers) in float64 numpy.

Sound for the network *as given*: every weight is taken as the exact real number its float64 value
is (the float32 weights of an ONNX file are exact in float64), and every floating-point operation's
rounding error is bounded and added outward, so a bound computed here holds for the real-arithmetic
network. The argument (docs/nap.md, "Soundness"):

* A matrix product in float64 with inner dimension n, in any summation order, with or without FMA,
  errs per entry by at most gamma_n * (|A| @ |B|), gamma_n = n u / (1 - n u), u = 2^-53 (Higham,
  Accuracy and Stability of Numerical Algorithms, 3.1). An elementwise product or sum errs by u|r|.
* Back-substitution rewrites "objective <= A @ z_j + c" layer by layer. Replacing the exact A @ W by
  its float value A' costs at most |A W - A'| @ |h| <= gamma_n (|A| @ (|W| @ m_h)) where m_h bounds |h|
  (from sound bounds already computed); the constant's updates cost gamma_n |A| @ |b| + u|c|. Each is
  added to an error term (with a factor 2 that also covers the rounding of the error computation).
* Relaxation lines are made valid by construction: lower lines alpha z with alpha in [0, 1] are
  below relu everywhere; an upper line s z + t over [l, u] has its offset t rounded up past both
  endpoint conditions (s l + t >= 0, s u + t >= u), so it lies above relu on [l, u].
* Split multipliers (beta >= 0) add beta z_i (neuron required on, z_i >= 0) or -beta z_i (required
  off) to the objective: valid Lagrangian terms on the branch, any beta.

So the slopes and multipliers may come from any optimiser (float, not sound): only the final
evaluation here must be, and it is. The gradient with respect to alpha and beta is returned too:
it is the primal point of the linearised problem (the same pass run forwards).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from solvers.nap.network import OFF, ON, ReluNetwork

UNIT = 2.0 ** -53
TINY = 1e-300
"""Absolute slack for underflow (products below the normal range lose absolute, not relative, accuracy)."""


def gamma(n: int) -> float:
    """Higham's gamma_n, doubled: the bound on a length-n dot product's relative rounding error."""
    return 2.0 * (n + 2) * UNIT / (1.0 - (n + 2) * UNIT)


def _dot(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise a_e . v: v is one vector for every row or one vector per row (a batch of branches)."""
    return a @ v if v.ndim == 1 else np.einsum("ij,ij->i", a, v)


def round_up(values: np.ndarray) -> np.ndarray:
    """A float at least the exact value of an expression that was just computed to within 4u."""
    return values + 4 * UNIT * np.abs(values) + TINY


@dataclass(frozen=True)
class LayerBounds:
    """Sound pre-activation bounds of every hidden layer of one branch (splits applied).

    `infeasible`: the splits contradict the bounds (no input of the box reaches this branch)."""

    lo: tuple[np.ndarray, ...]
    hi: tuple[np.ndarray, ...]
    splits: tuple[np.ndarray, ...]
    infeasible: bool
    slopes: "dict[int, list[np.ndarray]] | None" = None
    """Per hidden layer k >= 1, the optimised lower slopes that bounded its neurons at the root: one
    list over layers j < k of (2 n_k, n_j) arrays, rows i (upper bound of neuron i) and n_k + i
    (lower bound). Shared, never copied, by every branch below the root: a branch re-bounding its
    layers starts from them instead of the default slopes."""

    def unstable(self, k: int) -> np.ndarray:
        return (self.lo[k] < 0) & (self.hi[k] > 0) & (self.splits[k] == 0)

    def take(self, index: np.ndarray) -> "LayerBounds":
        """The rows `index` of stacked bounds (see `stack_bounds`)."""
        return LayerBounds(tuple(l[index] for l in self.lo), tuple(h[index] for h in self.hi),
                           tuple(s[index] for s in self.splits), self.infeasible)


def stack_bounds(parts: Sequence[LayerBounds], repeat: int = 1) -> LayerBounds:
    """Branches side by side, one row per objective row: row e holds branch e // repeat. `Crown.upper`
    takes such per-row bounds, so one back-substitution bounds a whole batch of branches (large
    matrix products instead of many one-row ones)."""
    def rows(arrays):
        return tuple(np.repeat(np.stack(layer), repeat, axis=0) for layer in zip(*arrays))
    return LayerBounds(rows(p.lo for p in parts), rows(p.hi for p in parts), rows(p.splits for p in parts),
                       False)


@dataclass(frozen=True)
class Lines:
    """Per hidden neuron: upper line upper_slope z + upper_offset, default lower slope, and which are
    unstable (the only ones whose lower slope alpha is free)."""

    upper_slope: np.ndarray
    upper_offset: np.ndarray
    lower_slope: np.ndarray
    unstable: np.ndarray


def relu_lines(lo: np.ndarray, hi: np.ndarray) -> Lines:
    """Lines enclosing relu on [lo, hi] (lo, hi already clipped by splits); valid in exact arithmetic."""
    active = lo >= 0
    inactive = (hi <= 0) & ~active
    unstable = ~active & ~inactive
    width = np.where(unstable, hi - lo, 1.0)
    slope = np.where(unstable, hi / width, 0.0)
    at_lo = -slope * lo                      # s lo + t >= 0
    at_hi = hi - slope * hi                  # s hi + t >= hi
    offset = np.where(unstable, round_up(np.maximum(at_lo, at_hi)), 0.0)
    upper_slope = np.where(active, 1.0, slope)
    lower_slope = np.where(active, 1.0, np.where(unstable & (hi > -lo), 1.0, 0.0))
    return Lines(upper_slope, np.maximum(offset, 0.0), lower_slope, unstable)


class Crown:
    """Back-substitution through one network over one input box, sound to the last bit.

    >>> from solvers.nap.network import AffineLayer
    >>> net = ReluNetwork((AffineLayer(np.array([[1.0], [-1.0]]), np.zeros(2)),
    ...                    AffineLayer(np.array([[1.0, 1.0]]), np.zeros(1))))   # relu(x) + relu(-x) = |x|
    >>> crown = Crown(net, np.array([-1.0]), np.array([2.0]))
    >>> bounds = crown.layer_bounds([np.zeros(2, dtype=np.int8)])
    >>> upper, _ = crown.upper(np.array([[1.0]]), np.zeros(1), bounds)
    >>> 2.0 <= float(upper[0]) < 2.0 + 1e-9
    True
    """

    def __init__(self, network: ReluNetwork, lo: np.ndarray, hi: np.ndarray) -> None:
        self.network = network
        self.lo, self.hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
        self.abs_w = [np.abs(layer.weight) for layer in network.layers]
        self.abs_b = [np.abs(layer.bias) for layer in network.layers]
        self.pos_w = [np.maximum(layer.weight, 0.0) for layer in network.layers]
        self.neg_w = [np.minimum(layer.weight, 0.0) for layer in network.layers]
        self.x_mag = np.maximum(np.abs(self.lo), np.abs(self.hi))

    # ---- intermediate bounds -------------------------------------------------------------------
    def layer_bounds(self, splits: list[np.ndarray], parent: LayerBounds | None = None,
                     from_layer: int = 0, iterations: int = 0, rate: float = 0.1,
                     keep_slopes: bool = False) -> LayerBounds:
        """Sound bounds of every hidden layer under `splits` (per layer int8: ON, OFF or 0).

        With a parent (the branch this one was split from), layers up to `from_layer` (the split's) are
        reused (clipped by the new splits) and only the later ones recomputed, each no looser than the parent's.
        iterations > 0: each open neuron's bounds get their own lower slopes, optimised by that many
        projected Adam steps (alpha-CROWN for intermediate layers); every step's bound is sound, and
        the best is kept. keep_slopes: the result carries those optimised slopes (`LayerBounds.slopes`);
        with a parent that carries them, re-bounded neurons start from them."""
        net = self.network
        los: list[np.ndarray] = []
        his: list[np.ndarray] = []
        lines: list[Lines] = []
        infeasible = False
        post_lo, post_hi = self.lo, self.hi
        mag = self.x_mag
        start_slopes = parent.slopes if parent is not None else None
        kept: dict[int, list[np.ndarray]] | None = {} if keep_slopes else start_slopes
        for k in range(len(net.layers) - 1):
            if parent is not None and k <= from_layer:  # a split at layer k leaves layers <= k as they were
                lo, hi = parent.lo[k].copy(), parent.hi[k].copy()
            else:
                lo, hi = self._interval(k, post_lo, post_hi, mag)
                if parent is not None:
                    lo, hi = np.maximum(lo, parent.lo[k]), np.minimum(hi, parent.hi[k])
                # back-substitution only for neurons whose sign is still open (a stable neuron's
                # bounds do not change its relaxation)
                which = np.nonzero((lo < 0) & (hi > 0) & (splits[k] == 0))[0] if k > 0 else np.array([], int)
                if len(which):
                    n = net.layers[k].weight.shape[0]
                    rows = np.zeros((2 * len(which), n))
                    rows[np.arange(len(which)), which] = 1.0
                    rows[len(which) + np.arange(len(which)), which] = -1.0
                    index = np.concatenate([which, n + which])  # rows of `which` in a (2 n) slopes table
                    start = None
                    if start_slopes is not None and k in start_slopes:
                        start = [a[index] for a in start_slopes[k]]
                    upper, slopes = self._optimised_rows(rows, k, los, his, lines, iterations, rate, start)
                    if keep_slopes:
                        kept[k] = [np.tile(line.lower_slope, (2 * n, 1)) for line in lines]
                        for layer, a in zip(kept[k], slopes or []):
                            layer[index] = a
                    lo[which] = np.maximum(lo[which], -upper[len(which):])
                    hi[which] = np.minimum(hi[which], upper[:len(which)])
            split = splits[k]
            # ON means z >= 0, OFF means z <= 0 (the two branches cover every input).
            infeasible |= bool(np.any((split == ON) & (hi < 0)) or np.any((split == OFF) & (lo > 0))
                               or np.any(lo > hi))
            lo = np.where(split == ON, np.maximum(lo, 0.0), lo)
            hi = np.where(split == OFF, np.minimum(hi, 0.0), hi)
            hi = np.maximum(hi, lo) if infeasible else hi
            los.append(lo)
            his.append(hi)
            lines.append(relu_lines(lo, hi))
            post_lo, post_hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
            mag = post_hi
        return LayerBounds(tuple(los), tuple(his), tuple(s.copy() for s in splits), infeasible, kept)

    def _optimised_rows(self, rows: np.ndarray, k: int, los: list, his: list, lines: list, iterations: int,
                        rate: float, start: list[np.ndarray] | None = None) -> tuple[np.ndarray, list]:
        """Sound upper bounds of rows @ z_k, and the lower slopes (per layer j < k, one row per
        objective row) that gave each row's best bound; the slopes start at `start` or the defaults
        (with no steps and no start: None, the defaults, not tiled)."""
        zeros = np.zeros(len(rows))
        if iterations <= 0:
            return self._backsub(rows, zeros, k, los, his, lines, start)[0], start
        # the steps rebind alpha's arrays, never write into them: `start` needs no copy
        alpha = [np.tile(line.lower_slope, (len(rows), 1)) for line in lines] if start is None else list(start)
        moments = [(np.zeros_like(a), np.zeros_like(a)) for a in alpha]
        best = np.full(len(rows), np.inf)
        best_alpha = [a.copy() for a in alpha]
        for step in range(1, iterations + 2):
            upper, grads = self._backsub(rows, zeros, k, los, his, lines, alpha, gradient=True)
            better = upper < best
            best = np.minimum(best, upper)
            for j, a in enumerate(alpha):
                best_alpha[j][better] = a[better]
            if step > iterations:
                break
            for j, (m, v) in enumerate(moments):
                g = grads[0][j]
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                alpha[j] = np.clip(alpha[j] - rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step))
                                                                                + 1e-12), 0.0, 1.0)
        return best, best_alpha

    def _interval(self, k: int, post_lo: np.ndarray, post_hi: np.ndarray, mag: np.ndarray):
        layer = self.network.layers[k]
        n = layer.weight.shape[1]
        lo = self.pos_w[k] @ post_lo + self.neg_w[k] @ post_hi + layer.bias
        hi = self.pos_w[k] @ post_hi + self.neg_w[k] @ post_lo + layer.bias
        err = gamma(n) * (self.abs_w[k] @ mag + self.abs_b[k]) + TINY
        return lo - err, hi + err

    # ---- objective bounds ----------------------------------------------------------------------
    def upper(self, coeffs: np.ndarray, const: np.ndarray, bounds: LayerBounds, alpha: list | None = None,
              beta: list | None = None, gradient: bool = False):
        """Sound upper bounds of coeffs @ logits + const (one per row) on the branch `bounds`, or on
        per-row branches when `bounds` holds one row of layer bounds per objective row (`stack_bounds`).

        alpha: per hidden layer, (rows, n_k) lower slopes of unstable neurons (clipped to [0, 1]);
        beta: per hidden layer, (rows, n_k) multipliers >= 0 of split neurons. With gradient=True also
        (d upper / d alpha, d upper / d beta, the input point of the linearised maximum, and per hidden
        layer the coefficients on its post-activations before relaxation), each per layer by index."""
        depth = len(self.network.layers) - 1
        lines = [relu_lines(lo, hi) for lo, hi in zip(bounds.lo, bounds.hi)]
        return self._backsub(coeffs, const, depth, list(bounds.lo), list(bounds.hi), lines, alpha, beta,
                             bounds.splits if beta is not None else None, gradient)

    def _backsub(self, coeffs: np.ndarray, const: np.ndarray, depth: int, los: list, his: list, lines: list,
                 alpha: list | None = None, beta: list | None = None, splits=None, gradient: bool = False):
        """Upper bound of coeffs @ z_depth + const over the box through layers < depth."""
        net = self.network
        a = np.asarray(coeffs, dtype=np.float64)
        c = np.asarray(const, dtype=np.float64).copy()
        err = np.zeros(len(a))
        saved = []  # per relu step (layer k): the coefficients on h_k before relaxation
        for j in range(depth, -1, -1):
            layer = net.layers[j]
            n = layer.weight.shape[1]
            # |h| bound shared by all rows (the largest over a batch): the error term stays a
            # matrix-vector product, and a larger magnitude only loosens it
            mag_h = self.x_mag if j == 0 else np.maximum(his[j - 1], 0.0)
            mag_h = mag_h if mag_h.ndim == 1 else np.max(mag_h, axis=0)
            abs_a = np.abs(a)
            c = c + a @ layer.bias
            err += gamma(n) * (abs_a @ (self.abs_w[j] @ mag_h) + abs_a @ self.abs_b[j]) + 2 * UNIT * np.abs(c)
            a = a @ layer.weight  # coefficients on h_{j-1} (on x when j == 0)
            if j == 0:
                break
            k = j - 1
            line = lines[k]
            pos, neg = np.maximum(a, 0.0), np.minimum(a, 0.0)
            saved.append((k, a))
            lower = line.lower_slope if alpha is None else np.where(line.unstable, np.clip(alpha[k], 0.0, 1.0),
                                                                    line.lower_slope)
            offset_term = _dot(pos, line.upper_offset)
            c = c + offset_term
            a = pos * line.upper_slope + neg * lower
            if beta is not None:
                sign = np.where(splits[k] == ON, 1.0, np.where(splits[k] == OFF, -1.0, 0.0))
                a = a + np.maximum(beta[k], 0.0) * sign
            mag_z = np.maximum(np.abs(los[k]), np.abs(his[k]))
            err += gamma(line.upper_offset.shape[-1]) * offset_term + 3 * UNIT * _dot(np.abs(a), mag_z) \
                + 2 * UNIT * np.abs(c)
        pos, neg = np.maximum(a, 0.0), np.minimum(a, 0.0)
        value = c + pos @ self.hi + neg @ self.lo
        err += gamma(len(self.lo)) * (np.abs(a) @ self.x_mag) + 2 * UNIT * np.abs(value)
        upper = round_up(value + err)
        if not gradient:
            return upper, None
        return upper, self._gradient(a, saved, lines, alpha, splits)

    def _gradient(self, a_x: np.ndarray, saved: list, lines: list, alpha, splits):
        """Forward pass of the linearised maximiser: its input point, then each layer's z at it;
        d upper / d alpha_k = (negative coefficient on h_k) * z_k, d upper / d beta_k = sign * z_k."""
        net = self.network
        x = np.where(a_x > 0, self.hi, self.lo)  # (rows, inputs)
        point = x.copy()
        h = x
        grads_alpha: dict[int, np.ndarray] = {}
        grads_beta: dict[int, np.ndarray] = {}
        coeff_h = {k: a for k, a in saved}
        for k, a in reversed(saved):  # k ascending
            z = h @ net.layers[k].weight.T + net.layers[k].bias
            line = lines[k]
            lower = line.lower_slope if alpha is None else np.where(line.unstable, np.clip(alpha[k], 0.0, 1.0),
                                                                    line.lower_slope)
            grads_alpha[k] = np.where(line.unstable, np.minimum(a, 0.0) * z, 0.0)
            if splits is not None:
                sign = np.where(splits[k] == ON, 1.0, np.where(splits[k] == OFF, -1.0, 0.0))
                grads_beta[k] = sign * z
            h = np.where(a > 0, line.upper_slope * z + line.upper_offset, lower * z)
        return grads_alpha, grads_beta, point, coeff_h
