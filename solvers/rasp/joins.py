"""Goal-directed steps of RASP search, as joins of the shared engine.

Each new value is looked at once, against the target:

- `GoalJoin`: a sequence equal to the target is an answer; one the target is a function of
  (position by position) is an answer through a lookup-table map built on the spot;
- `MoveJoin`: a categorical sequence read as positions moves the tokens: gathered
  (`aggregate(select(indices, q, ==), tokens)`: position i reads token q[i]), scattered
  (`aggregate(select(p, indices, ==), tokens)`: token k goes to position p[k]) or sorted by it
  as a key (Tracr's `make_sort_unique`: token k goes to the number of smaller keys, or of larger
  ones for a descending sort); and the
  positions to gather from, when they are a function of the index, are solved for and mapped;
- `InverseJoin`: for a new selector, the sequence an aggregate of it would need (categorical, or
  numerical through a mean or a sum) is solved for, and a base sequence (tokens, indices) is
  mapped onto it by a table.

Every answer is run on all the examples before it is offered to the engine, which keeps the
smallest and searches on a while for a smaller one.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from dsl.core import Op, Program, Type
from dsl.rasp.search_ops import AGGREGATES, CAT, NUM, NUMERICAL_MAPS, OUT, SEL, SELECTS, INDICES, table_op
from dsl.rasp.values import identity_key, is_number
from solvers.search.enumeration import SearchRun
from solvers.search.joins import Join
from solvers.rasp.conjunctions import ConjunctionJoin
from solvers.rasp.inverse import categorical_spec, numerical_table
from solvers.rasp.tables import lookup_table, right_on_every_example, same_sequences

AGGREGATE, AGGREGATE_MIXED, MEAN, _, WIDTH = AGGREGATES
SELECT_EQ, SELECT_LT, SELECT_GT = SELECTS[0], SELECTS[2], SELECTS[4]
TIMES = NUMERICAL_MAPS[-1]
INVERSE_LEVEL = 10          # selectors up to this cost are inverted categorically ...
NUMERICAL_INVERSE_LEVEL = 6  # ... and numerically (an exact linear solve per example)


class _Offering:
    """What the joins share: the run, the target, and a checked `offer`."""

    def __init__(self, run: SearchRun) -> None:
        self.run = run
        self.target = run.target

    def offer(self, program: Program) -> None:
        run = self.run
        if not run.could_improve(program):
            return
        if right_on_every_example(run, program):
            run.offer(program)

    def cheapest(self, type_: Type, vector: tuple[Any, ...], program: Program) -> Program:
        """The pool's program for this value when it has one (the cheapest that computes it:
        `indices + 1` rather than the width of a prefix selector), else `program`."""
        return self.run.pool.seen[type_].get(vector, program)

    def base(self) -> tuple[Program, Program]:
        """tokens and indices: what aggregates read and tables map from."""
        tokens = Program.var("tokens", CAT)
        return tokens, Program(INDICES, (tokens,))


def _table_map(source: Program, table: tuple, type_: Type) -> Program:
    pairs, default = table
    return Program(table_op(pairs, default, type_), (source,))


class GoalJoin(Join, _Offering):
    watched = (CAT, NUM, OUT)

    def observe(self, type_: Type, vector: tuple[Any, ...], program: Program, level: int) -> None:
        if same_sequences(vector, self.target):
            self.offer(program)
        elif type_ != OUT and self.run.could_improve(program):
            table = lookup_table(vector, self.target)
            if table is not None:
                self.offer(_table_map(program, table, type_))


class MoveJoin(Join, _Offering):
    watched = (CAT,)

    def __init__(self, run: SearchRun) -> None:
        super().__init__(run)
        self.inputs = [env["tokens"] for env in run.envs[:len(self.target)]]
        self.gathered_by_index = False

    def observe(self, type_: Type, vector: tuple[Any, ...], program: Program, level: int) -> None:
        tokens, indices = self.base()
        if not self.gathered_by_index:
            self.gathered_by_index = True
            self._gather_by_index(indices)
        if same_sequences([_gather(q, t) for q, t in zip(vector, self.inputs)], self.target):
            self.offer(Program(AGGREGATE, (Program(SELECT_EQ, (indices, program)), tokens)))
        self._scatter(program, vector)
        for order in (SELECT_LT, SELECT_GT):    # sorted by the key, ascending and descending
            try:
                ranks = [WIDTH.semantics(order.semantics(keys, keys)) for keys in vector]
            except TypeError:        # keys of different kinds have no order
                return
            self._scatter(Program(WIDTH, (Program(order, (program, program)),)), ranks)

    def _scatter(self, places: Program, vector: Sequence[Sequence[Any]]) -> None:
        scattered = [_scatter(p, t) for p, t in zip(vector, self.inputs)]
        if same_sequences([s for s, _ in scattered], self.target):
            op = AGGREGATE_MIXED if any(mixed for _, mixed in scattered) else AGGREGATE
            tokens, indices = self.base()
            self.offer(Program(op, (Program(SELECT_EQ, (places, indices)), tokens)))

    def _gather_by_index(self, indices: Program) -> None:
        """Position i reads the token at f(i), for a table f solved from the examples: at each
        index, the positions holding the wanted token in every example (the nearest one is taken;
        a wanted None is read from outside the sequence)."""
        longest = max(len(t) for t in self.inputs)
        options: dict[int, set[int]] = {}
        seen_in: dict[int, int] = {}
        for tokens, wanted in zip(self.inputs, self.target):
            n = len(tokens)
            for i, want in enumerate(wanted):
                if want is None:
                    allowed = {-1, *range(n, longest + 1)}
                else:
                    allowed = {k for k, t in enumerate(tokens) if identity_key(t) == identity_key(want)}
                options[i] = options.get(i, allowed) & allowed
                seen_in[i] = seen_in.get(i, 0) + 1
        if any(not choices or seen_in[i] < 2 for i, choices in options.items()):
            return
        pairs = tuple((i, min(choices, key=lambda k: (abs(k - i), k))) for i, choices in sorted(options.items()))
        default = -1
        table = tuple((i, k) for i, k in pairs if k != default)
        if table and all(i == k for i, k in table) and len(table) == len(pairs):
            return          # the identity: the tokens themselves
        read = Program(table_op(table, default, CAT), (indices,))
        tokens, _ = self.base()
        self.offer(Program(AGGREGATE, (Program(SELECT_EQ, (indices, read)), tokens)))


def _gather(sources: Sequence[Any], tokens: Sequence[Any]) -> list[Any]:
    n = len(tokens)
    return [tokens[q] if isinstance(q, int) and 0 <= q < n else None for q in sources]


def _scatter(places: Sequence[Any], tokens: Sequence[Any]) -> tuple[list[Any], bool]:
    """Each position's token from the keys whose place it is (the most frequent; None if none),
    and whether some position got several different tokens."""
    from dsl.rasp.search_ops import most_frequent

    arriving: list[list[Any]] = [[] for _ in tokens]
    for place, token in zip(places, tokens):
        if isinstance(place, int) and 0 <= place < len(tokens):
            arriving[place].append(token)
    mixed = any(len({identity_key(t) for t in row}) > 1 for row in arriving)
    return [most_frequent(row) for row in arriving], mixed


class InverseJoin(Join, _Offering):
    watched = (SEL,)

    def __init__(self, run: SearchRun) -> None:
        super().__init__(run)
        self.numeric = all(is_number(v) and not isinstance(v, bool) for out in self.target for v in out)

    def observe(self, type_: Type, vector: tuple[Any, ...], program: Program, level: int) -> None:
        if level > INVERSE_LEVEL:
            return
        spec = categorical_spec(vector, self.target)
        if spec is not None:
            self._categorical(program, spec)
        if self.numeric and level <= NUMERICAL_INVERSE_LEVEL:
            for mean in (True, False):
                self._numerical(program, vector, mean)

    def _sources(self) -> list[tuple[Program, list[tuple[Any, ...]]]]:
        tokens, indices = self.base()
        inputs = [env["tokens"] for env in self.run.envs[:len(self.target)]]
        return [(tokens, inputs), (indices, [tuple(range(len(t))) for t in inputs])]

    def _categorical(self, selector: Program, spec: tuple) -> None:
        wanted, constrained = spec
        for source, values in self._sources():
            if _fits(values, wanted, constrained):
                read = source
            else:
                table = lookup_table(values, wanted, constrained)
                if table is None:
                    continue
                read = _table_map(source, table, CAT)
            self.offer(Program(AGGREGATE, (selector, read)))

    def _numerical(self, selector: Program, vector: tuple[Any, ...], mean: bool) -> None:
        """numerical aggregate(selector, f(source)) (times the selector's width, for a sum)."""
        for source, values in self._sources():
            solved = numerical_table(vector, self.target, values, mean)
            if solved is None:
                continue
            pairs = list(solved.values())
            if all(identity_key(k) == identity_key(v) for k, v in pairs):
                read = source
            else:
                table = lookup_table(values, [[solved[identity_key(k)][1] if identity_key(k) in solved else None
                                               for k in row] for row in values],
                                     [[identity_key(k) in solved for k in row] for row in values])
                if table is None:
                    continue
                read = _table_map(source, table, CAT)
            program = Program(MEAN, (selector, read))
            if not mean:
                widths = tuple(WIDTH.semantics(rows) for rows in vector)
                program = Program(TIMES, (program, self.cheapest(CAT, widths, Program(WIDTH, (selector,)))))
            self.offer(program)


def _fits(values: Sequence[Sequence[Any]], wanted: Sequence[Sequence[Any]], constrained) -> bool:
    return all(identity_key(v) == identity_key(w)
               for vs, ws, cs in zip(values, wanted, constrained) for v, w, c in zip(vs, ws, cs) if c)


def rasp_joins(run: SearchRun, op_costs: Mapping[Op, int]) -> list[Join]:
    """The joins of one run (the engine's `JoinFactory`)."""
    return [GoalJoin(run), MoveJoin(run), InverseJoin(run),
            ConjunctionJoin(run, conjunctive=True), ConjunctionJoin(run, conjunctive=False)]
