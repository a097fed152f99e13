"""Which generated rows become a task's examples: at random, or rows a shortcut explains too.

Users give few examples, and often ones that a shortcut fits as well as what they mean: two
names of four letters, two addresses with the "@" at the same place. Random rows rarely do that,
and a ranker trained on them alone learns "the smallest program is right". So some tasks take as
examples rows on which a *look-alike* (a pool program no larger than the target, wrong elsewhere)
agrees with the target, and some take rows whose outputs all have one length (the literal
extractor then offers that length, and fixed-position programs fit). A row where the look-alike
is wrong goes first among the held-out rows, so the labels can tell them apart.
"""
from __future__ import annotations

import random
from typing import Any, Sequence

Rows = tuple[list[int], list[int]]   # (example rows, the other rows in the order they are used)


def choose_rows(rng: random.Random, outputs: Sequence[Any], lookalikes: Sequence[Sequence[Any]], count: int,
                lookalike_share: float, same_length_share: float) -> Rows | None:
    """`count` example rows (never with an empty output, at least two distinct outputs) and the
    rest; None when no choice gives the examples two distinct outputs."""
    eligible = [i for i, out in enumerate(outputs) if out != ""]
    roll = rng.random()
    chosen = None
    if roll < lookalike_share:
        chosen = _agreeing(rng, outputs, lookalikes, eligible, count)
    elif roll < lookalike_share + same_length_share:
        chosen = _same_length(rng, outputs, eligible, count)
    if chosen is None:
        chosen = (rng.sample(eligible, count), []) if len(eligible) >= count else None
    if chosen is None or len({outputs[i] for i in chosen[0]}) < 2:
        return None
    examples, first = chosen
    rest = [i for i in range(len(outputs)) if i not in examples and i not in first]
    rng.shuffle(rest)
    return examples, first + rest


def _agreeing(rng: random.Random, outputs: Sequence[Any], lookalikes: Sequence[Sequence[Any]],
              eligible: Sequence[int], count: int) -> Rows | None:
    fits = []
    for vector in lookalikes:
        agree = [i for i in eligible if vector[i] == outputs[i]]
        wrong = [i for i in range(len(outputs)) if vector[i] != outputs[i]]
        if len(agree) >= count and wrong and len({outputs[i] for i in agree}) > 1:
            fits.append((agree, wrong))
    if not fits:
        return None
    agree, wrong = rng.choice(fits)
    return sorted(rng.sample(agree, count)), [rng.choice(wrong)]


def _same_length(rng: random.Random, outputs: Sequence[Any], eligible: Sequence[int], count: int) -> Rows | None:
    by_length: dict[int, list[int]] = {}
    for i in eligible:
        by_length.setdefault(len(str(outputs[i])), []).append(i)
    groups = [rows for _, rows in sorted(by_length.items())
              if len(rows) >= count and len({outputs[i] for i in rows}) > 1]
    if not groups:
        return None
    return sorted(rng.sample(rng.choice(groups), count)), []
