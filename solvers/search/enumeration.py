"""Cost-ordered bottom-up enumeration with observational equivalence.

Programs are built cheapest first: every value of cost c is an op applied to values whose costs add
up to c minus the op's cost. A value is the vector of outputs on the examples, and only the first
(cheapest) program per vector is kept, so the pools grow with the number of *behaviours*, not of
programs. A DSL adds what the engine cannot know: joins that assemble a solution from the values
kept so far (`solvers.search.joins`), value filters, and a goal when a solution is not simply "the
vector equals the outputs". The engine itself knows no DSL and no op by name.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import math
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from dsl.core import Const, Op, Program, Task, Type, ValueFilters, Var, evaluate
from dsl.errors import NesyInputError
from solvers.search.budget import Budget, BudgetExhausted
from solvers.search.edits import output_edits
from solvers.search.guide import Guide, UniformGuide
from solvers.search.joins import Join, JoinFactory
from solvers.search.result import SearchStats, Status
from solvers.search.value_pool import Level, ValuePool, Vector

CHECK_EVERY = 512           # candidates between budget checks (fewer when values are large:)
CHECK_BYTES = 1 << 21       # ... about this many bytes of leaf values go into the candidates between checks
# After a first solution, search goes on for alternatives (a smaller join, other programs that fit)
# for a number of *candidates*, never a share of the clock, so the answer does not depend on how
# busy the machine is; the time limit only cuts search short.
IMPROVE_MIN_CANDIDATES = 20_000   # at least this many more candidates after a first joined solution
DOUBT_GROWTH = 10.0               # a joined solution in doubt: search on for 10x the candidates so far
ALTERNATIVE_GROWTH = 4.0          # collecting for a ranker: after a first solution, 4x the candidates so far
ALTERNATIVE_LEVELS = 4            # ... and no more than this many cost levels past it
ALTERNATIVE_MIN_CANDIDATES = 1_000_000   # ... and at least this many more (about a second)
DOUBT_COLLECT_GROWTH = 50.0       # every solution in doubt: 50x the candidates so far
DOUBT_COLLECT_MIN = 20_000_000    # ... and at least this many more (the time limit cuts it short)


@dataclass(frozen=True)
class SearchConfig:
    """Every budget and switch of one search, with defaults that suit 10-second tasks."""

    timeout: float = 10.0
    max_candidates: int | None = None
    max_memory_mb: float | None = 4096.0
    max_cost: int = 40
    unify: bool = True                  # conditional solutions (a DSL's decision-tree join)
    joins: bool = True                  # the DSL's other joins (e.g. concatenation of pieces)
    improve_factor: float = 1.0         # after a first joined solution, search on this much longer
    solutions: int = 1                  # distinct programs that fit to collect (> 1: for a ranker)
    # examples a program may get wrong and still count as a match (noise's scout: one search finds
    # the program a typo hides, and which examples it calls wrong); 0: exact
    tolerate: int = 0
    tolerate_edits: int = 2             # ... each off by at most this many character edits (a typo's few)

    def __post_init__(self) -> None:
        """Refuse budgets that would turn a limit off or make no sense (NaN, inf, 0, negatives)."""
        _require(_is_number(self.timeout) and math.isfinite(self.timeout) and self.timeout > 0,
                 "timeout", self.timeout, "a finite number of seconds > 0")
        _require(self.max_candidates is None or (_is_integer(self.max_candidates) and self.max_candidates >= 1),
                 "max_candidates", self.max_candidates, "None or a whole number >= 1")
        _require(self.max_memory_mb is None or (_is_number(self.max_memory_mb) and math.isfinite(self.max_memory_mb)
                                                and self.max_memory_mb > 0),
                 "max_memory_mb", self.max_memory_mb, "None or a finite number of MB > 0")
        _require(_is_integer(self.max_cost) and self.max_cost >= 1, "max_cost", self.max_cost, "a whole number >= 1")
        _require(_is_integer(self.tolerate) and self.tolerate >= 0, "tolerate", self.tolerate, "a whole number >= 0")
        _require(_is_integer(self.tolerate_edits) and self.tolerate_edits >= 1, "tolerate_edits",
                 self.tolerate_edits, "a whole number >= 1")
        _require(_is_number(self.improve_factor) and math.isfinite(self.improve_factor) and self.improve_factor >= 0,
                 "improve_factor", self.improve_factor, "a finite number >= 0")
        _require(_is_integer(self.solutions) and self.solutions >= 1, "solutions", self.solutions,
                 "a whole number >= 1")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require(holds: bool, name: str, value: Any, wanted: str) -> None:
    if not holds:
        raise NesyInputError(f"search budget {name} must be {wanted}, not {value!r}")


# (op, argument position, candidate child program) -> may search use it there?
ChildFilter = Callable[[Op, int, "Program"], bool]


@dataclass(frozen=True)
class Leaf:
    """A variable or constant that search starts from, at a cost."""

    program: Program
    cost: int


@dataclass
class SearchOutcome:
    """What one run found: `program` is search's own pick; with `SearchConfig.solutions` > 1,
    `direct` holds every enumerated program that fits (distinct on the examples and the probe
    rows, cheapest first) and `joined` the joins' solutions with their leave-one-out errors."""

    status: Status
    program: Program | None
    stats: SearchStats
    message: str = ""
    direct: tuple[Program, ...] = ()
    joined: tuple[tuple[Program, int], ...] = ()


