"""Cost-ordered enumeration of seqrules programs, with observational equivalence, in numpy.

A state is what the rules so far have made of every given input (one row: the pairs' sequences
side by side). Rules are functions of the state, so two rule lists that make the same state have
the same futures: only the cheapest is kept (observational equivalence), and the state space grows
with the number of *behaviours* on the given inputs, not with 27^length. States of cost c are a
rule of cost k applied to every kept state of cost c - k, all of them in one numpy sweep; a
candidate whose state is the target outputs is a program that fits.

The costs come from the caller: 1 per rule for plain search, or a guide's `op_costs` (the latent
network's rule prior, `nesy.latent.guide`), so the same enumerator runs plain and guided at equal
candidate budgets.

    >>> from dsl.seqrules.rules import RULES, run_rules
    >>> rules = [RULES[0], RULES[20]]
    >>> inputs = np.array([[1, 0, 3, 0], [2, 2, 2, 0]])
    >>> targets = np.array([run_rules(rules, x) for x in inputs.tolist()])
    >>> search = RuleSearch(RULES, [1] * len(RULES))
    >>> found = search.run(inputs, targets)
    >>> [[RULES[r].text for r in p] for p in found.programs][0]
    ['inc(left, 1)']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from dsl.seqrules.rules import BASE, Rule
from solvers.search.budget import Budget, BudgetExhausted
from solvers.search.result import Status

MAX_LENGTH = 5              # rules in a program at most (the task's programs have 3-5)
MAX_COST = 40               # cost levels searched at most
STATE_CHUNK = 65_536        # states swept per numpy batch (budget checks between batches)


def sweep(rule: Rule, states: np.ndarray) -> np.ndarray:
    """`rule` applied to every row of `states` (rows: sequences of numbers 0-4), left to right in
    place, as `Rule.apply` does one sequence."""
    out = states.astype(np.int16, copy=True)
    rows, length = out.shape
    zero = np.zeros(rows, dtype=np.int16)
    for i in range(length):
        left = out[:, i - 1] if i > 0 else zero
        right = out[:, i + 1] if i + 1 < length else zero
        x = out[:, i]
        if rule.kind in ("inc", "dec"):
            neighbour = left if rule.side == "left" else right
            step = 1 if rule.kind == "inc" else -1
            out[:, i] = np.where(neighbour >= rule.threshold, (x + step) % BASE, x)
        elif rule.kind == "sub":
            out[:, i] = np.where(right >= rule.threshold, (x - left) % BASE, x)
        elif rule.kind == "mulclip":
            out[:, i] = np.where(left == right, np.minimum(x * rule.factor, BASE - 1), x)
        else:
            out[:, i] = np.where(x == 0, _function(rule.function, left, right), x)
    return out.astype(np.uint8)


def _function(name: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if name == "max":
        return np.maximum(left, right)
    if name == "min":
        return np.minimum(left, right)
    if name == "add":
        return (left + right) % BASE
    return (left - right) % BASE


@dataclass
class _Level:
    """The states first reached at one cost, and how: (parent cost, parent row, rule)."""

    states: np.ndarray                      # (n, pairs * length) uint8
    parent_cost: np.ndarray                 # (n,) int
    parent_row: np.ndarray                  # (n,) int
    rule: np.ndarray                        # (n,) int, index into the search's rules
    length: np.ndarray                      # (n,) rules so far


@dataclass
class RuleSearchOutcome:
    """Programs that fit (rule indices in run order, cheapest first), and what search cost."""

    status: Status
    programs: list[list[int]] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    candidates: int = 0
    states_kept: int = 0
    max_cost: int = 0
    message: str = ""


class RuleSearch:
    """Enumerates rule lists cheapest first (costs per rule, >= 1) up to `max_length` rules,
    collecting up to `solutions` programs whose outputs on the given inputs are the targets."""

    def __init__(self, rules: Sequence[Rule], costs: Sequence[int], max_length: int = MAX_LENGTH,
                 solutions: int = 1, max_cost: int = MAX_COST) -> None:
        if len(costs) != len(rules) or any(int(c) < 1 for c in costs):
            raise ValueError("one cost >= 1 per rule")
        self.rules, self.costs = list(rules), [int(c) for c in costs]
        self.max_length, self.solutions, self.max_cost = max_length, solutions, max_cost

    def run(self, inputs: np.ndarray, targets: np.ndarray, budget: Budget | None = None) -> RuleSearchOutcome:
        """Search on `inputs` (pairs, length) for `targets` (same shape); stops at the budget."""
        pairs, length = inputs.shape
        target = np.asarray(targets, dtype=np.uint8).reshape(-1)
        start = np.asarray(inputs, dtype=np.uint8).reshape(1, -1)
        levels: dict[int, _Level] = {0: _Level(start, *(np.zeros(1, dtype=np.int64) for _ in range(4)))}
        seen = {start[0].tobytes()}
        outcome = RuleSearchOutcome(Status.NO_SOLUTION, states_kept=1)
        if np.array_equal(start[0], target):
            outcome.programs, outcome.costs, outcome.status = [[]], [0], Status.FITS
            return outcome
        try:
            for cost in range(1, self.max_cost + 1):
                outcome.max_cost = cost
                if not self._level(cost, levels, seen, target, pairs, length, outcome, budget):
                    break
        except BudgetExhausted as stopped:
            outcome.status = Status.TIMEOUT
            outcome.message = f"stopped at the {stopped.which}"
        if outcome.programs:
            outcome.status = Status.FITS
        elif outcome.status is Status.NO_SOLUTION:
            outcome.message = f"no program of at most {self.max_length} rules fits"
        return outcome

    def _level(self, cost: int, levels: dict[int, _Level], seen: set[bytes], target: np.ndarray, pairs: int,
               length: int, outcome: RuleSearchOutcome, budget: Budget | None) -> bool:
        """Build the states of one cost; False when search is over (enough solutions, or no state
        can grow any more)."""
        parts: list[_Level] = []
        if cost - max(self.costs) > max(levels):     # no kept state is cheap enough to grow
            return False
        for index, (rule, rule_cost) in enumerate(zip(self.rules, self.costs)):
            parent = levels.get(cost - rule_cost)
            if parent is None:
                continue
            rows = np.flatnonzero(parent.length < self.max_length)
            for begin in range(0, len(rows), STATE_CHUNK):
                chunk = rows[begin:begin + STATE_CHUNK]
                if budget is not None:
                    budget.check(outcome.candidates + len(chunk))
                states = sweep(rule, parent.states[chunk].reshape(-1, length)).reshape(len(chunk), -1)
                outcome.candidates += len(chunk)
                part = _Level(states, np.full(len(chunk), cost - rule_cost), chunk,
                              np.full(len(chunk), index), parent.length[chunk] + 1)
                self._collect(part, cost, levels, target, outcome)
                if len(outcome.programs) >= self.solutions:
                    return False
                parts.append(part)
        if parts:
            self._keep(cost, parts, levels, seen, outcome)
        return True

    def _collect(self, part: _Level, cost: int, levels: dict[int, _Level], target: np.ndarray,
                 outcome: RuleSearchOutcome) -> None:
        for row in np.flatnonzero((part.states == target).all(axis=1)):
            if len(outcome.programs) >= self.solutions:
                return
            program = [int(part.rule[row])] + self._trace(levels, int(part.parent_cost[row]), int(part.parent_row[row]))
            outcome.programs.append(program[::-1])
            outcome.costs.append(cost)

    def _trace(self, levels: dict[int, _Level], cost: int, row: int) -> list[int]:
        """The rules (last first) that made state `row` of level `cost`."""
        rules = []
        while cost > 0:
            level = levels[cost]
            rules.append(int(level.rule[row]))
            cost, row = int(level.parent_cost[row]), int(level.parent_row[row])
        return rules

    def _keep(self, cost: int, parts: list[_Level], levels: dict[int, _Level], seen: set[bytes],
              outcome: RuleSearchOutcome) -> None:
        """The new level: states not reached more cheaply before, one program each."""
        merged = _Level(*(np.concatenate([getattr(p, f) for p in parts]) for f in _Level.__dataclass_fields__))
        growing = np.flatnonzero(merged.length < self.max_length)   # a full-length state has no future
        if not len(growing):
            return
        states = np.ascontiguousarray(merged.states[growing])
        _, first = np.unique(states.view(np.dtype((np.void, states.shape[1]))).ravel(), return_index=True)
        fresh = []
        for row in np.sort(first):
            key = states[row].tobytes()
            if key not in seen:
                seen.add(key)
                fresh.append(growing[row])
        if fresh:
            keep = np.asarray(fresh)
            levels[cost] = _Level(*(getattr(merged, f)[keep] for f in _Level.__dataclass_fields__))
            outcome.states_kept += len(keep)
