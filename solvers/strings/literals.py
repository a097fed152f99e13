"""Constant extraction: literals a solution probably needs, read off the examples.

FlashFill-style tasks insert fixed text ("USA", ".0", ", ") and split on delimiters; enumerating
every string literal is hopeless, so the candidates come from the examples themselves: text that
several outputs share but their inputs lack, and the punctuation that separates fields.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from dsl.core import Example, STRING, INT, Const

MAX_EXTRACTED = 12
MAX_LABELS = 4


def _is_delimiter(ch: str) -> bool:
    return not ch.isalnum()


def delimiters(examples: Sequence[Example]) -> list[str]:
    """Non-alphanumeric characters that occur in both some input and some output, or in every
    input, or in several outputs; the ones from inputs first, most frequent first."""
    counts: Counter[str] = Counter()
    in_outputs: set[str] = set()
    for example in examples:
        for value in example.inputs:
            if isinstance(value, str):
                counts.update(ch for ch in set(value) if _is_delimiter(ch))
        if isinstance(example.output, str):
            in_outputs.update(ch for ch in example.output if _is_delimiter(ch))
    everywhere = {ch for ch, n in counts.items() if n >= len(examples)}
    found = [ch for ch, _ in counts.most_common() if ch in in_outputs or ch in everywhere]
    outputs = [e.output for e in examples if isinstance(e.output, str)]
    shared = {ch for ch in in_outputs if sum(ch in out for out in outputs) >= min(2, len(outputs))}
    return found + sorted(shared - set(found))


def _added_text(example: Example) -> list[str]:
    """Maximal runs of output characters that no input supplies: a character counts as copied
    when it lies inside a stretch of 2+ characters that some input contains ("Mr. Washington"
    from "George Washington": "Mr." is added), or is a digit some input contains (numbers are
    data: "9 PM" from "9:00" adds " PM")."""
    output = example.output
    sources = [v for v in example.inputs if isinstance(v, str)]
    copied = [False] * len(output)
    for start in range(len(output)):
        end = start + 2
        while end <= len(output) and any(output[start:end] in s for s in sources):
            end += 1
        if end - 1 - start >= 2:
            for i in range(start, end - 1):
                copied[i] = True
        elif output[start].isdigit() and any(output[start] in s for s in sources):
            copied[start] = True
    pieces, run = [], ""
    for ch, is_copied in zip(output, copied):
        if is_copied:
            if run:
                pieces.append(run)
            run = ""
        else:
            run += ch
    if run:
        pieces.append(run)
    return pieces


def label_outputs(examples: Sequence[Example]) -> list[str]:
    """Whole outputs, when the outputs look like labels ("Completed", "In Progress", "yes"): some
    output repeats, there are few distinct ones, and the inputs do not contain them. A decision
    tree over these is what such a task needs, even for a label seen once."""
    outputs = [e.output for e in examples if isinstance(e.output, str)]
    distinct = list(dict.fromkeys(outputs))
    if len(distinct) == len(outputs) or len(distinct) > MAX_LABELS:
        return []
    return [o for o in distinct if o and _added_text(next(e for e in examples if e.output == o)) == [o]]


def _common_substrings(texts: Sequence[str], min_len: int = 2) -> Counter[str]:
    """Substrings of length >= min_len and how many of `texts` contain them."""
    counts: Counter[str] = Counter()
    for text in texts:
        subs = {text[i:j] for i in range(len(text)) for j in range(i + min_len, min(len(text), i + 24) + 1)}
        counts.update(subs)
    return counts


def extract_string_constants(examples: Sequence[Example]) -> list[str]:
    """Likely string literals: delimiters, text added to outputs, and text shared by outputs."""
    found: list[str] = label_outputs(examples)
    added: Counter[str] = Counter()
    for example in examples:
        if isinstance(example.output, str):
            added.update(set(_added_text(example)))
    outputs = [e.output for e in examples if isinstance(e.output, str)]
    # text added to a single output is that example's answer, not a constant of the program
    found.extend(text for text, n in added.most_common()
                 if len(outputs) == 1 or sum(text in out for out in outputs) >= 2)
    if len(outputs) >= 2:
        shared = _common_substrings(outputs)
        inputs = [v for e in examples for v in e.inputs if isinstance(v, str)]
        frequent = [s for s, n in shared.items() if n == len(outputs) and not all(s in x for x in inputs)]
        # keep only maximal ones: a shared substring inside a longer shared one adds nothing
        frequent = [s for s in frequent if not any(s != t and s in t for t in frequent)]
        found.extend(sorted(frequent, key=lambda s: (-len(s), s)))
    found.extend(removed_text(examples))
    found.extend(delimiters(examples))
    unique: list[str] = []
    for text in found:
        if text and text not in unique:
            unique.append(text)
    return unique[:MAX_EXTRACTED]


def removed_text(examples: Sequence[Example]) -> list[str]:
    """Maximal texts (2+ characters) that several inputs contain and no output keeps: what a
    program deletes or replaces (" Inc.", "http://"), which the inputs alone cannot name."""
    inputs = [v for e in examples for v in e.inputs if isinstance(v, str)]
    outputs = [e.output for e in examples if isinstance(e.output, str)]
    if len(inputs) < 2 or not outputs:
        return []
    shared = _common_substrings(inputs)
    candidates = [t for t, n in shared.items() if n >= 2 and not any(t in out for out in outputs)]
    maximal = [t for t in candidates if not any(t != u and t in u for u in candidates)]
    return sorted(maximal, key=lambda t: (-shared[t], -len(t), t))[:4]


def length_constants(examples: Sequence[Example]) -> list[int]:
    """Integers that a fixed-width task needs: the common length of all outputs, or the common
    difference between an input's length and the output's (e.g. "the last 5 characters")."""
    outputs = [e.output for e in examples]
    if len(examples) < 2 or not all(isinstance(o, str) for o in outputs):
        return []
    found = []
    lengths = {len(o) for o in outputs}
    if len(lengths) == 1:
        found.append(lengths.pop())
    for position in range(len(examples[0].inputs)):
        values = [e.inputs[position] for e in examples]
        if all(isinstance(v, str) for v in values):
            differences = {len(v) - len(o) for v, o in zip(values, outputs)}
            if len(differences) == 1:
                found.append(abs(differences.pop()))
    return [n for n in found if n > 1]


def extract_constants(examples: Sequence[Example]) -> list[Const]:
    """String constants from the examples, plus integers: lengths of extracted texts and of
    fixed-width outputs."""
    strings = extract_string_constants(examples)
    lengths = sorted({len(s) for s in strings if len(s) > 1})
    integers = list(dict.fromkeys([*length_constants(examples), *lengths[:4]]))
    return [Const(s, STRING) for s in strings] + [Const(n, INT) for n in integers]
