"""Seeded random seqrules tasks, as LPN's sequence task is described (App. B.7): a program of 3-5
rules drawn uniformly from the rule table, and random input sequences of numbers 0-4 with the
program's outputs.

A task has `pairs` given pairs and `tests` held-out pairs. A draw is kept only when the program
changes every given input (a pair with output == input says little, and a program that changes
nothing is no task); otherwise the inputs, then the program, are drawn again.

    >>> task = random_task(random.Random(0), "t0")
    >>> len(task.examples), len(task.tests), len(task.examples[0].inputs[0])
    (4, 1, 10)
"""
from __future__ import annotations

import random
from typing import Sequence

from dsl.core import Example
from dsl.seqrules.rules import BASE, RULES, Rule, Seq, run_rules
from dsl.seqrules.syntax import print_program, program_of
from dsl.seqrules.tasks import SeqRulesTask, make_seqrules_task

PROGRAM_LENGTHS = (3, 4, 5)
SEQUENCE_LENGTH = 10
PAIRS = 4
TESTS = 1
INPUT_DRAWS = 20          # input draws per program before another program is drawn


def random_program(rng: random.Random, lengths: Sequence[int] = PROGRAM_LENGTHS) -> list[Rule]:
    return [rng.choice(RULES) for _ in range(rng.choice(lengths))]


def random_sequence(rng: random.Random, length: int = SEQUENCE_LENGTH) -> Seq:
    return tuple(rng.randrange(BASE) for _ in range(length))


def random_task(rng: random.Random, name: str, pairs: int = PAIRS, tests: int = TESTS,
                length: int = SEQUENCE_LENGTH, lengths: Sequence[int] = PROGRAM_LENGTHS) -> SeqRulesTask:
    """One task: a program and `pairs + tests` input/output pairs of it."""
    while True:
        rules = random_program(rng, lengths)
        for _ in range(INPUT_DRAWS):
            inputs = [random_sequence(rng, length) for _ in range(pairs + tests)]
            outputs = [run_rules(rules, x) for x in inputs]
            if all(y != x for x, y in zip(inputs[:pairs], outputs[:pairs])):
                examples = [Example((x,), y) for x, y in zip(inputs, outputs)]
                return make_seqrules_task(name, examples[:pairs], examples[pairs:],
                                          reference=print_program(program_of(rules)))


def generate(count: int, seed: int, prefix: str = "seq", **shape: int) -> list[SeqRulesTask]:
    """`count` tasks from one seed (the same seed gives the same tasks)."""
    rng = random.Random(seed)
    return [random_task(rng, f"{prefix}-{seed}-{i:05d}", **shape) for i in range(count)]
