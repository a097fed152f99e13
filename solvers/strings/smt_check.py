"""The string DSL's independent check: Z3 under the SMT-LIB semantics.

Execution already showed the program right on every example; Z3 checks the same program under the
standard's semantics, which catches disagreements between our interpreter and the standard.
"""
from __future__ import annotations

from dsl.core import BOOL, INT, STRING, Program, Task, to_z3, z3_literal
from dsl.errors import NesyInputError
from solvers.search.budget import z3_timeout_ms

Z3_TIMEOUT_MS = 10_000


def z3_verified(program: Program, task: Task) -> bool | None:
    """True when Z3 agrees the program maps every example's inputs to its output; None when some
    op of the program has no Z3 semantics, some text has characters beyond Z3's strings (nothing
    to check with), or Z3 answers unknown (gave up, or hit the timeout: at most `Z3_TIMEOUT_MS`
    and never past the active budget's deadline)."""
    import z3

    if any(op.z3_semantics is None for op in program.ops()):
        return None
    symbols = {v.name: {STRING: z3.String, INT: z3.Int, BOOL: z3.Bool}[v.type](v.name)
               for v in task.inputs if v.type in (STRING, INT, BOOL)}
    if len(symbols) != len(task.inputs):
        return None
    solver = z3.Solver()
    solver.set("timeout", z3_timeout_ms(Z3_TIMEOUT_MS))
    try:
        body = to_z3(program, symbols)
        for example in task.examples:
            bound = z3.substitute(body, *[(symbols[v.name], z3_literal(x))
                                          for v, x in zip(task.inputs, example.inputs)])
            solver.add(bound == z3_literal(example.output))
    except NesyInputError:  # from z3_literal: a character Z3 cannot represent
        return None
    verdict = solver.check()
    return True if verdict == z3.sat else False if verdict == z3.unsat else None
