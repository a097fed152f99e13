"""Constant extraction: literals a solution probably needs, read off the examples.

FlashFill-style tasks insert fixed text ("USA", ".0", ", ") and split on delimiters; enumerating
every string literal is hopeless, so the candidates come from the examples themselves: text that
several outputs share but their inputs lack, and the punctuation that separates fields.

Reading runs inside the task's budget (`solvers.search.budget.checkpoint`): 20,000 examples or a
megabyte of input take a while, and when the time for literals runs out the ones found so far are
returned. The candidates are produced lazily, in order, so reading stops once `MAX_EXTRACTED`
distinct ones are found.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator, Sequence

from dsl.core import Example, STRING, INT, Const
from solvers.search.budget import BudgetExhausted, checkpoint

MAX_EXTRACTED = 12
MAX_LABELS = 4
MAX_SUBSTRING = 24       # longest shared or removed text looked for
WORK_PER_CHECK = 4096    # steps (characters, examples, candidates) between budget checks


class _Pace:
    """Calls `checkpoint()` once every `WORK_PER_CHECK` units of work."""

    def __init__(self) -> None:
        self.left = WORK_PER_CHECK

    def __call__(self, work: int = 1) -> None:
        self.left -= work
        if self.left <= 0:
            self.left = WORK_PER_CHECK
            checkpoint()


def _is_delimiter(ch: str) -> bool:
    return not ch.isalnum()


def delimiters(examples: Sequence[Example]) -> list[str]:
    """Non-alphanumeric characters that occur in both some input and some output, or in every
    input, or in several outputs, or in two or more inputs and no output (a separator a program
    strips: "," of "$1,234.50"); the ones from inputs first, most frequent first."""
    counts: Counter[str] = Counter()
    in_outputs: set[str] = set()
    pace = _Pace()
    for example in examples:
        pace(16)
        for value in example.inputs:
            if isinstance(value, str):
                counts.update(ch for ch in set(value) if _is_delimiter(ch))
        if isinstance(example.output, str):
            in_outputs.update(ch for ch in example.output if _is_delimiter(ch))
    everywhere = {ch for ch, n in counts.items() if n >= len(examples)}
    stripped = {ch for ch, n in counts.items() if n >= 2 and ch not in in_outputs}
    found = [ch for ch, _ in counts.most_common() if ch in in_outputs or ch in everywhere or ch in stripped]
    outputs = [e.output for e in examples if isinstance(e.output, str)]
    shared = {ch for ch in in_outputs if sum(ch in out for out in outputs) >= min(2, len(outputs))}
    return found + sorted(shared - set(found))


def _added_text(example: Example, pace: _Pace | None = None) -> list[str]:
    """Maximal runs of output characters that no input supplies: a character counts as copied
    when it lies inside a stretch of 2+ characters that some input contains ("Mr. Washington"
    from "George Washington": "Mr." is added), or is a digit some input contains (numbers are
    data: "9 PM" from "9:00" adds " PM")."""
    output = example.output
    sources = [v for v in example.inputs if isinstance(v, str)]
    copied = [False] * len(output)
    for start in range(len(output)):
        if pace is not None:
            pace(16)
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


def _substrings(text: str, pace: _Pace, min_len: int = 2) -> set[str]:
    """The substrings of `text` of length min_len to MAX_SUBSTRING."""
    subs: set[str] = set()
    for i in range(len(text)):
        pace(MAX_SUBSTRING)
        subs.update(text[i:j] for j in range(i + min_len, min(len(text), i + MAX_SUBSTRING) + 1))
    return subs


def _common_substrings(texts: Sequence[str], min_len: int = 2, pace: _Pace | None = None) -> Counter[str]:
    """Substrings of length >= min_len and how many of `texts` contain them."""
    pace = pace or _Pace()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_substrings(text, pace, min_len))
    return counts


def _in_at_least(text: str, texts: Sequence[str], count: int, pace: _Pace) -> bool:
    """Is `text` inside at least `count` of `texts`? (Stops counting there.)"""
    found = 0
    for other in texts:
        pace()
        if text in other:
            found += 1
            if found >= count:
                return True
    return False


def _maximal(texts: list[str], pace: _Pace) -> list[str]:
    """The texts not inside another one of them (a shorter text inside a longer one adds nothing)."""
    kept = []
    for s in texts:
        pace(len(texts))
        if not any(s != t and s in t for t in texts):
            kept.append(s)
    return kept


def _shared_by_outputs(outputs: Sequence[str], inputs: Sequence[str], pace: _Pace) -> list[str]:
    """Maximal texts (2 to MAX_SUBSTRING characters) inside every output but not every input,
    longest first. Such a text is a substring of the shortest output, so only its substrings are
    tried, and each output in turn keeps those it contains."""
    common = _substrings(min(outputs, key=len), pace)
    for out in outputs:
        pace(len(common))
        common = {s for s in common if s in out}
        if not common:
            return []
    frequent = [s for s in common if not all(s in x for x in inputs)]
    return sorted(_maximal(frequent, pace), key=lambda s: (-len(s), s))


def _candidate_texts(examples: Sequence[Example], pace: _Pace) -> Iterator[str]:
    """Every candidate literal, best first (duplicates and "" included)."""
    yield from label_outputs(examples)
    added: Counter[str] = Counter()
    for example in examples:
        if isinstance(example.output, str):
            added.update(set(_added_text(example, pace)))
    outputs = [e.output for e in examples if isinstance(e.output, str)]
    # text added to a single output is that example's answer, not a constant of the program
    # (text added to two examples' outputs is inside two outputs, no need to look)
    for text, n in added.most_common():
        if len(outputs) == 1 or n >= 2 or _in_at_least(text, outputs, 2, pace):
            yield text
    if len(outputs) >= 2:
        yield from _shared_by_outputs(outputs, [v for e in examples for v in e.inputs if isinstance(v, str)], pace)
    yield from removed_text(examples, pace)
    yield from delimiters(examples)


def extract_string_constants(examples: Sequence[Example]) -> list[str]:
    """Likely string literals: delimiters, text added to outputs, and text shared by outputs; the
    ones found so far when the budget for reading them runs out."""
    unique: list[str] = []
    try:
        for text in _candidate_texts(examples, _Pace()):
            if text and text not in unique:
                unique.append(text)
                if len(unique) == MAX_EXTRACTED:
                    break
    except BudgetExhausted:
        pass
    return unique


def _constant_columns(examples: Sequence[Example]) -> set[str]:
    """The lower-cased value of each string input column that does not vary (up to case) over the examples."""
    found = set()
    for position in range(len(examples[0].inputs) if examples else 0):
        values = {e.inputs[position].lower() if isinstance(e.inputs[position], str) else None for e in examples}
        if len(values) == 1 and None not in values:
            found |= values
    return found


def removed_text(examples: Sequence[Example], pace: _Pace | None = None) -> list[str]:
    """Maximal texts (2+ characters) that several inputs contain and no output keeps: what a
    program deletes or replaces (" Inc.", "http://"), which the inputs alone cannot name.

    A text inside two inputs is inside one that is not the longest, so the longest input (a
    megabyte, say) is only searched, never cut into substrings."""
    pace = pace or _Pace()
    inputs = [v for e in examples for v in e.inputs if isinstance(v, str)]
    outputs = [e.output for e in examples if isinstance(e.output, str)]
    if len(inputs) < 2 or not outputs:
        return []
    longest = max(range(len(inputs)), key=lambda k: len(inputs[k]))
    shared = _common_substrings(inputs[:longest] + inputs[longest + 1:], pace=pace)
    # the value of a column that is the same (up to case) in every example is the variable's value,
    # not text a program removes: as a literal it lets search memorise the column ("the text to
    # search in") instead of reading it. A value seen in only some rows ("morning") stays: a
    # comparison with it is what a conditional needs.
    constant_columns = _constant_columns(examples)
    candidates = []
    for t, n in shared.items():
        pace(len(outputs))
        if t in inputs[longest]:
            shared[t] = n = n + 1
        if n >= 2 and not any(t in out for out in outputs):
            candidates.append(t)
    kept = [t for t in _maximal(candidates, pace) if t.lower() not in constant_columns]
    return sorted(kept, key=lambda t: (-shared[t], -len(t), t))[:4]


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
