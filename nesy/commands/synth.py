"""`nesy synth FILE`: synthesize a program for each task in a .sl, .jsonl or BUSTLE .json file."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from dsl.core import Task
    from solvers.search.result import Result


def register(subparsers: argparse._SubParsersAction) -> None:
    from nesy.commands.options import EXIT_STATUSES, dsl_help, positive_int, positive_number, positive_seconds

    parser = subparsers.add_parser("synth", help="synthesize programs for the tasks in a file",
                                   description="Synthesize a program for every task in FILE "
                                   "(SyGuS .sl, JSONL one task a line, or a BUSTLE/CrossBeam JSON list; "
                                   "regex task files with --dsl regex). Formats: docs/task-files.md.",
                                   epilog=EXIT_STATUSES + " See docs/cli.md.")
    parser.add_argument("file", metavar="FILE", help="task file or folder")
    parser.add_argument("--dsl", default="strings", metavar="NAME", help=dsl_help("strings"))
    parser.add_argument("--timeout", type=positive_seconds, default=10.0, metavar="SECONDS",
                        help="seconds per task (default 10)")
    parser.add_argument("--max-candidates", type=positive_int, default=None, metavar="N",
                        help="stop a task after this many candidates (default: no limit)")
    parser.add_argument("--max-memory-mb", type=positive_number, default=4096.0, metavar="MB",
                        help="memory budget per task in MB (default 4096)")
    parser.add_argument("--no-unify", action="store_true", help="no conditional (ite) solutions by unification")
    parser.add_argument("--guide", default="default", metavar="GUIDE",
                        help="search guide: 'default' (the shipped neural guide), 'none' (plain search) or a weights file")
    parser.add_argument("--json", dest="json_out", metavar="FILE",
                        help="also write the results as JSON here, rewritten after each task (missing folders are made)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dsl.registry import get_dsl
    from dsl.task_files import load_tasks
    from solvers.search.enumeration import SearchConfig
    from solvers.search.driver import SynthesisOptions, synthesize_task
    from nesy.commands.options import EXIT_INTERRUPTED, EXIT_SOLVED, EXIT_UNSOLVED, output_file

    json_out = output_file(args.json_out, "--json") if args.json_out else None  # before the run, not after it
    dsl = get_dsl(args.dsl)
    tasks = load_tasks(args.file, dsl=args.dsl)
    config = SearchConfig(timeout=args.timeout, max_candidates=args.max_candidates,
                          max_memory_mb=args.max_memory_mb, unify=not args.no_unify)
    options = SynthesisOptions(config=config)
    guide = None
    if args.guide != "none":
        from nesy.guides.neural import load_guide  # imports torch: after the input is known to be good

        guide = load_guide(args.guide, dsl)
    results, interrupted = _solve_all(tasks, lambda task: synthesize_task(task, dsl, options, guide), json_out)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_SOLVED if all(r.solved or (r.found and r.test_correct is None) for r in results) else EXIT_UNSOLVED


def _solve_all(tasks: Sequence[Task], solve: Callable[[Task], Result],
               json_out: Path | None) -> tuple[list[Result], bool]:
    """Solve and print the tasks one by one, saving the JSON after each; (results, interrupted).

    One Ctrl-C stops the whole run. The search catches it and returns what it had for the task it
    hit, so a flag notices it; the later tasks are marked interrupted."""
    from nesy.benchmark import interrupted_result
    from nesy.commands.options import note_interrupted, watching_interrupts
    from solvers.search.result import Status

    results: list[Result] = []
    with watching_interrupts() as interrupt:
        try:
            for task in tasks:
                result = solve(task)
                results.append(result)
                print(f"{result}\n", flush=True)  # the blank line too: a reader sees whole blocks
                if interrupt.raised:
                    break
                _save(json_out, results, "running")
        except KeyboardInterrupt:
            interrupt.raised = True
    if not interrupt.raised:
        _save(json_out, results, "finished")
        return results, False
    finished = sum(1 for r in results if r.status is not Status.INTERRUPTED)
    results += [interrupted_result(task) for task in tasks[len(results):]]
    _save(json_out, results, "interrupted")
    note_interrupted(finished, len(tasks))
    return results, True


def _save(json_out: Path | None, results: Sequence[Result], state: str) -> None:
    from nesy.commands.options import write_atomically

    if json_out is not None:
        write_atomically(json_out, json.dumps({"state": state, "results": [r.to_json() for r in results]}, indent=1))
