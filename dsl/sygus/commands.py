"""SyGuS text -> command records, with Lark (sygus.lark; terms from the string DSL's grammar)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedInput
from lark.visitors import merge_transformers

from dsl.errors import NesyInputError
from dsl.strings.terms import Term, TermReader, check_nesting, located, syntax_error

GRAMMAR_FILE = Path(__file__).with_name("sygus.lark")
# sygus.lark imports `strings.grammar`, found from the `dsl` folder.
_IMPORT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SortedName:
    """`(name Sort)`: a parameter or a pre-declared non-terminal."""

    name: str
    sort: str
    line: int
    column: int


@dataclass(frozen=True)
class NonterminalDef:
    """`(name Sort (productions...))` of a synth-fun grammar."""

    name: str
    sort: str
    productions: tuple[Term, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Command:
    """One top-level command: `name` is its keyword, `args` what the grammar gives for it."""

    name: str
    args: tuple[Any, ...]
    line: int
    column: int


class _CommandReader(Transformer):
    """Parse tree -> `Command` records, one method per rule of sygus.lark."""

    def start(self, children: list[Command]) -> list[Command]:
        return children

    @staticmethod
    def _command(children: list) -> Command:
        keyword, *rest = children
        return Command(str(keyword), tuple(rest), keyword.line, keyword.column)

    set_logic = declare_var = constraint = check_synth = other_command = _command

    def synth_fun(self, children: list) -> Command:
        """args: (name, params, sort, non-terminal definitions or None)."""
        grammar = children.pop() if isinstance(children[-1], tuple) else None
        keyword, name, *params, sort = children
        return Command(str(keyword), (name, tuple(params), sort, grammar), keyword.line, keyword.column)

    def define_fun(self, children: list) -> Command:
        """args: (name, params, sort, body term)."""
        keyword, name, *params, sort, body = children
        return Command(str(keyword), (name, tuple(params), sort, body), keyword.line, keyword.column)

    def solutions(self, children: list[Command]) -> Command:
        first = children[0]
        return Command("solutions", tuple(children), first.line, first.column)

    def sorted_var(self, children: list[Token]) -> SortedName:
        name, sort = children
        return SortedName(str(name), str(sort), name.line, name.column)

    def grammar(self, children: list) -> tuple[NonterminalDef, ...]:
        return tuple(c for c in children if isinstance(c, NonterminalDef))

    def predeclaration(self, children: list[SortedName]) -> None:
        return None  # each definition repeats its non-terminal's sort, in the same order

    def nonterminal(self, children: list) -> NonterminalDef:
        name, sort, *productions = children
        return NonterminalDef(str(name), str(sort), tuple(productions), name.line, name.column)


@cache
def _parser() -> Lark:
    reader = merge_transformers(_CommandReader(), strings__grammar=TermReader())
    return Lark.open(str(GRAMMAR_FILE), parser="lalr", transformer=reader, import_paths=[str(_IMPORT_ROOT)])


def read_commands(text: str, path: str = "<string>") -> list[Command]:
    """The commands of a SyGuS text; syntax errors keep Lark's line and column."""
    check_nesting(text, path)
    try:
        return _parser().parse(text)
    except UnexpectedInput as error:
        raise syntax_error(error, text, path) from None
    except NesyInputError as error:
        raise located(error, path) from None
