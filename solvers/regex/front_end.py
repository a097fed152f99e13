"""Regexes from positive and negative strings on the shared bottom-up engine, checked by Z3.

A regex's value on a sample is its span matrix (`solvers.regex.spans`), so the engine's observational
equivalence keeps one regex per distinct behaviour on every substring of the sample, and a value is a
solution when it accepts the positives and rejects the negatives. Search runs on a few examples first;
the examples its answer gets wrong are added and search runs again (counterexample-guided), which
keeps values small and behaviours few. Every answer is re-checked by the derivative matcher and Z3.
Every phase (the field template, each round's span-matrix set-up and search, the checks) runs
inside the task's one budget.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from dsl.core import BOOL, STRING, Dsl, Example, Op, Program, Task, Type
from dsl.errors import NesyInputError
from dsl.regex import ops as rx
from dsl.regex.charset import ANY, DIGIT, CharSet
from dsl.regex.matcher import matches
from dsl.regex.printer import to_everyday
from dsl.regex.tasks import alphabet_of
from solvers.search.budget import Budget, BudgetExhausted, checkpoint, task_budget
from solvers.search.cegis import search_growing_subset
from solvers.search.enumeration import BottomUpSearch, SearchConfig, SearchOutcome, SearchRun, memory_limit
from solvers.search.guide import Guide
from solvers.search.joins import Join
from solvers.regex.chains import ChainJoin
from solvers.regex.contexts import ContextJoin
from solvers.regex.checking import z3_classifies
from solvers.regex.fields import STYLES, concatenation, optional_tail_pieces, template_pieces, widened
from solvers.regex.numeric import bounded_field_template
from solvers.regex.spans import SpanAlgebra
from solvers.search.result import Result, SearchStats, Status
from solvers.search.driver import SynthesisOptions, check_grace, verdict
from solvers.search.value_pool import ValuePool

SPANS = Type("RegexSpans")   # the search-time type: a span matrix over the current sample
SMALL_ALPHABET = 4           # up to this many symbols, leaves are the symbols and X (AlphaRegex's setting)
# Classes offered on larger alphabets, when they contain some character of the sample.
CLASSES: tuple[CharSet, ...] = (
    DIGIT, CharSet.of([("a", "z")]), CharSet.of([("A", "Z")]), CharSet.of([("A", "Z"), ("a", "z")]),
    CharSet.of([("0", "9"), ("A", "Z"), ("a", "z")]), ANY,
)
# After a join's answer, enumeration goes on for this fraction of the time spent so far, looking for
# a smaller regex (a join's answer is usually already small, so a short look is enough).
IMPROVE_FACTOR = 0.5
COUNTS = (2, 3, 4)           # r{k} offered on larger alphabets (dates, codes, phone numbers)
TEMPLATE_SHARE = 0.5         # the field template may take this share of the time, search the rest
CONTEXT_SETUP_SHARE = 0.25   # a round's context join may take this share of its time to set up
MATCHES_PER_CHECK = 64       # strings matched between budget checks
# (pool, level just finished, budget check that raises when the budget is spent) -> a regex or None
LevelHook = Callable[[ValuePool, int, Callable[[], None]], "Program | None"]


@dataclass(frozen=True)
class RegexVocabulary:
    """What a regex may be built from: leaf classes, and whether `r+` and `r{k}` are offered."""

    leaves: tuple[CharSet, ...]
    plus: bool = True
    counts: tuple[int, ...] = ()

    @staticmethod
    def for_task(task: Task) -> "RegexVocabulary":
        """The alphabet's symbols (and X) for small alphabets; else the sample's characters and classes."""
        alphabet = alphabet_of(task) or "".join(sorted({c for e in task.examples for c in e.inputs[0]}))
        if 0 < len(alphabet) <= SMALL_ALPHABET:
            return RegexVocabulary(tuple(CharSet.of(c) for c in alphabet) + (ANY,))
        used = sorted({c for e in task.examples if e.output for c in e.inputs[0]})
        classes = tuple(cs for cs in CLASSES if any(c in cs for c in used))
        return RegexVocabulary(tuple(CharSet.of(c) for c in used) + classes, counts=COUNTS)


@dataclass
class _SearchOps:
    """Span-matrix ops for one sample, and how each maps back to a regex AST node."""

    ops: list[Op]
    builders: dict[Op, Callable[..., Program]]

    def to_regex(self, program: Program) -> Program:
        return self.builders[program.head](*(self.to_regex(c) for c in program.children))


def _search_ops(algebra: SpanAlgebra, vocabulary: RegexVocabulary) -> _SearchOps:
    ops: list[Op] = []
    builders: dict[Op, Callable[..., Program]] = {}

    def add(op: Op, builder: Callable[..., Program]) -> None:
        ops.append(op)
        builders[op] = builder

    for charset in vocabulary.leaves:
        value = algebra.chars(charset)
        add(Op(f"chars:{charset.everyday()}", (), SPANS, lambda v=value: v),
            lambda c=charset: rx.leaf(c))
    identity = algebra.identity
    add(Op("eps", (), SPANS, lambda: identity), lambda: Program(rx.EPSILON))
    add(Op("union", (SPANS, SPANS), SPANS, int.__or__, commutative=True),
        lambda a, b: rx.apply(rx.UNION, a, b))
    add(Op("concat", (SPANS, SPANS), SPANS, algebra.concat), lambda a, b: rx.apply(rx.CONCAT, a, b))
    add(Op("star", (SPANS,), SPANS, algebra.star), lambda a: rx.apply(rx.STAR, a))
    add(Op("optional", (SPANS,), SPANS, algebra.optional), lambda a: rx.apply(rx.OPTIONAL, a))
    if vocabulary.plus:
        add(Op("plus", (SPANS,), SPANS, algebra.plus), lambda a: rx.apply(rx.PLUS, a))
    for k in vocabulary.counts:
        add(Op(f"repeat{{{k}}}", (SPANS,), SPANS, lambda v, k=k: algebra.repeat(v, k, k)),
            lambda a, k=k: rx.apply(rx.repeat(k, k), a))
    return _SearchOps(ops, builders)


_CLOSED = {"star", "plus", "optional"}   # r** = r*, (r?)* = r*, (r+)? = r*, ...: the outer one adds nothing


def normal_form(op: Op, position: int, child: Program) -> bool:
    """May `child` stand at `position` of `op`? Concatenation and union chains are built right-nested
    only, and a star/plus/optional/repeat is never put directly on a star/plus/optional. Each
    excluded regex has an equal one at no greater cost that search still builds (by associativity,
    commutativity or the closure identities), so no language is lost."""
    name, child_name = op.name, child.head.name
    if name in ("concat", "union"):
        return position == 1 or child_name != name
    if name in _CLOSED:
        return child_name not in _CLOSED
    if name.startswith("repeat"):
        return child_name not in ("star", "plus")
    return True


def _spread(indices: Sequence[int], size: int) -> list[int]:
    if len(indices) <= size:
        return list(indices)
    step = len(indices) / size
    return [indices[int(i * step)] for i in range(size)]


def _initial_sample(examples: Sequence[Example], size: int) -> list[int]:
    """A few positives and a few negatives, spread over each list (shortest strings first)."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i].inputs[0]), examples[i].inputs[0]))
    positive = [i for i in order if examples[i].output]
    negative = [i for i in order if not examples[i].output]
    return sorted(set(_spread(positive, size) + _spread(negative, size)))


