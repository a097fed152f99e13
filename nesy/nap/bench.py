"""`nesy nap bench`: the issue's table on a fixed seeded digits network, with Marabou side by side on
the very same queries when maraboupy imports. Every counterexample (ours and Marabou's) is replayed.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from dsl.errors import NesyInputError
from nesy.nap.digits import Digits, digits_model, load_digits_split
from nesy.nap.marabou import marabou_available, marabou_query
from nesy.nap.mining import NapSet, mine_naps, nap_stats
from nesy.nap.model import LoadedModel
from nesy.nap.threads import single_blas_thread
from nesy.nap.verify import (QueryReport, max_epsilon, replay, robust_query, unit_box, verify_disjoint)
from solvers.nap.network import Phases, Region
from solvers.nap.verdict import COUNTEREXAMPLE, TIMEOUT, VERIFIED

NOT_INSTALLED = "not installed"
NOT_RUN = "not run (--no-marabou)"
MARABOU_TOLERANCE = 1e-5
"""Marabou answers the closure (ON: z >= 0, ties count) in floating point, so its witnesses are
replayed against the closure with this slack; ours are replayed strictly."""


@dataclass
class BenchConfig:
    """Every budget of the run; defaults are the issue's setting."""

    hidden: tuple[int, ...] = (32, 32)
    deltas: tuple[float, ...] = (0.95, 0.99, 1.0)
    ball: float = 0.05
    timeout_s: float = 5.0
    retry_timeout_s: float = 60.0
    eps_delta: float = 0.99
    eps_timeout_s: float = 1.0
    marabou: bool = True
    seed: int = 0
    classes: tuple[int, ...] = field(default=tuple(range(10)))


def _marabou_row(model: LoadedModel, phases: Phases, region: Region, weights: np.ndarray | None,
                 violates, config: BenchConfig) -> dict:
    if not config.marabou:
        return {"marabou_verdict": NOT_INSTALLED, "marabou_seconds": None, "marabou_replayed": None}
    answer = marabou_query(model.network, region, phases, weights, config.retry_timeout_s)
    replayed = None
    if answer.witness is not None:
        x = np.clip(answer.witness, region.lo, region.hi)
        replayed = replay(model, x, phases, region, violates, MARABOU_TOLERANCE)["violates"]
    return {"marabou_verdict": answer.verdict, "marabou_seconds": answer.seconds, "marabou_replayed": replayed}


def _row(report: QueryReport, delta: float, retried: QueryReport | None) -> dict:
    final = retried or report
    return {"class": report.cls, "other_class": report.other, "property": report.prop, "region": report.region,
            "delta": delta, "nesy_verdict": final.verdict, "nesy_verdict_at_timeout": report.verdict,
            "nesy_seconds": report.seconds + (retried.seconds if retried else 0.0), "nesy_method": final.method,
            "replayed": final.replayed, "counterexample_logits": (final.counterexample or {}).get("logits")}


def _robust_rows(model: LoadedModel, naps: NapSet, data: Digits, config: BenchConfig, progress) -> list[dict]:
    rows = []
    box = unit_box(model.network.input_size)
    for c in config.classes:
        center = data.x_train[data.y_train == c].mean(axis=0)
        members = data.x_train[data.y_train == c]
        for region, seeds in ((box, members[:32]), (Region.ball(center, config.ball, box), center[None, :])):
            for other in range(model.network.output_size):
                if other == c:
                    continue
                report = robust_query(model, naps.naps[c], c, other, region, config.timeout_s, seeds)
                retried = None
                if report.verdict == TIMEOUT:
                    retried = robust_query(model, naps.naps[c], c, other, region, config.retry_timeout_s, seeds)
                weights = np.zeros(model.network.output_size)
                weights[other], weights[c] = 1.0, -1.0
                row = _row(report, naps.delta, retried)
                row.update(_marabou_row(model, naps.naps[c], region, weights,
                                        lambda logits, j=other, i=c: logits[j] >= logits[i] - MARABOU_TOLERANCE,
                                        config))
                rows.append(row)
                progress.update()
    return rows


def _disjoint_rows(model: LoadedModel, naps: NapSet, config: BenchConfig, progress) -> list[dict]:
    rows = []
    box = unit_box(model.network.input_size)
    for c in config.classes:
        for d in config.classes:
            if d <= c:
                continue
            report = verify_disjoint(model, naps, c, d, box, config.timeout_s)
            retried = (verify_disjoint(model, naps, c, d, box, config.retry_timeout_s)
                       if report.verdict == TIMEOUT else None)
            row = _row(report, naps.delta, retried)
            row.update(_marabou_row(model, naps.naps[c].merged(naps.naps[d]), box, None, lambda logits: True, config)
                       if not (config.marabou and naps.naps[c].conflicts(naps.naps[d])) else
                       {"marabou_verdict": "not run (conflict)", "marabou_seconds": 0.0, "marabou_replayed": None})
            rows.append(row)
            progress.update()
    return rows


