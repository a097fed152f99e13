"""The NAP properties, posed to the solver engine and checked against the real model.

Each solver counterexample is replayed through the loaded torch / ONNX model; only a replayed one is
reported as a counterexample. One that does not replay leaves the query undecided ('timeout'), flagged
`replayed: False`, so it is counted instead of hidden.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

from dsl.errors import NesyInputError
from nesy.nap.mining import NapSet
from nesy.nap.model import LoadedModel
from nesy.nap.threads import single_blas_thread
from solvers.nap.network import Phases, Region
from solvers.nap.decide import NapQuery, Outcome, decide
from solvers.nap.verdict import COUNTEREXAMPLE, TIMEOUT, VERIFIED

UNIT_BOX_NAME = "box[0,1]"


@dataclass(frozen=True)
class QueryReport:
    """One query's verdict; `counterexample` holds the replayed input, NAP check and logits."""

    prop: str
    cls: int
    other: int
    region: str
    verdict: str
    method: str
    seconds: float
    nodes: int
    replayed: bool | None
    counterexample: dict | None
    detail: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def check_class(model: LoadedModel, cls: int, what: str = "class") -> None:
    """Class numbers index the logits: one past the outputs (or a negative one) must not wrap around."""
    outputs = model.network.output_size
    if isinstance(cls, bool) or not isinstance(cls, (int, np.integer)) or not 0 <= cls < outputs:
        raise NesyInputError(f"{what} {cls}: the network has {outputs} outputs (classes 0-{outputs - 1})")


def _nap_of(naps: NapSet, cls: int) -> Phases:
    if cls not in naps.naps:
        raise NesyInputError(f"class {cls} has no NAP (the NAP set has classes {sorted(naps.naps)})")
    return naps.naps[cls]


def unit_box(size: int) -> Region:
    return Region(np.zeros(size), np.ones(size), UNIT_BOX_NAME)


def replay(model: LoadedModel, x: np.ndarray, phases: Phases, region: Region,
           violates: Callable[[np.ndarray], bool], tolerance: float = 0.0) -> dict:
    """Run the real model on x: the NAP check, the logits, and whether the property fails.

    tolerance 0 is the strict semantics (ON: pre > 0); a positive one checks the closure, which is all a
    solver without strict inequalities (Marabou) promises.
    """
    pre, logits = model.run(x[None, :])
    follows = bool(phases.followed_by(pre, margin=-tolerance)[0])
    inside = bool(np.all(x >= region.lo) and np.all(x <= region.hi))
    return {"input": x.tolist(), "in_region": inside, "follows_nap": follows, "logits": logits[0].tolist(),
            "predicted": int(np.argmax(logits[0])), "violates": bool(inside and follows and violates(logits[0]))}


def _report(model: LoadedModel, outcome: Outcome, phases: Phases, region: Region, prop: str, cls: int,
            other: int, violates: Callable[[np.ndarray], bool]) -> QueryReport:
    if outcome.verdict != COUNTEREXAMPLE:
        return QueryReport(prop, cls, other, region.name, outcome.verdict, outcome.method, outcome.seconds,
                           outcome.nodes, None, None, outcome.detail)
    started = time.perf_counter()
    x = np.clip(outcome.witness, region.lo, region.hi)
    replay_info = replay(model, x, phases, region, violates)
    seconds = outcome.seconds + time.perf_counter() - started
    verdict = COUNTEREXAMPLE if replay_info["violates"] else TIMEOUT
    detail = outcome.detail if replay_info["violates"] else "solver witness did not replay on the real model"
    return QueryReport(prop, cls, other, region.name, verdict, outcome.method, seconds, outcome.nodes,
                       replay_info["violates"], replay_info, detail)


@single_blas_thread
def robust_query(model: LoadedModel, phases: Phases, cls: int, other: int, region: Region, timeout_s: float,
                 seeds: np.ndarray | None = None, prop: str = "robust") -> QueryReport:
    """Is there x in region following `phases` with logit_other >= logit_cls?"""
    check_class(model, cls)
    check_class(model, other, "competing class")
    phases.check_fits(model.network, f"NAP of class {cls}")
    weights = np.zeros(model.network.output_size)
    weights[other], weights[cls] = 1.0, -1.0
    outcome = decide(NapQuery(model.network, region, phases, weights, seeds), timeout_s)
    return _report(model, outcome, phases, region, prop, cls, other, lambda logits: logits[other] >= logits[cls])


@single_blas_thread
def robust_queries(model: LoadedModel, phases: Phases, cls: int, region: Region, timeout_s: float,
                   seeds: np.ndarray | None = None, prop: str = "robust") -> list[QueryReport]:
    """One `robust_query` per competing class."""
    return [robust_query(model, phases, cls, other, region, timeout_s, seeds, prop)
            for other in range(model.network.output_size) if other != cls]


