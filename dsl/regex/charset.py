"""Character classes as values: a canonical set of code-point ranges, possibly negated.

One class type stands for a literal (`a`), a bracket class (`[a-z_]`), an escape (`\\d`, `\\w`) and the
wildcard (`.`), so every leaf of a regex is a `CharSet` and two spellings of the same set compare equal.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

SPECIAL = set("\\.^$|?*+()[]{}")      # escaped outside brackets by the everyday printer
BRACKET_SPECIAL = set("\\]^-[")       # escaped inside brackets


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


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
ESCAPED_CONTROLS = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
