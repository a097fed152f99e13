"""Boolean targets as conjunctions (or disjunctions) of sequences search already has.

Tracr's pattern detectors and Dyck checks are `a and b and c`: each conjunct is small, the whole
is not (detect_abc is 13 operations, dyck2 31), so plain cost order never reaches it in a minute.
But every conjunct of a right answer is *true wherever the target is true*, and that test reads
one value at a time. So the join keeps each such value with the positions it makes false (where
the target is false) and the positions it leaves undefined (where the target is None: `None and
x` is None), and whenever the values kept so far cover every false and None position of the
examples, it picks a cheap cover (greedy weighted set cover, then drops conjuncts the others
make redundant) and offers their `and`. The dual, for `or`, keeps values false wherever the
target is false.

A cover is always consistent with the examples, but it may hold a conjunct that only happens to
exclude the examples' false positions. So a cover is offered only when leave-one-out agrees: for
every example, a cover chosen from the other examples' positions alone covers it too. (A cover in
doubt is not offered at all: the engine stops growing levels past its best answer's size, and
would then never see the larger parts a right cover may need.) A part read through a map must
also see each of its true values in two examples, the rule lookup tables follow: a value one
example alone shows is memorised, not learnt.
"""
from __future__ import annotations

from typing import Any

from dsl.core import Program, Type
from dsl.rasp.search_ops import CAT, ZIPMAPS, table_op
from dsl.rasp.values import identity_key
from solvers.search.enumeration import SearchRun
from solvers.rasp.tables import right_on_every_example
from solvers.search.joins import Join

AND = next(op for op in ZIPMAPS if op.name == "zipmap x and y")
OR = next(op for op in ZIPMAPS if op.name == "zipmap x or y")
MAX_KEPT = 150           # parts kept (none that a kept part at most as large covers: search runs in cost order)
MAX_PARTS = 6            # conjuncts in one offer


