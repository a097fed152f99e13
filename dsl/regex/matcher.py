"""Membership by Brzozowski derivatives: the regex's own meaning, independent of Python's `re`.

A term is a small hashable tuple built only through the smart constructors below, which apply the
identities that keep derivatives from growing (`∅r = ∅`, `εr = r`, `r|r = r`, `(r*)* = r*`), so
repeated derivation reaches a bounded set of terms and `lru_cache` makes matching linear-ish.

Deep-Regex's extensions (`dsl.regex.deepregex`) add intersection (`("and", frozenset)`), complement
(`("not", a)`, over all strings) and the word boundary `\\b` (`("bound",)`, zero width). A boundary
depends on the characters on both sides of a position, so `derivative` takes whether the character
before was a word character and `nullable` whether the characters on each side are: a boundary is
only ever judged when it is at the front of a term, when both neighbours are known. Terms without a
boundary ignore those flags, so the plain regex DSL sees exactly the terms it saw before.
"""
from __future__ import annotations

from functools import lru_cache
from dsl.regex.charset import CharSet

Term = tuple  # ("none",) | ("eps",) | ("set", CharSet) | ("cat", a, b) | ("alt", frozenset) | ("star", a)
#              | ("rep", a, lo, hi)   (hi None: unbounded) | ("and", frozenset) | ("not", a) | ("bound",)
NONE: Term = ("none",)
EPS: Term = ("eps",)
BOUND: Term = ("bound",)
WORD_CHARS = CharSet.of([("0", "9"), ("A", "Z"), ("_", "_"), ("a", "z")])  # what \b separates (ASCII \w)


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


def inter(left: Term, right: Term) -> Term:
    """Intersection, flattened and deduplicated like `alt` (ACI), so derivatives stay finite."""
    members: set[Term] = set()
    for term in (left, right):
        if term == NONE:
            return NONE
        if term[0] == "and":
            members.update(term[1])
        elif term != ANYTHING:
            members.add(term)
    if not members:
        return ANYTHING
    if any(("not", m) in members for m in members):
        return NONE
    if len(members) == 1:
        return next(iter(members))
    return ("and", frozenset(members))


def complement(inner: Term) -> Term:
    """Every string not in the language of `inner` (`~~r = r`)."""
    return inner[1] if inner[0] == "not" else ("not", inner)


ANYTHING: Term = ("not", NONE)   # every string


@lru_cache(maxsize=200_000)
def has_boundary(term: Term) -> bool:
    kind = term[0]
    if kind == "bound":
        return True
    if kind in ("alt", "and"):
        return any(has_boundary(t) for t in term[1])
    if kind in ("cat", "star", "rep", "not"):
        return any(has_boundary(t) for t in term[1:3] if isinstance(t, tuple))
    return False


@lru_cache(maxsize=200_000)
def nullable(term: Term, after_word: bool = False, before_word: bool = False) -> bool:
    """Does `term` match the empty span between a character (a word character when `after_word`;
    False also stands for the start) and the next one (`before_word`; False also for the end)?"""
    kind = term[0]
    if kind in ("eps", "star"):
        return True
    if kind in ("none", "set"):
        return False
    if kind == "bound":
        return after_word != before_word
    if kind == "cat":
        return nullable(term[1], after_word, before_word) and nullable(term[2], after_word, before_word)
    if kind == "alt":
        return any(nullable(t, after_word, before_word) for t in term[1])
    if kind == "and":
        return all(nullable(t, after_word, before_word) for t in term[1])
    if kind == "not":
        return not nullable(term[1], after_word, before_word)
    return term[2] == 0 or nullable(term[1], after_word, before_word)  # rep


@lru_cache(maxsize=200_000)
def derivative(term: Term, char: str, after_word: bool = False) -> Term:
    """The term for { w : char·w in L(term) }, the character before `char` being a word character
    when `after_word` (only a `\\b` ever asks)."""
    kind = term[0]
    if kind in ("none", "eps", "bound"):
        return NONE
    if kind == "set":
        return EPS if char in term[1] else NONE
    if kind == "cat":
        head = cat(derivative(term[1], char, after_word), term[2])
        if nullable(term[1], after_word, char in WORD_CHARS):
            return alt(head, derivative(term[2], char, after_word))
        return head
    if kind == "alt":
        result = NONE
        for member in term[1]:
            result = alt(result, derivative(member, char, after_word))
        return result
    if kind == "and":
        members = [derivative(member, char, after_word) for member in term[1]]
        result = members[0]
        for member in members[1:]:
            result = inter(result, member)
        return result
    if kind == "not":
        return complement(derivative(term[1], char, after_word))
    if kind == "star":
        return cat(derivative(term[1], char, after_word), term)
    inner, lo, hi = term[1], term[2], term[3]
    rest = repeat(inner, max(lo - 1, 0), None if hi is None else hi - 1)
    result = cat(derivative(inner, char, after_word), rest)
    if lo > 0 and has_boundary(inner) and nullable(inner, after_word, char in WORD_CHARS):
        # An iteration may match the empty span here (a boundary) and count towards `lo`; without
        # boundaries that never matters, since an empty iteration could as well come later.
        result = alt(result, derivative(rest, char, after_word))
    return result


def matches(term: Term, text: str) -> bool:
    """True when the whole of `text` is in the language of `term`."""
    after_word = False
    for char in text:
        term = derivative(term, char, after_word)
        if term == NONE:
            return False
        after_word = char in WORD_CHARS
    return nullable(term, after_word, False)


__all__ = ["Term", "NONE", "EPS", "BOUND", "ANYTHING", "WORD_CHARS", "chars", "cat", "alt", "star", "repeat",
           "inter", "complement", "has_boundary", "nullable", "derivative", "matches"]
