"""Integer ranges as regexes: the digit strings whose value lies in [lo, hi].

Form fields carry numeric conditions that no character class states (a day is 01..31, an octet
0..255). Both the synthesizer (a field with solved bounds) and the scorer (FOREST's ground truth
`$0 <= 31`) need them as plain regexes, so that the derivative matcher and Z3 read them like any
other answer. The construction is the classic one: split [lo, hi] at the first digit where the two
ends differ, so `01..31` at width 2 becomes `0[1-9]|[1-2]\\d|3[0-1]`.

>>> from dsl.regex.printer import to_everyday
>>> to_everyday(digits_in_range(1, 31, [2]))
'0[1-9]|[1-2]\\\\d|3[0-1]'
"""
from __future__ import annotations

from typing import Iterable

from dsl.core import Program, right_nested
from dsl.regex.charset import DIGIT, CharSet
from dsl.regex.ops import CONCAT, EMPTY, PLUS, STAR, UNION, apply, leaf, repeat


def _digits(count: int) -> Program:
    """`\\d{count}` (count >= 1)."""
    return leaf(DIGIT) if count == 1 else apply(repeat(count, count), leaf(DIGIT))


def _digit_class(first: int, last: int) -> Program:
    return leaf(CharSet.of([(str(first), str(last))]))


def _then(head: Program, tail: Program | None) -> Program:
    return head if tail is None else apply(CONCAT, head, tail)


def _alternatives(part: Program) -> list[Program]:
    return [a for child in part.children for a in _alternatives(child)] if part.head is UNION else [part]


def union_all(parts: list[Program]) -> Program:
    """`p1|p2|...` flat and right-nested (the parser's shape); the empty language for no parts."""
    flat = [a for part in parts for a in _alternatives(part)]
    if not flat:
        return Program(EMPTY)
    return right_nested(UNION, flat)


def _between(lo: str, hi: str) -> Program | None:
    """The strings of len(lo) digits from lo to hi (zero-padded, lo <= hi); None for width 0."""
    width = len(lo)
    if width == 0:
        return None
    if lo == "0" * width and hi == "9" * width:
        return _digits(width)
    rest = width - 1
    if lo[0] == hi[0]:
        return _then(leaf(CharSet.of(lo[0])), _between(lo[1:], hi[1:]))
    low_whole, high_whole = lo[1:] == "0" * rest, hi[1:] == "9" * rest
    first = int(lo[0]) if low_whole else int(lo[0]) + 1
    last = int(hi[0]) if high_whole else int(hi[0]) - 1
    parts = []
    if not low_whole:
        parts.append(_then(leaf(CharSet.of(lo[0])), _between(lo[1:], "9" * rest)))
    if first <= last:
        parts.append(_then(_digit_class(first, last), _digits(rest) if rest else None))
    if not high_whole:
        parts.append(_then(leaf(CharSet.of(hi[0])), _between("0" * rest, hi[1:])))
    return union_all(parts)


def fixed_width_range(lo: int, hi: int, width: int) -> Program:
    """Exactly `width` digits (leading zeros allowed) whose value is in [lo, hi]; needs 0 <= lo <= hi < 10**width."""
    if not 0 <= lo <= hi < 10 ** width or width < 1:
        raise ValueError(f"no {width}-digit numbers from {lo} to {hi}")
    program = _between(str(lo).zfill(width), str(hi).zfill(width))
    assert program is not None
    return program


def digits_in_range(lo: int, hi: int, widths: Iterable[int]) -> Program:
    """Digit strings of one of `widths` lengths whose value is in [lo, hi], as one union.

    Runs of widths where every string qualifies merge into `\\d{a,b}`, so an unbounded field reads as
    it did before bounds (`\\d{1,3}`)."""
    parts: list[Program] = []
    whole_run: list[int] = []

    def close_run() -> None:
        if whole_run:
            a, b = whole_run[0], whole_run[-1]
            parts.append(_digits(a) if a == b else apply(repeat(a, b), leaf(DIGIT)))
            whole_run.clear()

    for width in sorted(set(widths)):
        top = min(hi, 10 ** width - 1)
        if lo > top:
            close_run()
            continue
        if lo == 0 and top == 10 ** width - 1 and (not whole_run or whole_run[-1] == width - 1):
            whole_run.append(width)
            continue
        close_run()
        parts.append(fixed_width_range(lo, top, width))
    close_run()
    return union_all(parts)


def value_in_range(lo: int, hi: int | None = None) -> Program:
    """Digit strings of any length, leading zeros allowed, whose value is in [lo, hi] (hi None: no
    upper bound): what a capture condition such as FOREST's `$0 >= 1, $0 <= 31` accepts."""
    parts: list[Program] = []
    if lo == 0:
        parts.append(apply(PLUS, leaf(CharSet.of("0"))))
    start = max(lo, 1)
    width = len(str(start))
    if hi is None:
        canonical = [fixed_width_range(start, 10 ** width - 1, width),
                     apply(CONCAT, _digit_class(1, 9), apply(repeat(width, None), leaf(DIGIT)))]
    else:
        canonical = [fixed_width_range(max(start, 10 ** (w - 1)), min(hi, 10 ** w - 1), w)
                     for w in range(width, len(str(hi)) + 1) if max(start, 10 ** (w - 1)) <= min(hi, 10 ** w - 1)]
    if canonical:
        parts.append(apply(CONCAT, apply(STAR, leaf(CharSet.of("0"))), union_all(canonical)))
    return union_all(parts)
