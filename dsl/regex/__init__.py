"""The regex DSL: regexes from positive and negative strings.

One AST (`dsl.core.Program`s over the ops in `dsl.regex.ops`), two surface syntaxes (everyday /
Python-`re` style and AlphaRegex's textbook notation), membership by derivatives and by Z3.
A regex task is a `Task` with one String input and Bool outputs: True for strings to accept.

>>> r = REGEX_DSL.parse("(0|1)*01")
>>> accepts(r, "1101"), accepts(r, "10"), to_textbook(r)
(True, False, '(0+1)*01')
"""
from __future__ import annotations

from typing import Mapping

from dsl.core import Dsl, Program, Type
from dsl.regex.ops import FIXED_OPS, REGEX, accepts, to_term, to_z3
from dsl.regex.parser import GRAMMAR_FILE, parse_regex
from dsl.regex.printer import to_everyday, to_textbook


def _parse(text: str, variables: Mapping[str, Type]) -> Program:
    return parse_regex(text, "everyday")


REGEX_DSL = Dsl("regex", FIXED_OPS, (), GRAMMAR_FILE, _parse, to_everyday)

__all__ = ["REGEX_DSL", "REGEX", "parse_regex", "to_everyday", "to_textbook", "accepts", "to_term", "to_z3"]
