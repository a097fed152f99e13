"""The string DSL's joins: target-directed concatenation and decision trees over string terms.

* Concatenation (`solvers.strings.concatenation`): values that occur inside the output on every
  example are pieces; a shortest path strings them together into `str.++` chains.
* Decision trees (`solvers.search.decision_trees`): terms right on some examples, joined by `ite`
  over the Boolean values search built; the examples no term covers may get a concatenation of
  their own as one more term.
Both results are scored by a leave-one-out check (a join that needs every example to be right
may over-fit them), and the doubt goes with the offer.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from dsl.core import BOOL, Op, Program, Type, evaluate
from solvers.search.decision_trees import Masked, covers_all, learn_decision_tree, leave_one_out_errors, useful_terms
from solvers.search.edits import output_edits
from solvers.search.enumeration import SearchRun
from solvers.search.joins import Join
from solvers.strings.concatenation import MAX_EXPANSIONS, PieceIndex, join_pieces

CONCAT_NAME = "str.++"      # concatenation: the op whose meaning the piece join exploits
ITE_NAME = "ite"
MAX_PREDICATES = 4000       # Boolean values offered to the decision-tree learner
UNIFY_FROM_COST = 3         # no decision trees before terms of this cost exist
MIN_SHARED_EXPANSIONS = 1000  # expansions each leave-one-out concatenation of the scout gets at least


def string_joins(run: SearchRun, costs: Mapping[Op, int]) -> Sequence[Join]:
    """The joins a string search runs, given the ops it searches (the keys of `costs`)."""
    output = run.task.output_type
    ite = _op(costs, ITE_NAME, (BOOL, output, output)) if run.config.unify else None
    concat = _op(costs, CONCAT_NAME, (output, output)) if run.config.joins else None
    if ite is None and concat is None:
        return []
    return [StringJoins(run, ite, concat, costs.get(concat, 1) if concat is not None else 1)]


def _op(costs: Mapping[Op, int], name: str, arg_types: tuple[Type, ...]) -> Op | None:
    for op in costs:
        if op.name == name and op.arg_types == arg_types:
            return op
    return None


class StringJoins(Join):
    """Concatenation and decision-tree joins of one run, with the state they gather."""

    def __init__(self, run: SearchRun, ite: Op | None, concat: Op | None, concat_cost: int) -> None:
        self.run, self.ite, self.concat, self.concat_cost = run, ite, concat, concat_cost
        self.output = run.task.output_type
        self.watched = (self.output, BOOL) if ite is not None else (self.output,)
        target = run.target
        self.pieces: PieceIndex | None = None
        if concat is not None and all(isinstance(t, str) for t in target):
            self.pieces = PieceIndex(target, near_misses={} if len(target) >= 2 else None)
        self.new_pieces = False
        self.terms: list[Masked] = []
        self.predicates: list[Masked] = []
        self.new_masks = False
        self.best_partial: Masked | None = None

    # -- gathering ----------------------------------------------------------------------------

    def observe(self, type_: Type, vector: tuple[Any, ...], program: Program, level: int) -> None:
        if type_ == self.output:
            if self.pieces is not None and self.pieces.offer(vector, program, level):
                self.new_pieces = True
            if self.ite is not None:
                mask = 0
                for i, (got, want) in enumerate(zip(vector, self.run.target)):
                    if got == want:
                        mask |= 1 << i
                if mask:
                    term = Masked(mask, level, program)
                    self.terms.append(term)
                    self.new_masks = True
                    best = self.best_partial
                    if best is None or mask.bit_count() > best.mask.bit_count():
                        self.best_partial = term
        if type_ == BOOL and self.ite is not None and len(self.predicates) < MAX_PREDICATES:
            mask = 0
            for i, holds in enumerate(vector):
                if holds:
                    mask |= 1 << i
            if mask and mask != self.run.all_examples:
                self.predicates.append(Masked(mask, level, program))
                self.new_masks = True

    def note(self) -> str:
        if self.best_partial is None:
            return ""
        right = self.best_partial.mask.bit_count()
        return f"best partial program is right on {right}/{len(self.run.target)} examples: {self.best_partial.program}"

    # -- joining ------------------------------------------------------------------------------

    def after_level(self, run: SearchRun, level: int) -> None:
        if self.new_pieces and self.concat is not None:
            self._try_concatenation(run)
        if self.ite is not None and level >= UNIFY_FROM_COST:
            self._try_unification(run)

    def _make_concat(self, left: Program, right: Program) -> Program:
        return Program(self.concat, (left, right))

    def _make_ite(self, condition: Program, then: Program, otherwise: Program) -> Program:
        return Program(self.ite, (condition, then, otherwise))

    def _try_concatenation(self, run: SearchRun) -> None:
        self.new_pieces = False
        joined = join_pieces(self.pieces, self.concat_cost, self._make_concat, run.check)
        if joined is not None and run.could_improve(joined[0]):
            run.offer(joined[0], self._join_doubt(run))
        elif joined is None and run.config.tolerate and len(run.target) >= 3:
            self._try_concatenation_but_one(run)

    def _try_concatenation_but_one(self, run: SearchRun) -> None:
        """Noise's scout: a concatenation of pieces that fit every example but one, offered when
        its output there is a typo away from the one written down (one left out at a time, the
        same joins `_join_doubt` builds; several wrong examples are left to the leave-out runs).
        Only an example no pieces can spell is left out when there is one (none at all when two
        are), and otherwise the joins share one join's expansions: with long outputs on many
        examples, a join per example per level took nine tenths of the scout's time."""
        blocked = self.pieces.uncoverable()
        if len(blocked) > 1:
            return
        left_outs = blocked or list(range(len(run.target)))
        expansions = MAX_EXPANSIONS if blocked else max(MIN_SHARED_EXPANSIONS, MAX_EXPANSIONS // len(left_outs))
        for left_out in left_outs:
            joined = join_pieces(self.pieces.without(left_out), self.concat_cost, self._make_concat, run.check,
                                 expansions)
            if joined is None or not run.could_improve(joined[0]):
                continue
            try:
                produced = evaluate(joined[0], run.envs[left_out])
            except Exception:  # an op outside its domain on the example it was not built on
                continue
            limit = run.config.tolerate_edits
            if output_edits(run.target[left_out], produced, limit) <= limit:
                run.offer(joined[0])
                return

    def _join_doubt(self, run: SearchRun) -> int:
        """Leave-one-out errors of the concatenation join: for each example, join the pieces that
        fit the others and see whether the result is right on it (as for decision trees)."""
        if len(run.target) < 2:
            return 0
        errors = 0
        for left_out in range(len(run.target)):
            joined = join_pieces(self.pieces.without(left_out), self.concat_cost, self._make_concat, run.check)
            if joined is None or not run.right_on(joined[0], left_out):
                errors += 1
        return errors

    def _try_unification(self, run: SearchRun) -> None:
        if not self.new_masks or not self.predicates:
            return
        self.new_masks = False
        terms = useful_terms(self.terms)
        if not covers_all(terms, run.all_examples) and self.concat is not None and self.pieces is not None:
            joined = self._join_uncovered(run, terms)
            if joined is not None:
                terms = useful_terms([*terms, joined])
        self.terms = terms
        if not covers_all(terms, run.all_examples):
            return
        program = learn_decision_tree(run.all_examples, terms, self.predicates, self._make_ite, run.check)
        if program is not None and run.could_improve(program):
            doubt = leave_one_out_errors(run.all_examples, terms, self.predicates, self._make_ite,
                                         run.right_on, run.check)
            run.offer(program, doubt)

    def _join_uncovered(self, run: SearchRun, terms: list[Masked]) -> Masked | None:
        """A concatenation that is right on the examples no term covers yet (a new term for the
        decision tree), or None. Pieces need only fit those examples."""
        covered = 0
        for term in terms:
            covered |= term.mask
        indices = [i for i in range(len(run.target)) if not covered >> i & 1]
        if not indices or len(indices) == len(run.target):
            return None
        index = PieceIndex(tuple(run.target[i] for i in indices))
        for count, (vector, program) in enumerate(run.pool.seen[self.output].items()):
            if not count & 4095:
                run.check()
            index.offer(tuple(vector[i] for i in indices), program, program.size)
        joined = join_pieces(index, self.concat_cost, self._make_concat, run.check)
        if joined is None:
            return None
        program, cost = joined
        mask = 0
        for i in range(len(run.target)):
            if run.right_on(program, i):
                mask |= 1 << i
        return Masked(mask, cost, program)
