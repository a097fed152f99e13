"""`nesy latent eval`: exact match on a fixed-seed test set at each count of test-time steps, LPN
alone and LPN + symbolic check, next to the paper's Table 2; the figures.

The JSON (rewritten after every measurement) holds `{"network": {steps: exact}, "neurosymbolic":
{steps: exact}, ...}` with exact match as a fraction of the test tasks, and per steps how many
answers were verified programs and how many of those (and of the unverified outputs) were right.
"""
from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from dsl.errors import NesyInputError
from nesy.latent.coupling import AnswerKind, neurosymbolic_answer
from nesy.latent.domains import TEST_SEED, get_domain
from nesy.latent.search import gradient_search, sampling_search
from nesy.latent.train import load

CHUNK = 250                       # tasks searched together
# "Searching Latent Program Spaces", Table 2 (exact match on its sequence test set), by test-time steps.
PAPER_TABLE2 = {
    "in-context": {"0": 0.777},
    "test-time training": {"0": 0.781, "10": 0.728, "100": 0.118},
    "LPN Grad 1": {"0": 0.713, "10": 0.861, "100": 0.818},
}


@dataclass(frozen=True)
class EvalConfig:
    steps: tuple[int, ...] = (0, 10, 100)
    tasks: int = 1000
    seed: int | None = None
    candidates: int = 200_000
    lr: float = 0.1
    samples: int = 0
    plain: tuple[int, ...] = ()        # candidate budgets of plain symbolic search (empty: not run)
    plain_only: bool = False           # only plain symbolic search: no network (no weights needed)
    shard: tuple[int, int] = (0, 1)    # (k, n): only tasks k, k + n, k + 2n, ... (merged by `merge_reports`)
    threads: int = 1


def default_weights(domain: str) -> Path:
    return Path(__file__).resolve().parents[2] / "datasets" / "latent" / f"{domain}.pt"


def evaluate(domain_name: str, config: EvalConfig, weights: str | None = None, json_path: str | None = None,
             plot: str | None = None, trajectory: str | None = None) -> int:
    from nesy.commands.options import output_file, write_atomically

    torch.set_num_threads(config.threads)
    outputs = {name: output_file(path, option) for name, path, option in
               (("json", json_path, "--json"), ("plot", plot, "--plot"), ("trajectory", trajectory, "--trajectory"))
               if path}
    domain = get_domain(domain_name)
    if config.plain_only and not config.plain:
        raise NesyInputError("--plain-only needs --plain or --plain-candidates")
    net = None if config.plain_only else load(Path(weights) if weights else default_weights(domain_name), domain_name)
    tasks = domain.test_tasks(config.tasks, TEST_SEED if config.seed is None else config.seed)
    shard, shards = config.shard
    tasks = tasks[shard::shards]
    report: dict[str, Any] = {"domain": domain_name, "tasks": len(tasks), "test_set": config.tasks,
                              "shard": [shard, shards],
                              "seed": TEST_SEED if config.seed is None else config.seed,
                              "weights": None if net is None else str(weights or default_weights(domain_name)),
                              "config": asdict(config),
                              "network": {}, "neurosymbolic": {}, "details": {}, "paper_table2": PAPER_TABLE2}

    def save() -> None:
        if "json" in outputs:
            write_atomically(outputs["json"], json.dumps(report, indent=1) + "\n")

    cpu = time.process_time()
    try:
        if net is not None:
            latents = _network(net, domain, tasks, config, report)
            save()
            if config.samples:
                _sampling(net, domain, tasks, config, report)
                save()
            for steps in config.steps:
                _neurosymbolic(net, tasks, latents[steps], steps, config, report)
                report["cpu_seconds"] = round(time.process_time() - cpu, 1)
                save()
        if config.plain:
            _plain(tasks, config, report)
            save()
    except KeyboardInterrupt:
        report["interrupted"] = True
        save()
        print("interrupted: the JSON holds what was measured", file=sys.stderr)
        return 130
    report["cpu_seconds"] = round(time.process_time() - cpu, 1)
    save()
    _print_table(report)
    if net is None:
        return 0
    if "plot" in outputs:
        from nesy.latent.figures import accuracy_figure

        accuracy_figure(report, outputs["plot"])
    if "trajectory" in outputs:
        from nesy.latent.figures import trajectory_figure

        trajectory_figure(net, domain, tasks[0], config, outputs["trajectory"])
    return 0


