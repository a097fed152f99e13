"""Span sets as bit matrices: the value of a regex on a sample of strings, for bottom-up search.

For a string s the value of a regex r is the relation { (i, j) : s[i:j] in L(r) }, an upper-triangular
(n+1) x (n+1) Boolean matrix. Union is OR, concatenation is the Boolean matrix product, star is the
reflexive-transitive closure, so the value of a regex follows from the values of its parts and two
regexes with equal values are interchangeable in every context (observational equivalence, exact).
A string accepts iff (0, n) is in its relation.

All strings' matrices live in one Python int (block b holds string b as W x W bits, row-major), so
one big-int operation works on every string at once: the product is at most W shifted AND/ORs
(one per substring length in the left factor), not a loop over spans. Strings that occur inside longer sample strings get no block: their membership is the
bit of one occurrence (s[i:j] in L iff (i, j) is in the relation of the longer string).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from dsl.regex.charset import CharSet
from solvers.search.budget import active_budget

WORK_PER_CHECK = 1 << 24     # bytes of big-int work between budget checks (see `steps_per_check`)


@dataclass
class SpanAlgebra:
    """The bit layout of one sample and the regex operations on its span matrices."""

    strings: tuple[str, ...]                       # the strings with a block (no one inside another)
    width: int = field(init=False)                 # W: longest string + 1
    identity: int = field(init=False)              # (i, i) for every position of every string
    _columns: list[int] = field(init=False, repr=False)
    _row0: int = field(init=False, repr=False)
    _spread: int = field(init=False, repr=False)   # copies a block's row 0 to all its rows
    _full_row: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        w = self.width = max((len(s) for s in self.strings), default=0) + 1
        budget = active_budget()
        if budget is not None:   # the masks below are about 3W values: refuse before building them
            budget.check_memory(setup_mb(self.strings), f"span matrices for strings of {w - 1:,} characters")
        block = w * w
        offsets = [b * block for b in range(len(self.strings))]
        size = block * len(self.strings)
        self._full_row = (1 << w) - 1
        self._row0 = _bits((o + j for o in offsets for j in range(w)), size)
        self._spread = _bits((i * w for i in range(w)), block)
        column0 = _bits((o + i * w for o in offsets for i in range(w)), size)
        self._columns = [column0 << j for j in range(w)]
        self.identity = _bits((o + i * w + i for o, s in zip(offsets, self.strings) for i in range(len(s) + 1)), size)
        self._offsets = offsets
        self._where = {s: (b, 0, len(s)) for b, s in enumerate(self.strings)}
        self._rows = [self._row0 << (i * w) for i in range(w)]   # row i of every block
        self._last_left: int | None = None
        self._intermediates = [(k, k * w, column, (self.identity >> (k * w)) & self._row0)
                               for k, column in enumerate(self._columns)][1:-1]
        self._last_parts: list[tuple[int, int]] = []

    def steps_per_check(self, most: int) -> int:
        """Span products between budget checks: `most` on small samples, fewer as one product
        gets costlier (up to W shifted ANDs of a value of blocks x W x W bits)."""
        work = self.width * len(self.strings) * self.width * self.width // 8
        return max(1, min(most, WORK_PER_CHECK // max(1, work)))

    @staticmethod
    def for_sample(sample: Sequence[str]) -> "SpanAlgebra":
        """A layout whose blocks are the sample strings not contained in another sample string."""
        distinct = sorted(set(sample), key=lambda s: (-len(s), s))
        kept: list[str] = []
        for s in distinct:
            if not any(s in longer for longer in kept):
                kept.append(s)
        return SpanAlgebra(tuple(kept))

    # -- leaves ---------------------------------------------------------------------------------

    def chars(self, charset: CharSet) -> int:
        w = self.width
        return _bits((o + i * w + i + 1 for o, s in zip(self._offsets, self.strings)
                      for i, c in enumerate(s) if c in charset), len(self.strings) * w * w)

    def epsilon(self) -> int:
        return self.identity

    # -- operations -----------------------------------------------------------------------------

    def concat(self, left: int, right: int) -> int:
        """Boolean matrix product of every block at once, by diagonals of the left factor: for each
        length d, the rows i where `left` holds (i, i+d) take row i+d of `right`, i.e. `right`
        shifted up d rows (rows of the next block never get in: a span (i, i+d) lies inside its
        string). The left factor's rows are kept for the next call: the engine and the joins
        multiply one left factor by many right ones in a row."""
        if left is self._last_left:
            parts = self._last_parts
        else:
            parts = self.left_parts(left)
            self._last_left, self._last_parts = left, parts
        return _product(parts, right)

    def left_parts(self, left: int) -> list[tuple[int, int]]:
        """(d rows' shift, the rows i holding (i, i+d) as whole rows of ones) for every length d
        that `left` holds: all a left factor contributes to a product."""
        w, full_row, column0 = self.width, self._full_row, self._columns[0]
        by_length = 0                     # bit (i, d) when `left` holds (i, i+d)
        for i, row in enumerate(self._rows):
            if left & row:
                by_length |= (left & row) >> i
        parts = []
        for d in range(w):
            starts = (by_length >> d) & column0
            if starts:
                parts.append((d * w, starts * full_row))
        return parts

    def times(self, left: int) -> Callable[[int], int]:
        """`right -> concat(left, right)` with the left factor's work done once."""
        return functools.partial(_product, self.left_parts(left))

    def times_right(self, right: int) -> Callable[[int], int]:
        """`left -> concat(left, right)` with the right factor's rows copied out once."""
        w, row0, spread, full_row = self.width, self._row0, self._spread, self._full_row
        parts = [(j, column, ends * spread) for j, column in enumerate(self._columns)
                 if (ends := (right >> (j * w)) & row0)]

        def product(left: int) -> int:
            out = 0
            for j, column, copied in parts:
                starts = left & column
                if starts:
                    out |= ((starts >> j) * full_row) & copied
            return out
        return product

    def _closure(self, relation: int) -> int:
        """Transitive closure by Warshall's algorithm, one intermediate position k at a time for
        every block and row at once (row k does not change while k is the intermediate). A k whose
        row holds nothing past (k, k) adds nothing and is skipped (so are the first and last
        positions, which never lead anywhere new)."""
        row0, spread, full_row = self._row0, self._spread, self._full_row
        for k, shift, column, diagonal in self._intermediates:
            ends = (relation >> shift) & row0
            if ends | diagonal != diagonal:
                starts = relation & column
                if starts:
                    relation |= ((starts >> k) * full_row) & (ends * spread)
        return relation

    def star(self, inner: int) -> int:
        return self._closure(inner | self.identity)

    def plus(self, inner: int) -> int:
        """r+: paths of one or more r-steps, the closure without the identity added."""
        return self._closure(inner)

    def optional(self, inner: int) -> int:
        return inner | self.identity

    def repeat(self, inner: int, lo: int, hi: int | None) -> int:
        power, result = self.identity, 0
        for count in range(lo + 1 if hi is None else hi + 1):
            if count >= lo:
                result |= power
            power = self.concat(power, inner)
        return self.concat(result, self.star(inner)) if hi is None else result

    # -- membership -----------------------------------------------------------------------------

    def bit_of(self, text: str) -> int:
        """The bit that says whether `text` (a sample string, or inside one) is in the language."""
        where = self._where.get(text)
        if where is None:
            for b, s in enumerate(self.strings):
                start = s.find(text)
                if start >= 0:
                    where = self._where[text] = (b, start, start + len(text))
                    break
            else:
                raise ValueError(f"{text!r} is not in the sample")
        b, i, j = where
        return 1 << (self._offsets[b] + i * self.width + j)

    def row_of(self, text: str) -> int:
        """The whole row of the position where `text` starts: all that a left factor of a
        concatenation contributes to deciding `text` (its spans from that start)."""
        self.bit_of(text)  # locates `text` in the sample (fills `_where`)
        b, i, _ = self._where[text]
        return self._full_row << (self._offsets[b] + i * self.width)

    def mask_of(self, texts: Sequence[str]) -> int:
        return sum({self.bit_of(t) for t in texts})

    def acceptance_goal(self, positive: Sequence[str], negative: Sequence[str]) -> Callable[[int], bool]:
        """A test on a value: accepts every positive and rejects every negative."""
        must, must_not = self.mask_of(positive), self.mask_of(negative)
        return lambda value: value & must == must and not value & must_not


def setup_mb(strings: Sequence[str]) -> float:
    """Memory a layout of these block strings takes: its row and column masks and Warshall's
    intermediates, about 3W values of (blocks x W x W) bits each (W: longest string + 1)."""
    w = max((len(s) for s in strings), default=0) + 1
    return 3 * w * (len(strings) * w * w / 8) / 2**20


def _bits(positions: Iterable[int], size: int) -> int:
    """The int with exactly the bits at `positions` (< size) set, built in linear time (a sum of
    shifted ones copies the growing sum once per term)."""
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def _product(parts: list[tuple[int, int]], right: int) -> int:
    """`left x right` from the left factor's `left_parts`: each length's rows take `right` shifted up."""
    out = 0
    for shift, rows in parts:
        out |= (right >> shift) & rows
    return out
