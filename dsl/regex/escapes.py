"""Backslash escapes of the everyday syntax, read as Python's `re` reads them, or refused by name.

Outside and inside brackets differ as in `re`: `\\b` is a word boundary outside (refused) and a
backspace inside; `\\1` is a backreference outside (refused) and an octal escape inside. Every
escape `re` accepts either means here exactly what it means there, or is a `Refusal` naming it.
"""
from __future__ import annotations

import re
import unicodedata

from dsl.regex.charset import MAX_CODE, NAMED_CLASSES, CharSet

# The text of one escape. OUTSIDE is also the grammar's ESCAPE terminal (a test keeps them equal):
# octal is `\0`, `\0o`, `\0oo` or three octal digits up to `\377`; other digits are a backreference.
OUTSIDE = r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-3][0-7]{2}|0[0-7]{0,2}|[1-9][0-9]?|.)"
INSIDE = r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}|.)"
_PATTERNS = {False: re.compile(OUTSIDE, re.DOTALL), True: re.compile(INSIDE, re.DOTALL)}

CONTROLS = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_OUTSIDE_ONLY = {"b": "the word boundary \\b", "B": "\\B (not at a word boundary)",
                 "A": "the anchor \\A", "Z": "the anchor \\Z"}


class Refusal(Exception):
    """Text the everyday syntax does not read, `offset` characters into the text being read;
    `unsupported` when Python's `re` reads it (with a meaning nesy does not have)."""

    def __init__(self, message: str, offset: int = 0, unsupported: bool = False) -> None:
        super().__init__(message)
        self.message, self.offset, self.unsupported = message, offset, unsupported


def read_escape(text: str, start: int, in_class: bool) -> tuple[CharSet, int]:
    """The set that the escape at `text[start]` (a backslash) stands for, and where it ends."""
    match = _PATTERNS[in_class].match(text, start)
    if match is None:
        raise Refusal("a lone \\ at the end (write \\\\ for a backslash)", start)
    try:
        return _meaning(match.group(1), in_class), match.end()
    except Refusal as refusal:
        raise Refusal(refusal.message, start, refusal.unsupported) from None


def _meaning(body: str, in_class: bool) -> CharSet:
    """`body` is the escape without its backslash."""
    first = body[0]
    if first in "xuU" and len(body) > 1:
        code = int(body[1:], 16)
        if code > MAX_CODE:
            raise Refusal(f"\\{body} is beyond Unicode (at most \\U0010ffff)")
        return CharSet.of(chr(code))
    if first == "N" and len(body) > 1:
        try:
            return CharSet.of(unicodedata.lookup(body[2:-1]))
        except (KeyError, UnicodeEncodeError):
            raise Refusal(f"\\{body} names no Unicode character") from None
    if first in "0123456789":
        return _number(body, in_class)
    if in_class and first == "b":
        return CharSet.of("\b")
    if first in CONTROLS:
        return CharSet.of(CONTROLS[first])
    if "\\" + first in NAMED_CLASSES:
        return NAMED_CLASSES["\\" + first]
    if first in _OUTSIDE_ONLY and not in_class:
        raise Refusal(f"{_OUTSIDE_ONLY[first]} is not supported (nesy matches whole strings; "
                      f"^ and $ may open and close the whole regex)", unsupported=True)
    if first in "xuUN":
        raise Refusal(f"incomplete escape \\{first} (\\xhh, \\uhhhh, \\Uhhhhhhhh, \\N{{name}})")
    if first.isascii() and first.isalpha():
        raise Refusal(f"bad escape \\{first} (Python's re refuses it)")
    return CharSet.of(first)


def _number(body: str, in_class: bool) -> CharSet:
    """An octal escape, or (outside brackets) a backreference, which no regular language has."""
    if not in_class and body[0] != "0" and len(body) < 3:
        raise Refusal(f"the backreference \\{body} is not supported (a regular language has none)",
                      unsupported=True)
    if in_class and body[0] in "89":
        raise Refusal(f"bad escape \\{body[0]} (Python's re refuses it)")
    code = int(body, 8)
    if code > 0o377:
        raise Refusal(f"octal escape \\{body} is above \\377")
    return CharSet.of(chr(code))
