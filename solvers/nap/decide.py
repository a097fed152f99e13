"""Decide one NAP query: bounds (then the sound alpha/beta-CROWN bound of `solvers.nap.bab`), then counterexample search, then LP branch-and-bound on free ReLUs,
then Z3 on whatever branches are still open when the float engine's share of the time is spent.

A query asks: is there an x in the region that follows the required phases and has
weights @ logits >= 0? (weights None: is there any such x at all.) 'verified' means no; the witness of
'counterexample' holds with a margin on the grid-rounded network (callers replay it on the real model).
"""
from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

import numpy as np

from solvers.nap.bab import optimised_upper
from solvers.nap.bounds import Bounds, objective_upper, propagate
from solvers.nap.lp import LpResult, solve_relaxation
from solvers.nap.network import FREE, OFF, ON, Phases, Region, ReluNetwork
from solvers.nap.attack import MARGIN, random_starts, search_violation, violation_margin
from solvers.nap.z3_encoding import z3_check
from solvers.nap.verdict import COUNTEREXAMPLE, TIMEOUT, VERIFIED

BOUND_TOLERANCE = 1e-9
"""A propagated objective bound must be below -BOUND_TOLERANCE to close a query (float64 rounding in
back-substitution is ~1e-12 here); LP branches close on the dual safe bound of `solvers.nap.lp`."""


Z3_BRANCHES = 8
"""At most this many open branches are handed to Z3 (as one disjunction) at the handover time."""


@dataclass(frozen=True, eq=False)
class NapQuery:
    """x in region, follows phases, weights @ logits >= 0 (weights None: just the first two)."""

    network: ReluNetwork
    region: Region
    phases: Phases
    weights: np.ndarray | None
    seeds: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True, eq=False)
class Outcome:
    """The verdict, who settled it, the witness for a counterexample, and the effort spent."""

    verdict: str
    method: str
    seconds: float
    witness: np.ndarray | None = None
    nodes: int = 0
    detail: str = ""


@dataclass(order=True)
class _Node:
    priority: float
    order: int
    phases: Phases = field(compare=False)
    bounds: Bounds = field(compare=False)


def decide(query: NapQuery, timeout_s: float = 5.0, z3_share: float = 0.3, seed: int = 0) -> Outcome:
    """The verdict on one query within timeout_s. After (1 - z3_share) of it, branch and bound hands
    its open branches to Z3 if there are at most Z3_BRANCHES; otherwise it splits on to the deadline.

    A one-neuron network y = relu(x) with logits (y, -y): can logit 1 reach logit 0 for x in [1, 2]?

    >>> from solvers.nap.network import AffineLayer, Phases
    >>> net = ReluNetwork((AffineLayer(np.array([[1.0]]), np.zeros(1)),
    ...                    AffineLayer(np.array([[1.0], [-1.0]]), np.zeros(2))))
    >>> query = NapQuery(net, Region(np.array([1.0]), np.array([2.0])), Phases.free(net), np.array([-1.0, 1.0]))
    >>> print(decide(query, timeout_s=5).verdict)
    verified
    """
    start = time.perf_counter()
    deadline = start + timeout_s
    net, region, weights = query.network, query.region, query.weights

    def done(verdict: str, method: str, **extra) -> Outcome:
        return Outcome(verdict, method, time.perf_counter() - start, **extra)

    bounds = propagate(net, region, query.phases)
    if bounds.infeasible:
        return done(VERIFIED, "bounds", detail="no input of the region follows the phases")
    if weights is not None and objective_upper(net, bounds, region, weights) < -BOUND_TOLERANCE:
        return done(VERIFIED, "bounds")
    if weights is not None and _alpha_crown_closes(query):
        return done(VERIFIED, "alpha-crown")
    starts = random_starts(region, 24, np.random.default_rng(seed))
    if query.seeds is not None and len(query.seeds):
        starts = np.vstack([starts, query.seeds])
    witness, closest = search_violation(net, region, query.phases, weights, starts)
    if witness is None:
        witness = _pattern_lp(query, closest)
    if witness is not None:
        return done(COUNTEREXAMPLE, "search", witness=witness)
    found, open_branches, nodes = _branch_and_bound(query, bounds, start + (1 - z3_share) * timeout_s, deadline)
    if found is not None:
        return done(COUNTEREXAMPLE, "lp-bab", witness=found, nodes=nodes)
    if not open_branches:
        return done(VERIFIED, "lp-bab", nodes=nodes)
    diffs = [Phases(tuple(np.where(q == FREE, b, 0).astype(np.int8)
                          for q, b in zip(query.phases.layers, branch.layers))) for branch in open_branches]
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return done(TIMEOUT, "lp-bab", nodes=nodes, detail=f"{len(diffs)} branches open")
    answer, exact = z3_check(net, region, query.phases, bounds, weights, diffs, remaining)
    if answer == VERIFIED:
        return done(VERIFIED, "z3", nodes=nodes, detail=f"{len(diffs)} open branches closed by Z3")
    if answer == COUNTEREXAMPLE and exact is not None:
        polished = _pattern_lp(query, exact)
        return done(COUNTEREXAMPLE, "z3", witness=polished if polished is not None else exact, nodes=nodes,
                    detail="" if polished is not None else "Z3 witness lies on a decision boundary")
    return done(TIMEOUT, "z3", nodes=nodes, detail=f"{len(diffs)} branches open")


