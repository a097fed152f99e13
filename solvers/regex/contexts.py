"""Small contexts around one pooled regex: AlphaRegex's pruned holes, joined with the engine's pool.

A context is a regex with one hole, built from a few ops and cheap pooled regexes (`(1|_)*`,
`0?_`, `(_1)*`). Enumeration reaches `(1|0(0|1.+)0)*` only at level 13; with the context
`(1|_)*` it is found as soon as the hole's value `0(0|1.+)0` (cost 10) is pooled. Contexts are
pruned as AlphaRegex prunes partial regexes: with the hole read as `.*` the context must still
accept every positive, with the hole read as the empty language it must still reject every
negative. Every op is monotone and a regex holds all or none of the spans of one substring, so a
value containing a sample substring t for which the context around {t} alone accepts a negative can
never fill the hole: each trie node keeps the mask of such substrings, and one AND rejects most
values before any span product is computed."""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from dsl.core import Op, Program, Type
from dsl.regex.charset import ANY
from solvers.regex.spans import SpanAlgebra
from solvers.search.budget import checkpoint
from solvers.search.value_pool import ValuePool

CHECK_EVERY = 256


@dataclass(frozen=True)
class ContextStep:
    """One op between the hole (below) and the root (above): `op` applied to the regex below, with
    `piece` on the left (`piece` x) or on the right (x `piece`) of a binary op."""

    op: Op
    piece: Program | None = None
    piece_value: int = 0
    piece_left: bool = False


@dataclass
class Context:
    steps: tuple[ContextStep, ...]        # from the hole up to the root
    cost: int                      # every node but the hole

    def wrap(self, program: Program) -> Program:
        for step in self.steps:
            if step.piece is None:
                program = Program(step.op, (program,))
            elif step.piece_left:
                program = Program(step.op, (step.piece, program))
            else:
                program = Program(step.op, (program, step.piece))
        return program


@dataclass
class _TrieNode:
    """Contexts sharing their steps nearest the hole share one trie path, so a value is taken
    through each shared step once."""

    steps: tuple[ContextStep, ...]
    cost: int
    complete: bool = False                                    # a viable context ends here
    children: list["_TrieNode"] = field(default_factory=list)
    prune: int = 0        # bits that make every context through this node accept a negative
    apply: Callable[[int], int] | None = None                 # the last step, on the value below
    # Tests on the hole's value itself, before any step is computed: it may hold none of `forbid`
    # (for some context through this node, one of those substrings alone accepts a negative) and
    # must hold all of `need` (without any one of those, every context through here rejects a positive).
    forbid: int = 0
    need: int = 0


