"""Decide an output specification on an input box: attack, optimised linear bounds, branch and bound.

The question (VNN-COMP's): is there an x in the box whose outputs meet some disjunct of the violation
(all its inequalities c @ y >= d)? `decide_spec` answers

1. `violated` when the attack (`solvers.nap.pgd`) finds a point that the caller's `confirm` (the
   real model, replayed) accepts;
2. `holds` when every disjunct is closed on every branch: a disjunct is closed when one of its
   inequalities has a sound upper bound of c @ y - d below zero (`solvers.nap.crown`: CROWN with
   lower slopes alpha and split multipliers beta optimised by projected Adam, then evaluated soundly);
3. otherwise branch and bound over ReLU splits, `EngineConfig.batch` branches at a time (the open
   ones with the largest bounds): each is split on an FSB choice among the unstable neurons with the
   highest BaBSR-style scores (the share of the bound their relaxation pays), every candidate's
   children estimated in one batched pass; the children keep the parent's layer bounds with the split
   neuron clipped (beta carries the split's effect on later layers; `refine_layers` re-bounds them by
   CROWN instead, slower per branch) and start from its slopes and multipliers; all children of the
   batch are optimised together, stacked row by row in one back-substitution, and each linearised
   maximiser is tried as a counterexample.
"""
from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from solvers.nap.crown import Crown, LayerBounds, relu_lines, stack_bounds
from solvers.nap.network import OFF, ON, ReluNetwork
from solvers.nap.pgd import Disjunct, attack, slack
from solvers.nap.verdict import COUNTEREXAMPLE, TIMEOUT, VERIFIED


@dataclass(frozen=True, eq=False)
class SpecOutcome:
    """verdict (verified = holds, counterexample = violated, timeout), how, and the effort spent."""

    verdict: str
    method: str
    seconds: float
    witness: np.ndarray | None = None
    branches: int = 0
    attack_steps: int = 0
    detail: str = ""


@dataclass(frozen=True)
class EngineConfig:
    """Iterations of slope optimisation at the root and per branch, the attack's shape, the share of
    the time the first attack may use, the Adam step sizes, how many branches are split and bounded
    at once (`batch`: numpy's matrix products pay off only on many rows), and whether children
    re-bound the layers after their split (`refine_layers`, with `refine_iterations` slope steps from the
    root's slopes; 0, a single pass, was the best measured on mnist_fc 256x4)."""

    root_iterations: int = 40
    intermediate_iterations: int = 20
    fsb_candidates: int = 6
    branch_iterations: int = 12
    attack_share: float = 0.15
    attack_starts: int = 8
    attack_steps: int = 60
    alpha_rate: float = 0.1
    beta_rate: float = 0.05
    max_branches: int = 1_000_000
    batch: int = 32
    refine_layers: bool = True
    refine_iterations: int = 0


@dataclass(order=True)
class _Branch:
    priority: float
    order: int
    bounds: LayerBounds = field(compare=False)
    rows: np.ndarray = field(compare=False)          # indices of the rows still open here
    alpha: list = field(compare=False)
    beta: list = field(compare=False)
    scores: list | None = field(compare=False)
    bounds_of: dict = field(default_factory=dict, compare=False)