class _Found(Exception):
    def __init__(self, program: Program | None) -> None:
        super().__init__()
        self.program = program


def compositions(total: int, parts: int, minimum: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """All ways to write `total` as an ordered sum of `parts` integers, part i >= minimum[i].

    >>> list(compositions(4, 2, [1, 1]))
    [(1, 3), (2, 2), (3, 1)]
    """
    if parts == 1:
        if total >= minimum[0]:
            yield (total,)
        return
    rest_min = sum(minimum[1:])
    for first in range(minimum[0], total - rest_min + 1):
        for rest in compositions(total - first, parts - 1, minimum[1:]):
            yield (first, *rest)


@dataclass
class SearchRun:
    """The state of one run, and the view of it that joins get.

    Joins read the task, the target, the example environments and the pool, call `check` between
    steps of their own (it raises when a budget is spent), and hand in what they build with
    `offer` (`doubt`: how many examples a leave-one-out check got wrong; 0 when certain).

    `envs` holds the examples first, then the probe rows: a vector has one value per env, and
    only its first `len(target)` values are compared with the target (zip with the target reads
    exactly those)."""

    task: Task
    target: Vector
    config: SearchConfig
    budget: Budget
    envs: list[dict[str, Any]]
    pool: ValuePool = field(default_factory=ValuePool)
    candidates: int = 0
    allowed: dict[tuple[Op, int, int], Level] = field(default_factory=dict)  # child_filter's verdicts
    best: Program | None = None          # best joined solution
    best_doubt: int = 0                  # its leave-one-out errors
    improve_until: float = math.inf      # candidates at which to stop improving `best`
    joined: list[tuple[Program, int]] = field(default_factory=list)  # every joined solution offered
    direct: list[Program] = field(default_factory=list)             # enumerated programs that fit
    first_direct_level: int = 0           # the level of the first solution (direct or joined)
    level: int = 0                        # the level being built
    certain_seen: bool = False            # a direct match, or a join with no leave-one-out error
    alternatives_until: float = math.inf  # candidates at which to stop collecting direct matches
    check_every: int = CHECK_EVERY       # candidates between budget checks (`note_value_size`)
    value_bytes: int = 0                 # the largest leaf value seen, in bytes
    skipped_for_memory: int = 0          # candidates whose value an op could not allocate

    def note_value_size(self, vector: Vector) -> None:
        """Check the budget more often when leaf values are large: one op call on a megabyte
        string takes a millisecond and may make a value three times that size."""
        size = sum(map(sys.getsizeof, vector))
        if size > self.value_bytes:
            self.value_bytes = size
            self.check_every = max(1, min(CHECK_EVERY, CHECK_BYTES // size))

    @property
    def all_examples(self) -> int:
        """Bitmask with one bit per example."""
        return (1 << len(self.target)) - 1

    def check(self) -> None:
        """Raise `BudgetExhausted` when a budget is spent (joins call it between their steps),
        `_Found` when search has collected enough and should stop."""
        self.budget.check(self.candidates)
        if self.candidates >= self.stop_at():
            raise _Found(None)

    def stop_at(self) -> float:
        """The candidate count at which search has improved and collected for long enough."""
        return self.alternatives_until if self.collecting else self.improve_until

    @property
    def collecting(self) -> bool:
        """Is search collecting several programs that fit (for a ranker)?"""
        return self.config.solutions > 1

    def _note_solution(self, level: int, certain: bool) -> None:
        """Size the window for alternatives: a certain solution (a direct match, or a join with no
        leave-one-out error) opens a short one; while every solution is in doubt (a join that
        may over-fit), search goes on much longer for a certain one."""
        if not self.collecting:
            return
        if certain and not self.certain_seen:
            self.certain_seen = True
            self.first_direct_level = level
            self.alternatives_until = self.candidates * (1 + ALTERNATIVE_GROWTH) + ALTERNATIVE_MIN_CANDIDATES
        elif not certain and not self.certain_seen and self.alternatives_until == math.inf:
            self.alternatives_until = self.candidates * DOUBT_COLLECT_GROWTH + DOUBT_COLLECT_MIN

    def add_direct(self, program: Program, level: int, wanted: int) -> None:
        """Note an enumerated program that fits; `_Found` once enough are collected."""
        if wanted <= 1:
            raise _Found(program)
        self._note_solution(level, certain=True)
        self.direct.append(program)
        if len(self.direct) >= wanted:
            raise _Found(self.direct[0])

    def right_on(self, program: Program, index: int) -> bool:
        """Does `program` give the target output on example `index`? (An op raising counts as no:
        a joined program can run an op outside its domain on an example it was not built on.)"""
        try:
            return evaluate(program, self.envs[index]) == self.target[index]
        except Exception:
            return False

    def offer(self, program: Program, doubt: int = 0) -> None:
        """Keep a joined solution if it beats the best so far (fewer leave-one-out errors, then
        smaller); search goes on a while for a better one (joins are found early, from small
        pieces, and can be large), and longer while the best is in doubt (it may over-fit)."""
        self.joined.append((program, doubt))
        self._note_solution(self.level, certain=doubt == 0)
        so_far = self.candidates
        improve_factor = self.config.improve_factor
        if self.best is None or (doubt, program.size) < (self.best_doubt, self.best.size):
            first = self.best is None
            self.best, self.best_doubt = program, doubt
            growth = max(improve_factor, DOUBT_GROWTH * improve_factor) if doubt else improve_factor
            until = so_far + max(IMPROVE_MIN_CANDIDATES, growth * so_far)
            self.improve_until = until if first else min(self.improve_until, until)

    def could_improve(self, program: Program) -> bool:
        """Worth scoring `program` (its doubt costs some joins)? Not when a smaller one is certain."""
        return self.best is None or self.best_doubt > 0 or program.size < self.best.size

    def settled(self, level: int) -> bool:
        """True when `best` can no longer be beaten by a direct match, improving is over, or
        enough levels past a first direct match were searched for alternatives."""
        if self.collecting:
            return self.certain_seen and level >= self.first_direct_level + ALTERNATIVE_LEVELS
        return self.best is not None and (level + 1 >= self.best.size or self.candidates >= self.improve_until)

    def prefer_best(self, direct: Program | None) -> bool:
        """Return the joined solution rather than a direct match? Only if it is smaller and no
        joined solution was in doubt."""
        return self.best is not None and (direct is None or (self.best_doubt == 0 and self.best.size < direct.size))


class BottomUpSearch:
    """Enumerate programs over `ops` and `leaves` until one matches every example.

    Example:
        >>> from dsl.core import INT, Op
        >>> from dsl.core import Example, make_task
        >>> add = Op("+", (INT, INT), INT, lambda a, b: a + b, commutative=True)
        >>> task = make_task("triple", [Example((1,), 3), Example((5,), 15)])
        >>> outcome = BottomUpSearch([add], leaves_for(task.inputs, [])).run(task)
        >>> print(outcome.status, outcome.program)
        solved (+ x0 (+ x0 x0))
    """

    def __init__(self, ops: Sequence[Op], leaves: Sequence[Leaf], config: SearchConfig = SearchConfig(),
                 guide: Guide | None = None, goal: Callable[[Vector], bool] | None = None,
                 joins: JoinFactory | None = None, child_filter: ChildFilter | None = None,
                 value_filters: ValueFilters | None = None) -> None:
        self.ops = tuple(ops)
        self.leaves = tuple(leaves)
        self.config = config
        self.guide = guide or UniformGuide()
        # What counts as a solution: by default the vector equals the examples' outputs; a DSL whose
        # values are richer than its verdicts (regex span sets -> accept/reject) passes a test instead.
        self.goal = goal
        # The DSL's joins, made fresh for each run: (run, op costs) -> joins run after each level.
        self.joins = joins
        # Normal forms: child_filter(op, position, program) False means search never puts that
        # program at that argument of op (a DSL knows, e.g., that (r*)* adds nothing to r*).
        self.child_filter = child_filter
        # task -> per type, a test a new value must pass to be kept
        self.value_filters = value_filters

    # -- public -------------------------------------------------------------------------------

    def run(self, task: Task, budget: Budget | None = None,
            probes: Sequence[tuple[Any, ...]] = ()) -> SearchOutcome:
        """Search `task` within `budget` (a round of the caller's task budget; by default a fresh
        one from the config), which every step of it shares: set-up, levels, guide and joins.
        `probes` are input rows without outputs: values are kept apart by what they do on them
        too, so that programs which agree on the examples survive side by side."""
        config = self.config
        if budget is None:
            budget = Budget(config.timeout, config.max_candidates, config.max_memory_mb)
        with budget.active(), _collector_paused():
            return self._run(task, budget, probes)

    def _run(self, task: Task, budget: Budget, probes: Sequence[tuple[Any, ...]]) -> SearchOutcome:
        config = self.config
        target = tuple(e.output for e in task.examples)
        names = [v.name for v in task.inputs]
        envs = [task.env(e) for e in task.examples] + [dict(zip(names, row)) for row in probes]
        run = SearchRun(task, target, config, budget, envs)
        ops = self.ops
        self._filters: Mapping[Type, Callable[[Vector], bool]] = {}
        self._watchers: dict[Type, list[Join]] = {}
        joins: list[Join] = []
        status, program, message, level = Status.NO_SOLUTION, None, "search space exhausted", 0
        try:
            op_costs = self.guide.op_costs(task, self.ops)
            costs = {op: max(1, int(op_costs.get(op, op.cost))) for op in self.ops}
            if self.value_filters is not None:
                self._filters = self.value_filters(task)
            joins = list(self.joins(run, costs)) if self.joins is not None else []
            for join in joins:
                for type_ in join.watched:
                    self._watchers.setdefault(type_, []).append(join)
            for level in range(1, config.max_cost + 1):
                run.level = level
                run.check()
                self._add_leaves(run, level)
                for op in ops:
                    self._apply(run, op, costs[op], level)
                self._apply_guide(run, level)
                for join in joins:
                    join.after_level(run, level)
                if run.settled(level) or not self._can_grow(run, level, ops, costs):
                    break
        except _Found as found:
            status, program, message = Status.SOLVED, found.program, ""
        except BudgetExhausted as exhausted:
            status, message = Status.TIMEOUT, f"stopped at the {exhausted.which}"
        except MemoryError:
            status, message = Status.TIMEOUT, f"stopped at the {memory_limit(budget)}: an allocation failed"
        except KeyboardInterrupt:
            status, message = Status.INTERRUPTED, "interrupted"
        if program is None and run.direct and status is not Status.INTERRUPTED:
            status, program, message = Status.SOLVED, run.direct[0], ""   # cut short collecting others
        if status is Status.NO_SOLUTION and run.skipped_for_memory:
            status, message = Status.TIMEOUT, (f"search space exhausted but for {run.skipped_for_memory} candidates "
                                               f"whose values did not fit the {memory_limit(budget)}")
        if run.prefer_best(program):
            status, program, message = Status.SOLVED, run.best, ""
        if program is None:
            message += "".join(f"; {note}" for note in (join.note() for join in joins) if note)
        stats = SearchStats(run.candidates, run.pool.size, budget.elapsed(), budget.peak_memory_mb, level)
        self._watchers, self._filters = {}, {}   # the joins hold the pool: free it while collection is paused
        if status is Status.INTERRUPTED:
            return SearchOutcome(status, program, stats, message)
        return SearchOutcome(status, program, stats, message, tuple(run.direct), tuple(run.joined))

    # -- levels -------------------------------------------------------------------------------

    def _add_leaves(self, run: SearchRun, level: int) -> None:
        for leaf in self.leaves:
            if leaf.cost == level:
                vector = tuple(evaluate(leaf.program, env) for env in run.envs)
                run.note_value_size(vector)
                self._keep(run, leaf.program.type, vector, leaf.program, level)

    def _can_grow(self, run: SearchRun, level: int, ops: Sequence[Op], costs: dict[Op, int]) -> bool:
        """False once no future level can produce anything new (a finite space, exhausted).

        With every value at cost <= m, an op of arity a and cost k reaches at most k + a*m, so
        once the levels up to that bound are past, nothing can ever be built again.
        """
        if any(leaf.cost > level for leaf in self.leaves):
            return True
        highest = run.pool.highest_level()
        reach = max((costs[op] + op.arity * highest for op in ops), default=0)
        return level < reach

    def _apply(self, run: SearchRun, op: Op, op_cost: int, level: int) -> None:
        """Build every value of cost `level` whose root is `op`."""
        pool = run.pool
        rest = level - op_cost
        if op.arity == 0:
            if rest == 0:
                vector = tuple(op.semantics() for _ in run.target)
                run.note_value_size(vector)
                self._keep(run, op.return_type, vector, Program(op), level)
            return
        if rest < op.arity:
            return
        minimum = [1] * op.arity
        for split in compositions(rest, op.arity, minimum):
            if op.commutative and op.arity == 2 and split[0] > split[1]:
                continue
            levels = [pool.level(t, c) for t, c in zip(op.arg_types, split)]
            if self.child_filter is not None:
                levels = [self._allowed(run, op, i, c, lv) for i, (c, lv) in enumerate(zip(split, levels))]
            if any(lv is None or len(lv) == 0 for lv in levels):
                continue
            same = op.commutative and op.arity == 2 and split[0] == split[1]
            self._combine(run, op, levels, level, same)  # type: ignore[arg-type]

    def _allowed(self, run: SearchRun, op: Op, position: int, cost: int, level: Level | None) -> Level | None:
        """The values of a finished level that `child_filter` lets stand at this argument (cached)."""
        if level is None:
            return None
        key = (op, position, cost)
        kept = run.allowed.get(key)
        if kept is None:
            kept = run.allowed[key] = Level()
            for vector, program in zip(level.vectors, level.programs):
                if self.child_filter(op, position, program):
                    kept.vectors.append(vector)
                    kept.programs.append(program)
        return kept

    def _combine(self, run: SearchRun, op: Op, levels: list[Level], level: int, same: bool) -> None:
        """The hot loop: apply `op` to every combination of child values.

        The last argument varies fastest; each row of it is evaluated in one list comprehension
        (much faster than a loop with per-candidate bookkeeping), in chunks of `run.check_every`
        candidates with the budget checked between them, so a long row of slow calls on large
        values cannot run far past a limit.
        """
        fn = op.semantics
        budget = run.budget
        seen = run.pool.seen[op.return_type]
        keep = self._keep
        out_type = op.return_type
        last = levels[-1]
        last_vectors, last_programs = last.vectors, last.programs
        count = len(last_vectors)
        step = run.check_every
        next_check = run.candidates + step
        prefixes: Iterator[tuple[tuple[Vector, ...], tuple[Program, ...], int]]
        if op.arity == 1:
            prefixes = iter([((), (), 0)])
        elif op.arity == 2:
            first = levels[0]
            prefixes = (((v,), (p,), i if same else 0)
                        for i, (v, p) in enumerate(zip(first.vectors, first.programs)))
        else:
            heads = [list(zip(lv.vectors, lv.programs)) for lv in levels[:-1]]
            prefixes = ((tuple(v for v, _ in combo), tuple(p for _, p in combo), 0)
                        for combo in itertools.product(*heads))
        for head_vectors, head_programs, offset in prefixes:
            begin = offset
            while begin < count:
                end = min(count, begin + step)
                row = last_vectors[begin:end] if begin or end < count else last_vectors
                run.candidates += end - begin
                if run.candidates >= next_check:
                    run.check()
                    next_check = run.candidates + step
                outs = self._row(run, fn, head_vectors, row)
                for j, out in enumerate(outs):
                    if out is not None and out not in seen:
                        children = (*head_programs, last_programs[begin + j])
                        keep(run, out_type, out, Program(op, children), level)
                begin = end

    @staticmethod
    def _row(run: SearchRun, fn: Any, head_vectors: tuple[Vector, ...], row: list[Vector]) -> list[Vector | None]:
        """Outputs of `fn(*head, last)` for every `last` in the row; None where the op rejects
        its input (a partial op of some DSL raised) or its value could not be allocated within
        the memory budget (counted in `run.skipped_for_memory`)."""
        try:
            if not head_vectors:
                return [tuple(map(fn, v)) for v in row]
            if len(head_vectors) == 1:
                (a,) = head_vectors
                return [tuple(map(fn, a, v)) for v in row]
            return [tuple(map(fn, *head_vectors, v)) for v in row]
        except Exception:
            outs: list[Vector | None] = []
            for v in row:
                try:
                    outs.append(tuple(map(fn, *head_vectors, v)))
                except MemoryError:
                    run.skipped_for_memory += 1
                    outs.append(None)
                except Exception:
                    outs.append(None)
            return outs

    def _keep(self, run: SearchRun, type_: Type, vector: Vector, program: Program, level: int) -> None:
        keeps = self._filters.get(type_)
        if keeps is not None and not keeps(vector):
            return
        if not run.pool.add(type_, vector, program, level):
            return
        if type_ == run.task.output_type:
            target = run.target
            if self.goal is not None:
                fits = self.goal(vector)
            else:
                fits = (vector if len(vector) == len(target) else vector[:len(target)]) == target
                if not fits and self.config.tolerate:
                    fits = _near_match(vector, target, self.config.tolerate, self.config.tolerate_edits)
            if fits:
                run.add_direct(program, level, self.config.solutions)
        watchers = self._watchers.get(type_)
        if watchers is not None:
            for join in watchers:
                join.observe(type_, vector, program, level)

    # -- guide --------------------------------------------------------------------------------

    def _apply_guide(self, run: SearchRun, level: int) -> None:
        """Let the guide delay this level's new values by raising their cost (one batch per type;
        the budget is checked between them)."""
        if isinstance(self.guide, UniformGuide):
            return
        for type_ in run.pool.types():
            current = run.pool.level(type_, level)
            if current:
                run.check()
                penalties = self.guide.value_penalties(run.task, type_, current.vectors, current.programs)
                run.pool.delay(type_, level, penalties)


def _near_match(vector: Vector, target: Vector, tolerate: int, edits: int = SearchConfig.tolerate_edits) -> bool:
    """At most `tolerate` of the target's values differ, each by at most `edits` character edits,
    a typo's few (a program far off on an example fits the rest by accident more often than not),
    and at least two agree (a program right on one example only explains nothing)."""
    missed = []
    for value, wanted in zip(vector, target):
        if value != wanted:
            missed.append((value, wanted))
            if len(missed) > tolerate:
                return False
    return len(target) - len(missed) >= 2 and \
        all(output_edits(wanted, value, edits) <= edits for value, wanted in missed)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while search runs. Its values are tuples and program trees,
    which reference counting frees, and a full collection over a pool of a million objects holds
    search up for a tenth of a second and more, past any budget check (measured: 0.6 s of a 5 s
    search, 0.2 s at once)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def memory_limit(budget: Budget) -> str:
    """How a result names the memory limit it hit."""
    limit = budget.root.max_memory_mb
    return f"memory limit of {limit:g} MB" if limit is not None else "memory of this machine"


def leaves_for(inputs: Sequence[Var], constants: Sequence[Const], cost: int = 1,
               extra_constants: Sequence[Const] = (), extra_cost: int = 1) -> list[Leaf]:
    """Leaves of a search: the task's variables and constants (duplicates dropped)."""
    leaves: list[Leaf] = [Leaf(Program(v), cost) for v in inputs]
    seen: set[Const] = set()
    for const, c in [*((k, cost) for k in constants), *((k, extra_cost) for k in extra_constants)]:
        if const not in seen:
            seen.add(const)
            leaves.append(Leaf(Program(const), c))
    return leaves