def wrong_examples(program: Program, examples: Sequence[Example]) -> list[int]:
    """Indices of the examples the regex classifies wrongly, by the derivative matcher."""
    term = rx.to_term(program)
    wrong = []
    for i, e in enumerate(examples):
        if not i % MATCHES_PER_CHECK:
            checkpoint()
        if matches(term, e.inputs[0]) != e.output:
            wrong.append(i)
    return wrong


class _Refuted(Exception):
    """A join's answer on the sample that the derivative matcher finds wrong on other examples:
    the round ends at once (improving it would be wasted work) and the driver adds those examples."""

    def __init__(self, program: Program, values: int) -> None:
        super().__init__()
        self.program, self.values = program, values


def search_regex(task: Task, sample: Sequence[Example], vocabulary: RegexVocabulary, config: SearchConfig,
                 guide: Guide | None = None, examples: Sequence[Example] = (),
                 budget: Budget | None = None) -> tuple[SearchOutcome, Program | None]:
    """One bottom-up search on `sample` within `budget` (by default a fresh one from `config`);
    returns the engine's outcome and the AST of its answer. A join's answer that misclassifies
    one of `examples` ends the search at once. A set-up the budget cannot hold (span matrices
    of long strings) gives a TIMEOUT outcome."""
    started = time.monotonic()
    if budget is None:
        budget = Budget(config.timeout, config.max_candidates, config.max_memory_mb)
    try:
        with budget.active():
            algebra, search_ops, goal, joins = _set_up(sample, vocabulary, budget)
    except BudgetExhausted as exhausted:
        return SearchOutcome(Status.TIMEOUT, None, SearchStats(seconds=time.monotonic() - started),
                             f"stopped at the {exhausted.which}"), None
    search_task = Task(task.name, (), SPANS, (Example((), None),))
    hook = _cheapest_of(joins)
    if examples:
        hook = _refuting(hook, search_ops, examples)
    engine = BottomUpSearch(search_ops.ops, [], replace(config, unify=False, joins=False,
                                                           improve_factor=IMPROVE_FACTOR),
                            guide, goal=lambda vector: goal(vector[0]), joins=lambda run, costs: [_HookJoin(hook)],
                            child_filter=normal_form)
    try:
        outcome = engine.run(search_task, budget.round())   # its own clock: set-up time is not improving time
    except _Refuted as refuted:
        # Candidates are not counted past the engine; the values it kept are a lower bound.
        stats = SearchStats(refuted.values, refuted.values, time.monotonic() - started)
        outcome = SearchOutcome(Status.SOLVED, refuted.program, stats)
    regex = search_ops.to_regex(outcome.program) if outcome.program is not None else None
    return outcome, regex


