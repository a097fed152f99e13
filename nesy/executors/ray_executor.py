"""`--executor ray`: tasks on Ray, from a laptop (a local Ray nesy starts and stops) to a cluster
(`--address HOST:PORT`, or `RAY_ADDRESS`, joins one started with `ray start`).

Each task runs in a process the Ray worker forks for it (`nesy.parallel.run_isolated`, the process
pool's own code): the worker only loads the run's work function and forks, so every task starts
from the same state and nothing one task leaves behind (Z3's context, caches) changes the next
one's answer. Ray has no per-task timeout, so a budget holds three ways: the task's own budget
(the search's clock, Z3's timeout, the memory budget: what stops a task on the process pool too);
the worker killing its child at limit + grace; and, as a backstop, a driver deadline of limit + 2 x
grace timed from when the task *started* running, not from its submission (each task's first
message to the driver says it started), at which `ray.cancel(force=True)` kills the Ray worker
(its child dies with it). A task whose worker dies (killed, out of memory, its node lost) is
reported as an error for that task; Ray does not retry it (`max_retries=0`), so a task is never
run twice.

What is shipped: the work function once per run (`ray.put`; each worker unpickles it once and
keeps it), then per task the task object and back its result, both small (a task's examples, a
result's program text and counts); no arrays pass through the object store. The code itself is
not shipped: every node runs the same nesy, installed (docs/scaling.md).
"""
from __future__ import annotations

import pickle
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from dsl.errors import NesyInputError
from nesy.executors import GRACE_SECONDS, Executor, Item, TaskTiming

LOCAL_OBJECT_STORE_BYTES = 100 * 2**20   # a local Ray's object store: tasks and results are small
POLL_SECONDS = 0.2
_STARTED = "started"


def import_ray() -> Any:
    """The `ray` module, or a one-line error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise NesyInputError("--executor ray needs Ray, which is not installed: pip install 'nesy[ray]' "
                             "(or pip install 'ray>=2.9')") from None
    return ray


@dataclass
class _Running:
    index: int
    dispatched: float
    deadline: float | None = None     # set when the task says it started


class RayExecutor(Executor):
    """Tasks on Ray: a local Ray with `jobs` CPUs (default: the cores) started here and shut down
    by `close`, or the cluster at `address` joined (and left running). One CPU per task; at most as
    many tasks in flight as the cluster has CPUs, so a task starts soon after it is submitted."""

    name = "ray"

    def __init__(self, jobs: int | None = None, address: str | None = None, *,
                 object_store_bytes: int = LOCAL_OBJECT_STORE_BYTES, temp_dir: str | None = None,
                 grace_seconds: float = GRACE_SECONDS) -> None:
        super().__init__(grace_seconds)
        self.ray = import_ray()
        self.address = address
        self.owned = False
        if self.ray.is_initialized():        # a caller (a test session, a notebook) already connected
            self.where = "connected"
        elif address:
            _check_reachable(address)
            self._init(address=address)
            self.where = f"cluster at {address}"
        else:
            import os

            cpus = max(1, int(jobs or os.cpu_count() or 1))
            self._init(address="local", num_cpus=cpus, object_store_memory=object_store_bytes,
                       include_dashboard=False, **({"_temp_dir": temp_dir} if temp_dir else {}))
            self.owned = True
            self.where = "local"
        self.slots = max(1, int(self.ray.cluster_resources().get("CPU", 1)))
        self._remote = self.ray.remote(_run_on_worker).options(num_returns="streaming", max_retries=0,
                                                                num_cpus=1)

    def _init(self, **options: Any) -> None:
        address = options.get("address")
        try:
            self.ray.init(log_to_driver=False, configure_logging=False, **options)
        except Exception as error:  # unreachable, refused, a wrong auth token, a bad local start: one line
            what = "cannot start a local Ray" if address == "local" else f"--address {address}: cannot join the Ray cluster"
            raise NesyInputError(f"{what} ({type(error).__name__}: {_first_line(error)})") from None

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "ray": self.where, "cpus": self.slots,
                **({"address": self.address} if self.address else {})}

    def close(self) -> None:
        if self.owned and self.ray.is_initialized():
            self.ray.shutdown()
        self.owned = False

    def run(self, work: Callable[[Item], Any], items: Sequence[Item], limit_seconds: float,
            on_overrun: Callable[[Item, str], Any]) -> Iterator[tuple[int, Any]]:
        ray = self.ray
        # In a list: the worker gets the reference itself, loads it after importing the DSLs (ops
        # travel by signature) and keeps it for the run's later tasks.
        work_box = [ray.put(_Shipped(_languages_loaded(), _dumps(work)))]
        pending = deque(range(len(items)))
        running: dict[Any, _Running] = {}
        try:
            while pending or running:
                while pending and len(running) < self.slots:
                    index = pending.popleft()
                    task = self._remote.remote(work_box, _dumps(items[index]), limit_seconds, self.grace_seconds)
                    running[task] = _Running(index, time.monotonic())
                ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_SECONDS)
                for task in ready:
                    outcome = self._receive(task, running[task], items, limit_seconds, on_overrun)
                    if outcome is not None:
                        yield running.pop(task).index, outcome
                now = time.monotonic()
                for task, run in list(running.items()):
                    if run.deadline is not None and now > run.deadline and not _has_message(ray, task):
                        _cancel(ray, task)
                        del running[task]
                        self.timings.append(TaskTiming(run.index, now - run.dispatched, None))
                        yield run.index, on_overrun(items[run.index], "killed at the hard time limit")
        finally:
            for task in running:
                _cancel(ray, task)

    def _receive(self, task: Any, run: _Running, items: Sequence[Any], limit_seconds: float,
                 on_overrun: Callable[[Any, str], Any]) -> Any | None:
        """The task's next message: None for "started" (its deadline is set from now), else its
        result, or `on_overrun` for an error or a worker that died."""
        ray = self.ray
        item = items[run.index]
        try:
            message = ray.get(next(task))
        except StopIteration:
            message = ("error", "the task ended without a result", None)
        except ray.exceptions.RayError as error:
            self.timings.append(TaskTiming(run.index, time.monotonic() - run.dispatched, None))
            return on_overrun(item, f"worker died: {type(error).__name__}: {_first_line(error)}")
        if message == _STARTED:   # the worker kills the task at limit + grace; this is the backstop
            run.deadline = time.monotonic() + limit_seconds + 2 * self.grace_seconds
            return None
        kind, payload, work_seconds = message
        self.timings.append(TaskTiming(run.index, time.monotonic() - run.dispatched, work_seconds))
        return payload if kind == "ok" else on_overrun(item, payload)


def _check_reachable(address: str, seconds: float = 5.0) -> None:
    """Refuse a HOST:PORT nothing listens on at once (Ray itself retries for minutes)."""
    import socket

    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return                         # "auto", "ray://...": Ray resolves those itself
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=seconds):
            pass
    except OSError as error:
        raise NesyInputError(f"--address {address}: cannot join the Ray cluster (nothing answers there: "
                             f"{error.strerror or type(error).__name__}); start it with "
                             f"`ray start --head --port {port}`") from None


def _has_message(ray: Any, task: Any) -> bool:
    """Is the task's next message (its result, most likely) already in? Then it is read, not killed."""
    ready, _ = ray.wait([task], num_returns=1, timeout=0)
    return bool(ready)


