"""What a search returns: the program (or none), why it stopped, and what it cost."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from dsl.core import Program, evaluate


class Status(str, Enum):
    SOLVED = "solved"              # right on the held-out tests, or the examples are the whole spec
    FITS = "fits-examples"         # fits every example; nothing (or a failed held-out test) says more
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
class Alternative:
    """A runner-up: another program that fits the examples and does something else on other rows."""

    program: Program
    program_text: str
    score: float
    doubt: int = 0               # leave-one-out errors of a joined program (0: none, or direct)


@dataclass(frozen=True)
class Result:
    """The outcome of synthesizing one task.

    `program_text` is the solution as the DSL's users write it (for strings, a SyGuS `define-fun`);
    `verified` says whether re-execution on every example and the Z3 check both passed (None when
    the DSL has no Z3 semantics for the program); `test_correct` is the held-out verdict when the
    task has tests. Status SOLVED means right on the held-out tests (or the examples are the
    task's whole spec, as in SyGuS); a program that only fits the examples is FITS.

    With ranking, `score` is the ranker's score of the program, `alternatives` the runners-up
    that behave differently, and `distinguishing` an input row on which the program and a
    runner-up disagree, with both outputs: the row to check next (`distinguishing_is_own`: one of
    the task's own unlabelled rows, not a made-up one).
    """

    task: str
    status: Status
    program: Program | None = None
    program_text: str = ""
    stats: SearchStats = field(default_factory=SearchStats)
    verified: bool | None = None
    test_correct: bool | None = None
    message: str = ""
    score: float | None = None
    alternatives: tuple[Alternative, ...] = ()
    distinguishing: tuple[tuple[Any, ...], Any, Any] | None = None
    distinguishing_is_own: bool = False
    input_names: tuple[str, ...] = ()     # the task's inputs, in order: what `run` binds
    dropped: tuple[int, ...] = ()         # with noise allowed: examples (0-based) treated as wrong
    doubt: int = 0                        # leave-one-out errors of a joined program (0: none, or direct)

    @property
    def solved(self) -> bool:
        """Right on the held-out tests, or the examples are the whole spec (SyGuS)."""
        return self.status is Status.SOLVED

    @property
    def found(self) -> bool:
        """A program that fits every example was found (solved, or fits the examples)."""
        return self.status in (Status.SOLVED, Status.FITS) and self.program is not None

    def run(self, *inputs: Any) -> Any:
        """Apply the program to one row of inputs, in the task's input order.

        >>> import nesy
        >>> nesy.synthesize([("ab", "a"), ("cd", "c"), ("xyz", "x")], timeout=5).run("hello")
        'h'
        """
        if self.program is None:
            raise ValueError(f"task {self.task}: no program was found ({self.status})")
        if not self.input_names:
            raise ValueError(f"task {self.task}: this DSL's programs are not run on input rows")
        if len(inputs) != len(self.input_names):
            raise ValueError(f"task {self.task}: the program takes {len(self.input_names)} input(s) "
                             f"({', '.join(self.input_names)}), got {len(inputs)}")
        return evaluate(self.program, dict(zip(self.input_names, inputs)))

    __call__ = run

    def to_python(self, function_name: str = "f") -> str:
        """The program as a standalone Python function (`dsl.python_export`)."""
        from dsl.python_export import to_python

        if self.program is None or not self.input_names:
            raise ValueError(f"task {self.task}: no program to export ({self.status})")
        return to_python(self.program, self.input_names, function_name)

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
            "score": None if self.score is None else round(self.score, 4),
            "alternatives": [{"program": a.program_text, "score": round(a.score, 4)} for a in self.alternatives],
            "treated_as_wrong": [i + 1 for i in self.dropped],
            "doubt": self.doubt,
            "check_next": None if self.distinguishing is None else {
                "inputs": list(self.distinguishing[0]), "outputs": [self.distinguishing[1], self.distinguishing[2]],
                "own_row": self.distinguishing_is_own},
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
        if self.alternatives:
            lines.append(f"{len(self.alternatives)} other program(s) fit the examples and differ elsewhere "
                         f"(score {self.score:.2f} vs {self.alternatives[0].score:.2f} for the next)")
        if self.distinguishing is not None:
            row, mine, other = self.distinguishing
            kind = "your row" if self.distinguishing_is_own else "a row like yours"
            lines.append(f"check next: on {kind} {_row(row)} this gives {mine!r}, another fitting program {other!r}")
        if self.message:
            lines.append(self.message)
        return "\n".join(lines)


def _row(inputs: tuple[Any, ...]) -> str:
    return repr(inputs[0]) if len(inputs) == 1 else repr(inputs)