def merge_reports(paths: list[Path]) -> dict[str, Any]:
    """One report from runs of the same weights and test set that measured different step counts
    (`nesy latent eval --steps 10` in one process, `--steps 100` in another): their `network`,
    `neurosymbolic`, `details` and `plain_symbolic` entries side by side."""
    reports = []
    for path in paths:
        try:
            reports.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as error:
            raise NesyInputError(f"not a report of nesy latent eval ({type(error).__name__})", path=str(path)) from None
    keys = {(r.get("domain"), r.get("test_set", r.get("tasks")), r.get("seed")) for r in reports}
    weights = {r["weights"] for r in reports if r.get("weights")}        # a --plain-only report has none
    if len(keys) != 1 or len(weights) > 1:
        raise NesyInputError(f"these reports are of different domains, test sets or weights: "
                             f"{sorted(map(str, keys | weights))}")
    reports = _join_shards(reports)
    merged = {**reports[0], "weights": next(iter(weights), None), "network": {}, "neurosymbolic": {}, "details": {}, "merged_from": [str(p) for p in paths]}
    for report in reports:
        details = dict(report.get("details", {}))
        if "network_cpu_seconds" in details and report.get("network"):       # one per run: say of which
            details[f"network_cpu_seconds_to_{max(map(int, report['network']))}_steps"] = \
                details.pop("network_cpu_seconds")
        report = {**report, "details": details}
        for key in ("network", "neurosymbolic", "details", "plain_symbolic", "sampling"):
            if key in report:
                merged.setdefault(key, {}).update(report[key])
        if report.get("interrupted"):
            merged["interrupted"] = True
    for key in ("network", "neurosymbolic"):
        merged[key] = dict(sorted(merged[key].items(), key=lambda item: int(item[0])))
    merged["cpu_seconds"] = round(sum(r.get("cpu_seconds", 0.0) for r in reports), 1)
    return merged