def decide_spec(network: ReluNetwork, lo: np.ndarray, hi: np.ndarray, disjuncts: Sequence[Disjunct],
                timeout_s: float, confirm: Callable[[np.ndarray], bool] | None = None,
                config: EngineConfig = EngineConfig(), seed: int = 0,
                clock: Callable[[], float] = time.perf_counter) -> SpecOutcome:
    """The verdict within timeout_s seconds of `clock` (wall time by default; `time.process_time`
    gives a budget that does not shrink when other work shares the machine).

    y = relu(x) - relu(-x) = x on [-1, 2] never reaches 3, and reaches 1.5:

    >>> from solvers.nap.network import AffineLayer
    >>> net = ReluNetwork((AffineLayer(np.array([[1.0], [-1.0]]), np.zeros(2)),
    ...                    AffineLayer(np.array([[1.0, -1.0]]), np.zeros(1))))
    >>> lo, hi = np.array([-1.0]), np.array([2.0])
    >>> print(decide_spec(net, lo, hi, [(np.array([[1.0]]), np.array([3.0]))], 5).verdict)
    verified
    >>> print(decide_spec(net, lo, hi, [(np.array([[1.0]]), np.array([1.5]))], 5).verdict)
    counterexample
    """
    start = clock()
    deadline = start + timeout_s
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)

    def done(verdict: str, method: str, **extra) -> SpecOutcome:
        return SpecOutcome(verdict, method, clock() - start, **extra)

    witness, steps = attack(network, lo, hi, disjuncts, start + config.attack_share * timeout_s, confirm, seed,
                            config.attack_starts, config.attack_steps, clock=clock)
    if witness is not None:
        return done(COUNTEREXAMPLE, "attack", witness=witness, attack_steps=steps)
    engine = _Engine(network, lo, hi, disjuncts, config, confirm, clock)
    found, open_count, branches, method = engine.run(deadline)
    if found is not None:
        return done(COUNTEREXAMPLE, method, witness=found, branches=branches, attack_steps=steps)
    if open_count == 0:
        return done(VERIFIED, method, branches=branches, attack_steps=steps)
    # Time left after the search stalled (it does not: it runs to the deadline) goes to the attack.
    return done(TIMEOUT, method, branches=branches, attack_steps=steps,
                detail=f"{open_count} branches open, largest bound {engine.worst:.4g}")


def optimised_upper(network: ReluNetwork, lo: np.ndarray, hi: np.ndarray, coeffs: np.ndarray, consts: np.ndarray,
                    splits: list[np.ndarray] | None = None, iterations: int = 20,
                    intermediate_iterations: int = 10) -> np.ndarray:
    """Sound upper bounds of coeffs @ logits + consts over the box, restricted to inputs whose
    pre-activations follow `splits` (ON: z >= 0, OFF: z <= 0, per hidden layer), after optimising
    slopes and split multipliers; +inf where the bound is not finite, -inf when no input follows.

    >>> from solvers.nap.network import AffineLayer
    >>> net = ReluNetwork((AffineLayer(np.array([[1.0], [-1.0]]), np.zeros(2)),
    ...                    AffineLayer(np.array([[1.0, 1.0]]), np.zeros(1))))   # |x| on [-1, 2]
    >>> float(optimised_upper(net, np.array([-1.0]), np.array([2.0]), np.eye(1), np.zeros(1))[0]) < 2 + 1e-9
    True
    """
    crown = Crown(network, lo, hi)
    splits = splits or [np.zeros(n, dtype=np.int8) for n in network.hidden_sizes]
    bounds = crown.layer_bounds([np.asarray(s, dtype=np.int8) for s in splits], iterations=intermediate_iterations)
    if bounds.infeasible:
        return np.full(len(coeffs), -np.inf)
    alpha = [np.tile(relu_lines(l, h).lower_slope, (len(coeffs), 1)) for l, h in zip(bounds.lo, bounds.hi)]
    beta = [np.zeros((len(coeffs), n)) for n in network.hidden_sizes]
    use_beta = any(np.any(s != 0) for s in bounds.splits)
    moments = [[np.zeros_like(a) for a in alpha] for _ in range(4)]
    best = np.full(len(coeffs), np.inf)
    for step in range(1, iterations + 2):
        upper, grads = crown.upper(coeffs, consts, bounds, alpha, beta if use_beta else None, gradient=True)
        best = np.minimum(best, np.where(np.isfinite(upper), upper, np.inf))
        if step > iterations or np.all(best < 0):
            break
        for k in range(len(alpha)):
            alpha[k] = np.clip(_adam(alpha[k], grads[0][k], moments[0][k], moments[1][k], step, 0.1), 0.0, 1.0)
            if use_beta:
                beta[k] = np.maximum(_adam(beta[k], grads[1][k], moments[2][k], moments[3][k], step, 0.05), 0.0)
    return best


