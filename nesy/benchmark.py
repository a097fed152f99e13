"""The benchmark harness: run a suite, print a table and a summary line, write JSON.

A task with held-out tests counts as solved only when its program is also right on them.
"""
from __future__ import annotations

import contextlib
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from dsl.core import Dsl, Task
from nesy.commands.options import write_atomically
from nesy.executors import Executor
from solvers.search.guide import Guide
from solvers.search.result import Result, SearchStats, Status
from solvers.search.driver import SynthesisOptions, synthesize_task


@dataclass(frozen=True)
class SuiteRun:
    """Everything one benchmark run needs; `guide_factory` builds the guide inside each worker.
    `executor` runs the tasks (default: the process pool with `jobs` workers)."""

    dsl: Dsl
    options: SynthesisOptions
    jobs: int = 1
    guide_factory: Callable[[], Guide | None] = lambda: None
    label: str = "plain"
    executor: Executor | None = None


@dataclass(frozen=True)
class SuiteWork:
    """One task of a suite, as a worker runs it: small and picklable (the DSL pickles by name), so
    an executor can ship it to other processes or machines once per run."""

    dsl: Dsl
    options: SynthesisOptions
    guide_factory: Callable[[], Guide | None]

    def __call__(self, task: Task) -> Result:
        return synthesize_task(task, self.dsl, self.options, self.guide_factory())


class SuiteInterrupted(KeyboardInterrupt):
    """Ctrl-C during `run_suite`: `results` holds every task in order, the unfinished ones marked
    interrupted. A KeyboardInterrupt, so a caller that does not catch it still exits as on Ctrl-C."""

    def __init__(self, results: list[Result]) -> None:
        super().__init__("interrupted")
        self.results = results


def interrupted_result(task: Task) -> Result:
    return Result(task.name, Status.INTERRUPTED, message="not run: interrupted (Ctrl-C)")


def overrun_result(task: Task, why: str, timeout: float) -> Result:
    """The result of a task its executor stopped: killed at the hard time limit (a timeout), or
    its worker died or raised (an error, `why` says which)."""
    status = Status.TIMEOUT if "time limit" in why else Status.ERROR
    return Result(task.name, status, stats=SearchStats(seconds=timeout), message=why)


def run_suite(tasks: Sequence[Task], run: SuiteRun, progress: bool = True,
              on_result: Callable[[list[Result]], None] | None = None) -> list[Result]:
    """Solve every task in its own worker (`run.executor`, default the process pool); results
    come back in task order.

    `on_result` gets the finished results (in task order) each time one arrives, so a caller can
    save them as they come. Ctrl-C raises `SuiteInterrupted` with what finished.
    """
    from tqdm import tqdm

    from nesy.executors.process import ProcessExecutor

    executor = run.executor if run.executor is not None else ProcessExecutor(run.jobs)
    work = SuiteWork(run.dsl, run.options, run.guide_factory)

    def overrun(task: Task, why: str) -> Result:
        return overrun_result(task, why, run.options.config.timeout)

    results: list[Result | None] = [None] * len(tasks)
    bar = tqdm(total=len(tasks), desc=f"{run.label}", unit="task", file=sys.stderr, disable=not progress)
    solved = 0
    try:
        with contextlib.closing(executor.run(work, tasks, run.options.config.timeout, overrun)) as done:
            for index, result in done:
                results[index] = result
                solved += result.solved
                bar.update(1)
                bar.set_postfix(solved=solved)
                if on_result is not None:
                    on_result([r for r in results if r is not None])
    except KeyboardInterrupt:
        raise SuiteInterrupted([r if r is not None else interrupted_result(t) for r, t in zip(results, tasks)]) \
            from None
    finally:
        bar.close()
    return [r for r in results if r is not None]


def summary(results: Sequence[Result]) -> dict[str, Any]:
    solved = [r for r in results if r.solved]
    found = [r for r in results if r.found]
    with_tests = [r for r in found if r.test_correct is not None]
    seconds = sum(r.stats.seconds for r in results)
    candidates = sum(r.stats.candidates for r in results)
    return {
        "tasks": len(results),
        "solved": len(solved),
        "found": len(found),
        "wrong_on_tests": sum(1 for r in with_tests if not r.test_correct),
        "fits_untested": sum(1 for r in found if r.test_correct is None and not r.solved),
        "unverified": sum(1 for r in found if r.verified is not True),
        "median_seconds_solved": round(statistics.median([r.stats.seconds for r in solved]), 3) if solved else None,
        "total_seconds": round(seconds, 2),
        "candidates": candidates,
        "candidates_per_second": round(candidates / seconds, 1) if seconds else 0.0,
        "median_size_solved": statistics.median([r.program.size for r in solved]) if solved else None,
    }


