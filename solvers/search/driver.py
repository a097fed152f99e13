"""From a task to a checked result: pick ops and literals, search, re-check, score held-out tests.

This is the DSL-agnostic driver behind `nesy.synthesize`, `nesy synth` and `nesy bench`. A DSL
with a front end of its own (`Dsl.front_end`) gets the task; every other DSL is searched here,
with the joins, value filters, literal extraction and checker its `Dsl` names. Tasks with many
examples are solved counterexample-guided on a growing subset (`solvers.search.cegis`).

One budget per task (`solvers.search.budget.task_budget`), made when the task starts, holds every
phase: literals, set-up, each search round, the check on all examples, the DSL's checker and the
held-out tests. A phase that runs out ends the task with a TIMEOUT and what it had, never an
exception.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from dsl.core import Const, Dsl, Example, Op, Program, Task, resolve
from dsl.errors import NesyInputError
from solvers.search.budget import Budget, BudgetExhausted, task_budget
from solvers.search.cegis import search_growing_subset, spread_subset
from solvers.search.checking import failing_examples
from solvers.search.enumeration import BottomUpSearch, SearchConfig, SearchOutcome, leaves_for, memory_limit
from solvers.search.guide import Guide
from solvers.search.result import Result, SearchStats, Status

EXTRACTED_CONSTANT_COST = 2
LITERAL_SHARE = 0.25          # reading literals off the examples may take this share of the time left
EXAMPLES_PER_CHECK = 256      # examples executed between budget checks
CHECK_GRACE = 0.25            # seconds (or 2% of the timeout) the checks of an answer may run past the deadline


@dataclass(frozen=True)
class SynthesisOptions:
    """Switches of the driver; the search's own budgets live in `config`."""

    config: SearchConfig = SearchConfig()
    extract_constants: bool = True
    subset_size: int = 10        # examples searched on first when a task has more
    verify_with_z3: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.subset_size, int) or isinstance(self.subset_size, bool) or self.subset_size < 1:
            raise NesyInputError(f"subset_size must be a whole number >= 1, not {self.subset_size!r}")


def synthesize_task(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                    guide: Guide | None = None) -> Result:
    """A checked result for `task`: the DSL's own front end if it has one, else `enumerate_task`;
    either runs inside the task's budget, made here."""
    config = options.config
    with task_budget(config.timeout, config.max_candidates, config.max_memory_mb):
        if dsl.front_end is not None:
            return resolve(dsl.front_end)(task, dsl, options, guide)
        return enumerate_task(task, dsl, options, guide)


def distinct_examples(task: Task) -> tuple[tuple[Example, ...], str]:
    """The examples without repeats, and a message naming a contradiction (same inputs, two
    different outputs) if there is one."""
    by_inputs: dict[tuple, Example] = {}
    for example in task.examples:
        earlier = by_inputs.setdefault(example.inputs, example)
        if earlier.output != example.output:
            return (), (f"contradictory examples: inputs {example.inputs!r} map to both "
                        f"{earlier.output!r} and {example.output!r}")
    return tuple(by_inputs.values()), ""


def ops_for(dsl: Dsl, task: Task) -> list[Op]:
    """The grammar's ops when the task has one, else the DSL's curated search set."""
    if task.grammar.ops is None:
        return list(dsl.default_search_ops)
    return [op for op in dsl.ops if task.grammar.allows(op)]


def constants_for(dsl: Dsl, task: Task, extract: bool,
                  budget: Budget | None = None) -> tuple[list[Const], list[Const]]:
    """Grammar (or DSL default) constants and task hints, then literals read off the examples
    (within `LITERAL_SHARE` of the time `budget` has left: see `read_literals`)."""
    base = list(task.grammar.constants) if task.grammar.ops is not None else [*dsl.constants]
    base += list(task.constants)
    extracted: list[Const] = []
    if extract and task.grammar.allow_extracted_constants and dsl.literal_extractor is not None:
        extractor = resolve(dsl.literal_extractor)
        extracted = extractor(task.examples) if budget is None else read_literals(extractor, task.examples, budget)
    return base, [c for c in extracted if c not in base]


def read_literals(extractor: Callable[[Sequence[Example]], list[Const]], examples: Sequence[Example],
                  budget: Budget) -> list[Const]:
    """The extractor's literals, read in a share of the time left. An extractor that checks the
    budget (`solvers.search.budget.checkpoint`) returns what it found when the share runs out; one
    that lets `BudgetExhausted` out gets none. The task's own limits are checked afterwards."""
    try:
        with budget.share(LITERAL_SHARE).active():
            found = extractor(examples)
    except BudgetExhausted:
        found = []
    budget.check()
    return found