class _Engine:
    def __init__(self, network: ReluNetwork, lo: np.ndarray, hi: np.ndarray, disjuncts: Sequence[Disjunct],
                 config: EngineConfig, confirm, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.network, self.lo, self.hi = network, lo, hi
        self.disjuncts = list(disjuncts)
        self.config, self.confirm = config, confirm
        self.crown = Crown(network, lo, hi)
        self.coeffs = np.vstack([c for c, _ in disjuncts])
        self.consts = -np.concatenate([d for _, d in disjuncts])
        self.owner = np.concatenate([np.full(len(d), i) for i, (_, d) in enumerate(disjuncts)])
        self.hidden = network.hidden_sizes
        self.tried: set[bytes] = set()
        self.worst = float("nan")  # the largest bound still open when the search stopped

    def run(self, deadline: float) -> tuple[np.ndarray | None, int, int, str]:
        """(witness, branches still open, branches processed, method)."""
        splits = [np.zeros(n, dtype=np.int8) for n in self.hidden]
        bounds = self.crown.layer_bounds(splits, iterations=self.config.intermediate_iterations,
                                         keep_slopes=self.config.refine_layers)
        rows = np.arange(len(self.coeffs))
        alpha = [np.tile(line.lower_slope, (len(rows), 1)) for line in
                 (relu_lines(l, h) for l, h in zip(bounds.lo, bounds.hi))]
        beta = [np.zeros((len(rows), n)) for n in self.hidden]
        result = self._optimise([bounds], rows, alpha, beta, self.config.root_iterations, deadline)[0]
        if isinstance(result, np.ndarray):
            return result, 0, 1, "bounds"
        if result is None:
            return None, 0, 1, "alpha-crown"
        processed = 1
        # One tree per open disjunct, hardest (largest bound) first: different disjuncts want
        # different splits, and a shared tree would split every one of them on each choice.
        owners = self.owner[result.rows]
        for disjunct in sorted(set(owners.tolist()), key=lambda o: -result.bounds_of.get(o, 0.0)):
            keep = owners == disjunct
            root = _Branch(result.priority, 0, result.bounds, result.rows[keep], [a[keep] for a in result.alpha],
                           [b[keep] for b in result.beta], [s[keep] for s in result.scores])
            found, open_count, count = self._tree(root, deadline)
            processed += count
            if found is not None or open_count:
                return found, open_count, processed, "bab"
        return None, 0, processed, "bab"

    def _tree(self, root: _Branch, deadline: float) -> tuple[np.ndarray | None, int, int]:
        """Best-first over one disjunct's branches, `config.batch` of them split and bounded at once."""
        heap = [root]
        processed = 0
        order = 1
        rows = root.rows
        while heap:
            if self.clock() > deadline or processed >= self.config.max_branches:
                self.worst = -heap[0].priority
                return None, len(heap), processed
            batch = [heapq.heappop(heap) for _ in range(min(self.config.batch, len(heap)))]
            choices = self._split_choices(batch)
            children, alphas, betas = [], [], []
            for branch, choice in zip(batch, choices):
                if choice is None:  # every neuron stable yet the bound stays open: undecided leaf
                    return None, len(heap) + len(batch), processed
                k, i = choice
                for phase in (ON, OFF):
                    processed += 1
                    bounds = self._child(branch.bounds, k, i, phase)
                    if bounds.infeasible:
                        continue
                    children.append(bounds)
                    alphas.append(branch.alpha)
                    betas.append(branch.beta)
            if not children:
                continue
            alpha = [np.concatenate([a[k] for a in alphas]) for k in range(len(self.hidden))]
            beta = [np.concatenate([b[k] for b in betas]) for k in range(len(self.hidden))]
            for result in self._optimise(children, rows, alpha, beta, self.config.branch_iterations, deadline):
                if isinstance(result, np.ndarray):
                    return result, 0, processed
                if result is not None:
                    result.order = order
                    order += 1
                    heapq.heappush(heap, result)
        return None, 0, processed

    def _child(self, bounds: LayerBounds, k: int, i: int, phase: int) -> LayerBounds:
        """The branch with neuron (k, i) split: its layer clipped; later layers re-bounded by CROWN
        (no looser than the parent's) when config.refine_layers."""
        splits = [s.copy() for s in bounds.splits]
        splits[k][i] = phase
        if self.config.refine_layers:
            return self.crown.layer_bounds(splits, parent=bounds, from_layer=k,
                                           iterations=self.config.refine_iterations)
        lo, hi = list(bounds.lo), list(bounds.hi)
        lo[k], hi[k] = lo[k].copy(), hi[k].copy()
        if phase == ON:
            lo[k][i] = 0.0
        else:
            hi[k][i] = 0.0
        return LayerBounds(tuple(lo), tuple(hi), tuple(splits), False)

    def _optimise(self, items: list[LayerBounds], rows: np.ndarray, alpha: list, beta: list, iterations: int,
                  deadline: float) -> list:
        """Optimise slopes and multipliers of `rows` on a batch of branches at once (alpha, beta: per
        layer, one row per (branch, row), branch-major). Per branch: None when every disjunct is closed,
        a witness array when a linearised maximiser violates, else the open _Branch."""
        count, width = len(items), len(rows)
        outcome: list = [None] * count
        bounds = stack_bounds(items, width)
        coeffs, consts = np.tile(self.coeffs[rows], (count, 1)), np.tile(self.consts[rows], count)
        owners = self.owner[rows]
        groups = [owners == o for o in sorted(set(owners.tolist()))]
        use_beta = any(np.any(s != 0) for s in bounds.splits)
        alpha, beta = [a.copy() for a in alpha], [b.copy() for b in beta]
        moments = [[np.zeros_like(a) for a in alpha] for _ in range(2)] + [[np.zeros_like(b) for b in beta]
                                                                            for _ in range(2)]
        best = np.full(count * width, np.inf)
        best_alpha, best_beta = [a.copy() for a in alpha], [b.copy() for b in beta]
        alive = np.arange(count)  # branches still open, in the order of the arrays' rows
        for step in range(iterations + 1):
            upper, grads = self.crown.upper(coeffs, consts, bounds, alpha, beta if use_beta else None,
                                            gradient=True)
            better = upper < best
            best = np.minimum(best, upper)
            for k in range(len(alpha)):
                best_alpha[k][better] = alpha[k][better]
                best_beta[k][better] = beta[k][better]
            per_branch = best.reshape(len(alive), width)
            disjunct_open = np.stack([~np.any(per_branch[:, g] < 0, axis=1) for g in groups], axis=1)
            still = np.any(disjunct_open, axis=1)
            if step in (0, iterations) or step % 4 == 0:
                witness = self._try_points(grads[2])
                if witness is not None:
                    return [witness]
            if step == iterations or self.clock() > deadline or not np.any(still):
                break
            grad_alpha = [grads[0][k] for k in range(len(alpha))]
            grad_beta = [grads[1][k] for k in range(len(beta))] if use_beta else []
            if not np.all(still):  # drop the closed branches from the batch
                keep_rows = np.repeat(still, width)
                alive, best, bounds = alive[still], best[keep_rows], bounds.take(keep_rows)
                coeffs, consts = coeffs[keep_rows], consts[keep_rows]
                alpha, beta, best_alpha, best_beta, grad_alpha, grad_beta = (
                    [a[keep_rows] for a in arrays]
                    for arrays in (alpha, beta, best_alpha, best_beta, grad_alpha, grad_beta))
                moments = [[m[keep_rows] for m in group] for group in moments]
            for k in range(len(alpha)):
                alpha[k] = np.clip(_adam(alpha[k], grad_alpha[k], moments[0][k], moments[1][k], step + 1,
                                         self.config.alpha_rate), 0.0, 1.0)
                if use_beta:
                    beta[k] = np.maximum(_adam(beta[k], grad_beta[k], moments[2][k], moments[3][k], step + 1,
                                               self.config.beta_rate), 0.0)
        scores = _scores(bounds, grads[3])
        per_branch = best.reshape(len(alive), width)
        for slot, b in enumerate(alive):
            if not still[slot]:
                continue
            open_groups = [g for g, is_open in zip(groups, disjunct_open[slot]) if is_open]
            keep = np.any(open_groups, axis=0)
            index = slot * width + np.nonzero(keep)[0]
            bounds_of = {int(owners[g][0]): float(np.min(per_branch[slot, g])) for g in open_groups}
            branch = _Branch(-max(bounds_of.values()), 0, items[b], rows[keep], [a[index] for a in best_alpha],
                             [v[index] for v in best_beta], [s[index] for s in scores])
            branch.bounds_of = bounds_of
            outcome[b] = branch
        return outcome

    def _try_points(self, points: np.ndarray) -> np.ndarray | None:
        s = slack(self.network, self.disjuncts, points)
        for p in np.nonzero(np.max(s, axis=1) >= 0)[0]:
            key = points[p].tobytes()
            if key in self.tried:
                continue
            self.tried.add(key)
            if self.confirm is None or self.confirm(points[p].copy()):
                return points[p].copy()
        return None

    def _split_choices(self, batch: list[_Branch]) -> list[tuple[int, int] | None]:
        """FSB for a batch: per branch, of the `fsb_candidates` unstable neurons with the best BaBSR
        score, the one whose worse child has the lowest bound; every child of every candidate of every
        branch estimated in one pass, with the branch's slopes and multipliers and its layer bounds with
        only the split neuron clipped."""
        ranked = [self._ranked(branch, self.config.fsb_candidates) for branch in batch]
        items, alphas, betas = [], [], []
        for branch, candidates in zip(batch, ranked):
            if len(candidates) > 1:
                for k, i in candidates:
                    for phase in (ON, OFF):
                        lo, hi = list(branch.bounds.lo), list(branch.bounds.hi)
                        lo[k], hi[k] = lo[k].copy(), hi[k].copy()
                        if phase == ON:
                            lo[k][i] = 0.0
                        else:
                            hi[k][i] = 0.0
                        items.append(LayerBounds(tuple(lo), tuple(hi), branch.bounds.splits, False))
                        alphas.append(branch.alpha)
                        betas.append(branch.beta)
        choices = [c[0] if c else None for c in ranked]
        if not items:
            return choices
        rows = batch[0].rows
        width = len(rows)
        stacked = stack_bounds(items, width)
        use_beta = any(np.any(s != 0) for s in stacked.splits)
        alpha = [np.concatenate([a[k] for a in alphas]) for k in range(len(self.hidden))]
        beta = [np.concatenate([b[k] for b in betas]) for k in range(len(self.hidden))]
        upper, _ = self.crown.upper(np.tile(self.coeffs[rows], (len(items), 1)), np.tile(self.consts[rows], len(items)),
                                    stacked, alpha, beta if use_beta else None)
        # a tree's rows are one disjunct: it closes when any row's bound is below zero
        value = np.min(upper.reshape(len(items), width), axis=1)
        at = 0
        for slot, candidates in enumerate(ranked):
            if len(candidates) > 1:
                worst = np.max(value[at:at + 2 * len(candidates)].reshape(len(candidates), 2), axis=1)
                choices[slot] = candidates[int(np.argmin(worst))]
                at += 2 * len(candidates)
        return choices

    @staticmethod
    def _ranked(branch: _Branch, candidates: int) -> list[tuple[int, int]]:
        """The unstable neurons with the highest scores (summed over the branch's rows), best first."""
        ranked = []
        for k, score in enumerate(branch.scores):
            total = np.where(branch.bounds.unstable(k), np.sum(score, axis=0), -1.0)
            for i in np.argsort(total)[::-1][:candidates]:
                if total[i] >= 0:
                    ranked.append((float(total[i]), k, int(i)))
        ranked.sort(reverse=True)
        return [(k, i) for _, k, i in ranked[:candidates]]


def _scores(bounds: LayerBounds, coeff_h: dict) -> list[np.ndarray]:
    """Per hidden layer, per row and neuron: how much of the row's bound the neuron's relaxation costs
    (positive coefficient times the upper line's intercept, BaBSR's main term, plus a tenth of the
    lower line's gap); 0 where the neuron is not unstable."""
    scores = []
    for k in range(len(bounds.lo)):
        line = relu_lines(bounds.lo[k], bounds.hi[k])
        intercept = np.maximum(coeff_h[k], 0.0) * line.upper_offset
        lower_gap = np.maximum(-coeff_h[k], 0.0) * np.minimum(bounds.hi[k], -bounds.lo[k]) * 0.1
        scores.append(np.where(bounds.unstable(k), intercept + lower_gap, 0.0))
    return scores


def _adam(value, grad, m, v, t, rate, b1=0.9, b2=0.999):
    """One Adam step *down* the gradient (we minimise the upper bound); m, v updated in place."""
    m *= b1
    m += (1 - b1) * grad
    v *= b2
    v += (1 - b2) * grad * grad
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return value - rate * m_hat / (np.sqrt(v_hat) + 1e-12)
