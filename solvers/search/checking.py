"""Independent checks of a solution: real execution on every example, and Z3.

Search already compared output vectors, but a check that shares no code with the enumerator's
bookkeeping catches bugs there (and in unification); Z3 checks the same program under the SMT-LIB
semantics, which catches disagreements between our interpreter and the standard.
"""
from __future__ import annotations

from typing import Sequence

from dsl.core import BOOL, INT, STRING, Example, Program, Task, evaluate, to_z3, z3_literal

Z3_TIMEOUT_MS = 10_000


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


def z3_verified(program: Program, task: Task) -> bool | None:
    """True when Z3 agrees the program maps every example's inputs to its output; None when some
    op of the program has no Z3 semantics (nothing to check with)."""
    import z3

    if any(op.z3_semantics is None for op in program.ops()):
        return None
    symbols = {v.name: {STRING: z3.String, INT: z3.Int, BOOL: z3.Bool}[v.type](v.name)
               for v in task.inputs if v.type in (STRING, INT, BOOL)}
    if len(symbols) != len(task.inputs):
        return None
    body = to_z3(program, symbols)
    solver = z3.Solver()
    solver.set("timeout", Z3_TIMEOUT_MS)
    for example in task.examples:
        bound = z3.substitute(body, *[(symbols[v.name], z3_literal(x)) for v, x in zip(task.inputs, example.inputs)])
        solver.add(bound == z3_literal(example.output))
    return solver.check() == z3.sat
