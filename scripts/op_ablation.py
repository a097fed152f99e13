"""Which of the strings DSL's own ops pay? Run suites with the searched ops as shipped and with each
group of `nesy.*` ops added, side by side at equal time, and print held-out accuracy per group.

    python scripts/op_ablation.py datasets/strings/spreadsheet.jsonl datasets/strings/forum.jsonl \
        --timeout 10 --jobs 1 --json out/op_ablation.json
    python scripts/op_ablation.py SUITE --candidates 1000000 --timeout 120 --jobs 2 --groups shipped --all

Each group is searched on top of `dsl.strings.SEARCH_OPS` (`--without-own` first takes the
`nesy.*` ops back out, as they were before they were measured); a group that solves no more (or fewer, by
costing enumeration time) stays off by default (docs/strings.md says which).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from dsl.strings import ALL_OPS, SEARCH_OPS, STRINGS
from dsl.task_files import load_tasks
from nesy.benchmark import SuiteRun, run_suite, summary
from nesy.ranker_choice import choose_ranker
from solvers.search.driver import SynthesisOptions
from solvers.search.enumeration import SearchConfig

GROUPS: dict[str, tuple[str, ...]] = {
    "shipped": (),
    "+last_indexof": ("nesy.last_indexof",),
    "+field": ("nesy.field",),
    "+token positions": ("nesy.digits_start", "nesy.digits_end", "nesy.letters_start", "nesy.letters_end",
                         "nesy.spaces_start", "nesy.spaces_end"),
    "+number formats": ("nesy.thousands", "nesy.fixed"),
}
# every group but the number formats (they lost a task alone): is the whole set better without them?
GROUPS["+all but number formats"] = tuple(name for group, names in GROUPS.items()
                                          if group != "+number formats" for name in names)


OWN = {name for names in GROUPS.values() for name in names}
BASE_OPS = SEARCH_OPS


def with_ops(names: tuple[str, ...]):
    """The strings DSL searching its shipped ops plus `names` (placed last: the shipped ops keep
    their order, so a group changes only what it adds)."""
    extra = tuple(op for op in ALL_OPS if op.name in names and op not in BASE_OPS)
    missing = set(names) - {op.name for op in extra}
    if missing:
        raise SystemExit(f"unknown ops: {sorted(missing)}")
    return dataclasses.replace(STRINGS, search_ops=BASE_OPS + extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suites", nargs="+")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--candidates", type=int, default=None,
                        help="candidates per task (then --timeout is only a safety net): the same answers "
                        "whatever the machine's load, so groups compare fairly on a busy machine")
    parser.add_argument("--groups", default=",".join(GROUPS), help="comma-separated group names")
    parser.add_argument("--all", action="store_true", help="also a run with every group at once")
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--without-own", action="store_true",
                        help="the shipped ops without the nesy.* ones, as before they were searched")
    args = parser.parse_args()
    global BASE_OPS
    if args.without_own:
        BASE_OPS = tuple(op for op in SEARCH_OPS if op.name not in OWN)
    groups = {name: GROUPS[name] for name in args.groups.split(",")}
    if args.all:
        groups["+all"] = tuple(dict.fromkeys(name for names in GROUPS.values() for name in names))
    rows: list[dict] = []
    for suite in args.suites:
        tasks = load_tasks(suite, dsl="strings")
        for group, names in groups.items():
            dsl = with_ops(names)
            on, ranker = choose_ranker("default", dsl)
            search = SearchConfig(timeout=args.timeout, max_candidates=args.candidates)
            options = SynthesisOptions(config=search, rank=on, ranker=ranker)
            results = run_suite(tasks, SuiteRun(dsl, options, jobs=args.jobs, label=group), progress=False)
            numbers = summary(results)
            solved = {r.task for r in results if r.solved}
            rows.append({"suite": Path(suite).name, "group": group, "tasks": numbers["tasks"],
                         "solved": numbers["solved"], "found": numbers["found"],
                         "wrong_on_tests": numbers["wrong_on_tests"],
                         "median_seconds_solved": numbers["median_seconds_solved"], "solved_tasks": sorted(solved)})
            print(f"{Path(suite).name:24} {group:18} solved {numbers['solved']:3}/{numbers['tasks']:<3} "
                  f"found {numbers['found']:3}  wrong on tests {numbers['wrong_on_tests']:3}  "
                  f"median s {numbers['median_seconds_solved']}", flush=True)
        base = next(r for r in rows if r["suite"] == Path(suite).name and r["group"] == next(iter(groups)))
        for row in rows:
            if row["suite"] == base["suite"] and row is not base:
                gained = sorted(set(row["solved_tasks"]) - set(base["solved_tasks"]))
                lost = sorted(set(base["solved_tasks"]) - set(row["solved_tasks"]))
                print(f"  {row['group']}: gained {gained} lost {lost}")
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
