"""Cost-ordered bottom-up enumeration with observational equivalence.

Programs are built cheapest first: every value of cost c is an op applied to values whose costs add
up to c minus the op's cost. A value is the vector of outputs on the examples, and only the first
(cheapest) program per vector is kept, so the pools grow with the number of *behaviours*, not of
programs. When no single expression fits, terms right on parts of the examples are joined by a
decision tree over the Boolean values (see `solvers.search.decision_trees`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from dsl.core import BOOL, STRING, Const, Op, Program, Task, Type, Var, evaluate
from solvers.search.budget import Budget, BudgetExhausted
from solvers.strings.concatenation import PieceIndex, join_pieces
from solvers.search.guide import Guide, UniformGuide
from solvers.search.result import SearchStats, Status
from solvers.search.decision_trees import Masked, covers_all, learn_decision_tree, leave_one_out_errors, useful_terms
from solvers.search.value_pool import Level, ValuePool, Vector

CONCAT_NAME = "str.++"      # the one op whose meaning search exploits directly (see concatenation.py)
CHECK_EVERY = 2048          # candidates between budget checks (a power of two minus one is masked)
MAX_PREDICATES = 4000       # Boolean values offered to the decision-tree learner
DOUBT_SHARE = 0.5           # a joined solution in doubt: search on for this share of the remaining time


@dataclass(frozen=True)
class SearchConfig:
    """Every budget and switch of one search, with defaults that suit 10-second tasks."""

    timeout: float = 10.0
    max_candidates: int | None = None
    max_memory_mb: float | None = 4096.0
    max_cost: int = 40
    unify: bool = True                  # conditional solutions by decision trees
    join_concatenations: bool = True    # target-directed concatenation of pieces
    unify_from_cost: int = 3            # don't try to join before terms of this cost exist
    max_string_length: int | None = None  # drop values with longer strings (None: from the examples)
    improve_factor: float = 1.0         # after a first joined solution, search on this much longer


# (pool, level just finished, budget check that raises when the budget is spent) -> a solution or None
LevelHook = Callable[[ValuePool, int, Callable[[], None]], "Program | None"]
# (op, argument position, candidate child program) -> may search use it there?
ChildFilter = Callable[[Op, int, "Program"], bool]


@dataclass(frozen=True)
class Leaf:
    """A variable or constant that search starts from, at a cost."""

    program: Program
    cost: int


@dataclass
class SearchOutcome:
    status: Status
    program: Program | None
    stats: SearchStats
    message: str = ""


class _Found(Exception):
    def __init__(self, program: Program) -> None:
        super().__init__()
        self.program = program


def compositions(total: int, parts: int, minimum: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """All ways to write `total` as an ordered sum of `parts` integers, part i >= minimum[i]."""
    if parts == 1:
        if total >= minimum[0]:
            yield (total,)
        return
    rest_min = sum(minimum[1:])
    for first in range(minimum[0], total - rest_min + 1):
        for rest in compositions(total - first, parts - 1, minimum[1:]):
            yield (first, *rest)


@dataclass
class _SearchState:
    """Mutable state of one run (kept out of the searcher so a searcher can be reused)."""

    task: Task
    target: Vector
    all_examples: int
    budget: Budget
    pool: ValuePool = field(default_factory=ValuePool)
    candidates: int = 0
    terms: list[Masked] = field(default_factory=list)
    predicates: list[Masked] = field(default_factory=list)
    new_masks: bool = False
    best_partial: Masked | None = None
    max_string_length: int = 1000
    pieces: PieceIndex | None = None
    new_pieces: bool = False
    envs: list[dict[str, Any]] = field(default_factory=list)
    allowed: dict[tuple[Op, int, int], Level] = field(default_factory=dict)  # child_filter's verdicts
    best: Program | None = None          # best joined (concatenation / decision tree) solution
    best_doubt: int = 0                  # its leave-one-out errors (0 for concatenations)
    improve_until: float = 0.0           # budget seconds at which to stop improving `best`

    def offer(self, program: Program, improve_factor: float, doubt: int = 0) -> None:
        """Keep a joined solution if it beats the best so far (fewer leave-one-out errors, then
        smaller); search goes on a while for a better one (joins are found early, from small
        pieces, and can be large), and longer while the best is in doubt (it may over-fit)."""
        elapsed = self.budget.elapsed()
        if self.best is None or (doubt, program.size) < (self.best_doubt, self.best.size):
            first = self.best is None
            self.best, self.best_doubt = program, doubt
            if doubt:
                until = elapsed + max(0.2, improve_factor * elapsed, DOUBT_SHARE * self.budget.remaining())
            else:
                until = elapsed + max(0.2, improve_factor * elapsed)
            self.improve_until = until if first else min(self.improve_until, until)
            self.budget.shorten(self.improve_until)

    def could_improve(self, program: Program) -> bool:
        """Worth scoring `program` (its doubt costs some joins)? Not when a smaller one is certain."""
        return self.best is None or self.best_doubt > 0 or program.size < self.best.size

    def settled(self, level: int) -> bool:
        """True when `best` can no longer be beaten by a direct match, or improving time is over."""
        return self.best is not None and (level + 1 >= self.best.size
                                          or self.budget.elapsed() >= self.improve_until)

    def prefer_best(self, direct: Program | None) -> bool:
        """Return the joined solution rather than a direct match? Only if it is smaller and no
        joined solution was in doubt."""
        return self.best is not None and (direct is None or (self.best_doubt == 0 and self.best.size < direct.size))


class BottomUpSearch:
    """Enumerate programs over `ops` and `leaves` until one matches every example.

    Example:
        >>> from dsl.core import make_task, Example
        >>> search = BottomUpSearch(ops=my_ops, leaves=my_leaves)   # doctest: +SKIP
        >>> outcome = search.run(make_task("t", [Example(("a",), "aa")]))   # doctest: +SKIP
    """

    def __init__(self, ops: Sequence[Op], leaves: Sequence[Leaf], config: SearchConfig = SearchConfig(),
                 guide: Guide | None = None, goal: Callable[[Vector], bool] | None = None,
                 level_hook: LevelHook | None = None, child_filter: ChildFilter | None = None) -> None:
        self.ops = tuple(ops)
        self.leaves = tuple(leaves)
        self.config = config
        self.guide = guide or UniformGuide()
        # What counts as a solution: by default the vector equals the examples' outputs; a DSL whose
        # values are richer than its verdicts (regex span sets -> accept/reject) passes a test instead.
        self.goal = goal
        # A DSL's own join, run after each level on the pool (like the built-in concatenation and
        # unification joins); a program it returns is kept as a joined solution.
        self.level_hook = level_hook
        # Normal forms: child_filter(op, position, program) False means search never puts that
        # program at that argument of op (a DSL knows, e.g., that (r*)* adds nothing to r*).
        self.child_filter = child_filter

    # -- public -------------------------------------------------------------------------------

    def run(self, task: Task) -> SearchOutcome:
        config = self.config
        budget = Budget(config.timeout, config.max_candidates, config.max_memory_mb)
        target = tuple(e.output for e in task.examples)
        state = _SearchState(task, target, (1 << len(target)) - 1, budget,
                             max_string_length=config.max_string_length or _string_cap(task))
        op_costs = self.guide.op_costs(task, self.ops)
        costs = {op: max(1, int(op_costs.get(op, op.cost))) for op in self.ops}
        ops = self.ops
        ite = self._conditional_op(task.output_type) if config.unify else None
        concat = self._concat_op(task.output_type) if config.join_concatenations else None
        if concat is not None and all(isinstance(t, str) for t in target):
            state.pieces = PieceIndex(target, near_misses={} if len(target) >= 2 else None)
        envs = state.envs = [task.env(e) for e in task.examples]
        status, program, message, level = Status.NO_SOLUTION, None, "search space exhausted", 0
        try:
            for level in range(1, config.max_cost + 1):
                self._add_leaves(state, level, envs)
                for op in ops:
                    self._apply(state, op, costs[op], level)
                self._apply_guide(state, level)
                if state.new_pieces and concat is not None:
                    self._try_concatenation(state, concat, costs[concat])
                if ite is not None and level >= config.unify_from_cost:
                    self._try_unification(state, ite, concat, costs.get(concat, 1))
                if self.level_hook is not None:
                    joined = self.level_hook(state.pool, level, lambda: budget.check(state.candidates))
                    if joined is not None:
                        state.offer(joined, config.improve_factor)
                if state.settled(level) or not self._can_grow(state, level, ops, costs):
                    break
        except _Found as found:
            status, program, message = Status.SOLVED, found.program, ""
        except BudgetExhausted as exhausted:
            status, message = Status.TIMEOUT, f"stopped at the {exhausted.which}"
        except KeyboardInterrupt:
            status, message = Status.INTERRUPTED, "interrupted"
        if state.prefer_best(program):
            status, program, message = Status.SOLVED, state.best, ""
        if program is None and state.best_partial is not None:
            right = state.best_partial.mask.bit_count()
            message += f"; best partial program is right on {right}/{len(target)} examples: " \
                       f"{state.best_partial.program}"
        stats = SearchStats(state.candidates, state.pool.size, budget.elapsed(), budget.peak_memory_mb, level)
        return SearchOutcome(status, program, stats, message)

    # -- levels -------------------------------------------------------------------------------

    def _add_leaves(self, state: _SearchState, level: int, envs: list[dict[str, Any]]) -> None:
        for leaf in self.leaves:
            if leaf.cost == level:
                vector = tuple(evaluate(leaf.program, env) for env in envs)
                self._keep(state, leaf.program.type, vector, leaf.program, level)

    def _can_grow(self, state: _SearchState, level: int, ops: Sequence[Op], costs: dict[Op, int]) -> bool:
        """False once no future level can produce anything new (a finite space, exhausted).

        With every value at cost <= m, an op of arity a and cost k reaches at most k + a*m, so
        once the levels up to that bound are past, nothing can ever be built again.
        """
        if any(leaf.cost > level for leaf in self.leaves):
            return True
        highest = state.pool.highest_level()
        reach = max((costs[op] + op.arity * highest for op in ops), default=0)
        return level < reach

    def _apply(self, state: _SearchState, op: Op, op_cost: int, level: int) -> None:
        """Build every value of cost `level` whose root is `op`."""
        pool = state.pool
        rest = level - op_cost
        if op.arity == 0:
            if rest == 0:
                vector = tuple(op.semantics() for _ in state.target)
                self._keep(state, op.return_type, vector, Program(op), level)
            return
        if rest < op.arity:
            return
        minimum = [1] * op.arity
        for split in compositions(rest, op.arity, minimum):
            if op.commutative and op.arity == 2 and split[0] > split[1]:
                continue
            levels = [pool.level(t, c) for t, c in zip(op.arg_types, split)]
            if self.child_filter is not None:
                levels = [self._allowed(state, op, i, c, lv) for i, (c, lv) in enumerate(zip(split, levels))]
            if any(lv is None or len(lv) == 0 for lv in levels):
                continue
            same = op.commutative and op.arity == 2 and split[0] == split[1]
            self._combine(state, op, levels, level, same)  # type: ignore[arg-type]

    def _allowed(self, state: _SearchState, op: Op, position: int, cost: int, level: Level | None) -> Level | None:
        """The values of a finished level that `child_filter` lets stand at this argument (cached)."""
        if level is None:
            return None
        key = (op, position, cost)
        kept = state.allowed.get(key)
        if kept is None:
            kept = state.allowed[key] = Level()
            for vector, program in zip(level.vectors, level.programs):
                if self.child_filter(op, position, program):
                    kept.vectors.append(vector)
                    kept.programs.append(program)
        return kept

    def _combine(self, state: _SearchState, op: Op, levels: list[Level], level: int, same: bool) -> None:
        """The hot loop: apply `op` to every combination of child values.

        The last argument varies fastest; each row of it is evaluated in one list comprehension
        (much faster than a loop with per-candidate bookkeeping), and the budget is checked
        between rows.
        """
        fn = op.semantics
        budget = state.budget
        seen = state.pool.seen[op.return_type]
        keep = self._keep
        out_type = op.return_type
        last = levels[-1]
        last_vectors, last_programs = last.vectors, last.programs
        next_check = state.candidates + CHECK_EVERY
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
            row = last_vectors[offset:] if offset else last_vectors
            state.candidates += len(row)
            if state.candidates >= next_check:
                budget.check(state.candidates)
                next_check = state.candidates + CHECK_EVERY
            outs = self._row(fn, head_vectors, row)
            for j, out in enumerate(outs):
                if out is not None and out not in seen:
                    children = (*head_programs, last_programs[j + offset])
                    keep(state, out_type, out, Program(op, children), level)

    @staticmethod
    def _row(fn: Any, head_vectors: tuple[Vector, ...], row: list[Vector]) -> list[Vector | None]:
        """Outputs of `fn(*head, last)` for every `last` in the row; None where the op rejects
        its input (a partial op of some DSL raised)."""
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
                except Exception:
                    outs.append(None)
            return outs

    def _keep(self, state: _SearchState, type_: Type, vector: Vector, program: Program, level: int) -> None:
        # Values far longer than anything in the examples only feed blow-ups (repeat of a repeat,
        # int conversion of thousand-digit strings) that make single op calls slow.
        if type_ == STRING and any(len(x) > state.max_string_length for x in vector):
            return
        if not state.pool.add(type_, vector, program, level):
            return
        task = state.task
        if type_ == task.output_type:
            if vector == state.target if self.goal is None else self.goal(vector):
                raise _Found(program)
            if state.pieces is not None and state.pieces.offer(vector, program, level):
                state.new_pieces = True
            if self.config.unify:
                mask = 0
                for i, (got, want) in enumerate(zip(vector, state.target)):
                    if got == want:
                        mask |= 1 << i
                if mask:
                    term = Masked(mask, level, program)
                    state.terms.append(term)
                    state.new_masks = True
                    best = state.best_partial
                    if best is None or mask.bit_count() > best.mask.bit_count():
                        state.best_partial = term
        if type_ == BOOL and self.config.unify and len(state.predicates) < MAX_PREDICATES:
            mask = 0
            for i, holds in enumerate(vector):
                if holds:
                    mask |= 1 << i
            if mask and mask != state.all_examples:
                state.predicates.append(Masked(mask, level, program))
                state.new_masks = True

    # -- guide and unification ----------------------------------------------------------------

    def _apply_guide(self, state: _SearchState, level: int) -> None:
        """Let the guide delay this level's new values by raising their cost."""
        if isinstance(self.guide, UniformGuide):
            return
        for type_ in state.pool.types():
            current = state.pool.level(type_, level)
            if current:
                penalties = self.guide.value_penalties(state.task, type_, current.vectors, current.programs)
                state.pool.delay(type_, level, penalties)

    def _conditional_op(self, output_type: Type) -> Op | None:
        for op in self.ops:
            if op.name == "ite" and op.arg_types == (BOOL, output_type, output_type):
                return op
        return None

    def _concat_op(self, output_type: Type) -> Op | None:
        for op in self.ops:
            if op.name == CONCAT_NAME and op.arg_types == (output_type, output_type):
                return op
        return None

    def _try_concatenation(self, state: _SearchState, concat: Op, concat_cost: int) -> None:
        state.new_pieces = False

        def make_concat(left: Program, right: Program) -> Program:
            return Program(concat, (left, right))

        check = lambda: state.budget.check(state.candidates)  # noqa: E731
        joined = join_pieces(state.pieces, concat_cost, make_concat, check)
        if joined is not None and state.could_improve(joined[0]):
            state.offer(joined[0], self.config.improve_factor,
                        self._join_doubt(state, state.pieces, concat_cost, make_concat, check))

    @staticmethod
    def _join_doubt(state: _SearchState, pieces: PieceIndex, concat_cost: int,
                    make_concat: Callable[[Program, Program], Program], check: Callable[[], None]) -> int:
        """Leave-one-out errors of the concatenation join: for each example, join the pieces that
        fit the others and see whether the result is right on it (as for decision trees)."""
        if len(state.target) < 2:
            return 0
        errors = 0
        for left_out in range(len(state.target)):
            joined = join_pieces(pieces.without(left_out), concat_cost, make_concat, check)
            if joined is None or not _right_on(joined[0], state, left_out):
                errors += 1
        return errors

    def _try_unification(self, state: _SearchState, ite: Op, concat: Op | None, concat_cost: int) -> None:
        if not state.new_masks or not state.predicates:
            return
        state.new_masks = False
        terms = useful_terms(state.terms)
        if not covers_all(terms, state.all_examples) and concat is not None and state.pieces is not None:
            joined = self._join_uncovered(state, terms, concat, concat_cost)
            if joined is not None:
                terms = useful_terms([*terms, joined])
        state.terms = terms
        if not covers_all(terms, state.all_examples):
            return

        def make_ite(condition: Program, then: Program, otherwise: Program) -> Program:
            return Program(ite, (condition, then, otherwise))

        check = lambda: state.budget.check(state.candidates)  # noqa: E731
        program = learn_decision_tree(state.all_examples, terms, state.predicates, make_ite, check)
        if program is not None and state.could_improve(program):
            doubt = leave_one_out_errors(state.all_examples, terms, state.predicates, make_ite,
                                         lambda tree, i: _right_on(tree, state, i), check)
            state.offer(program, self.config.improve_factor, doubt)


    def _join_uncovered(self, state: _SearchState, terms: list[Masked], concat: Op,
                        concat_cost: int) -> Masked | None:
        """A concatenation that is right on the examples no term covers yet (a new term for the
        decision tree), or None. Pieces need only fit those examples."""
        covered = 0
        for term in terms:
            covered |= term.mask
        indices = [i for i in range(len(state.target)) if not covered >> i & 1]
        if not indices or len(indices) == len(state.target):
            return None
        index = PieceIndex(tuple(state.target[i] for i in indices))
        check = state.budget.check
        for count, (vector, program) in enumerate(state.pool.seen[state.task.output_type].items()):
            if not count & 4095:
                check(state.candidates)
            index.offer(tuple(vector[i] for i in indices), program, program.size)

        def make_concat(left: Program, right: Program) -> Program:
            return Program(concat, (left, right))

        joined = join_pieces(index, concat_cost, make_concat, lambda: check(state.candidates))
        if joined is None:
            return None
        program, cost = joined
        mask = 0
        for i, env in enumerate(state.envs):
            try:
                if evaluate(program, env) == state.target[i]:
                    mask |= 1 << i
            except Exception:
                continue
        return Masked(mask, cost, program)


def _right_on(program: Program, state: _SearchState, index: int) -> bool:
    try:
        return evaluate(program, state.envs[index]) == state.target[index]
    except Exception:  # a tree can run an op outside its domain on an example it never saw
        return False


def _string_cap(task: Task) -> int:
    """Default longest string search keeps: generous next to the longest string in the examples."""
    lengths = [len(x) for e in task.examples for x in (*e.inputs, e.output) if isinstance(x, str)]
    return max(100, 3 * max(lengths, default=0))


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

