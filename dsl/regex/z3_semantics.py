"""Regexes in Z3's theory of sequences and regular expressions (`z3.Re`, `InRe`), one function per construct.

z3 is imported inside each function so that reading and printing regexes never loads it.
"""
from __future__ import annotations

from typing import Any

from dsl.regex.charset import CharSet


def re_sort() -> Any:
    import z3

    return z3.ReSort(z3.StringSort())


def charset(cs: CharSet) -> Any:
    import z3

    parts = [z3.Re(z3.StringVal(chr(lo))) if lo == hi else z3.Range(chr(lo), chr(hi)) for lo, hi in cs.ranges]
    positive = union_all(parts)
    if not cs.negated:
        return positive
    everything = z3.AllChar(re_sort())
    return z3.Intersect(everything, z3.Complement(positive)) if parts else everything


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
