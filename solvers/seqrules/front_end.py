"""seqrules tasks through `nesy synth` / `nesy.synthesize`: the rule enumerator, then the checks.

The guide (when one is given) prices each rule through the shared `Guide.op_costs`; plain search
prices every rule at 1. The program found is printed, parsed back and run with the DSL's own
Python semantics (`dsl.seqrules.rules`, not the numpy sweep search used) on every example
(`verified`) and on the held-out tests (`test_correct`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from dsl.core import Dsl, Example, Program, Task, evaluate
from dsl.errors import NesyInputError
from dsl.seqrules.rules import RULES
from dsl.seqrules.syntax import OPS, program_of
from solvers.search.budget import BudgetExhausted, task_budget
from solvers.search.driver import SynthesisOptions, check_grace, verdict
from solvers.search.guide import Guide
from solvers.search.result import Result, SearchStats, Status
from solvers.seqrules.enumeration import MAX_LENGTH, RuleSearch, RuleSearchOutcome


def task_arrays(task: Task) -> tuple[np.ndarray, np.ndarray]:
    """The given inputs and outputs as (pairs, length) arrays."""
    if len(task.inputs) != 1:
        raise NesyInputError(f"task {task.name!r}: a seqrules task has one input sequence, not {len(task.inputs)}")
    return (np.array([e.inputs[0] for e in task.examples], dtype=np.uint8),
            np.array([e.output for e in task.examples], dtype=np.uint8))


def rule_costs(task: Task, guide: Guide | None) -> list[int]:
    """Each rule's cost on this task: the guide's `op_costs`, or 1 each."""
    if guide is None:
        return [1] * len(RULES)
    costs = guide.op_costs(task, OPS)
    return [max(1, int(costs.get(op, op.cost))) for op in OPS]


def search_rules(task: Task, costs: Sequence[int], solutions: int = 1, max_length: int = MAX_LENGTH,
                 seconds: float = 10.0, max_candidates: int | None = None) -> RuleSearchOutcome:
    """Run the enumerator on a task's given pairs inside a fresh budget."""
    inputs, targets = task_arrays(task)
    with task_budget(seconds, max_candidates, None) as budget:
        return RuleSearch(RULES, costs, max_length, solutions).run(inputs, targets, budget)


def failing(program: Program, task: Task, examples: Sequence[Example]) -> list[int]:
    """Indices of the examples the program gets wrong, run with the DSL's Python semantics."""
    return [i for i, e in enumerate(examples) if evaluate(program, task.env(e)) != e.output]


def synthesize(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
               guide: Guide | None = None) -> Result:
    """The cheapest rule list that fits every example, checked by re-execution."""
    config = options.config
    inputs, targets = task_arrays(task)
    costs = rule_costs(task, guide)
    with task_budget(config.timeout, config.max_candidates, config.max_memory_mb) as budget:
        outcome = RuleSearch(RULES, costs, MAX_LENGTH, 1).run(inputs, targets, budget.round())
        stats = SearchStats(outcome.candidates, outcome.states_kept, budget.elapsed(), budget.peak_memory_mb,
                            outcome.max_cost)
        if not outcome.programs:
            return Result(task.name, outcome.status, stats=stats, message=outcome.message)
        program = program_of([RULES[i] for i in outcome.programs[0]], task.inputs[0].name)
        try:
            with check_grace(budget).active():
                return checked(task, dsl, program, stats)
        except BudgetExhausted as stopped:
            return Result(task.name, Status.TIMEOUT, program, dsl.print(program), stats,
                          message=f"stopped at the {stopped.which} while checking a program that fits")


def checked(task: Task, dsl: Dsl, program: Program, stats: SearchStats) -> Result:
    """The Result of a program that fits: its text parsed back and run on every example and test."""
    text = dsl.print(program)
    parsed = dsl.parse(text, {v.name: v.type for v in task.inputs})
    wrong = failing(parsed, task, task.examples)
    if parsed != program or wrong:
        return Result(task.name, Status.ERROR, program, text, stats, verified=False,
                      message=f"the program found fails example(s) {[i + 1 for i in wrong]} when re-run"
                      if wrong else "the printed program does not read back as itself")
    test_correct = not failing(parsed, task, task.tests) if task.tests else None
    return Result(task.name, verdict(task, test_correct), program, text, stats, verified=True,
                  test_correct=test_correct, input_names=tuple(v.name for v in task.inputs))

