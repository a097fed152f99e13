"""Character classes as values: a canonical set of code-point ranges, possibly negated.

One class type stands for a literal (`a`), a bracket class (`[a-z_]`), an escape (`\\d`, `\\w`) and the
wildcard (`.`), so every leaf of a regex is a `CharSet` and two spellings of the same set compare equal.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

SPECIAL = set("\\.^$|?*+()[]{}")      # escaped outside brackets by the everyday printer
BRACKET_SPECIAL = set("\\]^-[")       # escaped inside brackets
MAX_CODE = 0x10FFFF
Ranges = tuple[tuple[int, int], ...]


def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(ranges: Ranges) -> Ranges:
    """The code points (up to U+10FFFF) outside merged `ranges`."""
    gaps, start = [], 0
    for lo, hi in ranges:
        if lo > start:
            gaps.append((start, lo - 1))
        start = hi + 1
    if start <= MAX_CODE:
        gaps.append((start, MAX_CODE))
    return tuple(gaps)


def _intersection(first: Ranges, second: Ranges) -> Ranges:
    return _complement(_merge([*_complement(first), *_complement(second)]))


@dataclass(frozen=True)
class CharSet:
    """Code points in `ranges` (inclusive, sorted, merged), or every other one when `negated`."""

    ranges: tuple[tuple[int, int], ...]
    negated: bool = False

    @staticmethod
    def of(spec: str | list[tuple[str, str]], negated: bool = False) -> "CharSet":
        """`CharSet.of("abc")` (those characters) or `CharSet.of([("a", "z")])` (ranges)."""
        pairs = [(c, c) for c in spec] if isinstance(spec, str) else spec
        return CharSet(_merge([(ord(lo), ord(hi)) for lo, hi in pairs]), negated)

    def complement(self) -> "CharSet":
        """Every code point not in this set (`[^...]` of a class)."""
        return CharSet(self.ranges, not self.negated)

    @staticmethod
    def union(sets: "list[CharSet]") -> "CharSet":
        """One set for the items of a bracket class, negated ones included (`[\\W_]`, `[\\Da]`):
        a union with a negated member is the complement of what every negated member excludes,
        less the positive members."""
        positive = _merge([r for s in sets if not s.negated for r in s.ranges])
        excluded: Ranges | None = None
        for member in (s for s in sets if s.negated):
            excluded = member.ranges if excluded is None else _intersection(excluded, member.ranges)
        if excluded is None:
            return CharSet(positive)
        return CharSet(_intersection(excluded, _complement(positive)), negated=True)

    def __contains__(self, char: str) -> bool:
        code = ord(char)
        inside = any(lo <= code <= hi for lo, hi in self.ranges)
        return inside != self.negated

    @cached_property
    def single(self) -> str | None:
        """The one character of a literal, else None."""
        if not self.negated and len(self.ranges) == 1 and self.ranges[0][0] == self.ranges[0][1]:
            return chr(self.ranges[0][0])
        return None

    def chars_in(self, alphabet: str) -> str:
        """The characters of `alphabet` in this set."""
        return "".join(c for c in alphabet if c in self)

    def everyday(self) -> str:
        """Python-`re` spelling: `a`, `\\.`, `\\d`, `.`, `[a-z_]`."""
        if self.single is not None:
            char = self.single
            return "\\" + char if char in SPECIAL else _escape_control(char)
        if not self.ranges and not self.negated:
            return "(?!)"  # no character: `[]` is not a class in Python's syntax
        for name, named in NAMED_CLASSES.items():
            if named == self:
                return name
        body = "".join(_bracket_char(chr(lo)) if lo == hi else f"{_bracket_char(chr(lo))}-{_bracket_char(chr(hi))}"
                       for lo, hi in self.ranges)
        return ("[^" if self.negated else "[") + body + "]"


def _escape_control(char: str) -> str:
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, char)


def _bracket_char(char: str) -> str:
    return "\\" + char if char in BRACKET_SPECIAL else _escape_control(char)


ANY = CharSet((), negated=True)
DIGIT = CharSet.of([("0", "9")])
WORD = CharSet.of([("0", "9"), ("A", "Z"), ("_", "_"), ("a", "z")])
SPACE = CharSet.of(" \t\n\r\f\v")
NAMED_CLASSES: dict[str, CharSet] = {
    ".": ANY, "\\d": DIGIT, "\\w": WORD, "\\s": SPACE,
    "\\D": CharSet(DIGIT.ranges, True), "\\W": CharSet(WORD.ranges, True), "\\S": CharSet(SPACE.ranges, True),
}