class ConjunctionJoin(Join):
    """`and` (conjunctive=True) or `or` of kept boolean sequences equal to a boolean target."""

    watched = (CAT,)

    def __init__(self, run: SearchRun, conjunctive: bool = True) -> None:
        self.run = run
        self.op = AND if conjunctive else OR
        target = run.target
        # the value every part must have where the target has it (True for `and`), and the
        # positions a part may cover: the other boolean value, and None
        self.keep = conjunctive
        self.active = _boolean_target(target) and any(v is (not self.keep) for out in target for v in out)
        self.forced: list[tuple[int, int]] = []
        self.element: dict[tuple[int, int], int] = {}      # (example, position) -> bit
        self.example_bits: list[int] = []
        for e, out in enumerate(target if self.active else ()):
            bits = 0
            for i, v in enumerate(out):
                if v is self.keep:
                    self.forced.append((e, i))
                else:
                    bit = 1 << len(self.element)
                    self.element[(e, i)] = bit
                    bits |= bit
            self.example_bits.append(bits)
        self.full = sum(self.example_bits)
        self.kept: dict[int, Program] = {}                # cover mask -> its cheapest program
        self.union = 0

    def observe(self, type_: Type, vector: tuple[Any, ...], program: Program, level: int) -> None:
        if not self.active or len(self.kept) >= MAX_KEPT:
            return
        found = self._part(vector, program)
        if found is None:
            return
        mask, part = found
        if not mask or self._dominated(mask, part.size):
            return
        self.kept = {m: p for m, p in self.kept.items() if not (m & mask == m and p.size >= part.size)}
        self.kept[mask] = part
        self.union |= mask
        if self.union == self.full:
            self._offer_cover(mask)

    def _dominated(self, mask: int, size: int) -> bool:
        """Is a kept part at most this large covering all of `mask` and more?"""
        return any(m & mask == mask and p.size <= size for m, p in self.kept.items())

    def _part(self, vector: tuple[Any, ...], program: Program) -> tuple[int, Program] | None:
        """The value as a part, read through the boolean map that covers most: a value seen where
        the target holds maps to `keep` (as it must), every other value to its opposite, None
        stays None (it covers where the target is None, and may appear nowhere else). Returns
        the bits it covers and the part's program (the value itself when it is that map
        already), or None when no map makes it a part."""
        keep = self.keep
        needed, seen_in = {}, {}
        for e, i in self.forced:
            got = vector[e][i]
            if got is None:
                return None
            needed[identity_key(got)] = got
            seen_in.setdefault(identity_key(got), set()).add(e)
        mask = 0
        identity = all(v is keep for v in needed.values())
        for e, out in enumerate(self.run.target):
            row = vector[e]
            for i, want in enumerate(out):
                if want is keep:
                    continue
                got = row[i]
                if got is None:
                    if want is not None:
                        return None        # None where the target is defined spreads into the answer
                    mask |= self.element[(e, i)]
                    continue
                if identity and got is not (not keep):
                    identity = False
                if want is not None and identity_key(got) not in needed:
                    mask |= self.element[(e, i)]
        if identity:
            return mask, program
        if any(len(examples) < 2 for examples in seen_in.values()):
            return None     # as for lookup tables: a key one example alone shows is memorised, not learnt
        table = tuple((v, keep) for v in needed.values())
        return mask, Program(table_op(table, not keep, CAT), (program,))

    def _offer_cover(self, new: int) -> None:
        """Offer the cheap cover when the new part `new` changed it (else it was offered before)."""
        run = self.run
        parts = _cheap_cover(self.kept, self.full)
        if parts is None or len(parts) > MAX_PARTS or all(mask != new for mask, _ in parts):
            return
        program = self._joined(parts)
        if not run.could_improve(program) or not right_on_every_example(run, program):
            return
        doubt = 0
        for bits in self.example_bits:
            run.check()
            # a cover chosen without this example's positions: does it cover them too?
            whole = {}
            for mask, p in self.kept.items():
                rest = mask & ~bits
                if rest and (rest not in whole or p.size < whole[rest][1].size):
                    whole[rest] = (mask, p)
            others = _cheap_cover({rest: p for rest, (_, p) in whole.items()}, self.full & ~bits)
            if others is None or not _covers([whole[rest][0] for rest, _ in others], bits):
                doubt += 1
        if doubt == 0:      # a cover in doubt is not offered: the engine would stop growing levels
            run.offer(program)   # past its size, before the larger cover a whole sequence needs

    def _joined(self, parts: list[tuple[int, Program]]) -> Program:
        ordered = sorted((p for _, p in parts), key=lambda p: (p.size, str(p)))
        program = ordered[0]
        for part in ordered[1:]:
            program = Program(self.op, (program, part))
        return program


def _boolean_target(target: tuple[Any, ...]) -> bool:
    values = [v for out in target for v in out]
    return any(v is True for v in values) and all(v is None or v is True or v is False for v in values)


def _covers(masks: list[int], bits: int) -> bool:
    union = 0
    for mask in masks:
        union |= mask
    return union & bits == bits


def _cheap_cover(kept: dict[int, Program], full: int) -> list[tuple[int, Program]] | None:
    """Greedy weighted set cover of `full` by the kept masks (most newly covered bits per unit of
    program size first), then each part dropped that the rest make redundant (largest first)."""
    chosen: list[tuple[int, Program]] = []
    left = full
    while left:
        best, best_score = None, 0.0
        for mask, program in kept.items():
            gain = bin(mask & left).count("1")
            if gain and gain / program.size > best_score:
                best, best_score = (mask, program), gain / program.size
        if best is None:
            return None
        chosen.append(best)
        left &= ~best[0]
    for part in sorted(chosen, key=lambda mp: -mp[1].size):
        rest = [mp for mp in chosen if mp is not part]
        if rest and _covers([m for m, _ in rest], full):
            chosen = rest
    return chosen
