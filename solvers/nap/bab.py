"""Decide an output specification on an input box: attack, optimised linear bounds, branch and bound.

The question (VNN-COMP's): is there an x in the box whose outputs meet some disjunct of the violation
(all its inequalities c @ y >= d)? `decide_spec` answers

1. `violated` when the attack (`solvers.nap.pgd`) finds a point that the caller's `confirm` (the
   real model, replayed) accepts;
2. `holds` when every disjunct is closed on every branch: a disjunct is closed when one of its
   inequalities has a sound upper bound of c @ y - d below zero (`solvers.nap.crown`: CROWN with
   lower slopes alpha and split multipliers beta optimised by projected Adam, then evaluated soundly);
3. otherwise branch and bound over ReLU splits: the open branch with the largest bound is split on
   the unstable neuron with the highest BaBSR-style score (the share of the bound its upper line's
   intercept pays), both children reuse the parent's layer bounds before the split layer and start
   from its slopes and multipliers; each branch's linearised maximiser is tried as a counterexample.
"""
from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from solvers.nap.crown import Crown, LayerBounds, relu_lines
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
    the time the first attack may use, and the Adam step sizes."""

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
    return done(TIMEOUT, method, branches=branches, attack_steps=steps, detail=f"{open_count} branches open")


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

    def run(self, deadline: float) -> tuple[np.ndarray | None, int, int, str]:
        """(witness, branches still open, branches processed, method)."""
        splits = [np.zeros(n, dtype=np.int8) for n in self.hidden]
        bounds = self.crown.layer_bounds(splits, iterations=self.config.intermediate_iterations)
        rows = np.arange(len(self.coeffs))
        alpha = [np.tile(line.lower_slope, (len(rows), 1)) for line in
                 (relu_lines(l, h) for l, h in zip(bounds.lo, bounds.hi))]
        beta = [np.zeros((len(rows), n)) for n in self.hidden]
        result = self._optimise(bounds, rows, alpha, beta, self.config.root_iterations, deadline)
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
                           [b[keep] for b in result.beta], None)
            found, open_count, count = self._tree(root, deadline)
            processed += count
            if found is not None or open_count:
                return found, open_count, processed, "bab"
        return None, 0, processed, "bab"

    def _tree(self, root: "_Branch", deadline: float) -> tuple[np.ndarray | None, int, int]:
        heap = [root]
        processed = 0
        order = 1
        while heap:
            if self.clock() > deadline or processed >= self.config.max_branches:
                return None, len(heap), processed
            branch = heapq.heappop(heap)
            if branch.scores is None:
                branch.scores = self._scores(branch.bounds, self.coeffs[branch.rows], self.consts[branch.rows],
                                             branch.alpha)
            choice = self._split_choice(branch, self.config.fsb_candidates)
            if choice is None:  # every neuron stable yet the bound stays open: undecided leaf
                return None, len(heap) + 1, processed
            k, i = choice
            for phase in (ON, OFF):
                splits = [s.copy() for s in branch.bounds.splits]
                splits[k][i] = phase
                child_bounds = self.crown.layer_bounds(splits, parent=branch.bounds, from_layer=k)
                processed += 1
                if child_bounds.infeasible:
                    continue
                alpha = [a.copy() for a in branch.alpha]
                beta = [b.copy() for b in branch.beta]
                result = self._optimise(child_bounds, branch.rows, alpha, beta, self.config.branch_iterations,
                                        deadline)
                if isinstance(result, np.ndarray):
                    return result, 0, processed
                if result is not None:
                    result.order = order
                    order += 1
                    heapq.heappush(heap, result)
        return None, 0, processed

    def _optimise(self, bounds: LayerBounds, rows: np.ndarray, alpha: list, beta: list, iterations: int,
                  deadline: float):
        """Optimise slopes / multipliers of the open rows on one branch: None when every disjunct is
        closed, a witness array when a linearised maximiser violates, else the open _Branch."""
        coeffs, consts = self.coeffs[rows], self.consts[rows]
        use_beta = any(np.any(s != 0) for s in bounds.splits)
        m_alpha = [np.zeros_like(a) for a in alpha]
        v_alpha = [np.zeros_like(a) for a in alpha]
        m_beta = [np.zeros_like(b) for b in beta]
        v_beta = [np.zeros_like(b) for b in beta]
        best = np.full(len(rows), np.inf)
        best_alpha, best_beta = [a.copy() for a in alpha], [b.copy() for b in beta]
        grads = None
        for step in range(iterations + 1):
            upper, grads = self.crown.upper(coeffs, consts, bounds, alpha, beta if use_beta else None,
                                            gradient=True)
            better = upper < best
            best = np.minimum(best, upper)
            for k in range(len(alpha)):
                best_alpha[k][better] = alpha[k][better]
                best_beta[k][better] = beta[k][better]
            if self._closed(rows, best):
                return None
            witness = self._try_points(grads[2])
            if witness is not None:
                return witness
            if step == iterations or self.clock() > deadline:
                break
            grad_alpha, grad_beta = grads[0], grads[1]
            t = step + 1
            for k in range(len(alpha)):
                alpha[k] = np.clip(_adam(alpha[k], grad_alpha[k], m_alpha[k], v_alpha[k], t,
                                         self.config.alpha_rate), 0.0, 1.0)
                if use_beta:
                    beta[k] = np.maximum(_adam(beta[k], grad_beta[k], m_beta[k], v_beta[k], t,
                                               self.config.beta_rate), 0.0)
        open_rows = self._open_rows(rows, best)
        keep = np.isin(rows, open_rows)
        branch = _Branch(-float(np.max(best[keep])), 0, bounds, rows[keep], [a[keep] for a in best_alpha],
                         [b[keep] for b in best_beta], None)
        branch.bounds_of = {int(o): float(u) for o, u in zip(self.owner[rows[keep]], best[keep])}
        return branch

    def _closed(self, rows: np.ndarray, upper: np.ndarray) -> bool:
        return len(self._open_rows(rows, upper)) == 0

    def _open_rows(self, rows: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Rows of the disjuncts that no row's bound closes (a disjunct closes when one row is < 0)."""
        owners = self.owner[rows]
        closed = set(owners[upper < 0].tolist())
        return rows[[o not in closed for o in owners]]

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

    def _scores(self, bounds: LayerBounds, coeffs, consts, alpha) -> list:
        """Per hidden layer, per neuron: how much of the open rows' bound its relaxation costs
        (positive coefficient times the upper line's intercept, BaBSR's main term); 0 if not unstable."""
        _, grads = self.crown.upper(coeffs, consts, bounds, alpha, None, gradient=True)
        scores = []
        for k in range(len(bounds.lo)):
            line = relu_lines(bounds.lo[k], bounds.hi[k])
            coeff_h = grads[3][k]
            intercept = np.maximum(coeff_h, 0.0) * line.upper_offset
            # the lower line's looseness weighs in too: |negative coefficient| * distance to relu
            lower_gap = np.maximum(-coeff_h, 0.0) * np.minimum(bounds.hi[k], -bounds.lo[k]) * 0.1
            score = np.sum(intercept + lower_gap, axis=0)
            scores.append(np.where(bounds.unstable(k), score, -1.0))
        return scores

    def _split_choice(self, branch: _Branch, candidates: int) -> tuple[int, int] | None:
        """FSB: of the `candidates` neurons with the best BaBSR score, the one whose worse child has the
        lowest bound, each child estimated with the branch's slopes and its layer bounds (only the
        split neuron's clipped); a score alone when candidates is 1."""
        ranked = []
        for k, score in enumerate(branch.scores):
            for i in np.argsort(score)[::-1][:candidates]:
                if score[i] >= 0:
                    ranked.append((float(score[i]), k, int(i)))
        ranked.sort(reverse=True)
        ranked = ranked[:candidates]
        if not ranked:
            return None
        if len(ranked) == 1:
            return ranked[0][1], ranked[0][2]
        coeffs, consts = self.coeffs[branch.rows], self.consts[branch.rows]
        best, choice = np.inf, None
        bounds = branch.bounds
        for _, k, i in ranked:
            worst = -np.inf
            for phase in (ON, OFF):
                lo, hi = list(bounds.lo), list(bounds.hi)
                lo[k], hi[k] = lo[k].copy(), hi[k].copy()
                if phase == ON:
                    lo[k][i] = 0.0
                else:
                    hi[k][i] = 0.0
                child = LayerBounds(tuple(lo), tuple(hi), bounds.splits, False)
                upper, _ = self.crown.upper(coeffs, consts, child, branch.alpha, None)
                worst = max(worst, float(np.max(upper)))
            if worst < best:
                best, choice = worst, (k, i)
        return choice


def _adam(value, grad, m, v, t, rate, b1=0.9, b2=0.999):
    """One Adam step *down* the gradient (we minimise the upper bound); m, v updated in place."""
    m *= b1
    m += (1 - b1) * grad
    v *= b2
    v += (1 - b2) * grad * grad
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return value - rate * m_hat / (np.sqrt(v_hat) + 1e-12)
