"""How far apart two outputs are, in character edits: a typo is one or two of them.

Noise tolerance leans on it twice: an example a program "gets wrong" is far more likely a typo
when the program's output is a character or two away from the one written down, and a program
that fits by accident is usually far off on the example it misses.
"""
from __future__ import annotations

from typing import Any


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b` (replace, insert, delete one character), or `limit` + 1
    once it is known to exceed `limit` (a band of the table only: long outputs cost little).

    >>> edit_distance("<BACKUP>", "<BACKU4P>", 3), edit_distance("9 AM", "11V AM", 3)
    (1, 3)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        low, high = max(1, i - limit), min(len(b), i + limit)
        if low > 1:
            current[low - 1] = limit + 1
        for j in range(low, high + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != b[j - 1]))
        for j in range(high + 1, len(b) + 1):
            current[j] = limit + 1
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[len(b)], limit + 1)


def output_edits(given: Any, produced: Any, limit: int) -> int:
    """Edits between an example's output and a program's, compared as text (numbers and Booleans
    by their spelling); `limit` + 1 when farther than `limit` or the program raised (None)."""
    if produced is None:
        return limit + 1
    return edit_distance(_text(given), _text(produced), limit)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)