@dataclass
class ContextJoin:
    """A level hook: after each level, try every new pooled value in every context of extra cost
    <= `max_context_cost` built from pooled pieces of cost <= `max_piece_cost`; returns the
    cheapest regex found so far that meets the goal."""

    algebra: SpanAlgebra
    positive: Sequence[str]
    negative: Sequence[str]
    ops: dict[str, Op]             # "union", "concat", "star", "plus", "optional" (those offered)
    value_type: Type
    max_piece_cost: int = 2
    max_context_cost: int = 3
    time_share: float | None = 2.0
    found: Program | None = field(default=None, init=False)
    _root: _TrieNode | None = field(default=None, init=False)
    _done_levels: int = field(default=0, init=False)
    _own_seconds: float = field(default=0.0, init=False)
    _engine_seconds: float = field(default=0.0, init=False)
    _last_return: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        algebra = self.algebra
        self._check_every = algebra.steps_per_check(CHECK_EVERY)
        self._must = algebra.mask_of(self.positive)
        self._must_not = algebra.mask_of(self.negative)
        self._everything = algebra.star(algebra.chars(ANY))   # `.*`: every span
        # Only a negative's substrings can be forbidden and only a positive's needed: the rest
        # leave each sample string's verdict as with the hole empty (or `.*`), which passed.
        self._negative_atoms = substring_atoms(algebra, self.negative)
        self._positive_atoms = substring_atoms(algebra, self.positive)
        self._forbidden_cache: dict[tuple[ContextStep, ...], int] = {}
        self._semantics: dict[str, Callable[..., int]] = {
            "union": int.__or__, "concat": algebra.concat, "star": algebra.star, "plus": algebra.plus,
            "optional": algebra.optional}

    # -- the hook -------------------------------------------------------------------------------

    def __call__(self, pool: ValuePool, level: int, check_budget: Callable[[], None]) -> Program | None:
        if self._root is None:
            if level < self.max_piece_cost:
                return self.found
            self._root = self._trie(self._build_contexts(pool))
        # At most `time_share` times the engine's own time (measured between calls): the join may
        # fall behind a level on easy tasks, where enumeration finds the answer anyway.
        now = time.monotonic()
        self._engine_seconds += now - self._last_return if self._last_return else 0.0
        for cost in range(self._done_levels + 1, level + 1):
            if self.time_share is not None and self._own_seconds > self.time_share * self._engine_seconds:
                break
            values = pool.level(self.value_type, cost)
            if values is not None:
                self._fill(cost, values.vectors, values.programs, check_budget)
            self._done_levels = cost
            self._own_seconds = self._own_seconds + time.monotonic() - now
            now = time.monotonic()
        self._last_return = time.monotonic()
        return self.found

    def _fill(self, cost: int, vectors: list, programs: list[Program], check_budget: Callable[[], None]) -> None:
        """Every value of one level through the trie; keeps the cheapest context + value that works."""
        root = self._root
        for index, (value,) in enumerate(vectors):
            if not index % self._check_every:
                check_budget()
            bound = self.found.size - cost if self.found is not None else self.max_context_cost + 1
            if bound <= 1 or value & root.prune:
                continue
            hit = self._descend(root, value, value, bound)
            if hit is not None:
                self.found = Context(hit.steps, hit.cost).wrap(programs[index])

    def _descend(self, node: _TrieNode, hole: int, value: int, bound: int) -> _TrieNode | None:
        """The cheapest context below `node` (cost < bound) that makes `hole` meet the goal;
        `value` is the regex below `node` with `hole` in the hole."""
        best = None
        if node.complete and value & self._must == self._must and not value & self._must_not:
            best, bound = node, node.cost
        for child in node.children:
            if child.cost >= bound or hole & child.forbid or hole & child.need != child.need:
                continue
            after = child.apply(value)
            if after & child.prune:
                continue
            hit = self._descend(child, hole, after, bound)
            if hit is not None:
                best, bound = hit, hit.cost
        return best

    def _step(self, step: ContextStep, value: int) -> int:
        fn = self._semantics[step.op.name]
        if step.piece is None:
            return fn(value)
        return fn(step.piece_value, value) if step.piece_left else fn(value, step.piece_value)

    def _function(self, step: ContextStep) -> Callable[[int], int]:
        """The step as a function of the value below, with the piece's share of a product done once."""
        name = step.op.name
        if name == "concat" and step.piece is not None:
            return (self.algebra.times(step.piece_value) if step.piece_left
                    else self.algebra.times_right(step.piece_value))
        return functools.partial(self._step, step)

    def _apply(self, steps: Sequence[ContextStep], value: int) -> int:
        for step in steps:
            value = self._step(step, value)
        return value

    def _trie(self, contexts: list[Context]) -> _TrieNode:
        """The contexts as a trie from the hole up; each node's prune mask is the AND of the
        forbidden masks of the contexts through it, taken from that node up."""
        root = _TrieNode((), 0)
        nodes = {(): root}
        through: dict[tuple[ContextStep, ...], list[Context]] = {(): list(contexts)}   # contexts via each node
        for context in contexts:
            for depth in range(1, len(context.steps) + 1):
                steps = context.steps[:depth]
                if steps not in nodes:
                    node = nodes[steps] = _TrieNode(steps, sum(_step_cost(s) for s in steps), apply=self._function(steps[-1]))
                    nodes[steps[:-1]].children.append(node)
                    through[steps] = []
                through[steps].append(context)
            nodes[context.steps].complete = True
        whole = {c.steps: (self._forbidden(c.steps), self._needed(c.steps)) for c in contexts}
        for steps, node in nodes.items():
            via = through[steps]
            if not via:
                continue
            node.prune = functools.reduce(int.__and__, (self._forbidden(c.steps[len(steps):]) for c in via))
            if steps:
                node.forbid = functools.reduce(int.__and__, (whole[c.steps][0] for c in via))
                node.need = functools.reduce(int.__and__, (whole[c.steps][1] for c in via))
        for node in nodes.values():
            node.children.sort(key=lambda n: n.cost)
        return root

    # -- contexts -------------------------------------------------------------------------------

    def _build_contexts(self, pool: ValuePool) -> list[Context]:
        """Every context up to `max_context_cost` that survives AlphaRegex's two tests, cheapest first."""
        pieces = [(cost, value, program) for cost in range(1, self.max_piece_cost + 1)
                  for (value,), program in _level_items(pool, self.value_type, cost)
                  if value and value != self.algebra.identity]
        contexts: list[Context] = []
        frontier = [Context((), 0)]
        while frontier:
            grown = []
            for context in frontier:
                checkpoint()
                for step, step_cost in self._steps(context, pieces):
                    if context.cost + step_cost <= self.max_context_cost:
                        grown.append(Context((*context.steps, step), context.cost + step_cost))
            frontier = grown
            for count, context in enumerate(grown):
                if not count % self._check_every:
                    checkpoint()
                if self._viable(context):
                    contexts.append(context)
        return contexts

    def _steps(self, context: Context, pieces: list[tuple[int, int, Program]]) -> list[tuple[ContextStep, int]]:
        """Steps that may go on top of `context` (normal forms: no closure on a closure, unions and
        concatenations kept right-nested, which the engine would build instead)."""
        last = context.steps[-1] if context.steps else None
        steps: list[tuple[ContextStep, int]] = []
        for name in ("star", "plus", "optional"):
            op = self.ops.get(name)
            if op is not None and not (last is not None and last.piece is None):
                steps.append((ContextStep(op), 1))
        for name in ("union", "concat"):
            op = self.ops.get(name)
            if op is None:
                continue
            for cost, value, program in pieces:
                if program.head.name == name:
                    continue   # (a b) x is built as a (b x)
                steps.append((ContextStep(op, program, value, piece_left=True), 1 + cost))
                if name == "concat" and not (last is not None and last.op.name == name):
                    steps.append((ContextStep(op, program, value, piece_left=False), 1 + cost))
        return steps

    def _viable(self, context: Context) -> bool:
        """AlphaRegex's pruning: with the hole as `.*` every positive is still accepted, and with
        the hole as the empty language every negative is still rejected."""
        over, under = self._apply(context.steps, self._everything), self._apply(context.steps, 0)
        return over & self._must == self._must and not under & self._must_not

    def _needed(self, steps: Sequence[ContextStep]) -> int:
        """The bits of the sample's substrings t such that the context around every substring but
        t rejects a positive: a value without t can never fill the hole (monotonicity again)."""
        needed, must, everything = 0, self._must, self._everything
        for count, (bit, atom) in enumerate(self._positive_atoms):
            if not count % self._check_every:
                checkpoint()
            if self._apply(steps, everything & ~atom) & must != must:
                needed |= bit
        return needed

    def _forbidden(self, steps: Sequence[ContextStep]) -> int:
        """The bits of the sample's substrings t such that the context around {t} alone accepts a
        negative. A regex's spans for t are all in or all out of its value, and every op is
        monotone, so a value holding one of these bits can never fill the hole."""
        steps = tuple(steps)
        forbidden = self._forbidden_cache.get(steps)
        if forbidden is None:
            forbidden, must_not = 0, self._must_not
            for count, (bit, atom) in enumerate(self._negative_atoms):
                if not count % self._check_every:
                    checkpoint()
                if self._apply(steps, atom) & must_not:
                    forbidden |= bit
            self._forbidden_cache[steps] = forbidden
        return forbidden


def substring_atoms(algebra: SpanAlgebra, within: Sequence[str] | None = None) -> list[tuple[int, int]]:
    """(one bit, all spans) of every distinct substring of the sample, the empty string included
    (only the substrings of `within`'s strings when given)."""
    keep: set[str] | None = None
    if within is not None:
        keep = set()
        for t in within:
            for i in range(len(t) + 1):
                checkpoint()
                keep.update(t[i:j] for j in range(i, len(t) + 1))
    width, spans = algebra.width, {}
    for block, text in enumerate(algebra.strings):
        offset = block * width * width
        for i in range(len(text) + 1):
            checkpoint()   # a row of substrings, each a value-sized int: long strings take a while
            for j in range(i, len(text) + 1):
                bit = 1 << (offset + i * width + j)
                spans[text[i:j]] = spans.get(text[i:j], 0) | bit
    return [(algebra.bit_of(t), value) for t, value in spans.items() if keep is None or t in keep]


def _step_cost(step: ContextStep) -> int:
    return 1 + (step.piece.size if step.piece is not None else 0)


def _level_items(pool: ValuePool, value_type: Type, cost: int) -> list:
    values = pool.level(value_type, cost)
    return list(zip(values.vectors, values.programs)) if values is not None else []
