"""Regex tasks: one String input `s`, Bool outputs (True: accept), the alphabet as String constants.

Readers (`dsl.regex.task_files`, `dsl.regex.regel`) and search both build and read tasks through
this module, so neither depends on the other.
"""
from __future__ import annotations

from typing import Sequence

from dsl.core import STRING, Const, Example, Task, make_task
from dsl.errors import NesyInputError


def regex_task(name: str, positive: Sequence[str], negative: Sequence[str], alphabet: str | None = None,
               test_positive: Sequence[str] = (), test_negative: Sequence[str] = (), source: str = "",
               path: str | None = None) -> Task:
    """A regex task; the alphabet defaults to the characters of the examples; errors name `path`,
    the file it was read from."""
    if not positive and not negative:
        raise NesyInputError(f"task {name!r}: no positive and no negative strings", path=path)
    both = set(positive) & set(negative)
    if both:
        raise NesyInputError(f"task {name!r}: {sorted(both)[0]!r} is both positive and negative", path=path)
    train = [Example((s,), True) for s in positive] + [Example((s,), False) for s in negative]
    tests = [Example((s,), True) for s in test_positive] + [Example((s,), False) for s in test_negative]
    letters = alphabet if alphabet is not None else "".join(sorted({c for s in [*positive, *negative] for c in s}))
    constants = tuple(Const(c, STRING) for c in dict.fromkeys(letters))
    return make_task(name, train, tests, input_names=["s"], constants=constants, source=source)


def alphabet_of(task: Task) -> str:
    """The alphabet a regex task was given (its String constants)."""
    return "".join(c.value for c in task.constants if c.type == STRING and len(c.value) == 1)
