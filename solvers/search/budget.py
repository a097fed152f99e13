"""Budgets for one search: seconds, candidates and memory, checked cheaply from the hot loop."""
from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass


class BudgetExhausted(Exception):
    """Raised inside search when a budget runs out; search catches it and reports a timeout."""

    def __init__(self, which: str) -> None:
        super().__init__(which)
        self.which = which


def current_rss_mb() -> float:
    """Resident memory of this process now (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Budget:
    """Limits of one search. `check` is called every few thousand candidates, not every one."""

    seconds: float = 10.0
    max_candidates: int | None = None
    max_memory_mb: float | None = 4096.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.seconds
        self.start_rss_mb = current_rss_mb()
        self.peak_memory_mb = self.start_rss_mb

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def shorten(self, seconds: float) -> None:
        """Stop at `seconds` from the start if that comes before the current deadline."""
        self.deadline = min(self.deadline, self.started + seconds)

    def check(self, candidates: int) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExhausted(f"time limit of {self.seconds:g} s")
        if self.max_candidates is not None and candidates >= self.max_candidates:
            raise BudgetExhausted(f"candidate limit of {self.max_candidates}")
        if self.max_memory_mb is not None:
            rss = current_rss_mb()
            self.peak_memory_mb = max(self.peak_memory_mb, rss)
            if rss - self.start_rss_mb > self.max_memory_mb:
                raise BudgetExhausted(f"memory limit of {self.max_memory_mb:g} MB")
