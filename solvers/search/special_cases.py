"""Sub-expressions that serve one example only: how a program fits a typo without dropping it.

With a typo in one output, a program may fit every example by a step that does nothing on the
others: `(str.replace (field x0 "-" 1) "0" "")` removes a "0" that only the typo'd "98" (for
"980") lacks, an `ite` whose condition holds on that example alone returns its special output.
Such a step is a special case of that example, and noise tolerance charges it as an exception.

The test: replace a node by one of its own children of the same type (skip the step); if the
program's output then changes on exactly one example, the step serves that example alone.
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

from dsl.core import Program, Task, evaluate


def special_cases(program: Program, task: Task, among: Sequence[int]) -> set[int]:
    """The examples of `among` (indices into `task.examples`) that some step of `program` serves
    alone: skipping the step changes the output there and on no other example."""
    envs = [task.env(e) for e in task.examples]
    outputs = [_run(program, env) for env in envs]
    served: set[int] = set()
    wanted = set(among)
    for simpler in _skips(program):
        changed = []
        for index, env in enumerate(envs):
            if _run(simpler, env) != outputs[index]:
                changed.append(index)
                if len(changed) > 1:
                    break
        if len(changed) == 1 and changed[0] in wanted:
            served.add(changed[0])
    return served


def _skips(program: Program) -> Iterator[Program]:
    """Every program made by replacing one node of `program` by one of its children of the
    node's own type."""
    for position, child in enumerate(program.children):
        if child.type == program.type:
            yield child
        for simpler in _skips(child):
            yield Program(program.head, program.children[:position] + (simpler,) + program.children[position + 1:])


def _run(program: Program, env: dict[str, Any]) -> Any:
    try:
        return evaluate(program, env)
    except Exception:  # an op outside its domain: a value of its own
        return _RAISED


_RAISED = object()
