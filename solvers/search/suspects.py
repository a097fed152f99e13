"""Outputs that may be typos, and how much a string looks like the outputs that are not.

Noise tolerance meets two outputs a typo apart that each occur once ("truS" and "true", "3 PM" and
" PM"): either could be the typo, and a program can keep either while calling the other wrong at
the same cost. A typo puts in (or takes out) a character of any kind, so the one written down
right is the one that looks like the rest: characters of classes the trusted outputs have, in the
same shape (runs of digits, letters, spaces, punctuation), and, where the output is text of its
own inputs, written as they write it.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from dsl.core import Task
from solvers.search.edits import edit_distance

REPAIR_EDITS = 2            # an output this close to another example's may be a typo of it ...
REPAIR_SHARE = 3            # ... when the edits are at most a third of its length ("Xno" -> "no")


def typo_pairs(task: Task) -> list[tuple[int, str]]:
    """(index, other output) for each output that occurs once and is a typo away from another
    example's output: the repair that would make it that output."""
    outputs = [e.output for e in task.examples]
    pairs: list[tuple[int, str]] = []
    for index, output in enumerate(outputs):
        if not isinstance(output, str) or outputs.count(output) > 1:
            continue
        for other in dict.fromkeys(o for o in outputs if isinstance(o, str) and o != output):
            edits = edit_distance(output, other, REPAIR_EDITS)
            if edits <= REPAIR_EDITS and REPAIR_SHARE * edits <= max(len(output), len(other)):
                pairs.append((index, other))
    return pairs


def character_class(character: str) -> str:
    if character.isdigit():
        return "digit"
    if character.isalpha():
        return "upper" if character.isupper() else "lower"
    return "space" if character.isspace() else character


def shape(text: str) -> tuple[str, ...]:
    """The runs of character classes: "11 AM" and "3 PM" are (digit, space, upper)."""
    return tuple(kind for kind, _ in itertools.groupby(map(character_class, text)))


@dataclass(frozen=True)
class Trusted:
    """What the outputs not in doubt look like."""

    classes: frozenset[str]
    shapes: frozenset[tuple[str, ...]]

    @staticmethod
    def of(task: Task, suspects: set[int]) -> "Trusted":
        outputs = [e.output for i, e in enumerate(task.examples) if i not in suspects and isinstance(e.output, str)]
        return Trusted(frozenset(character_class(c) for out in outputs for c in out),
                       frozenset(shape(out) for out in outputs))

    def misfit(self, value: object, inputs: tuple | None = None) -> int:
        """How unlike the trusted outputs a string output of the example with `inputs` is: its
        characters of a class no trusted output has, 1 more when no trusted output has its
        shape, and 1 more when it is not written in its own inputs ("Microsoft" is in "Microsoft
        Corporation", "Microjoft" is not; not judged when `inputs` is None: most outputs are not
        in their inputs). 0 for what is not a string, or with nothing to compare.

        Characters merely absent from the task's text are no evidence: a typo that deletes one
        makes a string with fewer of them, right or wrong."""
        if not isinstance(value, str) or not self.classes:
            return 0
        odd_class = sum(character_class(c) not in self.classes for c in value)
        unwritten = inputs is not None and not any(isinstance(v, str) and value and value in v for v in inputs)
        return odd_class + (shape(value) not in self.shapes) + unwritten
