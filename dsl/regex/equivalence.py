"""Exact language equivalence of two regexes, `&`, `~` and `\\b` included, by derivatives.

Two regexes are equal when no string tells them apart. The decision walks pairs of derivative
terms (`dsl.regex.matcher`) breadth first from the pair of whole regexes: one step per class of
characters that no character set in either regex separates (plus word / non-word, when a `\\b`
is present), and one bit for whether the last character was a word character (what a `\\b` asks).
A pair where one side accepts the empty rest and the other does not gives the shortest string in
one language and not the other; a walk that runs out of new pairs proves the languages equal.
Normalised terms make the set of pairs finite (Brzozowski 1964, with ACI for `|` and `&`); the
walk is still capped by states and seconds, and says `UNKNOWN` rather than guess.

Z3 (`dsl.regex.z3_semantics`) has intersection and complement but no `\\b`; `z3_equivalent`
decides the pairs without `\\b` with it, as an independent second opinion.

>>> from dsl.regex.deepregex import parse_deepregex as p
>>> decide(p("~(.*dog.*)&~(.*truck.*)"), p("~(.*(dog|truck).*)")).verdict
<Verdict.EQUIVALENT: 'equivalent'>
>>> witness = decide(p(".*dog.*"), p(".*\\\\bdog\\\\b.*")).witness   # e.g. 'dogA': 'dog' not a whole word
>>> "dog" in witness and len(witness) == 4
True
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from dsl.core import Program
from dsl.regex import matcher
from dsl.regex.charset import MAX_CODE, CharSet
from dsl.regex.ops import to_term

DEFAULT_MAX_STATES = 20_000
DEFAULT_SECONDS = 5.0


class Verdict(Enum):
    EQUIVALENT = "equivalent"
    DIFFERENT = "different"
    UNKNOWN = "unknown"       # the walk hit its state or time cap


@dataclass(frozen=True)
class Comparison:
    """The outcome: a verdict, a string in exactly one language when DIFFERENT, pairs visited."""

    verdict: Verdict
    witness: str | None = None
    states: int = 0
    seconds: float = 0.0

    @property
    def equivalent(self) -> bool | None:
        return None if self.verdict is Verdict.UNKNOWN else self.verdict is Verdict.EQUIVALENT


def charsets(term: matcher.Term) -> set[CharSet]:
    """Every character set a term mentions (iteratively; terms may be deep)."""
    found, stack, seen = set(), [term], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        kind = node[0]
        if kind == "set":
            found.add(node[1])
        elif kind in ("alt", "and"):
            stack.extend(node[1])
        elif kind in ("cat", "star", "rep", "not"):
            stack.extend(t for t in node[1:3] if isinstance(t, tuple))
    return found


def representatives(sets: Iterable[CharSet]) -> list[str]:
    """One character for each class of characters that no set in `sets` tells apart (a printable
    ASCII one where the class has any), so derivatives by these characters cover every string.
    The sets are sorted first, so nothing here follows the iteration order of a set of terms
    (terms hold None, whose hash is its address in Python < 3.12)."""
    sets = sorted(set(sets), key=lambda cs: (cs.negated, cs.ranges))
    cuts = {0, MAX_CODE + 1}
    for cs in sets:
        for lo, hi in cs.ranges:
            cuts.update((lo, hi + 1))
    points = sorted(cuts)
    chosen: dict[tuple[bool, ...], str] = {}
    for lo, nxt in zip(points, points[1:]):
        hi = nxt - 1
        char = chr(lo)
        key = tuple(char in cs for cs in sets)
        printable = max(lo, 0x21) if max(lo, 0x21) <= min(hi, 0x7E) else None
        if key not in chosen or (printable is not None and not (0x21 <= ord(chosen[key]) <= 0x7E)):
            if printable is not None:
                char = chr(printable)
            if 0xD800 <= ord(char) <= 0xDFFF:   # a lone surrogate is no character of a real string
                continue
            chosen[key] = char
    return sorted(chosen.values())


def decide(first: Program, second: Program, *, max_states: int = DEFAULT_MAX_STATES,
           seconds: float = DEFAULT_SECONDS) -> Comparison:
    """Are the languages of two regex programs equal? Exact, within `max_states` pairs and `seconds`."""
    return decide_terms(to_term(first), to_term(second), max_states=max_states, seconds=seconds)


def decide_terms(first: matcher.Term, second: matcher.Term, *, max_states: int = DEFAULT_MAX_STATES,
                 seconds: float = DEFAULT_SECONDS) -> Comparison:
    start = time.perf_counter()
    bounded = matcher.has_boundary(first) or matcher.has_boundary(second)
    sets = charsets(first) | charsets(second)
    if bounded:
        sets.add(matcher.WORD_CHARS)
    alphabet = representatives(sets)
    origin = (first, second, False)
    seen = {origin}
    queue: deque[tuple[tuple, str]] = deque([(origin, "")])
    while queue:
        (left, right, after_word), prefix = queue.popleft()
        if left == right:
            continue
        if matcher.nullable(left, after_word, False) != matcher.nullable(right, after_word, False):
            return Comparison(Verdict.DIFFERENT, prefix, len(seen), time.perf_counter() - start)
        if len(seen) > max_states or time.perf_counter() - start > seconds:
            return Comparison(Verdict.UNKNOWN, None, len(seen), time.perf_counter() - start)
        for char in alphabet:
            state = (matcher.derivative(left, char, after_word), matcher.derivative(right, char, after_word),
                     bounded and char in matcher.WORD_CHARS)
            if state not in seen:
                seen.add(state)
                queue.append((state, prefix + char))
    return Comparison(Verdict.EQUIVALENT, None, len(seen), time.perf_counter() - start)


def is_empty(program: Program, *, max_states: int = DEFAULT_MAX_STATES,
             seconds: float = DEFAULT_SECONDS) -> Comparison:
    """Is the language empty? (EQUIVALENT to the empty language; the witness is a member.)"""
    return decide_terms(to_term(program), matcher.NONE, max_states=max_states, seconds=seconds)


def z3_equivalent(first: Program, second: Program, *, timeout_ms: int = 5000) -> bool | None:
    """Z3's verdict on two regexes without `\\b` (None: Z3 gave up within `timeout_ms`)."""
    import z3

    from dsl.regex.ops import to_z3

    text = z3.String("s")
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(z3.InRe(text, to_z3(first)) != z3.InRe(text, to_z3(second)))
    outcome = solver.check()
    if outcome == z3.unknown:
        return None
    return outcome == z3.unsat


__all__ = ["Verdict", "Comparison", "decide", "decide_terms", "is_empty", "representatives", "z3_equivalent"]