@single_blas_thread
def verify_robust(model: LoadedModel, naps: NapSet, cls: int, region: Region | None = None,
                  timeout_s: float = 5.0, seeds: np.ndarray | None = None) -> list[QueryReport]:
    """NAP robustness: NAP_cls and x in region => argmax = cls, one query per competing class. Example:

    >>> from nesy.nap import digits_model, load_digits_split, mine_naps
    >>> model, data = digits_model(), load_digits_split()
    >>> naps = mine_naps(model.network, data.x_train, data.y_train, delta=0.99)
    >>> len(verify_robust(model, naps, cls=3, timeout_s=1))   # one query per competing class
    9
    """
    check_class(model, cls)
    region = region or unit_box(model.network.input_size)
    phases = _nap_of(naps, cls)
    phases.check_fits(model.network, f"NAP of class {cls}")
    return robust_queries(model, phases, cls, region, timeout_s, seeds)


@single_blas_thread
def verify_disjoint(model: LoadedModel, naps: NapSet, cls: int, other: int, region: Region | None = None,
                    timeout_s: float = 5.0) -> QueryReport:
    """No input of the region follows both NAP_cls and NAP_other; a neuron required on by one and off
    by the other settles it without a solver."""
    region = region or unit_box(model.network.input_size)
    for c in (cls, other):
        check_class(model, c)
        _nap_of(naps, c).check_fits(model.network, f"NAP of class {c}")
    a, b = naps.naps[cls], naps.naps[other]
    conflicts = a.conflicts(b)
    if conflicts:
        k, i = conflicts[0]
        return QueryReport("disjoint", cls, other, region.name, VERIFIED, "conflict", 0.0, 0, None, None,
                           f"{len(conflicts)} neurons required on by one and off by the other, "
                           f"e.g. layer {k} neuron {i}")
    both = a.merged(b)
    outcome = decide(NapQuery(model.network, region, both, None), timeout_s)
    return _report(model, outcome, both, region, "disjoint", cls, other, lambda logits: True)


@dataclass(frozen=True)
class EpsilonResult:
    """Bisection's bracket: `epsilon` is verified; `refuted_at` is the smallest radius where a replayed
    counterexample was found (inf if none). Undecided steps count as not verified, so `epsilon` is a
    lower bound of the true radius and `refuted_at` an upper bound."""

    cls: int
    with_nap: bool
    epsilon: float
    refuted_at: float
    queries: int
    seconds: float
    undecided: int


@single_blas_thread
def max_epsilon(model: LoadedModel, phases: Phases | None, center: np.ndarray, cls: int,
                timeout_s: float = 2.0, lower: float = 0.0, upper: float = 0.5,
                resolution: float = 1 / 256) -> EpsilonResult:
    """Bisection on the L-infinity radius around `center` (clipped to [0,1]) for which every competing
    class is refuted; `phases` None is the plain robustness radius, the paper's baseline. `lower` is a
    radius already known to verify (the plain radius does, for any NAP). Example:

    >>> from nesy.nap import digits_model, load_digits_split, mine_naps
    >>> model, data = digits_model(), load_digits_split()
    >>> naps = mine_naps(model.network, data.x_train, data.y_train, delta=0.99)
    >>> center = data.x_test[data.y_test == 3][0]
    >>> result = max_epsilon(model, naps.naps[3], center, 3, timeout_s=1)
    >>> 0 <= result.epsilon <= result.refuted_at
    True
    """
    network = model.network
    check_class(model, cls)
    domain = unit_box(network.input_size)
    center = np.asarray(center, dtype=np.float64)
    if center.shape != (network.input_size,) or not np.all(np.isfinite(center)):
        raise NesyInputError(f"epsilon around class {cls}: the center must be {network.input_size} finite numbers")
    use = phases if phases is not None else Phases.free(network)
    lo, hi, refuted_at, queries, seconds, undecided = lower, upper, float("inf"), 0, 0.0, 0
    while hi - lo > resolution:
        mid = (lo + hi) / 2
        region = Region.ball(center, mid, domain)
        holds = True
        for other in (j for j in range(network.output_size) if j != cls):
            report = robust_query(model, use, cls, other, region, timeout_s, center[None, :], "eps")
            queries += 1
            seconds += report.seconds
            undecided += report.verdict == TIMEOUT
            if report.verdict == COUNTEREXAMPLE:
                refuted_at = min(refuted_at, mid)
            if report.verdict != VERIFIED:
                holds = False
                break
        lo, hi = (mid, hi) if holds else (lo, mid)
    return EpsilonResult(cls, phases is not None, lo, refuted_at, queries, seconds, undecided)
