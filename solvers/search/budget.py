"""Budgets of one task: seconds, candidates and memory, shared by every phase and checked cheaply.

One `Budget` is made when a task starts (`task_budget`), and every phase runs inside it: reading
literals off the examples, setting up search, each search round (`Budget.round`), the joins, and
the final checks. Code deep inside a phase calls `checkpoint()`, which checks the budget of the
task being solved (the one `Budget.active` made current) and raises `BudgetExhausted` once it is
spent; whoever runs the phase turns that into a TIMEOUT with what was found so far. Z3 calls ask
`z3_timeout_ms` for their timeout, so no solver call runs past the time left.

Memory is checked two ways. `check` reads the resident size, which catches values piling up
between checks; and while a task's budget is active in the main thread, the process's address
space is capped a little above the budget, so that one op call allocating gigabytes at once
(`str.replace_all` on a megabyte string) fails with MemoryError at once instead of filling the
machine before the next check can run.
"""
from __future__ import annotations

import contextlib
import math
import os
import resource
import threading
import time
from contextvars import ContextVar
from typing import Iterator

ADDRESS_SLACK_MB = 1024.0    # address space allowed past the memory budget (allocator, libraries)
# ... and per CPU: a thread a library starts inside a task (OpenMP aborts the process when it
# cannot) reserves its stack and a malloc arena, 64 MB and more, mostly never touched.
THREAD_RESERVE_MB = 192.0


class BudgetExhausted(Exception):
    """Raised inside a phase when a budget runs out; the phase's owner reports a timeout."""

    def __init__(self, which: str) -> None:
        super().__init__(which)
        self.which = which


_statm: tuple[int, int] | None = None     # (pid, fd) of /proc/self/statm, reopened after a fork


def _statm_pages() -> tuple[int, int]:
    """(virtual, resident) pages of this process; a kept-open descriptor makes this a few µs."""
    global _statm
    pid = os.getpid()
    if _statm is None or _statm[0] != pid:
        _statm = (pid, os.open("/proc/self/statm", os.O_RDONLY))
    fields = os.pread(_statm[1], 128, 0).split()
    return int(fields[0]), int(fields[1])


def current_rss_mb() -> float:
    """Resident memory of this process now (Linux /proc; falls back to the peak elsewhere)."""
    try:
        return _statm_pages()[1] * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Budget:
    """Limits of one task, or of one phase or round of it (`round`): a child has its own clock and
    a deadline no later than its parent's, and shares the task's candidate count, memory baseline
    and peak. `check` is called every few thousand candidates (fewer when values are large)."""

    def __init__(self, seconds: float = 10.0, max_candidates: int | None = None,
                 max_memory_mb: float | None = 4096.0, *, parent: "Budget | None" = None) -> None:
        if math.isnan(seconds):
            raise ValueError("a budget of NaN seconds never runs out")
        self.seconds = seconds
        self.max_candidates = max_candidates
        self.max_memory_mb = max_memory_mb
        self.parent = parent
        self.root: Budget = parent.root if parent is not None else self
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        if parent is not None:
            self.deadline = min(self.deadline, parent.deadline)
            self.start_rss_mb = parent.start_rss_mb
        else:
            self.start_rss_mb = current_rss_mb()
            self._peak_memory_mb = self.start_rss_mb
            self.candidates_spent = 0      # by the task's finished rounds (`spend`)

    # -- clock ----------------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def shorten(self, seconds: float) -> None:
        """Stop at `seconds` from the start if that comes before the current deadline."""
        self.deadline = min(self.deadline, self.started + seconds)

    def round(self, seconds: float | None = None) -> "Budget":
        """A budget for one phase or search round, starting now and ending by this one's deadline
        (sooner with `seconds`): its own clock, so `shorten` ends the round, not the task."""
        left = self.remaining()
        return Budget(left if seconds is None else min(seconds, left), self.max_candidates,
                      self.max_memory_mb, parent=self)

    def share(self, fraction: float) -> "Budget":
        """A phase that may take at most `fraction` of the time left (e.g. reading literals)."""
        return self.round(fraction * max(0.0, self.remaining()))

    # -- candidates and memory ------------------------------------------------------------------

    @property
    def peak_memory_mb(self) -> float:
        return self.root._peak_memory_mb

    def spend(self, candidates: int) -> None:
        """Count a finished round's candidates against the task's candidate limit."""
        self.root.candidates_spent += candidates

    def memory_left_mb(self) -> float:
        """Memory the task may still take (infinite without a memory budget)."""
        if self.max_memory_mb is None:
            return math.inf
        return self.max_memory_mb - (current_rss_mb() - self.start_rss_mb)

    # -- checks ---------------------------------------------------------------------------------

    def exhausted(self, candidates: int = 0) -> str | None:
        """Which limit is spent ("time limit of 5 s", ...), or None while every one holds."""
        if time.monotonic() > self.deadline:
            return f"time limit of {self.root.seconds:g} s" if self.root.remaining() < 0 \
                else f"time share of {self.seconds:.3g} s"
        root = self.root
        if root.max_candidates is not None and root.candidates_spent + candidates >= root.max_candidates:
            return f"candidate limit of {root.max_candidates}"
        if root.max_memory_mb is not None:
            rss = current_rss_mb()
            root._peak_memory_mb = max(root._peak_memory_mb, rss)
            if rss - root.start_rss_mb > root.max_memory_mb:
                return f"memory limit of {root.max_memory_mb:g} MB"
        return None

    def check(self, candidates: int = 0) -> None:
        """Raise `BudgetExhausted` when a limit is spent (`candidates`: this round's so far)."""
        which = self.exhausted(candidates)
        if which is not None:
            raise BudgetExhausted(which)

    def check_memory(self, needed_mb: float, what: str) -> None:
        """Raise `BudgetExhausted` before building something that would not fit the memory left."""
        if needed_mb > self.memory_left_mb():
            raise BudgetExhausted(f"memory limit of {self.root.max_memory_mb:g} MB ({what} would need "
                                  f"about {needed_mb:,.0f} MB)")

    @contextlib.contextmanager
    def active(self) -> Iterator["Budget"]:
        """Make this the budget `checkpoint()` and `z3_timeout_ms()` see, for the block's duration;
        the task's (root's) activation also caps the address space (see the module docstring)."""
        token = _ACTIVE.set(self)
        try:
            with _address_space_cap(self.max_memory_mb if self.root is self else None):
                yield self
        finally:
            _ACTIVE.reset(token)


