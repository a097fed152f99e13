"""`nesy bench strings --suite PATH`: run a task suite and print the table the README quotes."""
from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction) -> None:
    from nesy.commands.options import (add_executor_options, add_generalization_options, dsl_help, nonnegative_int,
                                       positive_int, positive_seconds)

    parser = subparsers.add_parser("bench", help="benchmark synthesis on a task suite",
                                   description="Run every task of a suite (file or folder) in its own process "
                                   "with an enforced time limit; print a table and a summary; write JSON.",
                                   epilog="exit status: 0 the benchmark ran to the end (whatever it solved), "
                                   "2 bad input or options, 130 interrupted (Ctrl-C; the table and the JSON "
                                   "hold what finished, the rest marked interrupted). See docs/cli.md.")
    parser.add_argument("dsl", metavar="DSL", help=dsl_help(None))
    parser.add_argument("--suite", required=True, metavar="PATH",
                        help="task file or folder (strings: .sl, .jsonl, BUSTLE .json; regex: see docs/task-files.md)")
    parser.add_argument("--timeout", type=positive_seconds, default=10.0, metavar="SECONDS",
                        help="seconds per task (default 10)")
    parser.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1, metavar="N",
                        help="tasks run in parallel (default: the number of cores; with --executor ray, the "
                        "local Ray's CPUs: a cluster runs as many tasks as it has CPUs)")
    add_executor_options(parser)
    parser.add_argument("--json", dest="json_out", metavar="FILE",
                        help="write results as JSON here, rewritten as each task finishes (missing folders are made)")
    parser.add_argument("--limit", type=positive_int, default=None, metavar="N", help="only the first N tasks")
    parser.add_argument("--candidates", type=positive_int, default=None, metavar="N",
                        help="candidates per task: a budget that does not depend on the machine's load, so "
                        "runs compare fairly on a busy machine (--timeout still stops a task)")
    parser.add_argument("--no-unify", action="store_true", help="no conditional solutions by unification")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--guide", default="none", metavar="GUIDE",
                        help="search guide: 'none' (plain search, the default: measured, it solves more), "
                        "'shipped' (the shipped neural guide), 'both' (guided and plain, one table), or a weights file")
    add_generalization_options(parser, compare=True)
    parser.add_argument("--min-examples", type=positive_int, default=None, metavar="N",
                        help="only the tasks with at least N train examples")
    parser.add_argument("--typo-seed", type=nonnegative_int, default=None, metavar="SEED",
                        help="RobustFill's noise: one train output of each task gets a one-character typo "
                        "(seeded; held-out tests stay clean)")
    parser.add_argument("--split", default=None, metavar="NAME",
                        help="the split of suites that have them (nl-regex: train, val or test)")
    parser.add_argument("--sample", type=positive_int, default=None, metavar="N",
                        help="nl-regex only: N pairs of each split in a fixed-seed random order (every finished "
                        "prefix is a uniform random subsample)")
    parser.add_argument("--plot", metavar="FILE.png", default=None,
                        help="csg only: a PNG grid of target / network-only / final program for the first 16 shapes")
    parser.add_argument("--seed", type=nonnegative_int, default=0, metavar="S",
                        help="nl-regex only: the seed of --sample's order (default 0)")
    parser.set_defaults(func=run)


# Benches that are not a DSL's example-driven synthesis: name -> "module:function", called with the
# parsed arguments, returning the exit status (the module owns its table and JSON).
OTHER_BENCHES = {"nl-regex": "nesy.nlregex.bench:run"}


