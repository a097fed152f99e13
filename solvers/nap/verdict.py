"""The one set of outcomes of a NAP query, from the solvers' answers to reports, tables and JSON."""
from __future__ import annotations

from enum import Enum


class Verdict(str, Enum):
    """What nesy (or a tool run beside it) says of a property on a region."""

    VERIFIED = "verified"              # no input of the region violates it (a solver's unsat)
    COUNTEREXAMPLE = "counterexample"  # a witness, replayed through the real model before it is reported
    TIMEOUT = "timeout"                # undecided within the time limit
    ERROR = "error"                    # a tool run beside nesy (Marabou) failed

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__


VERIFIED, COUNTEREXAMPLE, TIMEOUT = Verdict.VERIFIED, Verdict.COUNTEREXAMPLE, Verdict.TIMEOUT
