"""Ops, parser and printer of seqrules: a program is its rules, written in the order they run.

    >>> program = parse_program("inc(left, 1); mulclip(2)", {})
    >>> print_program(program)
    'inc(left, 1); mulclip(2)'
    >>> from dsl.core import evaluate
    >>> evaluate(program, {"x0": (1, 0, 3, 0)})
    (1, 1, 4, 1)

As a `dsl.core.Program` the rules nest like function calls: the last rule is the root and the
input variable the innermost leaf, so `evaluate` runs them first to last.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from lark import Lark, Transformer, UnexpectedInput
from lark.exceptions import VisitError

from dsl.core import Op, Program, Type, Var
from dsl.errors import NesyInputError, syntax_error
from dsl.seqrules.rules import RULES, Rule, rule_named

SEQ = Type("Seq")
GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")
DEFAULT_INPUT = "x0"

OPS: tuple[Op, ...] = tuple(Op(rule.text, (SEQ,), SEQ, rule.apply) for rule in RULES)
_OP_OF_RULE = dict(zip(RULES, OPS))
_RULE_OF_OP = dict(zip(OPS, RULES))


def op_of(rule: Rule) -> Op:
    return _OP_OF_RULE[rule]


def rule_of(op: Op) -> Rule:
    try:
        return _RULE_OF_OP[op]
    except KeyError:
        raise NesyInputError(f"seqrules: {op.name} is not a seqrules rule") from None


def program_of(rules: Sequence[Rule], input_name: str = DEFAULT_INPUT) -> Program:
    """The program that runs `rules` in order on the input."""
    program = Program.var(input_name, SEQ)
    for rule in rules:
        program = Program(op_of(rule), (program,))
    return program


def rules_of(program: Program) -> list[Rule]:
    """The rules of a program, in the order they run."""
    rules: list[Rule] = []
    while isinstance(program.head, Op):
        rules.append(rule_of(program.head))
        program = program.children[0]
    if not isinstance(program.head, Var):
        raise NesyInputError("seqrules: a program's innermost leaf is its input sequence")
    return rules[::-1]


def print_program(program: Program) -> str:
    rules = rules_of(program)
    return "; ".join(rule.text for rule in rules) if rules else "id"


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR_FILE.read_text(), start="start", parser="lalr")


class _ToRules(Transformer):
    def word(self, items: list[Any]) -> str:
        return str(items[0])

    def number(self, items: list[Any]) -> str:
        return str(int(items[0]))

    def rule(self, items: list[Any]) -> Rule:
        return rule_named(f"{items[0]}({', '.join(items[1:])})")

    def identity(self, items: list[Any]) -> list[Rule]:
        return []

    def rules(self, items: list[Any]) -> list[Rule]:
        return list(items)


def parse_rules(text: str, path: str | None = None) -> list[Rule]:
    try:
        return _ToRules().transform(_parser().parse(text))
    except UnexpectedInput as error:
        raise syntax_error(error, text, path, what="malformed seqrules program") from None
    except VisitError as error:          # an unknown rule, raised inside the transformer
        if isinstance(error.orig_exc, NesyInputError):
            raise NesyInputError(str(error.orig_exc), path=path) from None
        raise


def parse_program(text: str, variables: Mapping[str, Type]) -> Program:
    """A program over the one input sequence (named by `variables`, else `x0`)."""
    names = [name for name, type_ in variables.items() if type_ == SEQ] or [DEFAULT_INPUT]
    if len(names) > 1:
        raise NesyInputError(f"seqrules: a program has one input sequence, not {len(names)} ({', '.join(names)})")
    return program_of(parse_rules(text), names[0])
