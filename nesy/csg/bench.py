"""The `nesy bench csg` runner (`Dsl.bench_runner`): the solvers `--guide` picks (search only,
the neural proposer's beam, or both; `nesy.csg.guided`) over the shared CSG bench rows of
`solvers.csg.bench`. It lives on the neural side because it may load the proposer.

`--executor process` (the default) runs the rows in `solvers.csg.bench`'s worker pool;
`--executor ray` runs the same `solve_one` per shape on Ray (`nesy.executors`), each worker drawing
the terminals once before its first timed search, as the pool's workers do. A shape's search
keeps its own CPU-second budget; the driver kills one still running `HARD_LIMIT_FACTOR` times
that plus `HARD_LIMIT_SLACK` seconds on the wall after it started (CPU seconds stretch on a busy
machine) and reports it with IoU 0 and the blank canvas's CD."""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence

from dsl.core import Dsl, Task
from dsl.errors import NesyInputError
from nesy.csg.guided import bench_solvers
from solvers.csg.bench import (EXIT_INTERRUPTED, EXIT_OK, Solver, bench_rows, format_table, solve_one, summary_lines,
                               write_json)
from solvers.csg.front_end import SAFETY_SECONDS, target_of
from solvers.csg.search import CsgSearchConfig

HARD_LIMIT_FACTOR, HARD_LIMIT_SLACK = 4.0, 30.0


def run_csg_bench(args: argparse.Namespace, tasks: Sequence[Task], dsl: Dsl) -> int:
    """The bench runner `Dsl.bench_runner` names: exit 0 when the run finished, 130 on Ctrl-C."""
    if any(target_of(t) is None for t in tasks):
        raise NesyInputError("every CSG task needs exactly one target picture")
    json_out = Path(args.json_out) if getattr(args, "json_out", None) else None
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
    solvers = bench_solvers(getattr(args, "guide", "none"))
    search = CsgSearchConfig(seconds=max(args.timeout - SAFETY_SECONDS, 0.01), clock="cpu")
    summaries, state = [], "finished"
    plot = Path(args.plot) if getattr(args, "plot", None) else None
    if plot is not None and plot.suffix.lower() != ".png":
        raise NesyInputError(f"--plot must name a .png file, got {str(plot)!r}")
    by_label: dict[str, list[dict[str, Any]]] = {}
    for label, solve in solvers:      # --guide both: one JSON per solver, OUT.search-only.json, ...
        out = json_out.with_suffix(f".{label}{json_out.suffix}") if json_out and len(solvers) > 1 else json_out
        config = {"dsl": dsl.name, "suite": args.suite, "timeout": args.timeout, "jobs": args.jobs,
                  "limit": getattr(args, "limit", None), "search": label, **asdict(search)}
        progress = not getattr(args, "quiet", False)
        if (getattr(args, "executor", None) or "process") == "process" and not getattr(args, "address", None):
            rows, state = bench_rows(tasks, search, args.jobs, progress, out, config, solve)
        else:
            rows, state = rows_on_executor(args, tasks, search, solve, progress, out, config)
        print(format_table(rows))
        summaries += summary_lines(rows, label)
        write_json(out, rows, config, state)
        by_label[label] = rows
        if state == "interrupted":
            break
    for line in summaries:
        print(line)
    if plot is not None:
        from nesy.csg.plot import plot_rows, shipped_network_answer

        network = None if "network-only" in by_label else shipped_network_answer()
        drawn = plot_rows(plot, tasks, by_label, network)
        print(f"plot: {plot} (target / network-only / final, {drawn} shapes)")
    if state == "interrupted":
        print(f"nesy: interrupted after {len(rows)} of {len(tasks)} shapes", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


class _ShapeWork:
    """One shape on an executor's worker: the terminals drawn once per worker before the timed
    search (what the pool's initializer does), then `solve_one`."""

    def __init__(self, search: CsgSearchConfig, solve: Solver) -> None:
        self.search, self.solve = search, solve

    def __call__(self, task: Task) -> dict[str, Any]:
        from dsl.csg.primitives import vocabulary_masks

        vocabulary_masks()
        return solve_one((task, self.search, self.solve))


def _overrun_row(task: Task, why: str, seconds: float, wall_seconds: float) -> dict[str, Any]:
    """A shape the executor stopped (killed at the hard limit, its worker died, or it raised)."""
    from dsl.csg.metrics import EMPTY_CD

    return {"task": task.name, "program": "", "iou": 0.0, "cd": EMPTY_CD, "tokens": 0, "exact": False,
            "seconds": seconds, "wall_seconds": wall_seconds, "scored": 0, "error": why}


def rows_on_executor(args: argparse.Namespace, tasks: Sequence[Task], search: CsgSearchConfig, solve: Solver,
                     progress: bool, out: Path | None, config: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """`bench_rows` on the executor `--executor` names: rows in task order, ("finished" or
    "interrupted"); the JSON holds the finished rows (in task order) as each arrives."""
    import contextlib

    from tqdm import tqdm

    from nesy.executors import executor_from_args

    limit = HARD_LIMIT_FACTOR * args.timeout + HARD_LIMIT_SLACK
    done: list[dict[str, Any] | None] = [None] * len(tasks)
    state = "finished"
    with executor_from_args(args) as executor, \
            tqdm(total=len(tasks), desc="csg", unit="shape", file=sys.stderr, disable=not progress) as bar:
        config.update(executor.describe())
        overrun = lambda task, why: _overrun_row(task, why, args.timeout, limit)  # noqa: E731
        try:
            with contextlib.closing(executor.run(_ShapeWork(search, solve), list(tasks), limit, overrun)) as arriving:
                for index, row in arriving:
                    done[index] = row
                    bar.update(1)
                    write_json(out, [r for r in done if r is not None], config, "running")
        except KeyboardInterrupt:
            state = "interrupted"
    return [r for r in done if r is not None], state
