"""What a search returns: the program (or none), why it stopped, and what it cost."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from dsl.core import Program


class Status(str, Enum):
    SOLVED = "solved"
    TIMEOUT = "timeout"            # a budget (seconds, candidates, memory) ran out
    NO_SOLUTION = "no-solution"    # search space exhausted, or the examples contradict each other
    INTERRUPTED = "interrupted"    # Ctrl-C: what was found so far is returned
    ERROR = "error"                # bad input or an internal failure, see `message`

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SearchStats:
    candidates: int = 0          # programs built and evaluated on the examples
    values_kept: int = 0         # distinct output vectors kept (observational equivalence)
    seconds: float = 0.0
    peak_memory_mb: float = 0.0
    max_cost: int = 0            # the cost level search reached

    @property
    def candidates_per_second(self) -> float:
        return self.candidates / self.seconds if self.seconds > 0 else 0.0

    def plus(self, more: "SearchStats", seconds: float) -> "SearchStats":
        """The stats of two searches in a row: counts add up, peaks take the larger, `seconds` is
        the wall time of both together (the caller's clock)."""
        return SearchStats(self.candidates + more.candidates, self.values_kept + more.values_kept, seconds,
                           max(self.peak_memory_mb, more.peak_memory_mb), max(self.max_cost, more.max_cost))


@dataclass(frozen=True)
class Result:
    """The outcome of synthesizing one task.

    `program_text` is the solution as the DSL's users write it (for strings, a SyGuS `define-fun`);
    `verified` says whether re-execution on every example and the Z3 check both passed (None when
    the DSL has no Z3 semantics for the program); `test_correct` is the held-out verdict when the
    task has tests.
    """

    task: str
    status: Status
    program: Program | None = None
    program_text: str = ""
    stats: SearchStats = field(default_factory=SearchStats)
    verified: bool | None = None
    test_correct: bool | None = None
    message: str = ""

    @property
    def solved(self) -> bool:
        """Solved means: found, verified, and right on the held-out tests where there are any."""
        return self.status is Status.SOLVED and self.test_correct is not False

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "status": str(self.status),
            "program": self.program_text,
            "size": self.program.size if self.program is not None else None,
            "seconds": round(self.stats.seconds, 4),
            "candidates": self.stats.candidates,
            "values_kept": self.stats.values_kept,
            "candidates_per_second": round(self.stats.candidates_per_second, 1),
            "peak_memory_mb": round(self.stats.peak_memory_mb, 1),
            "verified": self.verified,
            "test_correct": self.test_correct,
            "message": self.message,
        }

    def __str__(self) -> str:
        lines = [f"task {self.task}: {self.status}"]
        if self.program_text:
            lines.append(self.program_text)
        s = self.stats
        lines.append(f"candidates {s.candidates}, values kept {s.values_kept}, {s.seconds:.2f} s, "
                     f"{s.candidates_per_second:,.0f} candidates/s")
        if self.verified is not None:
            lines.append(f"verified (execution + Z3): {self.verified}")
        if self.test_correct is not None:
            lines.append(f"held-out tests correct: {self.test_correct}")
        if self.message:
            lines.append(self.message)
        return "\n".join(lines)