def _alpha_crown_closes(query: NapQuery) -> bool:
    """The VNN-COMP engine's sound optimised bound (`solvers.nap.bab.optimised_upper`) on the query:
    the NAP's phases as splits (its strict z > 0 inside the split's z >= 0, so the bound covers it)."""
    splits = [np.asarray(p, dtype=np.int8) for p in query.phases.layers]
    upper = optimised_upper(query.network, query.region.lo, query.region.hi, query.weights[None, :], np.zeros(1),
                            splits)
    return bool(upper[0] < 0)


def _branch_and_bound(query: NapQuery, root: Bounds, handover: float,
                      deadline: float) -> tuple[np.ndarray | None, list[Phases], int]:
    """Best-first case splitting with the LP relaxation: (witness or None, branches left open, nodes).

    After `handover` the open branches go to Z3 if they are few; many open branches mean a problem
    Z3 will not finish either, so splitting goes on until the deadline."""
    net, region, weights = query.network, query.region, query.weights
    heap = [_Node(0.0, 0, query.phases, root)]
    open_branches: list[Phases] = []
    nodes = 0
    while heap:
        now = time.perf_counter()
        if now > deadline or (now > handover and len(heap) + len(open_branches) <= Z3_BRANCHES):
            return None, open_branches + [node.phases for node in heap], nodes
        node = heapq.heappop(heap)
        nodes += 1
        lp = solve_relaxation(net, region, node.phases, node.bounds, weights)
        if lp.status == "infeasible" or (lp.status == "optimal" and weights is not None and lp.bound < 0):
            continue
        if lp.status != "optimal":
            open_branches.append(node.phases)
            continue
        witness = _candidate(query, node, lp)
        if witness is not None:
            return witness, [], nodes
        unstable = node.bounds.unstable(node.phases)
        if not unstable:
            open_branches.append(node.phases)  # the exact LP touches the property only on a boundary
            continue
        layer, neuron = _split_choice(unstable, node.bounds, lp)
        for phase in (ON, OFF):
            child = node.phases.with_phase(layer, neuron, phase)
            bounds = propagate(net, region, child)
            if bounds.infeasible:
                continue
            if weights is not None and objective_upper(net, bounds, region, weights) < -BOUND_TOLERANCE:
                continue
            heapq.heappush(heap, _Node(-lp.value, nodes * 2 + (phase == OFF), child, bounds))
    return None, open_branches, nodes


def _candidate(query: NapQuery, node: _Node, lp: LpResult) -> np.ndarray | None:
    """A margin violation near the LP maximizer, or on a fully split branch, from the margin LP."""
    x = lp.x[None, :]
    if violation_margin(query.network, query.phases, query.weights, x)[0] >= MARGIN:
        return lp.x
    polished, closest = search_violation(query.network, query.region, query.phases, query.weights, x, steps=15)
    if polished is not None:
        return polished
    if node.bounds.unstable(node.phases):
        return _pattern_lp(query, closest)
    return _margin_lp(query, node.phases, node.bounds)


def _split_choice(unstable: list[tuple[int, int]], bounds: Bounds, lp: LpResult) -> tuple[int, int]:
    """The unstable ReLU whose relaxation the LP optimum leans on most (triangle area breaks ties)."""
    def score(item: tuple[int, int]) -> tuple[float, float]:
        k, i = item
        lo, hi = bounds.pre_lo[k][i], bounds.pre_hi[k][i]
        return (float(lp.gaps[k][i]) if lp.gaps else 0.0, float(-lo * hi / (hi - lo)))
    return max(unstable, key=score)


def _pattern_lp(query: NapQuery, exact: np.ndarray) -> np.ndarray | None:
    """The best margin violation with the activation pattern of `exact` (the query's phases kept): one
    exact LP. Turns a boundary witness into a replayable one, and a near miss of search into a hit."""
    hidden, _ = query.network.preactivations(exact[None, :])
    pattern = Phases(tuple(np.where(q != FREE, q, np.where(pre[0] > 0, ON, OFF)).astype(np.int8)
                           for q, pre in zip(query.phases.layers, hidden)))
    bounds = propagate(query.network, query.region, pattern)
    return None if bounds.infeasible else _margin_lp(query, pattern, bounds)


def _margin_lp(query: NapQuery, phases: Phases, bounds: Bounds) -> np.ndarray | None:
    """With every ReLU fixed the LP is exact: its maximizer, demanding the margin, is a witness."""
    strict = solve_relaxation(query.network, query.region, phases, bounds, query.weights, margin=MARGIN)
    if strict.status == "optimal" and (query.weights is None or strict.value >= MARGIN):
        if violation_margin(query.network, query.phases, query.weights, strict.x[None, :])[0] > 0:
            return strict.x
    return None
