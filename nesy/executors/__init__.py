"""Executors: what runs many independent tasks, each isolated and under a hard wall-clock limit.

Every many-task command (`nesy bench`, `nesy synth FILE --executor ...`, the RASP and CSG bench
runners, `nesy nap vnncomp`, and the training data of `nesy train guide` and `nesy train ranker`
through `run_parts`) hands its tasks to one `Executor`:

- `ProcessExecutor` (`--executor process`, the default): forked worker processes on this machine,
  `--jobs` at a time (`nesy.parallel.run_isolated`); needs nothing beyond the standard library.
- `RayExecutor` (`--executor ray`): tasks on Ray, a local Ray that nesy starts and stops, or a
  running cluster joined with `--address` / `RAY_ADDRESS` (`pip install 'nesy[ray]'`).

Both keep the same contract, so a suite gives the same statuses and programs on either:

- `run(work, items, limit_seconds, on_overrun)` yields `(index, result)` as tasks finish, in the
  order they finish. `work(item)` runs in a worker; the task's own budget (search timeout, Z3
  timeout, memory) stops it from inside. A task still running `limit_seconds` + `GRACE_SECONDS`
  after it *started* is killed, and a task whose worker dies or raises yields
  `on_overrun(item, why)` instead ("... time limit ..." in `why` for the kill at the limit). Only
  that task is affected.
- Closing the iterator (Ctrl-C in the driver, or a caller that stops early) kills the tasks
  still running; what was yielded stays the caller's.
- `timings` records, per finished task, the driver's wall seconds from dispatch to result and the
  seconds `work` itself took in the worker: their difference is the executor's overhead
  (`overhead_ms`).

Example (the process pool, no Ray needed)::

    >>> from nesy.executors import open_executor
    >>> with open_executor("process", jobs=2) as executor:
    ...     done = dict(executor.run(abs, [-1, 2, -3], 5.0, lambda item, why: None))
    >>> [done[i] for i in range(3)]
    [1, 2, 3]
"""
from __future__ import annotations

import abc
import contextlib
import os
import statistics
from dataclasses import dataclass
from typing import Any, Callable, ContextManager, Iterator, Sequence, TypeVar

from dsl.errors import NesyInputError
from nesy.parallel import GRACE_SECONDS

Item = TypeVar("Item")
EXECUTORS = ("process", "ray")
__all__ = ["EXECUTORS", "Executor", "GRACE_SECONDS", "TaskTiming", "executor_from_args",
           "executor_or_pool", "open_executor", "run_parts"]


@dataclass(frozen=True)
class TaskTiming:
    """One finished task: the driver's wall seconds from dispatch to result, and the seconds the
    work function took in the worker (None when the worker gave no result: killed, crashed)."""

    index: int
    wall_seconds: float
    work_seconds: float | None

    @property
    def overhead_seconds(self) -> float | None:
        return None if self.work_seconds is None else self.wall_seconds - self.work_seconds


class Executor(abc.ABC):
    """Runs tasks in isolated workers (see the module docstring); a context manager that releases
    its workers (and a Ray it started) on exit."""

    name: str = ""

    def __init__(self, grace_seconds: float = GRACE_SECONDS) -> None:
        self.timings: list[TaskTiming] = []
        self.grace_seconds = grace_seconds      # past a task's limit before the driver kills it

    @abc.abstractmethod
    def run(self, work: Callable[[Item], Any], items: Sequence[Item], limit_seconds: float,
            on_overrun: Callable[[Item, str], Any]) -> Iterator[tuple[int, Any]]:
        """Yield (index, result) as tasks finish; an overrun, crash or error yields
        `on_overrun(item, why)`."""

    def describe(self) -> dict[str, Any]:
        """What the JSON's config records about the executor."""
        return {"executor": self.name}

    def close(self) -> None:
        """Release what the executor holds (idempotent)."""

    def overhead_ms(self) -> dict[str, float] | None:
        """Median and mean per-task overhead (dispatch to result minus the work's own time), in ms,
        over the tasks that returned a result; None before any did."""
        overheads = [t.overhead_seconds for t in self.timings if t.overhead_seconds is not None]
        if not overheads:
            return None
        return {"tasks": len(overheads), "median_ms": round(1000 * statistics.median(overheads), 2),
                "mean_ms": round(1000 * statistics.fmean(overheads), 2)}

    def overhead_line(self) -> str | None:
        """One line for a bench's output: the executor and its measured overhead per task."""
        overhead = self.overhead_ms()
        if overhead is None:
            return None
        where = ", ".join(f"{k} {v}" for k, v in self.describe().items() if k != "executor")
        return (f"executor {self.name}{f' ({where})' if where else ''}: overhead per task (dispatch to result "
                f"minus the task's own time) median {overhead['median_ms']:.1f} ms, mean "
                f"{overhead['mean_ms']:.1f} ms over {overhead['tasks']} tasks")

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_executor(kind: str = "process", jobs: int | None = None, address: str | None = None) -> Executor:
    """The executor `kind` names: "process" (`jobs` worker processes, default: the cores) or "ray"
    (a local Ray with `jobs` CPUs, or the cluster at `address` / `$RAY_ADDRESS`)."""
    if kind not in EXECUTORS:
        raise NesyInputError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {kind!r}")
    if kind == "process":
        if address:
            raise NesyInputError("--address joins a Ray cluster: it needs --executor ray")
        from nesy.executors.process import ProcessExecutor

        return ProcessExecutor(jobs or os.cpu_count() or 1)
    from nesy.executors.ray_executor import RayExecutor

    return RayExecutor(jobs=jobs, address=address or os.environ.get("RAY_ADDRESS") or None)


def executor_from_args(args: Any, jobs: int | None = None) -> Executor:
    """The executor a command's parsed arguments ask for (`--executor`, `--address`, `--jobs`);
    a command without those options gets the process pool."""
    return open_executor(getattr(args, "executor", None) or "process",
                         jobs if jobs is not None else getattr(args, "jobs", None), getattr(args, "address", None))


def executor_or_pool(executor: Executor | None, jobs: int) -> ContextManager[Executor]:
    """For a function that takes an optional executor: the caller's (left open: it is the
    caller's to close), or `jobs` worker processes here, released at the end of the block."""
    if executor is not None:
        return contextlib.nullcontext(executor)
    from nesy.executors.process import ProcessExecutor

    return ProcessExecutor(jobs)


def run_parts(executor: Executor, make: Callable[[Item], Any], parts: Sequence[Item], what: str,
              on_part: Callable[[int, Any], None] | None = None) -> list[Any]:
    """`make(part)` for every part of a seeded data set (guide or ranker training data), returned
    in the parts' order whatever order they finish in; `on_part` hears how many are done and the
    part just made, after each.

    A part has no wall-clock limit: its budgets are candidate counts, so the data does not depend
    on the machine's speed or load. A part that fails fails the whole (data with a hole in it would
    depend on which worker died). Ctrl-C stops the run and kills the parts still running."""
    def failed(part: Item, why: str) -> Any:
        raise RuntimeError(f"{what}: a part failed ({why}); nothing was made")

    made: list[Any] = [None] * len(parts)
    for count, (index, result) in enumerate(executor.run(make, parts, float("inf"), failed), 1):
        made[index] = result
        if on_part is not None:
            on_part(count, result)
    return made
