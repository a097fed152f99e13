"""What an executor costs per task, measured on tasks that do nothing: `python -m nesy.executors.overhead`.

Prints, per executor, the seconds to start it (a local Ray's start-up; nothing for the pool), the
per-task overhead (dispatch to result minus the task's own time: median and mean) and the tasks per
second through it. Wall-clock figures: on a machine shared with other work they are pessimistic.

    python -m nesy.executors.overhead --tasks 200 --jobs 2 --executor process ray
"""
from __future__ import annotations

import argparse
import time
from typing import Any

from nesy.executors import open_executor


def nothing(item: int) -> int:
    """A task with no work: what is left of its time is the executor's."""
    return item


def measure(kind: str, tasks: int, jobs: int, address: str | None = None) -> dict[str, Any]:
    """Start-up seconds, overhead per task (ms) and tasks per second of one executor."""
    started = time.perf_counter()
    with open_executor(kind, jobs=jobs, address=address) as executor:
        startup = time.perf_counter() - started
        started = time.perf_counter()
        for _ in executor.run(nothing, list(range(tasks)), 60.0, lambda item, why: why):
            pass
        elapsed = time.perf_counter() - started
        return {"executor": kind, **executor.describe(), "startup_seconds": round(startup, 2),
                **(executor.overhead_ms() or {}), "tasks_per_second": round(tasks / elapsed, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nesy.executors.overhead", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executor", nargs="+", default=["process", "ray"], choices=("process", "ray"))
    parser.add_argument("--address", default=None, help="with ray: a running cluster")
    args = parser.parse_args(argv)
    for kind in args.executor:
        print(measure(kind, args.tasks, args.jobs, args.address if kind == "ray" else None), flush=True)


if __name__ == "__main__":
    main()