def format_table(results: Sequence[Result]) -> str:
    rows = [("task", "status", "seconds", "size", "candidates", "tests")]
    for r in results:
        tests = "-" if r.test_correct is None else ("ok" if r.test_correct else "WRONG")
        size = str(r.program.size) if r.program is not None else "-"
        rows.append((r.task, str(r.status), f"{r.stats.seconds:.2f}", size, str(r.stats.candidates), tests))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def format_comparison(runs: dict[str, Sequence[Result]]) -> str:
    """One row per task, status / seconds / candidates of each labelled run side by side."""
    labels = list(runs)
    by_label = {label: {r.task: r for r in results} for label, results in runs.items()}
    header = ["task"] + [f"{label} {what}" for label in labels for what in ("status", "seconds", "candidates")]
    rows = [header]
    for task in [r.task for r in runs[labels[0]]]:
        row = [task]
        for label in labels:
            r = by_label[label].get(task)
            if r is None:
                row += ["-", "-", "-"]
            else:
                status = "solved" if r.solved else ("WRONG" if r.test_correct is False else str(r.status))
                row += [status, f"{r.stats.seconds:.2f}", str(r.stats.candidates)]
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    if len(labels) == 2:
        lines.append(comparison_line(labels[0], runs[labels[0]], labels[1], runs[labels[1]]))
    return "\n".join(lines)


def comparison_line(first: str, a: Sequence[Result], second: str, b: Sequence[Result]) -> str:
    """Tasks only one run solves, and candidates on the tasks both solve (the guide's saving)."""
    solved_a = {r.task: r for r in a if r.solved}
    solved_b = {r.task: r for r in b if r.solved}
    both = sorted(set(solved_a) & set(solved_b))
    cand_a = sum(solved_a[t].stats.candidates for t in both)
    cand_b = sum(solved_b[t].stats.candidates for t in both)
    ratios = [solved_a[t].stats.candidates / max(1, solved_b[t].stats.candidates) for t in both]
    median = f"{statistics.median(ratios):.2f}" if ratios else "-"
    return (f"{first} only: {len(set(solved_a) - set(solved_b))} ({', '.join(sorted(set(solved_a) - set(solved_b))) or '-'}); "
            f"{second} only: {len(set(solved_b) - set(solved_a))} ({', '.join(sorted(set(solved_b) - set(solved_a))) or '-'}); "
            f"on the {len(both)} both solve: candidates {cand_a:,} vs {cand_b:,} "
            f"(median ratio {first}/{second} {median})")


def summary_line(label: str, s: dict[str, Any]) -> str:
    return (f"{label}: solved {s['solved']}/{s['tasks']} (found {s['found']}, wrong on held-out tests "
            f"{s['wrong_on_tests']}, fit the examples with no tests to say more {s['fits_untested']}, unverified {s['unverified']}); median seconds (solved) "
            f"{s['median_seconds_solved']}; median size {s['median_size_solved']}; "
            f"{s['candidates_per_second']:,.0f} candidates/s over {s['total_seconds']} s")


def write_json(path: str | Path, runs: dict[str, list[Result]], config: dict[str, Any],
               state: str = "finished") -> None:
    """JSON with `results` (the first run's, the shape SyGuS checkers read) and every run by label;
    `state` is "running" (rewritten as results arrive), "finished" or "interrupted". The file is
    replaced atomically, so a crash or Ctrl-C leaves the last complete version."""
    labels = list(runs)
    document: dict[str, Any] = {
        "config": config,
        "state": state,
        "results": [r.to_json() for r in runs[labels[0]]] if labels else [],
        "summary": summary(runs[labels[0]]) if labels else {},
        "runs": {label: {"results": [r.to_json() for r in rs], "summary": summary(rs)} for label, rs in runs.items()},
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(document, indent=1))


def enumerator_throughput(dsl: Dsl, seconds: float = 2.0) -> float | None:
    """Candidates per second of plain enumeration on the DSL's fixed throughput task, one no small
    program solves (joins and unification off, so the number measures the enumerator alone);
    None for a DSL without such a task."""
    from nesy.api import as_task
    from solvers.search.enumeration import BottomUpSearch, SearchConfig, leaves_for

    if not dsl.throughput_task:
        return None
    task = as_task(dsl.throughput_task, name="throughput", dsl=dsl)
    leaves = leaves_for(task.inputs, dsl.constants)
    config = SearchConfig(timeout=seconds, unify=False, joins=False)
    outcome = BottomUpSearch(dsl.default_search_ops, leaves, config, value_filters=dsl.value_filters).run(task)
    return outcome.stats.candidates_per_second
