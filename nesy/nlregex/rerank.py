"""Neuro-symbolic decoding: the network's beam, read, checked and merged by exact semantics.

`rerank` turns a beam of token sequences into candidates: malformed ones and those whose language
is empty are dropped, language-equal ones are merged (their probabilities summed, so a meaning the
network spells several ways gains), and the groups are ranked by that total. Given positive and
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

    def consistent(self, positive: Sequence[str], negative: Sequence[str]) -> bool:
        return all(accepts(self.program, s) for s in positive) and not any(accepts(self.program, s) for s in negative)


@dataclass
class Reranked:
    candidates: list[Candidate]
    malformed: int = 0
    empty: int = 0
    merged: int = 0


def rerank(beam: Sequence[tuple[Sequence[str], float]], words: Sequence[str] = DEFAULT_WORDS, *,
           seconds_per_check: float = 0.5, max_states: int = 5000, semantic: bool = True) -> Reranked:
    """Beam (tokens, log-probability), best first -> candidates by total probability of their meaning.

    With `semantic=False` only malformed candidates are dropped (the plain beam order, for comparison)."""
    result = Reranked([])
    for tokens, log_probability in beam:
        spelled = " ".join(tokens)
        try:
            program = parse_deepregex(spelled, words)
        except NesyInputError:
            result.malformed += 1
            continue
        probability = math.exp(log_probability)
        if semantic:
            if is_empty(program, max_states=max_states, seconds=seconds_per_check).verdict is Verdict.EQUIVALENT:
                result.empty += 1
                continue
            group = next((c for c in result.candidates if c.program == program or
                          decide(c.program, program, max_states=max_states,
                                 seconds=seconds_per_check).verdict is Verdict.EQUIVALENT), None)
            if group is not None:
                group.probability += probability
                group.spellings.append(spelled)
                result.merged += 1
                continue
        result.candidates.append(Candidate(program, _text(program), probability, log_probability, [spelled]))
    result.candidates.sort(key=lambda c: (-c.probability, -c.best_log_probability))
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
            for new in {(lo + 1, hi if hi is None else hi + 1), (max(lo - 1, 0), hi if hi is None else max(hi - 1, 0)),
                        (lo, None), (lo, lo)}:
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


def choose(reranked: Reranked, positive: Sequence[str] = (), negative: Sequence[str] = (),
           words: Sequence[str] = DEFAULT_WORDS, *, repair_seconds: float = 5.0,
           search_seconds: float = 10.0) -> Candidate | None:
    """The answer: the most probable candidate; with examples, the most probable consistent one, else
    a repaired one, else what example search finds."""
    if not positive and not negative:
        return reranked.candidates[0] if reranked.candidates else None
    for candidate in reranked.candidates:
        if candidate.consistent(positive, negative):
            return candidate
    repaired = repair(reranked.candidates, positive, negative, words, seconds=repair_seconds)
    if repaired is not None:
        return repaired
    return search_from_examples(positive, negative, search_seconds) if search_seconds > 0 else None