def _cancel(ray: Any, task: Any) -> None:
    """Kill the task's worker (a task not started yet is dropped from the queue)."""
    try:
        ray.cancel(task, force=True)
    except Exception:  # already finished or its worker already gone: nothing left to stop
        pass


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "no detail"


@dataclass(frozen=True)
class _Shipped:
    """A run's work function, pickled, with the DSL modules to import before unpickling it."""

    modules: tuple[str, ...]
    work: bytes


def _dumps(value: Any) -> bytes:
    """Pickled here, unpickled by the worker once the DSLs are imported: a task's grammar and
    a work function's options hold ops, which unpickle by looking their signature up."""
    from ray import cloudpickle

    return cloudpickle.dumps(value)


def _languages_loaded() -> tuple[str, ...]:
    """The DSL modules this driver has imported (shipped ones and plugins): a worker imports them
    so that every op a task names is registered there too."""
    import sys
    from importlib import metadata

    plugins = {entry.module for entry in metadata.entry_points(group="nesy.dsls")}
    return tuple(sorted(name for name in list(sys.modules)
                        if name == "dsl" or name.startswith("dsl.") or name in plugins))


_work_cache: dict[str, Callable[[Any], Any]] = {}


def _work_of(work_box: list) -> Callable[[Any], Any]:
    """The run's work function, loaded once per worker."""
    import importlib

    import ray

    key = work_box[0].hex()
    if key not in _work_cache:
        shipped: _Shipped = ray.get(work_box[0])
        for module in shipped.modules:
            importlib.import_module(module)
        _work_cache.clear()                  # one run's work function at a time
        _work_cache[key] = ray.cloudpickle.loads(shipped.work)
    return _work_cache[key]


def _run_on_worker(work_box: list, item: bytes, limit_seconds: float, grace_seconds: float) -> Iterator[Any]:
    """The Ray task: say it started, then run `work(item)` in a process forked for it, as the
    process pool does, and send ("ok" | "error", payload, work seconds).

    The worker itself only loads the work function and forks, so every task starts from the same
    state: nothing one task leaves behind (Z3's context, caches) reaches the next, and the answers
    are the pool's. The child is killed at `limit_seconds` + grace (a fork lost, not a Ray worker),
    ignores Ctrl-C (the driver alone stops a run) and dies with the worker if Ray kills it."""
    from nesy.parallel import run_isolated

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) \
        if threading.current_thread() is threading.main_thread() else None
    said_started = False
    timing: list[float | None] = [None]
    try:
        # Loading first (a fresh worker imports nesy, and torch with a guide: seconds), then the
        # start message: the task's clock starts when the task does.
        work, task = _work_of(work_box), pickle.loads(item)
        said_started = True
        yield _STARTED
        outcome: Any = ("error", "the task ended without a result")
        for _, outcome in run_isolated(_Succeeded(work), [task], 1, limit_seconds, _failed,
                                       on_timing=lambda index, wall, work_seconds: timing.__setitem__(0, work_seconds),
                                       grace_seconds=grace_seconds):
            pass
        kind, payload = outcome
    except BaseException as error:  # loading failed: report, never lose the task silently
        kind, payload = "error", f"{type(error).__name__}: {error}"
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if not said_started:
        yield _STARTED
    yield kind, payload, timing[0]


class _Succeeded:
    """`work` whose result is marked ("ok", result), apart from a failure's ("error", why)."""

    def __init__(self, work: Callable[[Any], Any]) -> None:
        self.work = work

    def __call__(self, item: Any) -> tuple[str, Any]:
        return "ok", self.work(item)


def _failed(item: Any, why: str) -> tuple[str, str]:
    return "error", why
