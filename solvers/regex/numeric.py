"""Numeric conditions on form fields, solved with Z3 (FOREST's capture conditions such as day <= 31).

When the field template (`solvers.regex.fields`) accepts a negative, the negative may differ from
the positives only in a number (a day of 34, an octet of 300): FOREST's `+-` strings. Each digit
part then gets unknown bounds lo <= value <= hi: every positive lies within them, and every such
negative breaks at least one (a disjunction, which is why Z3 decides it). Many bounds qualify, so
the optimizer picks the most natural: no bound where none is needed, then well-known limits (12,
31, 59, 255), then round numbers (7000), and only then the values the examples force. Each bounded
part becomes an exact regex for its integer range (`dsl.regex.numeric_ranges`), so the answer is
an ordinary regex that the matcher and Z3 check like any other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from dsl.core import Program
from dsl.regex.charset import CharSet
from dsl.regex.matcher import matches
from dsl.regex.numeric_ranges import digits_in_range, union_all
from dsl.regex.ops import leaf, to_term
from dsl.regex.printer import to_everyday
from solvers.regex.fields import FieldPart, concatenation, field_parts
from solvers.search.budget import z3_timeout_ms

Z3_TIMEOUT_MS = 5_000
# Upper limits people write into forms, most common first: months, days, minutes, hours, octets...
NATURAL_MAXIMA = (12, 31, 59, 23, 255, 24, 60, 30, 29, 28, 99, 100, 365, 366, 999)
NO_BOUND, ONE, NATURAL, ROUND, FORCED = 0, 10, 20, 40, 60   # costs: lower is more natural


@dataclass(frozen=True)
class DigitRange:
    """lo <= value <= hi for one digit part."""

    lo: int
    hi: int


def _trailing_zeros(n: int) -> int:
    count = 0
    while n and n % 10 == 0:
        n, count = n // 10, count + 1
    return count


def lower_cost(n: int) -> int:
    """How unnatural `value >= n` is: none (0), 1, a round number (more zeros: cheaper), anything."""
    if n == 0:
        return NO_BOUND
    if n == 1:
        return ONE
    zeros = _trailing_zeros(n)
    return ROUND - zeros if zeros else FORCED


def upper_cost(n: int, limit: int) -> int:
    """How unnatural `value <= n` is: none (the width's limit), a known limit, round (299, 300), anything."""
    if n == limit:
        return NO_BOUND
    if n in NATURAL_MAXIMA:
        return NATURAL + NATURAL_MAXIMA.index(n)
    zeros = max(_trailing_zeros(n), _trailing_zeros(n + 1))
    return ROUND - zeros if zeros else FORCED


def _round_numbers(a: int, b: int) -> list[int]:
    """The numbers in [a, b] ending in the most zeros (or nines), from each end."""
    found = []
    for power in (10 ** t for t in range(len(str(b)), 0, -1)):
        found += [n for n in ((a + power - 1) // power * power, b // power * power,
                              (b + 1) // power * power - 1) if a <= n <= b]
        if found:
            break
    return found


def _most_natural(a: int, b: int, cost: Callable[[int], int]) -> int:
    """The most natural number in [a, b]; ties go to the first of the candidates listed."""
    candidates = [0, 1, *NATURAL_MAXIMA, b, *_round_numbers(a, b), a]
    return min((n for n in candidates if a <= n <= b), key=cost)


def _candidates(low_end: int, high_end: int, starts: Sequence[int], cost: Callable[[int], int]) -> dict[int, int]:
    """The most natural bound in each interval that `starts` cut [low_end, high_end] into, with its
    cost: bounds within one interval exclude the same negatives, so only the most natural counts."""
    edges = sorted({low_end, *(s for s in starts if low_end < s <= high_end)}) + [high_end + 1]
    chosen = {}
    for start, end in zip(edges, edges[1:]):
        n = _most_natural(start, end - 1, cost)
        chosen[n] = cost(n)
    return chosen


def solve_bounds(positive: Sequence[Sequence[int]], shaped: Sequence[Sequence[int]],
                 limits: Sequence[int]) -> list[DigitRange] | None:
    """DigitRange per digit part (column) that hold every positive row and break every `shaped` row,
    the most natural by `lower_cost`/`upper_cost`; None when no bounds can do it.

    >>> solve_bounds([(21, 1), (2, 12), (31, 4)], [(34, 12), (21, 13), (0, 9)], [99, 99])
    [DigitRange(lo=1, hi=31), DigitRange(lo=0, hi=12)]
    """
    import z3

    optimizer = z3.Optimize()
    optimizer.set("timeout", z3_timeout_ms(Z3_TIMEOUT_MS))   # and no later than the task's deadline
    lows, highs, costs = [], [], []
    for column, limit in enumerate(limits):
        seen = [row[column] for row in positive]
        breaking = [row[column] for row in shaped]
        lo, hi = z3.Int(f"lo{column}"), z3.Int(f"hi{column}")
        # value < lo excludes v from lo = v + 1 on; value > hi excludes it up to hi = v - 1.
        low_choices = _candidates(0, min(seen), [v + 1 for v in breaking], lower_cost)
        high_choices = _candidates(max(seen), limit, breaking, lambda n: upper_cost(n, limit))
        for variable, choices in ((lo, low_choices), (hi, high_choices)):
            optimizer.add(z3.Or([variable == n for n in choices]))
            costs.append(z3.Sum([z3.If(variable == n, cost, 0) for n, cost in choices.items()]))
        optimizer.add(lo <= min(seen), hi >= max(seen))
        lows.append(lo)
        highs.append(hi)
    for row in shaped:
        optimizer.add(z3.Or([z3.Or(v < lo, v > hi) for v, lo, hi in zip(row, lows, highs)]))
    optimizer.minimize(z3.Sum(costs))
    if optimizer.check() != z3.sat:
        return None
    model = optimizer.model()
    return [DigitRange(model.eval(lo).as_long(), model.eval(hi).as_long()) for lo, hi in zip(lows, highs)]


def _extraction(parts: Sequence[FieldPart], numeric: Sequence[int]) -> re.Pattern[str]:
    """The template as a Python regex with each digit part captured as `(\\d+)`, whatever its width."""
    return re.compile("".join("(\\d+)" if index in numeric else f"(?:{to_everyday(concatenation(part.pieces))})"
                              for index, part in enumerate(parts)), re.DOTALL)


def _widths(part: FieldPart, shown: set[int]) -> list[int]:
    """The part's lengths less those that only negatives show (a 3-digit year where positives have
    2 or 4 digits): no bound could reject those, their width does."""
    seen = {len(v) for v in part.values}
    assert part.widths is not None
    return [w for w in part.widths if w in seen or w not in shown]


def _with_alternatives(parts: Sequence[FieldPart]) -> list[FieldPart]:
    """Letter parts that repeat a few values (`AM`, `PM`) become the union of those values, for
    negatives such as `AA` that the class `[A-Z]{2}` lets through."""
    def narrowed(part: FieldPart) -> FieldPart:
        distinct = sorted(set(part.values))
        if part.widths is not None or len(distinct) < 2 or 2 * len(distinct) > len(part.values):
            return part
        words = [concatenation([leaf(CharSet.of(c)) for c in word]) for word in distinct if word]
        return replace(part, pieces=(union_all(words),))
    return [narrowed(part) for part in parts]


def _bounded(parts: Sequence[FieldPart], positive: Sequence[str], negative: Sequence[str]) -> Program | None:
    """The template with each digit part bounded so that no negative of the template's shape is
    accepted, or None when no bounds do that."""
    numeric = [index for index, part in enumerate(parts) if part.widths is not None]
    pattern = _extraction(parts, numeric)
    matched = [m.groups() for m in map(pattern.fullmatch, negative) if m]
    widths = [_widths(parts[index], {len(groups[k]) for groups in matched}) for k, index in enumerate(numeric)]
    shaped = [tuple(map(int, groups)) for groups in matched
              if all(len(g) in allowed for g, allowed in zip(groups, widths))]
    if shaped and not numeric:
        return None
    rows = [tuple(int(parts[index].values[row]) for index in numeric) for row in range(len(positive))]
    bounds = solve_bounds(rows, shaped, [10 ** max(w) - 1 for w in widths]) if numeric else []
    if bounds is None:
        return None
    ranges = dict(zip(numeric, zip(bounds, widths)))
    pieces: list[Program] = []
    for index, part in enumerate(parts):
        if index in ranges:
            limits, allowed = ranges[index]
            pieces.append(digits_in_range(limits.lo, limits.hi, allowed))
        else:
            pieces += part.pieces
    return concatenation(pieces)


def bounded_field_template(positive: Sequence[str], negative: Sequence[str]) -> Program | None:
    """The field template (`solvers.regex.fields`) with numeric bounds on its digit parts, and if
    need be with letter parts narrowed to the values seen, that accepts every positive and rejects
    every negative; None when neither refinement does.

    >>> from dsl.regex.printer import to_everyday
    >>> to_everyday(bounded_field_template(["21/01", "02/12", "31/04"], ["34/12", "21/13", "00/09", "09/00"]))
    '(0[1-9]|[1-2]\\\\d|3[0-1])/(0[1-9]|1[0-2])'
    """
    parts = field_parts(positive)
    if parts is None:
        return None
    variants = [list(parts)]
    narrowed = _with_alternatives(parts)
    if narrowed != variants[0]:
        variants.append(narrowed)
    for variant in variants:
        regex = _bounded(variant, positive, negative)
        if regex is not None and _classifies(regex, positive, negative):
            return regex
    return None


def _classifies(regex: Program, positive: Sequence[str], negative: Sequence[str]) -> bool:
    term = to_term(regex)
    return all(matches(term, s) for s in positive) and not any(matches(term, s) for s in negative)