_ACTIVE: ContextVar[Budget | None] = ContextVar("nesy_budget", default=None)


def active_budget() -> Budget | None:
    """The budget of the task (or phase) being solved in this context, if any."""
    return _ACTIVE.get()


def checkpoint() -> None:
    """Raise `BudgetExhausted` when the active budget is spent; nothing when none is active.
    Costs a few µs: call it every few hundred steps of a loop, not every step."""
    budget = _ACTIVE.get()
    if budget is not None:
        budget.check()


def z3_timeout_ms(default_ms: int, floor_ms: int = 1) -> int:
    """A Z3 timeout that ends by the active budget's deadline (never below `floor_ms`)."""
    budget = _ACTIVE.get()
    if budget is None:
        return default_ms
    return int(max(floor_ms, min(default_ms, budget.remaining() * 1000)))


@contextlib.contextmanager
def task_budget(seconds: float, max_candidates: int | None, max_memory_mb: float | None) -> Iterator[Budget]:
    """The budget of the task being solved: the active one when a caller already made it (a front
    end inside the driver, a spec's CEGIS inside a front end), else a new one, made active."""
    current = _ACTIVE.get()
    if current is not None and not _tighter_candidates(current, max_candidates):
        with current.round(seconds).active() as budget:
            yield budget
        return
    if current is not None:     # a caller's round with a candidate cap of its own: a task of its own
        seconds = min(seconds, max(0.0, current.remaining()))
    with Budget(seconds, max_candidates, max_memory_mb).active() as budget:
        yield budget


def _tighter_candidates(current: Budget, max_candidates: int | None) -> bool:
    """Does the caller ask for fewer candidates than the active task has left?"""
    if max_candidates is None:
        return False
    root = current.root
    return root.max_candidates is None or max_candidates < root.max_candidates - root.candidates_spent


_cap_lock = threading.Lock()
_cap_depth = 0


@contextlib.contextmanager
def _address_space_cap(memory_mb: float | None) -> Iterator[None]:
    """Cap RLIMIT_AS at the address space in use + `memory_mb` + slack while the block runs (main
    thread, outermost task only; never above an existing limit); restored afterwards."""
    global _cap_depth
    if memory_mb is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    with _cap_lock:
        _cap_depth += 1
        outermost = _cap_depth == 1
    previous = None
    try:
        if outermost:
            previous = _lower_address_limit(memory_mb)
        yield
    finally:
        with _cap_lock:
            _cap_depth -= 1
        if previous is not None:
            with contextlib.suppress(OSError, ValueError):
                resource.setrlimit(resource.RLIMIT_AS, previous)


def _lower_address_limit(memory_mb: float) -> tuple[int, int] | None:
    """Lower the soft RLIMIT_AS for the task; the previous limits, or None when left as they were
    (a tighter limit is already set, or the platform has none)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        slack = ADDRESS_SLACK_MB + THREAD_RESERVE_MB * (os.cpu_count() or 1)
        wanted = int(_statm_pages()[0] * os.sysconf("SC_PAGE_SIZE") + (memory_mb + slack) * 2**20)
        if soft != resource.RLIM_INFINITY and soft <= wanted:
            return None
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
        return soft, hard
    except (OSError, ValueError, IndexError, AttributeError):
        return None
