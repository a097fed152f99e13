"""Neuro-symbolic decoding: the network's beam, read, checked and merged by exact semantics.

`rerank` turns a beam of token sequences into candidates: malformed ones are dropped, language-equal
ones are merged, and the meanings are ranked by the sum of their spellings' probabilities
flattened by a temperature (`rerank`). Empty languages are kept unless asked: NL-RX's references are
empty 14-16% of the time, and dropping them was what made re-ranking lose to the plain beam. Given positive and
negative strings, `choose` keeps the candidates that classify them all correctly; when none does,
`repair` edits the best ones (one subtree replaced by a class, a word, a count or its complement,
or removed) until one does, and the example-driven regex search is the last resort (TransRegex /
Regel style: the description proposes a sketch, the examples decide).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Sequence

from dsl.core import Program
from dsl.errors import NesyInputError
from dsl.regex.charset import ANY
from dsl.regex.deepregex import CLASSES, DEFAULT_WORDS, parse_deepregex, to_deepregex
from dsl.regex.equivalence import Verdict, decide, is_empty
from dsl.regex.extended import COMPLEMENT
from dsl.regex.ops import CONCAT, STAR, RepeatOp, accepts, apply, leaf, repeat


@dataclass
class Candidate:
    """One meaning in the beam: its regex, total probability and the token spellings merged into it."""

    program: Program
    text: str                        # Deep-Regex syntax, placeholders replaced by the words
    probability: float
    best_log_probability: float
    spellings: list[str] = field(default_factory=list)
    source: str = "network"          # network | repair | search
    empty: bool | None = None        # the language is empty (None: not decided)
    score: float = 0.0               # what ranks it: sum of p ** (1 / temperature) over the spellings

    def consistent(self, positive: Sequence[str], negative: Sequence[str]) -> bool:
        return all(accepts(self.program, s) for s in positive) and not any(accepts(self.program, s) for s in negative)


@dataclass
class Reranked:
    candidates: list[Candidate]
    malformed: int = 0
    empty: int = 0              # dropped for an empty language (only with drop_empty)
    merged: int = 0


DEFAULT_TEMPERATURE = 2.0      # tuned on NL-RX-Turk validation pairs (docs/nl-regex.md)


def rerank(beam: Sequence[tuple[Sequence[str], float]], words: Sequence[str] = DEFAULT_WORDS, *,
           seconds_per_check: float = 0.5, max_states: int = 5000, semantic: bool = True,
           drop_empty: bool = False, temperature: float = DEFAULT_TEMPERATURE) -> Reranked:
    """Beam (tokens, log-probability), best first -> one candidate per meaning, best first.

    Malformed sequences are dropped; language-equal ones are merged into one candidate that keeps
    the spelling the network liked best and the sum of their probabilities. A meaning's rank is
    the sum of p ** (1 / temperature) over its spellings: temperature 0 ranks by the best spelling
    alone (the beam's order, duplicates removed), 1 by total probability; above 1 a meaning spelled
    several ways gains more against one spelled once with a little more probability.

    An empty language is kept by default (`drop_empty=False`): 14-16% of NL-RX's references
    are empty (`([a-z])&([A-Z])` for "a lower-case and a capital letter"), and dropping them cost
    15 points of accuracy. A pair the checker cannot decide in `seconds_per_check` stays two
    candidates (never merged on a guess). With `semantic=False` only malformed ones are dropped."""
    if temperature < 0:
        raise NesyInputError(f"temperature must be 0 or more, not {temperature}")
    result = Reranked([])
    empties: dict[int, bool | None] = {}       # id(candidate) -> language empty (None: undecided)
    for tokens, log_probability in beam:
        spelled = " ".join(tokens)
        try:
            program = parse_deepregex(spelled, words)
        except NesyInputError:
            result.malformed += 1
            continue
        probability = math.exp(log_probability)
        weight = math.exp(log_probability / temperature) if temperature > 0 else 0.0
        group = None
        if semantic:
            empty = is_empty(program, max_states=max_states, seconds=seconds_per_check).equivalent
            if empty and drop_empty:
                result.empty += 1
                continue
            group = next((c for c in result.candidates if c.program == program or
                          (empty and empties[id(c)]) or (empty is False and empties[id(c)] is False and
                          decide(c.program, program, max_states=max_states,
                                 seconds=seconds_per_check).verdict is Verdict.EQUIVALENT)), None)
        if group is not None:
            group.probability += probability
            group.score += weight
            group.spellings.append(spelled)
            result.merged += 1
            continue
        candidate = Candidate(program, _text(program), probability, log_probability, [spelled], score=weight)
        result.candidates.append(candidate)
        if semantic:
            empties[id(candidate)] = empty
            candidate.empty = empty
    result.candidates.sort(key=lambda c: (-c.score, -c.best_log_probability))   # stable: ties keep beam order
    return result


def _text(program: Program) -> str:
    try:
        return to_deepregex(program)
    except NesyInputError:
        return str(program)


# ---- examples ----

def edits(program: Program, words: Sequence[str]) -> list[Program]:
    """Programs one edit away: a subtree replaced by a class, `.`, a word or `.*`, wrapped in `~`,
    its count moved by one, or a concatenation's part dropped."""
    pieces = [leaf(cs) for cs in CLASSES.values()] + [leaf(ANY), apply(STAR, leaf(ANY))]
    pieces += [_word(w) for w in words if w]
    out: list[Program] = []

    def rebuild(node: Program, path: tuple[int, ...], replacement: Program) -> Program:
        if not path:
            return replacement
        children = list(node.children)
        children[path[0]] = rebuild(children[path[0]], path[1:], replacement)
        return Program(node.head, tuple(children))

    stack = [(program, ())]
    while stack:
        node, path = stack.pop()
        stack.extend((child, path + (i,)) for i, child in enumerate(node.children))
        options = [p for p in pieces if p != node]
        options.append(node.children[0] if node.head == COMPLEMENT else apply(COMPLEMENT, node))
        if isinstance(node.head, RepeatOp):
            lo, hi = node.head.lo, node.head.hi
            counts = [(lo + 1, hi if hi is None else hi + 1), (max(lo - 1, 0), hi if hi is None else max(hi - 1, 0)),
                      (lo, None), (lo, lo)]    # a list: a set of tuples holding None iterates by address
            for new in dict.fromkeys(counts):
                if new != (lo, hi) and (new[1] is None or new[1] >= new[0]):
                    options.append(apply(repeat(*new), node.children[0]))
        if node.head == CONCAT:
            options.extend(node.children)
        out.extend(rebuild(program, path, option) for option in options)
    return out


def _word(word: str) -> Program:
    from dsl.regex.charset import CharSet

    parts = [leaf(CharSet.of(c)) for c in word]
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = apply(CONCAT, part, result)
    return result


def repair(candidates: Sequence[Candidate], positive: Sequence[str], negative: Sequence[str],
           words: Sequence[str] = DEFAULT_WORDS, *, top: int = 3, seconds: float = 5.0) -> Candidate | None:
    """The first one-edit neighbour of the best `top` candidates that fits every example (breadth
    first over candidates by probability), within `seconds`."""
    deadline = time.monotonic() + seconds
    for candidate in candidates[:top]:
        for program in edits(candidate.program, words):
            if time.monotonic() > deadline:
                return None
            if all(accepts(program, s) for s in positive) and not any(accepts(program, s) for s in negative):
                return Candidate(program, _text(program), candidate.probability, candidate.best_log_probability,
                                 [f"repair of {candidate.text}"], source="repair")
    return None


def search_from_examples(positive: Sequence[str], negative: Sequence[str], seconds: float = 10.0) -> Candidate | None:
    """The existing example-driven regex synthesizer (`nesy synth --dsl regex`) on the strings alone."""
    from nesy.api import synthesize

    result = synthesize([(s, True) for s in positive] + [(s, False) for s in negative], dsl="regex", timeout=seconds)
    if result.program is None:
        return None
    return Candidate(result.program, _text(result.program), 0.0, float("-inf"), ["example search"], source="search")


_SEARCH = object()      # `choose(searched=...)` not given: run the example search when it is needed


def choose(reranked: Reranked, positive: Sequence[str] = (), negative: Sequence[str] = (),
           words: Sequence[str] = DEFAULT_WORDS, *, repair_seconds: float = 5.0,
           search_seconds: float = 10.0, searched=_SEARCH, prefer: str = "network") -> Candidate | None:
    """The answer: the most probable candidate; with examples, the most probable consistent one, else
    a repaired one, else what example search finds (`searched`: its answer, when already run).

    `prefer="smaller"` runs the example search as well and keeps the smaller of the two answers
    that fit the strings (the network's or the repaired one, and the search's): both fit all the
    strings, and a description model trained on other data proposes needless detail
    (`[a-z].*[a-z].*` where the strings mean `[a-z]+`)."""
    if prefer not in ("network", "smaller"):
        raise NesyInputError(f"prefer must be 'network' or 'smaller', not {prefer!r}")
    if not positive and not negative:
        return reranked.candidates[0] if reranked.candidates else None

    def search() -> Candidate | None:
        if searched is not _SEARCH:
            return searched
        return search_from_examples(positive, negative, search_seconds) if search_seconds > 0 else None

    proposed = next((c for c in reranked.candidates if c.consistent(positive, negative)), None)
    if proposed is None:
        proposed = repair(reranked.candidates, positive, negative, words, seconds=repair_seconds)
    if prefer == "network" and proposed is not None:
        return proposed
    found = search()
    if proposed is None or found is None:
        return proposed or found
    return found if found.program.size < proposed.program.size else proposed
