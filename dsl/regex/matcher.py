"""Membership by Brzozowski derivatives: the regex's own meaning, independent of Python's `re`.

A term is a small hashable tuple built only through the smart constructors below, which apply the
identities that keep derivatives from growing (`∅r = ∅`, `εr = r`, `r|r = r`, `(r*)* = r*`), so
repeated derivation reaches a bounded set of terms and `lru_cache` makes matching linear-ish.
"""
from __future__ import annotations

from functools import lru_cache
from dsl.regex.charset import CharSet

Term = tuple  # ("none",) | ("eps",) | ("set", CharSet) | ("cat", a, b) | ("alt", frozenset) | ("star", a)
#              | ("rep", a, lo, hi)   (hi None: unbounded)
NONE: Term = ("none",)
EPS: Term = ("eps",)


def chars(charset: CharSet) -> Term:
    return ("set", charset)


def cat(left: Term, right: Term) -> Term:
    if left == NONE or right == NONE:
        return NONE
    if left == EPS:
        return right
    if right == EPS:
        return left
    if left[0] == "cat":  # keep concatenations right-nested so equal languages meet as equal terms
        return cat(left[1], cat(left[2], right))
    return ("cat", left, right)


def alt(left: Term, right: Term) -> Term:
    members: set[Term] = set()
    for term in (left, right):
        if term[0] == "alt":
            members.update(term[1])
        elif term != NONE:
            members.add(term)
    if not members:
        return NONE
    if len(members) == 1:
        return next(iter(members))
    return ("alt", frozenset(members))


def star(inner: Term) -> Term:
    if inner in (NONE, EPS):
        return EPS
    if inner[0] == "star":
        return inner
    return ("star", inner)


def repeat(inner: Term, lo: int, hi: int | None) -> Term:
    if hi is not None and hi < lo:
        return NONE
    if hi == 0:
        return EPS
    if lo == 0 and hi is None:
        return star(inner)
    if lo == 1 and hi == 1:
        return inner
    if inner in (NONE, EPS):
        return EPS if inner == EPS or lo == 0 else NONE
    return ("rep", inner, lo, hi)


@lru_cache(maxsize=200_000)
def nullable(term: Term) -> bool:
    kind = term[0]
    if kind in ("eps", "star"):
        return True
    if kind in ("none", "set"):
        return False
    if kind == "cat":
        return nullable(term[1]) and nullable(term[2])
    if kind == "alt":
        return any(nullable(t) for t in term[1])
    return term[2] == 0 or nullable(term[1])  # rep


@lru_cache(maxsize=200_000)
def derivative(term: Term, char: str) -> Term:
    """The term for { w : char·w in L(term) }."""
    kind = term[0]
    if kind in ("none", "eps"):
        return NONE
    if kind == "set":
        return EPS if char in term[1] else NONE
    if kind == "cat":
        head = cat(derivative(term[1], char), term[2])
        return alt(head, derivative(term[2], char)) if nullable(term[1]) else head
    if kind == "alt":
        result = NONE
        for member in term[1]:
            result = alt(result, derivative(member, char))
        return result
    if kind == "star":
        return cat(derivative(term[1], char), term)
    inner, lo, hi = term[1], term[2], term[3]
    rest = repeat(inner, max(lo - 1, 0), None if hi is None else hi - 1)
    return cat(derivative(inner, char), rest)


def matches(term: Term, text: str) -> bool:
    """True when the whole of `text` is in the language of `term`."""
    for char in text:
        term = derivative(term, char)
        if term == NONE:
            return False
    return nullable(term)


__all__ = ["Term", "NONE", "EPS", "chars", "cat", "alt", "star", "repeat", "nullable", "derivative", "matches"]
