"""Bracket classes `[...]` of the everyday syntax, read item by item as Python's `re` reads them.

An item is a character, an escape (`\\-` is the character `-`, `\\d` a class) or a range `a-z` whose
`-` is unescaped; a `-` first, last or right after a range is itself. `]` first is itself (the
lexer's CLASS terminal ends the class at the next unescaped `]`).
"""
from __future__ import annotations

from dsl.regex.charset import CharSet
from dsl.regex.escapes import Refusal, read_escape


def read_class(token: str) -> CharSet:
    """The set of a whole `[...]` token; a `Refusal`'s offset counts from its `[`."""
    negated = token.startswith("[^")
    position, end = 1 + negated, len(token) - 1
    items: list[CharSet] = []
    while position < end:
        start = position
        low, position = _item(token, position)
        if token[position] == "-" and position + 1 < end:
            high, position = _item(token, position + 1)
            items.append(_range(low, high, token[start:position], start))
        else:
            items.append(low)
    union = CharSet.union(items)
    return union.complement() if negated else union


def _item(token: str, position: int) -> tuple[CharSet, int]:
    if token[position] == "\\":
        return read_escape(token, position, in_class=True)
    return CharSet.of(token[position]), position + 1


def _range(low: CharSet, high: CharSet, text: str, offset: int) -> CharSet:
    if low.single is None or high.single is None:
        raise Refusal(f"bad character range {text} (a class such as \\d cannot end a range)", offset)
    if high.single < low.single:
        raise Refusal(f"range {text} is reversed", offset)
    return CharSet.of([(low.single, high.single)])