def enumerate_task(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                   guide: Guide | None = None) -> Result:
    """Bottom-up search for a program that fits every example of `task`, then every check, all
    within the task's budget (the caller's, or a new one from `options.config`)."""
    config = options.config
    with task_budget(config.timeout, config.max_candidates, config.max_memory_mb) as budget:
        try:
            return _enumerate(task, dsl, options, guide, budget)
        except BudgetExhausted as exhausted:
            return _stopped(task, budget, exhausted.which)
        except MemoryError:
            return _stopped(task, budget, f"{memory_limit(budget)}: an allocation failed")


def _stopped(task: Task, budget: Budget, which: str) -> Result:
    """The TIMEOUT of a task whose budget ran out outside search (reading literals, set-up)."""
    stats = SearchStats(seconds=budget.elapsed(), peak_memory_mb=budget.peak_memory_mb)
    return Result(task.name, Status.TIMEOUT, stats=stats, message=f"stopped at the {which}")


def _enumerate(task: Task, dsl: Dsl, options: SynthesisOptions, guide: Guide | None, budget: Budget) -> Result:
    examples, contradiction = distinct_examples(task)
    if contradiction:
        return Result(task.name, Status.NO_SOLUTION, message=contradiction)
    task = replace(task, examples=examples)
    ops = ops_for(dsl, task)
    base, extracted = constants_for(dsl, task, options.extract_constants, budget)
    leaves = leaves_for(task.inputs, base, extra_constants=extracted, extra_cost=EXTRACTED_CONSTANT_COST)
    joins = resolve(dsl.joins) if dsl.joins is not None else None

    def search(chosen: list[int], round_budget: Budget) -> tuple[SearchOutcome, Program | None]:
        sub_task = replace(task, examples=tuple(examples[i] for i in chosen))
        engine = BottomUpSearch(ops, leaves, options.config, guide, joins=joins, value_filters=dsl.value_filters)
        outcome = engine.run(sub_task, round_budget)
        return outcome, outcome.program

    found = search_growing_subset(spread_subset(len(examples), options.subset_size), budget, search,
                                  lambda program: failing_within(program, task, examples, budget))
    if found.answer is None:
        return found.failure(task.name)
    return checked_result(task, dsl, found.answer, found.stats, options, budget)


def failing_within(program: Program, task: Task, examples: Sequence[Example], budget: Budget) -> list[int]:
    """`failing_examples`, a few hundred examples at a time with `budget` checked between them."""
    wrong: list[int] = []
    for begin in range(0, len(examples), EXAMPLES_PER_CHECK):
        budget.check()
        chunk = examples[begin:begin + EXAMPLES_PER_CHECK]
        wrong += [begin + i for i in failing_examples(program, task, chunk)]
    return wrong


def check_grace(budget: Budget) -> Budget:
    """The budget of the checks of a found answer: the time left, and at least `CHECK_GRACE`
    seconds (2% of a long timeout), so an answer found at the deadline still gets its checks."""
    grace = budget.round()
    grace.deadline = max(grace.deadline, grace.started + max(CHECK_GRACE, 0.02 * budget.root.seconds))
    return grace


def checked_result(task: Task, dsl: Dsl, program: Program, stats: SearchStats, options: SynthesisOptions,
                   budget: Budget | None = None) -> Result:
    """The Result of a program that fits the examples: the DSL's checker (Z3 where it has one), and
    the held-out verdict where the task has tests; inside `budget` (and `check_grace`), a check the
    time runs out on gives a TIMEOUT that still carries the program."""
    text = dsl.format_solution(task, program)
    check: Callable[[Program, Task], bool | None] | None = \
        resolve(dsl.checker) if dsl.checker is not None and options.verify_with_z3 else None
    checks = check_grace(budget) if budget is not None else Budget(math.inf, None, None)
    verified = test_correct = None
    try:
        with checks.active():
            verified = check(program, task) if check is not None else None
            if verified is False:
                return Result(task.name, Status.ERROR, program, text, stats, verified=False,
                              message="the checker disagrees with execution on this program (a semantics bug?)")
            if task.tests:
                test_correct = not failing_within(program, task, task.tests, checks)
    except (BudgetExhausted, MemoryError) as stopped:
        which = stopped.which if isinstance(stopped, BudgetExhausted) else memory_limit(checks)
        return Result(task.name, Status.TIMEOUT, program, text, stats, verified=verified,
                      message=f"stopped at the {which} while checking a program that fits every example")
    return Result(task.name, Status.SOLVED, program, text, stats, verified=verified,
                  test_correct=test_correct)
