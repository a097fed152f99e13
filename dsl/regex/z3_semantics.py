"""Regexes in Z3's theory of sequences and regular expressions (`z3.Re`, `InRe`), one function per construct.

z3 is imported inside each function so that reading and printing regexes never loads it.
Characters are given to Z3 as code points (`z3.StringVal` would read `\\u{..}` in the text), and Z3's
characters stop at U+2FFFF: a class that reaches its last character is refused, so that character
stands in Z3 for every one above it (none of which any class names) and Z3's verdicts hold for all
of Unicode.
"""
from __future__ import annotations

from typing import Any

from dsl.core import z3_literal
from dsl.errors import NesyInputError
from dsl.regex.charset import CharSet


def re_sort() -> Any:
    import z3

    return z3.ReSort(z3.StringSort())


def charset(cs: CharSet) -> Any:
    import z3

    top = z3_char_limit()
    if cs.ranges and cs.ranges[-1][1] >= top:
        raise NesyInputError(f"{cs.everyday()!r} reaches U+{cs.ranges[-1][1]:X}, past what Z3 can "
                             f"check (characters up to U+{top - 1:X})")
    parts = [z3.Re(z3_literal(chr(lo))) if lo == hi else z3.Range(z3_literal(chr(lo)), z3_literal(chr(hi)))
             for lo, hi in cs.ranges]
    positive = union_all(parts)
    if not cs.negated:
        return positive
    everything = z3.AllChar(re_sort())
    return z3.Intersect(everything, z3.Complement(positive)) if parts else everything


def z3_char_limit() -> int:
    """Z3's last character (its `encoding` parameter: unicode, bmp or ascii)."""
    import z3

    return {"ascii": 0xFF, "bmp": 0xFFFF}.get(str(z3.get_param("encoding")), 0x2FFFF)


def union_all(parts: list[Any]) -> Any:
    import z3

    if not parts:
        return z3.Empty(re_sort())
    return parts[0] if len(parts) == 1 else z3.Union(*parts)


def epsilon() -> Any:
    import z3

    return z3.Re(z3.StringVal(""))


def empty() -> Any:
    import z3

    return z3.Empty(re_sort())


def union(a: Any, b: Any) -> Any:
    import z3

    return z3.Union(a, b)


def concat(a: Any, b: Any) -> Any:
    import z3

    return z3.Concat(a, b)


def star(a: Any) -> Any:
    import z3

    return z3.Star(a)


def plus(a: Any) -> Any:
    import z3

    return z3.Plus(a)


def optional(a: Any) -> Any:
    import z3

    return z3.Option(a)


def repeat(a: Any, lo: int, hi: int | None) -> Any:
    import z3

    if hi is None:
        return z3.Concat(z3.Loop(a, lo, lo), z3.Star(a)) if lo else z3.Star(a)
    if hi == 0:
        return epsilon()
    return z3.Loop(a, lo, hi)


def intersect(a: Any, b: Any) -> Any:
    import z3

    return z3.Intersect(a, b)


def complement(a: Any) -> Any:
    """Every string (of Z3's characters) outside `a`'s language."""
    import z3

    return z3.Complement(a)


def word_boundary() -> Any:
    """Z3's regexes have no zero-width assertions: a regex with `\\b` is decided by
    `dsl.regex.equivalence` (derivatives), never given to Z3 under another meaning."""
    raise NesyInputError("Z3's regular expressions have no word boundary \\b (dsl.regex.equivalence decides "
                         "regexes with \\b exactly by derivatives)")
