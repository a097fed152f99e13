"""`--executor process`: forked worker processes on this machine, `jobs` at a time; the pool of
`nesy.parallel.run_isolated`, unchanged (so results are those of every run before executors)."""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from nesy.executors import GRACE_SECONDS, Executor, Item, TaskTiming
from nesy.parallel import run_isolated


class ProcessExecutor(Executor):
    """One forked process per task, `jobs` at a time; a task past its limit + grace is killed."""

    name = "process"

    def __init__(self, jobs: int, grace_seconds: float = GRACE_SECONDS) -> None:
        super().__init__(grace_seconds)
        self.jobs = max(1, int(jobs))

    def run(self, work: Callable[[Item], Any], items: Sequence[Item], limit_seconds: float,
            on_overrun: Callable[[Item, str], Any]) -> Iterator[tuple[int, Any]]:
        def timed(index: int, wall: float, work_seconds: float | None) -> None:
            self.timings.append(TaskTiming(index, wall, work_seconds))

        return run_isolated(work, items, self.jobs, limit_seconds, on_overrun, on_timing=timed,
                            grace_seconds=self.grace_seconds)

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "jobs": self.jobs}
