"""The arithmetic DSL's search policy: literals read off the examples, and a Z3 check."""
from __future__ import annotations

from typing import Sequence

from dsl.core import INT, Const, Example, Program, Task, to_z3


def integer_literals(examples: Sequence[Example]) -> list[Const]:
    """Output values that are no input of their example: a constant answer may need them."""
    seen: list[int] = []
    for example in examples:
        if isinstance(example.output, int) and example.output not in example.inputs and example.output not in seen:
            seen.append(example.output)
    return [Const(v, INT) for v in seen[:3]]


def z3_check(program: Program, task: Task) -> bool | None:
    """Z3 agrees the program maps every example's inputs to its output."""
    import z3

    solver = z3.Solver()
    for example in task.examples:
        env = {v.name: z3.IntVal(x) for v, x in zip(task.inputs, example.inputs)}
        solver.add(to_z3(program, env) == z3.IntVal(example.output))
    return solver.check() == z3.sat
