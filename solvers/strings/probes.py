"""Made-up input rows that tell apart string programs which agree on the examples.

`(str.substr x0 0 4)` and `(str.substr x0 0 (str.indexof x0 "@" 0))` give the same outputs on
`john@x.com` and `mary@y.org`; on `carol@gmail.com` they differ. A probe keeps the look of an
example input (the same delimiters, the same kinds of characters) and changes the lengths of its
runs of letters and digits, which is exactly what fixed positions, lengths and digit tricks
depend on and what a general program does not. Probes are never constraints: search keeps
programs apart by their outputs on them, and the ranker reads those outputs.

The rows are a pure function of the examples (a seed drawn from their text), so the same task
always gets the same probes.
"""
from __future__ import annotations

import hashlib
import random
from typing import Any, Sequence

from dsl.core import Task

MAX_RUN_CHANGE = 3        # a run of letters or digits grows or shrinks by up to this many characters


def probe_rows(task: Task, count: int) -> tuple[tuple[Any, ...], ...]:
    """Up to `count` input rows, each a variation of one example's inputs, none equal to an
    example's or to another probe's inputs."""
    if count <= 0 or not task.examples:
        return ()
    rng = random.Random(_seed(task))
    known = {e.inputs for e in task.examples} | set(task.unlabelled)
    rows: list[tuple[Any, ...]] = []
    attempts = 0
    while len(rows) < count and attempts < 20 * count:
        example = task.examples[attempts % len(task.examples)]
        attempts += 1
        row = tuple(_vary(value, rng) for value in example.inputs)
        if row not in known:
            known.add(row)
            rows.append(row)
    return tuple(rows)


def _seed(task: Task) -> int:
    text = repr([(e.inputs, e.output) for e in task.examples]).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def _vary(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value + rng.choice([-3, -2, -1, 1, 2, 3, 7, 11])
    if isinstance(value, str):
        return vary_text(value, rng)
    return value


def vary_text(text: str, rng: random.Random) -> str:
    """`text` with its runs of letters and digits lengthened or shortened (each by a random
    amount, some left as they are), from characters of the same kind; other characters stay.

    >>> vary_text("john@x.com", random.Random(1)) != "john@x.com"
    True
    """
    runs = _runs(text)
    # A lone capital (an initial, the start of a name) keeps its length: "Jjohn" is not a name.
    changeable = [i for i, (kind, run) in enumerate(runs)
                  if kind in ("lower", "digit", "other-letter") or (kind == "upper" and len(run) > 1)]
    if not changeable:
        return text + text[-1:] if text else text
    changed = set(rng.sample(changeable, k=max(1, (len(changeable) + 1) // 2)))
    pieces = []
    for i, (kind, run) in enumerate(runs):
        if i in changed:
            run = _resize(run, kind, rng)
        pieces.append(run)
    varied = "".join(pieces)
    return varied if varied != text else text + (runs[changeable[-1]][1][-1])


def _runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into maximal runs of one kind of character."""
    runs: list[tuple[str, str]] = []
    for char in text:
        kind = _kind(char)
        if runs and runs[-1][0] == kind and kind != "symbol":
            runs[-1] = (kind, runs[-1][1] + char)
        else:
            runs.append((kind, char))
    return runs


def _kind(char: str) -> str:
    if char.isdigit() and char.isascii():
        return "digit"
    if char.isalpha():
        if char.isascii():
            return "lower" if char.islower() else "upper"
        return "other-letter"
    return "space" if char.isspace() else "symbol"


def _resize(run: str, kind: str, rng: random.Random) -> str:
    """The run, longer or shorter (never empty), in characters of its own kind."""
    change = rng.choice([d for d in range(-MAX_RUN_CHANGE, MAX_RUN_CHANGE + 1) if d and len(run) + d >= 1])
    if change < 0:
        cut = rng.randrange(0, len(run) + change + 1)
        return run[:cut] + run[cut - change:]
    alphabet = _alphabet(run, kind)
    extra = "".join(rng.choice(alphabet) for _ in range(change))
    at = rng.randrange(1, len(run) + 1)
    return run[:at] + extra + run[at:]


def _alphabet(run: str, kind: str) -> Sequence[str]:
    if kind == "digit":
        return "0123456789"
    if kind == "lower":
        return "abcdefghijklmnopqrstuvwxyz"
    if kind == "upper":
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return run
