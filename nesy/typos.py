"""RobustFill's noise model for benchmarks: one train output with a one-character typo.

Devlin et al. (2017) corrupt examples with typos to measure robustness; here one train example of
each task gets one character replaced, inserted or deleted, chosen by a seed and the task's name,
so the same seed always makes the same suite. Held-out tests stay clean: they say whether the
program is still the one the clean examples meant.
"""
from __future__ import annotations

import hashlib
import random
import string
from dataclasses import replace

from dsl.core import Example, Task


def with_typo(task: Task, seed: int) -> Task:
    """`task` with one string train output changed by one character (unchanged when no train
    output is a non-empty string)."""
    rng = random.Random(int.from_bytes(hashlib.sha256(f"{seed}:{task.name}".encode()).digest()[:8], "big"))
    choices = [i for i, e in enumerate(task.examples) if isinstance(e.output, str) and e.output]
    if not choices:
        return task
    index = rng.choice(choices)
    example = task.examples[index]
    examples = list(task.examples)
    examples[index] = Example(example.inputs, typo(example.output, rng))
    return replace(task, examples=tuple(examples))


def typo(text: str, rng: random.Random) -> str:
    """`text` with one character replaced, inserted or deleted (never the same text).

    >>> typo("John", random.Random(0)) != "John"
    True
    """
    alphabet = string.ascii_letters + string.digits
    while True:
        at = rng.randrange(len(text))
        kind = rng.choice(("replace", "insert", "delete") if len(text) > 1 else ("replace", "insert"))
        if kind == "replace":
            changed = text[:at] + rng.choice(alphabet) + text[at + 1:]
        elif kind == "insert":
            changed = text[:at] + rng.choice(alphabet) + text[at:]
        else:
            changed = text[:at] + text[at + 1:]
        if changed != text:
            return changed
