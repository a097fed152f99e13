"""From a task to a checked result: pick ops and constants, search, re-check, score held-out tests.

This is the DSL-agnostic driver behind `nesy.synthesize`, `nesy synth` and `nesy bench`.
Tasks with many examples are solved counterexample-guided: search on a few examples (cheaper
vectors, faster equivalence), check the answer on all of them, add the ones it gets wrong, repeat.
"""
from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, replace
from typing import Sequence

from dsl.core import Const, Dsl, Example, Op, Task
from solvers.search.enumeration import BottomUpSearch, SearchConfig, leaves_for
from solvers.search.checking import failing_examples, z3_verified
from solvers.strings.literals import extract_constants
from solvers.search.guide import Guide
from solvers.search.result import Result, SearchStats, Status
from solvers.strings.spec_cegis import synthesize_from_spec

EXTRACTED_CONSTANT_COST = 2
# DSLs whose tasks are not input -> output functions (a regex classifies strings) have their own front
# end on the same engine: DSL name -> (module, function taking (task, options, guide) -> Result).
FRONT_ENDS: dict[str, tuple[str, str]] = {"regex": ("solvers.regex.front_end", "synthesize_regex_task")}


@dataclass(frozen=True)
class SynthesisOptions:
    """Switches of the driver; the search's own budgets live in `config`."""

    config: SearchConfig = SearchConfig()
    extract_constants: bool = True
    subset_size: int = 10        # examples searched on first when a task has more
    verify_with_z3: bool = True


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
    """Grammar (or DSL default) constants and task hints, then constants read off the examples."""
    base = list(task.grammar.constants) if task.grammar.ops is not None else [*dsl.constants]
    base += list(task.constants)
    extracted = extract_constants(task.examples) if extract and task.grammar.allow_extracted_constants else []
    return base, [c for c in extracted if c not in base]


def _spread_subset(examples: Sequence[Example], size: int) -> list[int]:
    """Indices of `size` examples spread over the list (diverse beats the first few)."""
    if len(examples) <= size:
        return list(range(len(examples)))
    step = len(examples) / size
    return sorted({int(i * step) for i in range(size)})


def synthesize_task(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                    guide: Guide | None = None) -> Result:
    """Search for a program that fits every example of `task`, then check it every way we can."""
    if dsl.name in FRONT_ENDS:
        module, function = FRONT_ENDS[dsl.name]
        return getattr(importlib.import_module(module), function)(task, options, guide)
    if task.spec:
        def solve_examples(sub_task: Task, seconds: float) -> Result:
            return synthesize_task(sub_task, dsl, replace(options, config=replace(options.config, timeout=seconds)),
                                   guide)

        return synthesize_from_spec(task, solve_examples, options.config.timeout)
    started = time.monotonic()
    examples, contradiction = distinct_examples(task)
    if contradiction:
        return Result(task.name, Status.NO_SOLUTION, message=contradiction)
    task = replace(task, examples=examples)
    ops = ops_for(dsl, task)
    base, extracted = constants_for(dsl, task, options.extract_constants)
    leaves = leaves_for(task.inputs, base, extra_constants=extracted, extra_cost=EXTRACTED_CONSTANT_COST)
    chosen = _spread_subset(examples, options.subset_size)
    total = SearchStats()
    while True:
        remaining = options.config.timeout - (time.monotonic() - started)
        if remaining <= 0:
            return Result(task.name, Status.TIMEOUT, stats=total, message="time limit reached")
        sub_task = replace(task, examples=tuple(examples[i] for i in chosen))
        search = BottomUpSearch(ops, leaves, replace(options.config, timeout=remaining), guide)
        outcome = search.run(sub_task)
        total = _add_stats(total, outcome.stats, time.monotonic() - started)
        if outcome.program is None:
            return Result(task.name, outcome.status, stats=total, message=outcome.message)
        wrong = failing_examples(outcome.program, task, examples)
        if not wrong:
            return _checked_result(task, dsl, outcome.program, total, options)
        chosen = sorted(set(chosen) | set(wrong[:max(1, len(chosen) // 2)]))


def _add_stats(total: SearchStats, more: SearchStats, seconds: float) -> SearchStats:
    return SearchStats(total.candidates + more.candidates, total.values_kept + more.values_kept, seconds,
                       max(total.peak_memory_mb, more.peak_memory_mb), max(total.max_cost, more.max_cost))


def _checked_result(task: Task, dsl: Dsl, program, stats: SearchStats, options: SynthesisOptions) -> Result:
    text = dsl.format_solution(task, program)
    z3_ok = z3_verified(program, task) if options.verify_with_z3 else None
    if z3_ok is False:
        return Result(task.name, Status.ERROR, program, text, stats, verified=False,
                      message="Z3 disagrees with execution on this program (interpreter bug?)")
    test_correct = None
    if task.tests:
        test_correct = not failing_examples(program, task, task.tests)
    return Result(task.name, Status.SOLVED, program, text, stats, verified=z3_ok,
                  test_correct=test_correct)
