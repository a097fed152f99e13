"""`nesy synth FILE`: synthesize a program for each task in a .sl, .jsonl or BUSTLE .json file."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence, TextIO

from dsl.errors import NesyInputError

if TYPE_CHECKING:
    from dsl.core import Task
    from nesy.executors import Executor
    from solvers.search.result import Result


def register(subparsers: argparse._SubParsersAction) -> None:
    from nesy.commands.options import (EXIT_STATUSES, add_executor_options, add_generalization_options, dsl_help,
                                       positive_int, positive_number, positive_seconds)

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
    parser.add_argument("--guide", default="none", metavar="GUIDE",
                        help="search guide: 'none' (plain search, the default: measured, it solves more), "
                        "'shipped' (the shipped neural guide) or a weights file")
    parser.add_argument("--json", dest="json_out", metavar="FILE",
                        help="also write the results as JSON here, rewritten after each task (missing folders are made)")
    add_generalization_options(parser, compare=False)
    add_executor_options(parser, default=None, default_help="none: the tasks run one after another in this "
                         "process")
    parser.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                        help="tasks run in parallel in worker processes (implies --executor process unless "
                        "--executor says otherwise; default with --executor: the number of cores)")
    parser.add_argument("--python", action="store_true",
                        help="also print each program as a standalone Python function")
    parser.add_argument("--apply", metavar="CSV",
                        help="fill a column of this CSV file with the (one) task's program; written to stdout")
    parser.add_argument("--column", type=positive_int, default=None, metavar="N",
                        help="with --apply: the 1-based column to fill (default: the last); the columns "
                        "before it, in order, are the program's inputs")
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
    if args.apply and len(tasks) != 1:
        raise NesyInputError(f"--apply fills a column with one task's program; {args.file} has {len(tasks)} tasks")
    config = SearchConfig(timeout=args.timeout, max_candidates=args.max_candidates,
                          max_memory_mb=args.max_memory_mb, unify=not args.no_unify)
    from nesy.ranker_choice import choose_ranker

    if args.column is not None and args.apply is None:
        raise NesyInputError("--column needs --apply CSV")
    rows = read_csv_rows(args.apply) if args.apply else None   # before the run, not after it
    ranking, ranker = choose_ranker(args.ranker, dsl)
    options = SynthesisOptions(config=config, noise=args.noise, rank=ranking, ranker=ranker)
    guide = None
    if args.guide != "none":
        from nesy.guides.neural import load_guide  # imports torch: after the input is known to be good

        guide = load_guide(args.guide, dsl)
    out = sys.stderr if rows is not None else sys.stdout
    if args.address is not None and args.executor != "ray":
        raise NesyInputError("--address joins a Ray cluster: it needs --executor ray")
    if args.executor is None and args.jobs is not None:
        args.executor = "process"      # --jobs N alone: the process pool
    if args.executor is None:
        results, interrupted = _solve_all(tasks, lambda task: synthesize_task(task, dsl, options, guide), json_out,
                                          python=args.python, out=out)
    else:
        from nesy.benchmark import SuiteWork
        from nesy.executors import executor_from_args

        with executor_from_args(args) as executor:
            results, interrupted = _solve_on(executor, tasks, SuiteWork(dsl, options, lambda g=guide: g),
                                             args.timeout, json_out, python=args.python, out=out)
    if interrupted:
        return EXIT_INTERRUPTED
    if rows is not None:
        return fill_column(rows, results[0], args.column)
    return EXIT_SOLVED if all(r.solved or (r.found and r.test_correct is None) for r in results) else EXIT_UNSOLVED


def _solve_all(tasks: Sequence[Task], solve: Callable[[Task], Result],
               json_out: Path | None, python: bool = False, out: TextIO | None = None) -> tuple[list[Result], bool]:
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
                _print_result(result, python, out)
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


def _solve_on(executor: "Executor", tasks: Sequence[Task], work: Callable[[Task], Result], timeout: float,
              json_out: Path | None, python: bool = False, out: TextIO | None = None) -> tuple[list[Result], bool]:
    """`_solve_all` on an executor: tasks run in its workers, each under a hard limit; results
    print in task order as soon as every earlier one is in, and the JSON (the finished ones, in
    task order) is rewritten as each arrives. Ctrl-C stops the run and keeps what finished."""
    import contextlib

    from nesy.benchmark import interrupted_result, overrun_result
    from nesy.commands.options import note_interrupted

    done: list[Result | None] = [None] * len(tasks)
    printed = 0
    interrupted = False
    try:
        with contextlib.closing(executor.run(work, tasks, timeout,
                                             lambda task, why: overrun_result(task, why, timeout))) as arriving:
            for index, result in arriving:
                done[index] = result
                while printed < len(tasks) and done[printed] is not None:
                    _print_result(done[printed], python, out)
                    printed += 1
                _save(json_out, [r for r in done if r is not None], "running")
    except KeyboardInterrupt:
        interrupted = True
    for result in done[printed:]:      # after Ctrl-C: the finished ones past the first unfinished
        if result is not None:
            _print_result(result, python, out)
    finished = sum(1 for r in done if r is not None)
    results = [r if r is not None else interrupted_result(t) for r, t in zip(done, tasks)]
    _save(json_out, results, "interrupted" if interrupted else "finished")
    if interrupted:
        note_interrupted(finished, len(tasks))
    return results, interrupted


def _print_result(result: Result, python: bool, out: TextIO | None) -> None:
    text = f"{result}\n"
    if python and result.found and result.input_names:
        text += f"\n{result.to_python()}"
    print(text, flush=True, file=out or sys.stdout)  # the blank line too: a reader sees whole blocks


def _save(json_out: Path | None, results: Sequence[Result], state: str) -> None:
    from nesy.commands.options import write_atomically

    if json_out is not None:
        write_atomically(json_out, json.dumps({"state": state, "results": [r.to_json() for r in results]}, indent=1))


def read_csv_rows(path: str) -> list[list[str]]:
    """The rows of a CSV file (header first), read before any search runs."""
    import csv
    import io

    from dsl.task_files import read_task_text

    text = read_task_text(Path(path), "CSV file")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise NesyInputError(f"{path}: not a CSV file ({error})") from None
    if len(rows) < 2:
        raise NesyInputError(f"{path}: needs a header row and at least one row to fill")
    return rows


def fill_column(rows: list[list[str]], result: "Result", column: int | None) -> int:
    """Print the CSV with `column` (1-based; default the last) computed by the program from the
    columns before it; cells the program raises on are left empty. Exit 0, or 1 with no program."""
    import csv

    from nesy.commands.options import EXIT_SOLVED, EXIT_UNSOLVED

    if not result.found:
        print(f"--apply: no program to fill the column with ({result.status})", file=sys.stderr)
        return EXIT_UNSOLVED
    width = len(rows[0])
    target = (column or width) - 1
    needed = len(result.input_names)
    if target != needed:
        raise NesyInputError(f"--column {target + 1}: the program takes {needed} input(s), so it fills column "
                             f"{needed + 1} from columns 1-{needed}")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(rows[0] + [""] * (target + 1 - width))
    for row in rows[1:]:
        row = row + [""] * (target + 1 - len(row))
        try:
            value = result.run(*row[:needed])
            row[target] = value if isinstance(value, str) else str(value)
        except Exception:  # the program's op rejects this row's inputs: leave the cell empty
            row[target] = ""
        writer.writerow(row)
    return EXIT_SOLVED
