"""Execution check of a solution: run it again on every example.

Search already compared output vectors, but a check that shares no code with the enumerator's
bookkeeping catches bugs there (and in joins). A DSL adds its own independent check
(`Dsl.checker`, e.g. Z3 under the SMT-LIB semantics: `solvers.strings.smt_check`).
"""
from __future__ import annotations

from typing import Sequence

from dsl.core import Example, Program, Task, evaluate


def failing_examples(program: Program, task: Task, examples: Sequence[Example]) -> list[int]:
    """Indices of the examples the program gets wrong when executed (an exception counts as wrong)."""
    wrong = []
    for index, example in enumerate(examples):
        try:
            if evaluate(program, task.env(example)) != example.output:
                wrong.append(index)
        except Exception:
            wrong.append(index)
    return wrong