@single_blas_thread
def run_bench(config: BenchConfig) -> dict:
    """All queries, per-class statistics and totals, as one JSON-ready dict.

    >>> run = run_bench(BenchConfig(classes=(0,), deltas=(1.0,), timeout_s=1.0, retry_timeout_s=1.0,
    ...                             marabou=False))
    >>> "nesy" in format_table(run)
    True
    """
    from tqdm import tqdm

    marabou_asked = config.marabou
    config.marabou = config.marabou and marabou_available()
    model = digits_model(config.hidden, config.seed)
    _check_config(config, model)
    data = load_digits_split(config.seed)
    _, logits = model.run(data.x_test)
    accuracy = float((logits.argmax(axis=1) == data.y_test).mean())
    n = len(config.classes)
    total = len(config.deltas) * (2 * n * (model.network.output_size - 1) + n * (n - 1) // 2)
    rows: list[dict] = []
    per_class: list[dict] = []
    epsilons: list[dict] = []
    start = time.perf_counter()
    interrupted = False
    try:  # Ctrl-C keeps what is done: the table and JSON then cover the queries run so far
        with tqdm(total=total, desc="nap bench", file=sys.stderr) as progress:
            for delta in config.deltas:
                naps = mine_naps(model.network, data.x_train, data.y_train, delta)
                for stat in nap_stats(model.network, naps, data.x_test, data.y_test):
                    per_class.append({"delta": delta, "class": stat.cls, "fixed_neurons": stat.fixed,
                                      "recall": stat.recall, "precision": stat.precision})
                rows += _robust_rows(model, naps, data, config, progress)
                rows += _disjoint_rows(model, naps, config, progress)
        _epsilons(model, data, config, epsilons)
    except KeyboardInterrupt:
        interrupted = True
    return {"network": [64, *config.hidden, 10], "test_accuracy": accuracy, "config": _config_json(config),
            "marabou": "run" if config.marabou else NOT_INSTALLED if marabou_asked else NOT_RUN,
            "interrupted": interrupted, "queries": rows, "per_class": per_class, "epsilons": epsilons,
            "totals": _totals(rows, config), "wall_seconds": time.perf_counter() - start}


def _check_config(config: BenchConfig, model: LoadedModel) -> None:
    """Class numbers past the network's outputs and deltas mining refuses are bad options, said up front."""
    outputs = model.network.output_size
    for c in config.classes:
        if not 0 <= c < outputs:
            raise NesyInputError(f"--classes: class {c}; the network has {outputs} outputs (classes 0-{outputs - 1})")
    if len(set(config.classes)) != len(config.classes) or not config.classes:
        raise NesyInputError(f"--classes: expected distinct class numbers, got {list(config.classes)}")
    for delta in (*config.deltas, config.eps_delta):
        if not 0.5 < delta <= 1.0:
            raise NesyInputError(f"--deltas: each delta must be in (0.5, 1], got {delta}")
    if not config.deltas:
        raise NesyInputError("--deltas: expected at least one delta")


def _epsilons(model: LoadedModel, data: Digits, config: BenchConfig, results: list[dict]) -> None:
    """Per class the verified radius around the class mean with and without the NAP, appended to results."""
    from tqdm import tqdm

    naps = mine_naps(model.network, data.x_train, data.y_train, config.eps_delta)
    recall = {s.cls: s.recall for s in nap_stats(model.network, naps, data.x_test, data.y_test)}
    for c in tqdm(config.classes, desc="epsilon bisection", file=sys.stderr):
        center = data.x_train[data.y_train == c].mean(axis=0)
        without = max_epsilon(model, None, center, c, config.eps_timeout_s)
        with_nap = max_epsilon(model, naps.naps[c], center, c, config.eps_timeout_s, lower=without.epsilon)
        results.append({"class": c, "delta": config.eps_delta, "recall": recall[c],
                        "epsilon_with_nap": with_nap.epsilon, "refuted_with_nap_at": with_nap.refuted_at,
                        "epsilon_without_nap": without.epsilon, "refuted_without_nap_at": without.refuted_at,
                        "undecided_steps": with_nap.undecided + without.undecided,
                        "seconds": with_nap.seconds + without.seconds})


def _config_json(config: BenchConfig) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(config).items()}


def _totals(rows: list[dict], config: BenchConfig) -> dict:
    decided = [r for r in rows if r["nesy_verdict"] != TIMEOUT]
    compared = [r for r in rows if r["marabou_verdict"] in (VERIFIED, COUNTEREXAMPLE)
                and r["nesy_verdict"] != TIMEOUT]
    disagreements = sum(r["marabou_verdict"] != r["nesy_verdict"] for r in compared)
    unreplayed = sum(r["replayed"] is False for r in rows)
    nesy_seconds = sum(r["nesy_seconds"] for r in rows)
    marabou_seconds = sum(r["marabou_seconds"] or 0.0 for r in rows) if config.marabou else None
    properties = _properties(rows)
    return {"queries": len(rows), "decided": len(decided), "disagreements": disagreements,
            "compared_with_marabou": len(compared), "unreplayed_counterexamples": unreplayed,
            "marabou_unreplayed_counterexamples": sum(r["marabou_replayed"] is False for r in rows),
            "nesy_seconds": nesy_seconds, "marabou_seconds": marabou_seconds if config.marabou else NOT_INSTALLED,
            "time_ratio_vs_marabou": (nesy_seconds / marabou_seconds) if marabou_seconds else NOT_INSTALLED,
            "properties": len(properties),
            "properties_decided_at_timeout": sum(p["decided_at_timeout"] for p in properties),
            "properties_undecided_at_retry": sum(not p["decided"] for p in properties)}