def _set_up(sample: Sequence[Example], vocabulary: RegexVocabulary,
            budget: Budget) -> tuple[SpanAlgebra, _SearchOps, Callable[[int], bool], tuple[LevelHook, ...]]:
    """The span algebra of the sample, its search ops, the goal and the joins. The context join
    (substring atoms, quadratic in string length) gets a share of the time; when it does not fit,
    search goes on with the chain join alone."""
    algebra = SpanAlgebra.for_sample([e.inputs[0] for e in sample])
    search_ops = _search_ops(algebra, vocabulary)
    positive = [e.inputs[0] for e in sample if e.output]
    negative = [e.inputs[0] for e in sample if not e.output]
    goal = algebra.acceptance_goal(positive, negative)
    by_name = {op.name: op for op in search_ops.ops}
    joins: tuple[LevelHook, ...] = (ChainJoin(algebra, positive, negative, by_name["concat"], SPANS),)
    try:
        with budget.share(CONTEXT_SETUP_SHARE).active():
            joins += (ContextJoin(algebra, positive, negative, by_name, SPANS),)
    except BudgetExhausted:
        budget.check()      # the round's own limits; a spent share alone only drops the join
    return algebra, search_ops, goal, joins


class _HookJoin(Join):
    """The regex joins on the engine's join protocol: after each level, offer what they found."""

    def __init__(self, hook: LevelHook) -> None:
        self.hook = hook

    def after_level(self, run: SearchRun, level: int) -> None:
        program = self.hook(run.pool, level, run.check)
        if program is not None:
            run.offer(program)


def _cheapest_of(joins: Sequence[LevelHook]) -> LevelHook:
    """One level hook that runs every join and keeps the smallest regex any of them found."""
    def hook(pool: ValuePool, level: int, check_budget: Callable[[], None]) -> Program | None:
        found = [program for join in joins if (program := join(pool, level, check_budget)) is not None]
        return min(found, key=lambda p: p.size, default=None)
    return hook


def _refuting(hook: LevelHook, search_ops: _SearchOps, examples: Sequence[Example]) -> LevelHook:
    """`hook`, raising `_Refuted` when its answer misclassifies one of `examples`."""
    right: set[Program] = set()

    def checked(pool: ValuePool, level: int, check_budget: Callable[[], None]) -> Program | None:
        program = hook(pool, level, check_budget)
        if program is not None and program not in right:
            if wrong_examples(search_ops.to_regex(program), examples):
                raise _Refuted(program, pool.size)
            right.add(program)   # right on every example: checked once
        return program
    return checked


def synthesize_regex_task(task: Task, dsl: Dsl | None = None, options: SynthesisOptions = SynthesisOptions(),
                          guide: Guide | None = None) -> Result:
    """A regex that accepts the task's True strings and rejects its False ones, checked by Z3.

    On large alphabets a field-by-field template (`solvers.regex.fields`) is tried first; otherwise,
    or when it admits a negative, the answer is the smallest regex (fewest AST nodes) over the
    vocabulary. Search runs on `options.subset_size` positives and as many negatives first, adding
    the examples its answer gets wrong (counterexample-guided).

    Example:
        >>> from dsl.regex.tasks import regex_task
        >>> task = regex_task("ends01", ["01", "101", "001", "1101"], ["0", "10", "011", "1", "010"], "01")
        >>> synthesize_regex_task(task).program_text
        '.*01'
    """
    if len(task.inputs) != 1 or task.inputs[0].type != STRING or task.output_type != BOOL:
        raise NesyInputError(f"task {task.name!r}: a regex task maps one string to True (accept) or False "
                             f"(reject), not ({', '.join(str(v.type) for v in task.inputs)}) -> {task.output_type}")
    config = options.config
    with task_budget(config.timeout, config.max_candidates, config.max_memory_mb) as budget:
        try:
            return _synthesize(task, options, guide, budget)
        except BudgetExhausted as exhausted:
            return _stopped(task, budget, exhausted.which)
        except MemoryError:
            return _stopped(task, budget, f"{memory_limit(budget)}: an allocation failed")


