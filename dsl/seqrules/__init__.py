"""seqrules: the sequence task of LPN (Macfarlane & Bonnet, App. B.7) as a DSL of ours.

Values are sequences of numbers 0-4; a program is a few rules, each a left-to-right sweep
(`dsl.seqrules.rules`). Tasks are JSONL (`dsl.seqrules.tasks`), made by a seeded generator
(`dsl.seqrules.generator`), and solved symbolically by `solvers.seqrules` or by the latent
program network in `nesy.latent` (docs/latent.md).

    >>> from dsl.seqrules import DSL
    >>> DSL.print(DSL.parse("inc(left, 1);  mulclip(2)"))
    'inc(left, 1); mulclip(2)'
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from dsl.core import Dsl, Task, Type
from dsl.seqrules.rules import RULES, Rule, check_sequence, run_rules
from dsl.seqrules.syntax import OPS, SEQ, parse_program, print_program, program_of, rules_of


def _value_type(value: Any, where: str) -> Type:
    check_sequence(value, where)
    return SEQ


def _read_tasks(path: Path) -> list[Task]:
    from dsl.seqrules.tasks import read_tasks

    return read_tasks(path)


DSL = Dsl("seqrules", OPS, (), parse_program, print_program,
          description="sequences of numbers 0-4 rewritten by left-to-right rules (LPN's sequence task)",
          value_type=_value_type, read_tasks=_read_tasks,
          front_end="solvers.seqrules.front_end:synthesize")

__all__ = ["DSL", "OPS", "RULES", "Rule", "SEQ", "parse_program", "print_program", "program_of", "rules_of",
           "run_rules"]