def _properties(rows: list[dict]) -> list[dict]:
    """A robustness property (class, region, delta) is decided when a replayed counterexample exists
    for one competing class or all its queries are verified."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["property"] == "robust":
            groups.setdefault((row["class"], row["region"], row["delta"]), []).append(row)

    def decided(group: list[dict], key: str) -> bool:
        return any(r[key] == COUNTEREXAMPLE for r in group) or all(r[key] == VERIFIED for r in group)

    return [{"decided_at_timeout": decided(g, "nesy_verdict_at_timeout"), "decided": decided(g, "nesy_verdict")}
            for g in groups.values()]


MARABOU_TOTALS = ("compared_with_marabou", "disagreements", "marabou_unreplayed_counterexamples", "marabou_seconds",
                  "time_ratio_vs_marabou")


def format_table(result: dict) -> str:
    """The README table: per region and delta, properties verified / falsified / open and seconds;
    the Marabou columns only when Marabou ran (otherwise one line says why not)."""
    marabou = result["config"]["marabou"]
    lines = [f"network {'-'.join(map(str, result['network']))}, test accuracy {result['test_accuracy']:.3f}"
             + (" (interrupted: partial results)" if result["interrupted"] else ""), "",
             f"{'region':<12} {'delta':>5} {'recall':>6} {'verified':>8} {'falsified':>9} {'open':>4} {'nesy s':>7}"
             + (f" {'marabou s':>9} {'agree':>5}" if marabou else "")]
    rows, stats = result["queries"], result["per_class"]
    for region in sorted({r["region"] for r in rows if r["property"] == "robust"}):
        for delta in result["config"]["deltas"]:
            group = [r for r in rows if r["property"] == "robust" and r["region"] == region and r["delta"] == delta]
            lines.append(_table_line(region, delta, group, stats, True, marabou))
    for delta in result["config"]["deltas"]:
        group = [r for r in rows if r["property"] == "disjoint" and r["delta"] == delta]
        lines.append(_table_line("disjoint", delta, group, stats, False, marabou))
    if not marabou:
        lines.append(f"Marabou: {result.get('marabou', NOT_INSTALLED)}")
    lines += ["", f"epsilon by bisection around each class mean, NAPs at delta={result['config']['eps_delta']}",
              "(verified radius; in brackets the smallest radius with a replayed counterexample)",
              f"{'class':>5} {'recall':>6} {'eps NAP':>18} {'eps plain':>18} {'undecided':>9}"]
    for eps in result["epsilons"]:
        with_nap = f"{eps['epsilon_with_nap']:.4f} ({eps['refuted_with_nap_at']:.4f})"
        plain = f"{eps['epsilon_without_nap']:.4f} ({eps['refuted_without_nap_at']:.4f})"
        lines.append(f"{eps['class']:>5} {eps['recall']:>6.3f} {with_nap:>18} {plain:>18} {eps['undecided_steps']:>9}")
    totals = {k: v for k, v in result["totals"].items() if marabou or k not in MARABOU_TOTALS}
    lines += ["", " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in totals.items())]
    return "\n".join(lines)


def _table_line(region: str, delta: float, group: list[dict], stats: list[dict], by_class: bool,
                marabou: bool) -> str:
    units: dict[tuple, list[dict]] = {}
    for r in group:
        units.setdefault((r["class"],) if by_class else (r["class"], r["other_class"]), []).append(r)
    falsified = sum(any(r["nesy_verdict"] == COUNTEREXAMPLE for r in u) for u in units.values())
    verified = sum(all(r["nesy_verdict"] == VERIFIED for r in u) for u in units.values())
    recall = np.mean([s["recall"] for s in stats if s["delta"] == delta])
    nesy = sum(r["nesy_seconds"] for r in group)
    line = (f"{region:<12} {delta:>5.2f} {recall:>6.3f} {verified:>8} {falsified:>9} "
            f"{len(units) - verified - falsified:>4} {nesy:>7.2f}")
    if not marabou:
        return line
    seconds = sum(r["marabou_seconds"] for r in group if r["marabou_seconds"] is not None)
    compared = [r for r in group if r["marabou_verdict"] in (VERIFIED, COUNTEREXAMPLE)]
    agree = sum(r["marabou_verdict"] == r["nesy_verdict"] for r in compared)
    return f"{line} {seconds:>9.2f} {agree}/{len(compared)}"
