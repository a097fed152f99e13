"""RASP programs from input/output sequences on the shared bottom-up engine.

Values are per-example sequences (`CAT`, `NUM`) and selectors (`SEL`), kept one per behaviour
on the examples (observational equivalence), cheapest first. No op makes the task's output type,
so the engine never matches a value itself: the joins (`solvers.rasp.joins`) compare every new
value with the target, directly or through a lookup table, a move of the tokens or an aggregate
inverse, and offer checked answers; the engine keeps the smallest.

The answer is printed as RASP source, parsed back by the RASP parser and run by the interpreter
on every example (`verified`) and on the held-out tests (`test_correct`). Compiling it to weights
and proving the weights equal to it is the neural side's job (`nesy.rasp_synthesis.proof`).
"""
from __future__ import annotations

from dataclasses import replace

from dsl.core import Dsl, Program, Task
from dsl.errors import NesyInputError
from dsl.rasp import load, run
from dsl.rasp.program_source import to_rasp
from dsl.rasp.search_ops import CAT, LENGTH, INDICES, SELECT_ALL, constant_op
from dsl.rasp.values import Value, identity_key
from solvers.search.budget import BudgetExhausted, task_budget
from solvers.search.enumeration import BottomUpSearch, Leaf
from solvers.search.driver import SynthesisOptions, check_grace, distinct_examples, verdict
from solvers.search.guide import Guide
from solvers.search.result import Result, SearchStats, Status
from solvers.rasp.joins import rasp_joins
from solvers.rasp.tables import same_sequences

CONSTANTS: tuple[Value, ...] = (0, 1)   # besides the vocabulary: first position, booleans as numbers


def leaves(task: Task) -> list[Leaf]:
    """tokens, indices, length, the all-pairs selector, and a constant sequence per vocabulary
    token and small number, each at cost 1."""
    tokens = Program.var("tokens", CAT)
    built = [tokens, *(Program(op, (tokens,)) for op in (INDICES, LENGTH, SELECT_ALL))]
    vocab = getattr(task, "vocab", ())
    seen: set[tuple] = set()
    for value in (*vocab, *CONSTANTS):
        if identity_key(value) not in seen:
            seen.add(identity_key(value))
            built.append(Program(constant_op(value), (tokens,)))
    return [Leaf(program, 1) for program in built]


def synthesize(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
               guide: Guide | None = None) -> Result:
    """Search a RASP program for `task`, then check it: printed, parsed back, run on every example
    and on the held-out tests."""
    config = replace(options.config, unify=False, solutions=1)
    examples, contradiction = distinct_examples(task)
    if contradiction:
        return Result(task.name, Status.NO_SOLUTION, message=contradiction)
    task = replace(task, examples=examples)
    with task_budget(config.timeout, config.max_candidates, config.max_memory_mb) as budget:
        engine = BottomUpSearch(dsl.default_search_ops, leaves(task), config, guide, joins=rasp_joins)
        outcome = engine.run(task, budget.round())
        if outcome.program is None:
            return Result(task.name, outcome.status, stats=outcome.stats, message=outcome.message)
        try:
            with check_grace(budget).active():
                return checked(task, outcome.program, outcome.stats)
        except BudgetExhausted as stopped:
            return Result(task.name, Status.TIMEOUT, outcome.program, to_rasp(outcome.program), outcome.stats,
                          message=f"stopped at the {stopped.which} while checking a program that fits")


def checked(task: Task, program: Program, stats: SearchStats) -> Result:
    """The Result of a program that fits: its text parsed back and run on the examples and tests."""
    text = to_rasp(program)
    try:
        parsed = load(text, f"<{task.name}>")
    except NesyInputError as error:
        return Result(task.name, Status.ERROR, program, text, stats, verified=False,
                      message=f"the printed program does not read back: {error}")
    verified = not failing(parsed, task.examples)
    if not verified:
        return Result(task.name, Status.ERROR, program, text, stats, verified=False,
                      message="the printed program, run by the interpreter, misses an example (a semantics bug?)")
    test_correct = not failing(parsed, task.tests) if task.tests else None
    message = "" if test_correct is not False else \
        f"wrong on {len(failing(parsed, task.tests))} of {len(task.tests)} held-out tests"
    return Result(task.name, verdict(task, test_correct), program, text, stats, verified=True,
                  test_correct=test_correct, message=message, input_names=("tokens",))


def failing(program, examples) -> list[int]:
    """Indices of the examples the interpreter's run of `program` gets wrong (or fails on)."""
    wrong = []
    for index, example in enumerate(examples):
        try:
            out = run(program, list(example.inputs[0]))
        except NesyInputError:
            wrong.append(index)
            continue
        if not same_sequences([tuple(out)], [example.output]):
            wrong.append(index)
    return wrong


__all__ = ["synthesize", "checked", "leaves"]