def run(args: argparse.Namespace) -> int:
    from dsl.registry import get_dsl
    from dsl.task_files import load_tasks
    from nesy.benchmark import (SuiteInterrupted, SuiteRun, enumerator_throughput, format_comparison, format_table,
                                interrupted_result, run_suite, summary, summary_line, write_json)
    from nesy.commands.options import EXIT_INTERRUPTED, note_interrupted, output_file
    from nesy.executors import executor_from_args
    from solvers.search.enumeration import SearchConfig
    from solvers.search.driver import SynthesisOptions
    from solvers.search.result import Status

    if args.dsl in OTHER_BENCHES:
        from dsl.core import resolve
        return resolve(OTHER_BENCHES[args.dsl])(args)
    if args.sample is not None:
        from dsl.errors import NesyInputError
        raise NesyInputError(f"--sample: only the nl-regex bench samples its splits, not {args.dsl}")
    json_out = output_file(args.json_out, "--json") if args.json_out else None  # before the run, not after it
    dsl = get_dsl(args.dsl)
    if args.plot is not None and dsl.name != "csg":
        from dsl.errors import NesyInputError
        raise NesyInputError(f"--plot: only the csg bench draws its shapes, not {args.dsl}")
    from nesy.ranker_choice import choose_ranker
    from nesy.typos import with_typo

    tasks = load_tasks(args.suite, dsl=args.dsl)
    if args.min_examples is not None:
        tasks = [t for t in tasks if len(t.examples) >= args.min_examples]
    tasks = tasks[: args.limit]
    if dsl.bench_runner is not None:  # the DSL prints its own table (pictures, sequences)
        from dsl.core import resolve
        return resolve(dsl.bench_runner)(args, tasks, dsl)
    if args.typo_seed is not None:
        tasks = [with_typo(task, args.typo_seed) for task in tasks]
    search = SearchConfig(timeout=args.timeout, unify=not args.no_unify, max_candidates=args.candidates)
    if args.ranker == "both":
        rankings = [("rank-off", "off"), ("ranked", "default")]
    elif "," in args.ranker:   # several rankers side by side: each labelled by its name or file stem
        rankings = [(os.path.splitext(os.path.basename(choice))[0], choice) for choice in args.ranker.split(",")]
    else:
        rankings = [("", args.ranker)]
    ranked_options = [(label, SynthesisOptions(config=search, noise=args.noise, rank=on, ranker=ranker))
                      for label, (on, ranker) in ((label, choose_ranker(choice, dsl)) for label, choice in rankings)]
    config = {"dsl": args.dsl, "suite": args.suite, "timeout": args.timeout, "jobs": args.jobs, "guide": args.guide,
              "ranker": args.ranker, "noise": args.noise, "min_examples": args.min_examples,
              "typo_seed": args.typo_seed, "candidates": args.candidates}

    def save(runs: dict, state: str) -> None:
        if json_out is not None:
            write_json(json_out, runs, config, state)

    if args.guide == "none":
        labelled = [("plain", None)]
    else:
        from nesy.guides.neural import guide_runs  # imports torch: after the input is known to be good

        labelled = guide_runs(args.guide, dsl)
    labelled = [(" ".join(filter(None, (guide_label, rank_label))), guide, options)
                for guide_label, guide in labelled for rank_label, options in ranked_options]
    runs: dict = {}
    state = "finished"
    with executor_from_args(args) as executor:   # one executor (one Ray) for every labelled run
        config.update(executor.describe())
        for label, guide, options in labelled:
            try:
                runs[label] = run_suite(tasks, SuiteRun(dsl, options, jobs=args.jobs, guide_factory=lambda g=guide: g,
                                                        label=label, executor=executor), progress=not args.quiet,
                                        on_result=lambda done, label=label: save({**runs, label: done}, "running"))
            except SuiteInterrupted as stop:  # one Ctrl-C ends every run: the later ones are not started
                runs[label] = stop.results
                for later, _, _ in labelled:
                    runs.setdefault(later, [interrupted_result(task) for task in tasks])
                state = "interrupted"
                break
    print(format_table(*runs.values()) if len(runs) == 1 else format_comparison(runs))
    for label, results in runs.items():
        print(summary_line(label, summary(results)))
    overhead = executor.overhead_line()
    if overhead is not None:
        print(overhead)
    config["overhead"] = executor.overhead_ms()
    save(runs, state)
    if state == "interrupted":
        note_interrupted(sum(r.status is not Status.INTERRUPTED for rs in runs.values() for r in rs),
                         len(tasks) * len(runs))
        return EXIT_INTERRUPTED
    throughput = enumerator_throughput(dsl)
    if throughput is not None:
        print(f"enumerator throughput on the fixed task: {throughput:,.0f} candidates/s")
    return 0
