"""`nesy bench strings --suite PATH`: run a task suite and print the table the README quotes."""
from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="benchmark synthesis on a task suite",
                                   description="Run every task of a suite (file or folder) in its own process "
                                   "with an enforced time limit; print a table and a summary; write JSON.")
    parser.add_argument("dsl", help="DSL to benchmark (e.g. strings)")
    parser.add_argument("--suite", required=True, help="task file or folder (.sl, .jsonl, BUSTLE .json)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per task (default 10)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="tasks run in parallel")
    parser.add_argument("--json", dest="json_out", help="write results as JSON here")
    parser.add_argument("--limit", type=int, default=None, help="only the first N tasks")
    parser.add_argument("--no-unify", action="store_true", help="no conditional solutions by unification")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--guide", default="default",
                        help="search guide: 'default' (the shipped neural guide), 'none' (plain search), "
                        "'both' (plain and guided, one table), or a weights file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dsl.registry import get_dsl
    from dsl.task_files import load_tasks
    from nesy.benchmark import (SuiteRun, enumerator_throughput, format_comparison, format_table, run_suite, summary, summary_line,
                                write_json)
    from nesy.guides.neural import guide_runs
    from solvers.search.enumeration import SearchConfig
    from solvers.search.driver import SynthesisOptions

    dsl = get_dsl(args.dsl)
    tasks = load_tasks(args.suite, dsl=args.dsl)[: args.limit]
    options = SynthesisOptions(config=SearchConfig(timeout=args.timeout, unify=not args.no_unify))
    runs = {}
    for label, guide in guide_runs(args.guide, dsl):
        runs[label] = run_suite(tasks, SuiteRun(dsl, options, jobs=args.jobs, guide_factory=lambda g=guide: g,
                                                label=label), progress=not args.quiet)
    print(format_table(*runs.values()) if len(runs) == 1 else format_comparison(runs))
    for label, results in runs.items():
        print(summary_line(label, summary(results)))
    if args.dsl == "strings":
        print(f"enumerator throughput on the fixed task: {enumerator_throughput(dsl):,.0f} candidates/s")
    if args.json_out:
        write_json(args.json_out, runs, {"dsl": args.dsl, "suite": args.suite, "timeout": args.timeout,
                                         "jobs": args.jobs, "guide": args.guide})
    return 0