def _join_shards(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reports of the shards of one run (same steps, same plain budgets) joined into one, by counts."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for report in reports:
        what = (tuple(report.get("network", {})), tuple(report.get("plain_symbolic", {})))
        groups.setdefault(what, []).append(report)
    joined = []
    for group in groups.values():
        shards = sorted(tuple(r.get("shard", (0, 1))) for r in group)
        count = shards[0][1]
        if len(group) == 1 and count == 1:
            joined.append(group[0])
            continue
        if shards != [(k, count) for k in range(count)]:
            raise NesyInputError(f"shards {shards} are not all of one run (0/{count} .. {count - 1}/{count})")
        total = sum(r["tasks"] for r in group)
        one = {**group[0], "tasks": total, "shard": [0, 1], "details": {}}
        for key in ("network", "neurosymbolic", "sampling"):
            if key in group[0]:
                one[key] = {s: round(sum(r[key][s] * r["tasks"] for r in group) / total, 4) for s in group[0][key]}
        for name in group[0].get("details", {}):
            parts = [r["details"][name] for r in group]
            one["details"][name] = ({k: round(sum(p[k] for p in parts), 1) for k in parts[0]
                                     if not k.startswith("exact_where")} if isinstance(parts[0], dict)
                                    else round(sum(parts), 1))
            if isinstance(parts[0], dict) and "verified" in parts[0]:
                d = one["details"][name]
                d["exact_where_verified"] = round(d["verified_exact"] / max(1, d["verified"]), 4)
        if "plain_symbolic" in group[0]:
            one["plain_symbolic"] = {}
            for budget in group[0]["plain_symbolic"]:
                parts = [r["plain_symbolic"][budget] for r in group]
                cpu = sum(p["cpu_seconds"] for p in parts)
                one["plain_symbolic"][budget] = {
                    "exact": round(sum(p["exact"] * r["tasks"] for p, r in zip(parts, group)) / total, 4),
                    "found": sum(p["found"] for p in parts),
                    "candidates_per_task": round(sum(p["candidates_per_task"] * r["tasks"]
                                                     for p, r in zip(parts, group)) / total),
                    "cpu_seconds": round(cpu, 1), "cpu_seconds_per_task": round(cpu / total, 4)}
        one["cpu_seconds"] = round(sum(r.get("cpu_seconds", 0.0) for r in group), 1)
        joined.append(one)
    return joined


def figures(domain_name: str, reports: list[str], json_path: str | None = None, plot: str | None = None,
            trajectory: str | None = None, weights: str | None = None, steps: int = 100, lr: float = 0.1) -> int:
    """Merge reports (`merge_reports`), print the table, write the merged JSON and the figures."""
    from nesy.commands.options import output_file, write_atomically

    outputs = {name: output_file(path, option) for name, path, option in
               (("json", json_path, "--json"), ("plot", plot, "--plot"), ("trajectory", trajectory, "--trajectory"))
               if path}
    report = merge_reports([Path(p) for p in reports])
    if report.get("domain") != domain_name:
        raise NesyInputError(f"these reports are for domain {report.get('domain')!r}, not {domain_name!r}")
    if "json" in outputs:
        write_atomically(outputs["json"], json.dumps(report, indent=1) + "\n")
    _print_table(report)
    if "plot" in outputs:
        from nesy.latent.figures import accuracy_figure

        accuracy_figure(report, outputs["plot"])
    if "trajectory" in outputs:
        from nesy.latent.figures import trajectory_figure

        domain = get_domain(domain_name)
        net = load(Path(weights or report["weights"]), domain_name)
        task = domain.test_tasks(1, report["seed"])[0]
        trajectory_figure(net, domain, task, EvalConfig(steps=(steps,), lr=lr), outputs["trajectory"])
    return 0


def _network(net, domain, tasks, config: EvalConfig, report: dict) -> dict[int, torch.Tensor]:
    """LPN alone: the decoded test output from the best latent after each step count."""
    latents: dict[int, list[torch.Tensor]] = {s: [] for s in config.steps}
    right = {s: 0 for s in config.steps}
    started = time.process_time()
    for begin in range(0, len(tasks), CHUNK):
        batch = domain.tensors(tasks[begin:begin + CHUNK])
        found = gradient_search(net, batch.x, batch.y, config.steps, lr=config.lr)
        with torch.no_grad():
            for steps in config.steps:
                latents[steps].append(found.best[steps])
                right[steps] += int((net.decode(batch.test_x, found.best[steps]) == batch.test_y).all(-1).all(-1).sum())
        print(f"LPN search: {min(begin + CHUNK, len(tasks))}/{len(tasks)} tasks", file=sys.stderr, flush=True)
    report["network"] = {str(s): round(right[s] / len(tasks), 4) for s in config.steps}
    report["details"]["network_cpu_seconds"] = round(time.process_time() - started, 1)
    return {s: torch.cat(v) for s, v in latents.items()}


def _sampling(net, domain, tasks, config: EvalConfig, report: dict) -> None:
    right = 0
    for begin in range(0, len(tasks), CHUNK):
        batch = domain.tensors(tasks[begin:begin + CHUNK])
        z, _ = sampling_search(net, batch.x, batch.y, config.samples)
        with torch.no_grad():
            right += int((net.decode(batch.test_x, z) == batch.test_y).all(-1).all(-1).sum())
    report["sampling"] = {str(config.samples): round(right / len(tasks), 4)}


def _neurosymbolic(net, tasks, latents: torch.Tensor, steps: int, config: EvalConfig, report: dict) -> None:
    started = time.process_time()
    counts = {"exact": 0, "verified": 0, "verified_exact": 0, "unverified_exact": 0, "from_proposals": 0,
              "candidates": 0}
    for index, task in enumerate(tasks):
        test = task.tests[0]
        answer = neurosymbolic_answer(net, task, latents[index], test.inputs[0], candidates=config.candidates)
        right = answer.output == test.output
        counts["exact"] += right
        counts["candidates"] += answer.candidates
        if answer.kind is AnswerKind.VERIFIED:
            counts["verified"] += 1
            counts["verified_exact"] += right
            counts["from_proposals"] += answer.source == "proposal"
        else:
            counts["unverified_exact"] += right
        if (index + 1) % 200 == 0:
            print(f"neuro-symbolic, {steps} steps: {index + 1}/{len(tasks)} tasks, {counts['exact']} exact",
                  file=sys.stderr, flush=True)
    report["neurosymbolic"][str(steps)] = round(counts["exact"] / len(tasks), 4)
    counts["cpu_seconds"] = round(time.process_time() - started, 1)
    counts["exact_where_verified"] = round(counts["verified_exact"] / max(1, counts["verified"]), 4)
    report["details"][f"neurosymbolic_{steps}"] = counts


def _plain(tasks, config: EvalConfig, report: dict) -> None:
    """Symbolic search alone (every rule cost 1) at each candidate budget of `config.plain`: right
    only where it finds a program (it has no output otherwise). CPU seconds per task are reported
    beside the neuro-symbolic ones, so "equal time" can be read off."""
    from dsl.seqrules import RULES
    from nesy.latent.coupling import fits, run_program
    from solvers.seqrules.front_end import search_rules

    report["plain_symbolic"] = {}
    for budget in config.plain:
        started = time.process_time()
        found = right = spent = 0
        for task in tasks:
            outcome = search_rules(task, [1] * len(RULES), solutions=1, seconds=math.inf, max_candidates=budget)
            spent += outcome.candidates
            if outcome.programs and fits(outcome.programs[0], task):
                found += 1
                right += run_program(outcome.programs[0], task.tests[0].inputs[0]) == task.tests[0].output
        cpu = time.process_time() - started
        report["plain_symbolic"][str(budget)] = {
            "exact": round(right / len(tasks), 4), "found": found, "candidates_per_task": round(spent / len(tasks)),
            "cpu_seconds": round(cpu, 1), "cpu_seconds_per_task": round(cpu / len(tasks), 4)}
        print(f"plain symbolic at {budget} candidates: {right}/{len(tasks)} exact", file=sys.stderr, flush=True)


def _print_table(report: dict) -> None:
    steps = list(report["network"])
    print(f"{report['domain']}: exact match on {report['tasks']} test tasks (seed {report['seed']})")
    if steps:
        _print_network_rows(report, steps)
    for budget, p in report.get("plain_symbolic", {}).items():
        print(f"  plain symbolic search at {budget} candidates: {100 * p['exact']:.1f}% exact, "
              f"{p['found']} programs found, {p['cpu_seconds_per_task']} CPU s a task")


def _print_network_rows(report: dict, steps: list[str]) -> None:
    print("steps".ljust(34) + "".join(s.rjust(8) for s in steps))
    rows = [("LPN (ours)", report["network"]), ("LPN + symbolic check (ours)", report["neurosymbolic"]),
            *((f"paper: {name}", values) for name, values in PAPER_TABLE2.items())]
    for name, values in rows:
        print(name.ljust(34) + "".join((f"{100 * values[s]:.1f}" if s in values else "-").rjust(8) for s in steps))
    for steps_ in steps:
        d = report["details"].get(f"neurosymbolic_{steps_}")
        if d:
            print(f"  {steps_} steps: {d['verified']} verified programs ({d['exact_where_verified']:.1%} exact), "
                  f"{report['tasks'] - d['verified']} unverified neural outputs ({d['unverified_exact']} exact)")
    if "sampling" in report:
        for count, value in report["sampling"].items():
            print(f"  sampling baseline, best of {count} latents: {100 * value:.1f}%")

