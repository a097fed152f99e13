"""The arithmetic DSL's op table, grammar, parser, printer and `Dsl`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from lark import Lark, Transformer, UnexpectedInput

from dsl.core import BOOL, INT, Const, Dsl, Op, Program, Type, Var, to_sexpr
from dsl.errors import NesyInputError, syntax_error

GRAMMAR_FILE = Path(__file__).with_name("arith.lark")


def _z3_ite(c: Any, a: Any, b: Any) -> Any:
    import z3

    return z3.If(c, a, b)


OPS: tuple[Op, ...] = (
    Op("+", (INT, INT), INT, lambda a, b: a + b, lambda a, b: a + b, commutative=True),
    Op("-", (INT, INT), INT, lambda a, b: a - b, lambda a, b: a - b),
    Op("*", (INT, INT), INT, lambda a, b: a * b, lambda a, b: a * b, commutative=True),
    Op("<", (INT, INT), BOOL, lambda a, b: a < b, lambda a, b: a < b),
    Op("ite", (BOOL, INT, INT), INT, lambda c, a, b: a if c else b, _z3_ite),
)
CONSTANTS = (Const(0, INT), Const(1, INT), Const(2, INT))


def print_program(program: Program) -> str:
    """Prefix text the parser reads back (negative numbers as `-5`)."""
    return to_sexpr(program, literal=str)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR_FILE.read_text(), start="term", parser="lalr")


class _ToProgram(Transformer):
    def __init__(self, variables: Mapping[str, Type]) -> None:
        super().__init__()
        self.variables = variables

    def var(self, items: list[Any]) -> Program:
        name = str(items[0])
        return Program(Var(name, self.variables.get(name, INT)))

    def number(self, items: list[Any]) -> Program:
        return Program.const(int(items[0]), INT)

    def apply(self, items: list[Any]) -> Program:
        name, args = str(items[0]), tuple(items[1:])
        types = tuple(a.type for a in args)
        for op in OPS:
            if op.name == name and op.arg_types == types:
                return Program(op, args)
        raise NesyInputError(f"arith: no operator {name} taking ({' '.join(map(str, types))})")


def parse_program(text: str, variables: Mapping[str, Type]) -> Program:
    try:
        return _ToProgram(variables).transform(_parser().parse(text))
    except UnexpectedInput as error:
        raise syntax_error(error, text, what="malformed arith term") from None


ARITH = Dsl("arith", OPS, CONSTANTS, parse_program, print_program,
            description="integer arithmetic from examples (a plugin DSL, tests/plugins/nesy_arith)",
            literal_extractor="nesy_arith.search:integer_literals",
            checker="nesy_arith.search:z3_check")