def _stopped(task: Task, budget: Budget, which: str) -> Result:
    stats = SearchStats(seconds=budget.elapsed(), peak_memory_mb=budget.peak_memory_mb)
    return Result(task.name, Status.TIMEOUT, stats=stats, message=f"stopped at the {which}")


def _synthesize(task: Task, options: SynthesisOptions, guide: Guide | None, budget: Budget) -> Result:
    examples = tuple(dict.fromkeys(task.examples))
    clash = {e.inputs for e in examples if e.output} & {e.inputs for e in examples if not e.output}
    if clash:
        return Result(task.name, Status.NO_SOLUTION,
                      message=f"{next(iter(clash))[0]!r} is both a positive and a negative string")
    vocabulary = RegexVocabulary.for_task(task)
    if vocabulary.counts:
        positive = [e.inputs[0] for e in examples if e.output]
        template = _template_within(positive, examples, budget)
        if template is not None:
            stats = SearchStats(seconds=budget.elapsed(), peak_memory_mb=budget.peak_memory_mb)
            return _checked(task, template, stats, options.verify_with_z3, budget)
    config = options.config

    def search(chosen: list[int], round_budget: Budget) -> tuple[SearchOutcome, Program | None]:
        return search_regex(task, [examples[i] for i in chosen], vocabulary, config, guide, examples, round_budget)

    found = search_growing_subset(_initial_sample(examples, options.subset_size), budget,
                                  search, lambda regex: wrong_examples(regex, examples), min_added=2)
    if found.answer is None:
        return found.failure(task.name)
    return _checked(task, found.answer, found.stats, options.verify_with_z3, budget)


def _template_within(positive: Sequence[str], examples: Sequence[Example], budget: Budget) -> Program | None:
    """`_form_template` in a share of the time (its Z3 bounds included); None when the share runs out."""
    try:
        with budget.share(TEMPLATE_SHARE).active():
            return _form_template(positive, examples)
    except BudgetExhausted:
        budget.check()
        return None


def _form_template(positive: Sequence[str], examples: Sequence[Example]) -> Program | None:
    """A field-by-field regex that classifies every example, or None: the plain template widened
    where no negative objects, else with numeric bounds (day <= 31), else with the text every value
    of a field starts with kept literally (`0x` in `0x[0-9a-f]+`), else column by column, else as
    a union of the run shapes seen (see `solvers.regex.fields._field`); for positives of two shapes, one
    cut short at a separator, the longer shape's rest is optional (`\\$\\d+(\\.\\d{2})?`)."""
    negatives = [e for e in examples if not e.output]

    def rejects(regex: Program) -> bool:
        return not wrong_examples(regex, negatives)

    pieces = template_pieces(positive)
    if pieces is None:
        pieces = optional_tail_pieces(positive)
        shortened = None if pieces is None else widened(pieces, rejects)
        return shortened if shortened is not None and not wrong_examples(shortened, examples) else None
    if rejects(concatenation(pieces)):
        return widened(pieces, rejects)
    bounded = bounded_field_template(positive, [e.inputs[0] for e in negatives])
    if bounded is not None and not wrong_examples(bounded, examples):
        return bounded
    for style in STYLES[1:]:
        pieces = template_pieces(positive, style)
        if pieces is not None and not wrong_examples(concatenation(pieces), examples):
            return widened(pieces, rejects)
    return None


def _checked(task: Task, regex: Program, stats: SearchStats, verify_with_z3: bool, budget: Budget) -> Result:
    """The result of a regex that classifies the examples: Z3's check and the held-out tests, in
    the time left (and `check_grace`); a check the time runs out on gives a TIMEOUT with the regex."""
    positive = [e.inputs[0] for e in task.examples if e.output]
    negative = [e.inputs[0] for e in task.examples if not e.output]
    verified = test_correct = None
    try:
        with check_grace(budget).active():
            verified = z3_classifies(regex, positive, negative) if verify_with_z3 else None
            if verified is False:
                return Result(task.name, Status.ERROR, regex, to_everyday(regex), stats, verified=False,
                              message="Z3 disagrees with the matcher on this regex (a semantics bug?)")
            if task.tests:
                test_correct = not wrong_examples(regex, task.tests)
    except BudgetExhausted as exhausted:
        return Result(task.name, Status.TIMEOUT, regex, to_everyday(regex), stats, verified=verified,
                      message=f"stopped at the {exhausted.which} while checking a regex that fits every example")
    return Result(task.name, verdict(task, test_correct), regex, to_everyday(regex), stats, verified=verified,
                  test_correct=test_correct)
