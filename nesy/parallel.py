"""Run tasks in separate processes, `jobs` at a time, each under a hard wall-clock limit.

Search enforces its own budget, but a pathological op, a Z3 call or a memory blow-up can overrun
it; a process that outlives its limit plus a grace period is killed and reported as a timeout.
Workers ignore Ctrl-C: the parent alone handles it (a terminal sends it to every process of the
group), stops the run and kills the workers still running, so one Ctrl-C ends a run.

This is the pool behind `nesy.executors.ProcessExecutor` (`--executor process`).
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterator, Sequence, TypeVar

Item = TypeVar("Item")
GRACE_SECONDS = 5.0   # past a task's limit before it is killed (its own budget stops it first)
Timing = Callable[[int, float, "float | None"], None]   # (index, wall seconds from fork, work seconds)


@dataclass
class _Running:
    index: int
    process: Any
    connection: Connection
    deadline: float
    started: float


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold SIGINT back while a worker is forked: Python runs at-fork hooks (logging's) on both
    sides, and a KeyboardInterrupt raised inside one is printed and dropped, so the Ctrl-C would be
    lost. Held back, it reaches the parent once the worker is on the running list (and is dropped
    by the worker, which ignores it)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _die_with(parent: int) -> None:
    """Linux: have the kernel kill this worker when its parent dies. A parent killed outright (a
    driver or a Ray worker sent SIGKILL) cannot kill its children itself, and an orphan would run
    on to the end of its budget."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:       # the parent died before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _child(connection: Connection, work: Callable[[Any], Any], item: Any, parent: int) -> None:
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back by the parent at fork
    started = time.perf_counter()
    try:
        result = work(item)
        connection.send(("ok", result, time.perf_counter() - started))
    except BaseException as error:  # report, never hang the parent
        connection.send(("error", f"{type(error).__name__}: {error}", time.perf_counter() - started))
    finally:
        connection.close()


def run_isolated(work: Callable[[Item], Any], items: Sequence[Item], jobs: int, limit_seconds: float,
                 on_overrun: Callable[[Item, str], Any], on_timing: Timing | None = None,
                 grace_seconds: float = GRACE_SECONDS) -> Iterator[tuple[int, Any]]:
    """Yield (index, result) as tasks finish. A task that crashes or overruns `limit_seconds` +
    `grace_seconds` yields `on_overrun(item, why)` instead. `on_timing` hears of each finished task's wall
    seconds (fork to result) and its work's own seconds (None when the worker sent nothing)."""
    context = mp.get_context("fork")
    pending = list(range(len(items)))[::-1]
    running: list[_Running] = []
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                index = pending.pop()
                parent_end, child_end = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(child_end, work, items[index], os.getpid()), daemon=True)
                with _ctrl_c_held():
                    started = time.monotonic()
                    process.start()
                    running.append(_Running(index, process, parent_end, started + limit_seconds + grace_seconds,
                                            started))
                child_end.close()
            wait([r.connection for r in running], timeout=0.2)
            for run in list(running):
                collected = _collect(run, items, on_overrun)
                if collected is not None:
                    outcome, work_seconds = collected
                    running.remove(run)
                    if on_timing is not None:
                        on_timing(run.index, time.monotonic() - run.started, work_seconds)
                    yield run.index, outcome
    finally:
        for run in running:
            run.process.kill()
            run.process.join()


def _collect(run: _Running, items: Sequence[Any],
             on_overrun: Callable[[Any, str], Any]) -> tuple[Any, float | None] | None:
    """(the finished task's result or an overrun result, the work's own seconds or None), or None
    while it is still running."""
    item = items[run.index]
    if run.connection.poll():
        try:
            kind, payload, work_seconds = run.connection.recv()
        except (EOFError, OSError):
            kind, payload, work_seconds = "error", "worker exited without a result", None
        run.process.join()
        return (payload if kind == "ok" else on_overrun(item, payload)), work_seconds
    if not run.process.is_alive():
        run.process.join()
        return on_overrun(item, f"worker died (exit code {run.process.exitcode})"), None
    if time.monotonic() > run.deadline:
        run.process.kill()
        run.process.join()
        return on_overrun(item, "killed at the hard time limit"), None
    return None
