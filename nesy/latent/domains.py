"""What LPN needs to know about a domain: its tasks as tensors, its training tasks, its test set.

Only seqrules is built (LPN's sequence task, `dsl.seqrules`); the string domain is not (see
docs/latent.md).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

import torch

from dsl.core import Task
from dsl.errors import NesyInputError
from dsl.seqrules import DSL as SEQRULES
from dsl.seqrules import RULES, rules_of
from dsl.seqrules.generator import SEQUENCE_LENGTH, generate, random_task
from nesy.latent.model import LpnConfig

END = len(RULES)                  # the program head's "no more rules" class
TEST_SEED = 20251                 # the fixed-seed test set (training draws from other seeds)
VALIDATION_SEED = 777


@dataclass
class TaskTensors:
    """Tasks as tensors: given pairs (B, N, L), test inputs / outputs (B, T, L), and what the
    programs that made them hold (rule multi-hot (B, rules), slots (B, slots); -1: unknown)."""

    x: torch.Tensor
    y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    rules: torch.Tensor
    slots: torch.Tensor


class SeqRulesDomain:
    """LPN's sequence task: 4 given pairs and 1 held-out pair per task, length-10 sequences."""

    name = "seqrules"
    dsl = SEQRULES

    def config(self) -> LpnConfig:
        return LpnConfig(vocab=5, length=SEQUENCE_LENGTH, rules=len(RULES))

    def test_tasks(self, count: int, seed: int = TEST_SEED) -> list[Task]:
        return generate(count, seed, prefix="seq-test")

    def training_batch(self, rng: random.Random, size: int) -> TaskTensors:
        """`size` fresh tasks of 5 pairs each: training encodes every 4 and decodes the fifth."""
        tasks = [random_task(rng, "train", pairs=5, tests=0) for _ in range(size)]
        return self.tensors(tasks)

    def tensors(self, tasks: Sequence[Task]) -> TaskTensors:
        for task in tasks:
            if len(task.inputs) != 1:
                raise NesyInputError(f"task {task.name!r}: a seqrules task has one input sequence")
        lengths = {len(e.inputs[0]) for t in tasks for e in (*t.examples, *t.tests)}
        if lengths != {SEQUENCE_LENGTH}:
            raise NesyInputError(f"the seqrules network reads sequences of length {SEQUENCE_LENGTH}, "
                                 f"not {sorted(lengths)}")
        pairs = {len(t.examples) for t in tasks}
        if len(pairs) != 1:
            raise NesyInputError(f"tasks of one batch need the same number of given pairs, not {sorted(pairs)}")

        def grid(examples: Sequence, side: str) -> list:
            return [list(e.inputs[0]) if side == "x" else list(e.output) for e in examples]

        x = torch.tensor([grid(t.examples, "x") for t in tasks])
        y = torch.tensor([grid(t.examples, "y") for t in tasks])
        tests = max(len(t.tests) for t in tasks)
        blank = [[0] * SEQUENCE_LENGTH]
        test_x = torch.tensor([grid(t.tests, "x") + blank * (tests - len(t.tests)) for t in tasks]).reshape(
            len(tasks), tests, SEQUENCE_LENGTH)
        test_y = torch.tensor([grid(t.tests, "y") + blank * (tests - len(t.tests)) for t in tasks]).reshape(
            len(tasks), tests, SEQUENCE_LENGTH)
        rules = torch.zeros(len(tasks), len(RULES))
        slots = torch.full((len(tasks), 5), -1, dtype=torch.long)
        for row, task in enumerate(tasks):
            reference = getattr(task, "reference", "")
            if reference:
                program = [RULES.index(r) for r in rules_of(SEQRULES.parse(reference))]
                rules[row, program] = 1.0
                slots[row] = torch.tensor((program + [END] * 5)[:5])
        return TaskTensors(x, y, test_x, test_y, rules, slots)


DOMAINS = {"seqrules": SeqRulesDomain}


def get_domain(name: str) -> SeqRulesDomain:
    try:
        return DOMAINS[name]()
    except KeyError:
        raise NesyInputError(f"unknown latent domain {name!r} (known: {', '.join(DOMAINS)})") from None
