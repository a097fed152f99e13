"""The regex DSL: regexes from positive and negative strings.

One AST (`dsl.core.Program`s over the ops in `dsl.regex.ops`), two surface syntaxes (everyday /
Python-`re` style and AlphaRegex's textbook notation), membership by derivatives and by Z3.
A regex task is a `Task` with one String input and Bool outputs: True for strings to accept.

>>> r = REGEX_DSL.parse("(0|1)*01")
>>> accepts(r, "1101"), accepts(r, "10"), to_textbook(r)
(True, False, '(0+1)*01')
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from dsl.core import Dsl, Program, Task, Type
from dsl.regex.ops import FIXED_OPS, REGEX, accepts, to_term, to_z3
from dsl.regex.parser import parse_regex
from dsl.regex.printer import to_everyday, to_textbook


def _parse(text: str, variables: Mapping[str, Type]) -> Program:
    return parse_regex(text, "everyday")


def _read_tasks(path: Path) -> list[Task]:
    from dsl.regex.task_files import load_regex_tasks  # readers import z3-backed Regel support

    return load_regex_tasks(path)


REGEX_DSL = Dsl("regex", FIXED_OPS, (), _parse, to_everyday, read_tasks=_read_tasks,
                front_end="solvers.regex.front_end:synthesize_regex_task",
                description="regular expressions from positive and negative strings; task files: "
                "AlphaRegex, FOREST, Regel, JSONL")
DSL = REGEX_DSL

__all__ = ["DSL", "REGEX_DSL", "REGEX", "parse_regex", "to_everyday", "to_textbook", "accepts", "to_term", "to_z3"]
