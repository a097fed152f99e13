"""From a task to a checked result: pick ops and literals, search, re-check, score held-out tests.

This is the DSL-agnostic driver behind `nesy.synthesize`, `nesy synth` and `nesy bench`. A DSL
with a front end of its own (`Dsl.front_end`) gets the task; every other DSL is searched here,
with the joins, value filters, literal extraction and checker its `Dsl` names. Tasks with many
examples are solved counterexample-guided on a growing subset (`solvers.search.cegis`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

from dsl.core import Const, Dsl, Example, Op, Program, Task, resolve
from solvers.search.cegis import search_growing_subset, spread_subset
from solvers.search.checking import failing_examples
from solvers.search.enumeration import BottomUpSearch, SearchConfig, SearchOutcome, leaves_for
from solvers.search.guide import Guide
from solvers.search.result import Result, SearchStats, Status

EXTRACTED_CONSTANT_COST = 2


@dataclass(frozen=True)
class SynthesisOptions:
    """Switches of the driver; the search's own budgets live in `config`."""

    config: SearchConfig = SearchConfig()
    extract_constants: bool = True
    subset_size: int = 10        # examples searched on first when a task has more
    verify_with_z3: bool = True


def synthesize_task(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                    guide: Guide | None = None) -> Result:
    """A checked result for `task`: the DSL's own front end if it has one, else `enumerate_task`."""
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


def constants_for(dsl: Dsl, task: Task, extract: bool) -> tuple[list[Const], list[Const]]:
    """Grammar (or DSL default) constants and task hints, then literals read off the examples."""
    base = list(task.grammar.constants) if task.grammar.ops is not None else [*dsl.constants]
    base += list(task.constants)
    extracted: list[Const] = []
    if extract and task.grammar.allow_extracted_constants and dsl.literal_extractor is not None:
        extracted = resolve(dsl.literal_extractor)(task.examples)
    return base, [c for c in extracted if c not in base]


def enumerate_task(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                   guide: Guide | None = None) -> Result:
    """Bottom-up search for a program that fits every example of `task`, then every check."""
    started = time.monotonic()
    examples, contradiction = distinct_examples(task)
    if contradiction:
        return Result(task.name, Status.NO_SOLUTION, message=contradiction)
    task = replace(task, examples=examples)
    ops = ops_for(dsl, task)
    base, extracted = constants_for(dsl, task, options.extract_constants)
    leaves = leaves_for(task.inputs, base, extra_constants=extracted, extra_cost=EXTRACTED_CONSTANT_COST)
    joins = resolve(dsl.joins) if dsl.joins is not None else None

    def search(chosen: list[int], seconds: float) -> tuple[SearchOutcome, Program | None]:
        sub_task = replace(task, examples=tuple(examples[i] for i in chosen))
        engine = BottomUpSearch(ops, leaves, replace(options.config, timeout=seconds), guide, joins=joins,
                                value_filters=dsl.value_filters)
        outcome = engine.run(sub_task)
        return outcome, outcome.program

    found = search_growing_subset(spread_subset(len(examples), options.subset_size), options.config.timeout,
                                  started, search, lambda program: failing_examples(program, task, examples))
    if found.answer is None:
        return found.failure(task.name)
    return checked_result(task, dsl, found.answer, found.stats, options)


def checked_result(task: Task, dsl: Dsl, program: Program, stats: SearchStats, options: SynthesisOptions) -> Result:
    """The Result of a program that fits the examples: the DSL's checker (Z3 where it has one), and
    the held-out verdict where the task has tests."""
    text = dsl.format_solution(task, program)
    check: Callable[[Program, Task], bool | None] | None = \
        resolve(dsl.checker) if dsl.checker is not None and options.verify_with_z3 else None
    verified = check(program, task) if check is not None else None
    if verified is False:
        return Result(task.name, Status.ERROR, program, text, stats, verified=False,
                      message="the checker disagrees with execution on this program (a semantics bug?)")
    test_correct = None
    if task.tests:
        test_correct = not failing_examples(program, task, task.tests)
    return Result(task.name, Status.SOLVED, program, text, stats, verified=verified,
                  test_correct=test_correct)
