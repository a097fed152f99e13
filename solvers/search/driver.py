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
from typing import Any, Callable, Sequence

from dsl.core import Const, Dsl, Example, Op, Program, Task, evaluate, resolve
from dsl.errors import NesyInputError
from solvers.search.budget import Budget, BudgetExhausted, task_budget
from solvers.search.cegis import search_growing_subset, spread_subset
from solvers.search.checking import failing_examples
from solvers.search.enumeration import BottomUpSearch, SearchConfig, SearchOutcome, leaves_for, memory_limit
from solvers.search.guide import Guide
from solvers.search.ranking import Candidate, Ranked, Ranker, SearchOrderRanker, distinct_behaviours, \
    distinguishing_row, rank
from solvers.search.result import Alternative, Result, SearchStats, Status

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
    # Ranking: search keeps up to `solutions` programs that fit, told apart on `probes` rows (the
    # task's unlabelled inputs first, then rows the DSL makes up), and `ranker` picks one. Off
    # (`rank=False`): the first program search finds, as plain enumeration.
    rank: bool = True
    ranker: Ranker | None = None       # None: search's own order (`SearchOrderRanker`)
    solutions: int = 32
    probes: int = 6
    alternatives: int = 5              # runners-up the result reports
    noise: int = 0                     # examples that may be wrong (typos): `solvers.search.noise`
    # literals read off other examples than the task's own (noise: the left-out ones), searched
    # at the cost of extracted literals
    extra_literals: tuple[Const, ...] = ()

    def __post_init__(self) -> None:
        for name in ("subset_size", "solutions", "alternatives"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise NesyInputError(f"{name} must be a whole number >= 1, not {value!r}")
        for name in ("probes", "noise"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise NesyInputError(f"{name} must be a whole number >= 0, not {value!r}")


def synthesize_task(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                    guide: Guide | None = None) -> Result:
    """A checked result for `task`: the DSL's own front end if it has one, else `enumerate_task`;
    either runs inside the task's budget, made here."""
    config = options.config
    if options.noise > 0:
        return _allowing_errors(task, dsl, options, guide)
    with task_budget(config.timeout, config.max_candidates, config.max_memory_mb):
        if dsl.front_end is not None:
            return resolve(dsl.front_end)(task, dsl, options, guide)
        return enumerate_task(task, dsl, options, guide)


def _allowing_errors(task: Task, dsl: Dsl, options: SynthesisOptions, guide: Guide | None) -> Result:
    """`synthesize_task` that may treat up to `options.noise` examples as wrong."""
    from solvers.search.noise import synthesize_allowing_errors

    config = options.config
    # A left-out example still shows the literals the program needs ("FALSE" when another
    # example's typo reads "FALE"): every run searches the literals of all the examples.
    with task_budget(config.timeout, None, config.max_memory_mb) as budget:
        _, literals = constants_for(dsl, task, options.extract_constants, budget)
    if options.extract_constants and task.grammar.allow_extracted_constants:
        literals += _short_outputs(task, [c.value for c in literals])

    def solve(sub_task: Task, seconds: float, max_candidates: int, tolerate: int = 0,
              edits: int = SearchConfig.tolerate_edits) -> Result:
        """One exact synthesis; with `tolerate`, a scout: the first program that gets at most that
        many examples wrong, each by at most `edits` characters, without collecting alternatives
        for a ranker."""
        cap = max_candidates if config.max_candidates is None else min(max_candidates, config.max_candidates)
        exact = replace(options, noise=0, extra_literals=tuple(literals), alternatives=NOISE_ALTERNATIVES,
                        config=replace(config, timeout=max(seconds, 1e-3), max_candidates=cap, tolerate=tolerate,
                                       tolerate_edits=edits))
        if tolerate:
            # the scout: no checker (it rejects the example the program calls wrong; the run the
            # scout points to checks), no decision trees (they fit a typo by a special case)
            exact = replace(exact, probes=0, verify_with_z3=False, config=replace(exact.config, unify=False))
        return synthesize_task(sub_task, dsl, exact, guide)

    def recheck(sub_task: Task, program: Program, stats: SearchStats, seconds: float) -> Result:
        """The checked Result of a runner-up or the scout's program on the examples it fits, in
        the `seconds` the task has left (`checked_result` adds the grace any answer's checks get)."""
        budget = Budget(seconds, None, config.max_memory_mb)
        return checked_result(sub_task, dsl, program, stats, replace(options, noise=0), budget)

    return synthesize_allowing_errors(task, options.noise, solve, config.timeout, recheck)


NOISE_ALTERNATIVES = 16       # runners-up of each leave-out run that compete with its pick
NOISE_OUTPUT_LITERALS = 6     # short outputs searched as literals when noise is allowed ...
NOISE_OUTPUT_LENGTH = 10      # ... of at most this many characters


def _short_outputs(task: Task, known: list) -> list[Const]:
    """Short string outputs one edit apart from another output ("FALE" and "FALSE"), as literals:
    with one output a typo, the right one may occur only once, and literal extraction wants text
    that two outputs share. Outputs far from every other one are not added: as literals they only
    let search memorise examples."""
    outputs = [e.output for e in task.examples if isinstance(e.output, str) and 0 < len(e.output) <= NOISE_OUTPUT_LENGTH]
    found: list[Const] = []
    for out in dict.fromkeys(outputs):
        if out not in known and len(found) < NOISE_OUTPUT_LITERALS and \
                any(other != out and _one_edit_apart(out, other) for other in outputs):
            known.append(out)
            found.append(Const(out, task.output_type))
    return found


def _one_edit_apart(a: str, b: str) -> bool:
    """One character replaced, inserted or deleted turns `a` into `b`."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


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


def probe_inputs(dsl: Dsl, task: Task, options: SynthesisOptions) -> tuple[tuple[tuple, ...], int]:
    """The rows search tells programs apart on: the task's unlabelled inputs, then rows the DSL
    makes up, `options.probes` in all; and how many of them are the user's own. None when
    ranking is off, the examples are the whole spec (any program that fits is right), or the
    task has more examples than one search round takes (they pin the program down; probes would
    only slow the rounds)."""
    if (not options.rank or options.probes == 0 or len(task.examples) > options.subset_size or task.spec
            or task.examples_are_spec):
        return (), 0
    own = tuple(row for row in dict.fromkeys(task.unlabelled)
                if row not in {e.inputs for e in task.examples})[:options.probes]
    made: tuple[tuple, ...] = ()
    if dsl.probe_maker is not None and len(own) < options.probes:
        made = resolve(dsl.probe_maker)(replace(task, unlabelled=own), options.probes - len(own))
    return own + made, len(own)


def fitting_candidates(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                       guide: Guide | None = None) -> tuple[tuple[tuple, ...], list[Candidate]]:
    """The probe rows of `task` and every distinct program search finds that fits all its
    examples (what a ranker chooses from; empty when search found none), within the task's
    budget. For training and measuring rankers."""
    config = options.config
    with task_budget(config.timeout, config.max_candidates, config.max_memory_mb) as budget:
        try:
            searched = _search(task, dsl, options, guide, budget)
            if isinstance(searched, Result) or searched[0].answer is None:
                return (), []
            found, task, probes, _ = searched
            return probes, candidates_of(found.answer, task, probes, check_grace(budget))
        except (BudgetExhausted, MemoryError):
            return (), []


def candidates_of(outcome: SearchOutcome, task: Task, probes: Sequence[tuple],
                  budget: Budget) -> list[Candidate]:
    """Every distinct program of `outcome` that fits all of `task`'s examples, with its outputs
    on the probe rows (None where it raised), in the order search found them: direct matches,
    then the joins' solutions, search's own pick first."""
    names = [v.name for v in task.inputs]
    envs = [dict(zip(names, row)) for row in probes]
    seen: set[Program] = set()
    candidates: list[Candidate] = []
    pick = outcome.program
    joined_doubt = dict(outcome.joined)
    entries = [(pick, joined_doubt.get(pick, 0), pick in joined_doubt)] if pick is not None else []
    entries += [(p, 0, False) for p in outcome.direct] + [(p, d, True) for p, d in outcome.joined]
    for program, doubt, joined in entries:
        if program in seen:
            continue
        seen.add(program)
        if program is not pick and failing_within(program, task, task.examples, budget):
            continue
        candidates.append(Candidate(program, tuple(_output(program, env) for env in envs), doubt, joined,
                                    len(candidates)))
    return candidates


def _output(program: Program, env: dict) -> object:
    try:
        return evaluate(program, env)
    except Exception:
        return None


def _search(task: Task, dsl: Dsl, options: SynthesisOptions, guide: Guide | None,
            budget: Budget) -> "Result | tuple[Any, Task, tuple[tuple, ...], int]":
    """Search (counterexample-guided on a growing subset): what it found, the task without
    repeated examples, the probe rows and how many are the user's; a Result when the examples
    contradict each other."""
    examples, contradiction = distinct_examples(task)
    if contradiction:
        return Result(task.name, Status.NO_SOLUTION, message=contradiction)
    task = replace(task, examples=examples)
    ops = ops_for(dsl, task)
    base, extracted = constants_for(dsl, task, options.extract_constants, budget)
    extracted += [c for c in options.extra_literals if c not in base and c not in extracted]
    leaves = leaves_for(task.inputs, base, extra_constants=extracted, extra_cost=EXTRACTED_CONSTANT_COST)
    joins = resolve(dsl.joins) if dsl.joins is not None else None
    probes, own_rows = probe_inputs(dsl, task, options)
    config = replace(options.config, solutions=options.solutions) if probes else options.config

    def search(chosen: list[int], round_budget: Budget) -> tuple[SearchOutcome, SearchOutcome | None]:
        sub_task = replace(task, examples=tuple(examples[i] for i in chosen))
        engine = BottomUpSearch(ops, leaves, config, guide, joins=joins, value_filters=dsl.value_filters)
        outcome = engine.run(sub_task, round_budget, probes)
        return outcome, outcome if outcome.program is not None else None

    tolerate = options.config.tolerate

    def wrong_on_all(outcome: SearchOutcome) -> list[int]:
        wrong = failing_within(outcome.program, task, examples, check_grace(budget))
        return [] if len(wrong) <= tolerate and len(examples) - len(wrong) >= 2 else wrong

    found = search_growing_subset(spread_subset(len(examples), options.subset_size), budget, search, wrong_on_all)
    return found, task, probes, own_rows


def _enumerate(task: Task, dsl: Dsl, options: SynthesisOptions, guide: Guide | None, budget: Budget) -> Result:
    searched = _search(task, dsl, options, guide, budget)
    if isinstance(searched, Result):
        return searched
    found, task, probes, own_rows = searched
    if found.answer is None:
        return found.failure(task.name)
    if not probes:
        result = checked_result(task, dsl, found.answer.program, found.stats, options, budget)
        return replace(result, doubt=dict(found.answer.joined).get(found.answer.program, 0))
    try:
        candidates = candidates_of(found.answer, task, probes, check_grace(budget))
        ranked = rank(options.ranker or SearchOrderRanker(), task, probes, candidates)
    except BudgetExhausted:
        ranked = [Ranked(Candidate(found.answer.program, ()), 0.0)]
    result = checked_result(task, dsl, ranked[0].program, found.stats, options, budget)
    return with_alternatives(result, task, dsl, ranked, probes, own_rows, options.alternatives)


def with_alternatives(result: Result, task: Task, dsl: Dsl, ranked: Sequence[Ranked], probes: Sequence[tuple],
                      own_rows: int, count: int) -> Result:
    """`result` with its ranker score, the runners-up that behave differently on the probe rows,
    and the probe row on which the top two disagree (the row to check next)."""
    distinct = distinct_behaviours(ranked)
    alternatives = tuple(Alternative(r.program, dsl.format_solution(task, r.program), r.score, r.candidate.doubt)
                         for r in distinct[1:count + 1])
    row = distinguishing_row(distinct, probes, own_rows)
    ask = None
    if row is not None:
        ask = (probes[row], distinct[0].candidate.probe_outputs[row],
               next(r.candidate.probe_outputs[row] for r in distinct[1:]
                    if r.candidate.probe_outputs[row] != distinct[0].candidate.probe_outputs[row]))
    return replace(result, score=ranked[0].score, doubt=ranked[0].candidate.doubt, alternatives=alternatives,
                   distinguishing=ask,
                   distinguishing_is_own=row is not None and row < own_rows)


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
    seconds (2% of a long timeout), so an answer found at the deadline still gets its checks.
    Checks build no candidates: the candidate limit, which search may have used up, is not theirs."""
    least = max(CHECK_GRACE, 0.02 * budget.root.seconds)
    return Budget(max(budget.remaining(), least), None, budget.root.max_memory_mb)


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
    return Result(task.name, verdict(task, test_correct), program, text, stats, verified=verified,
                  test_correct=test_correct, input_names=tuple(v.name for v in task.inputs))


def verdict(task: Task, test_correct: bool | None) -> Status:
    """SOLVED when the held-out tests pass, or when the examples are the task's whole spec;
    otherwise the program only FITS the examples."""
    if test_correct or (test_correct is None and task.examples_are_spec):
        return Status.SOLVED
    return Status.FITS
