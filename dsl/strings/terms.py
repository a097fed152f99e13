"""Reading s-expression text into untyped terms with positions, the step before typing.

The SyGuS reader shares these terms: a grammar production, a constraint and a program body are all
terms, and only their context says what a symbol means (a variable, a non-terminal, an op).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Union

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dsl.errors import NesyInputError

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")

# SMT-LIB 2.6 string escapes: \u{d..d} (1-5 hex digits) and \udddd, up to code point 0x2FFFF.
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,5})\}|\\u([0-9a-fA-F]{4})")
MAX_CODE_POINT = 0x2FFFF


@dataclass(frozen=True)
class Literal:
    """A string, integer or boolean literal."""

    value: str | int | bool
    line: int
    column: int


@dataclass(frozen=True)
class Symbol:
    """A bare name: a variable, a non-terminal, `true`/`false`, or a sort."""

    name: str
    line: int
    column: int


@dataclass(frozen=True)
class Apply:
    """`(head args...)`; the position is the head's."""

    head: str
    args: tuple["Term", ...]
    line: int
    column: int


Term = Union[Literal, Symbol, Apply]


def _unescape(match: re.Match) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= MAX_CODE_POINT else match.group(0)


def decode_string(token_text: str) -> str:
    """The value of an SMT-LIB 2.6 string literal (with its quotes)."""
    return _ESCAPE.sub(_unescape, token_text[1:-1].replace('""', '"'))


class TermReader(Transformer):
    """Parse tree -> `Term`, one method per rule of grammar.lark."""

    def string(self, children: list[Token]) -> Literal:
        token = children[0]
        return Literal(decode_string(str(token)), token.line, token.column)

    def numeral(self, children: list[Token]) -> Literal:
        token = children[0]
        return Literal(int(token), token.line, token.column)

    def symbol(self, children: list[Token]) -> Symbol | Literal:
        token = children[0]
        if token in ("true", "false"):
            return Literal(token == "true", token.line, token.column)
        return Symbol(str(token), token.line, token.column)

    def apply(self, children: list) -> Apply:
        head, *args = children
        return Apply(str(head), tuple(args), head.line, head.column)

    def start(self, children: list[Term]) -> Term:
        return children[0]


@cache
def _term_parser() -> Lark:
    return Lark.open(str(GRAMMAR_FILE), parser="lalr", transformer=TermReader())


_TOKEN_NAMES = {"LPAR": "'('", "RPAR": "')'", "$END": "end of input", "STRING": "a string",
                "NUMERAL": "a numeral", "SYMBOL": "a name"}


def _describe(names: set[str]) -> str:
    return ", ".join(sorted(_TOKEN_NAMES.get(n, n) for n in names))


def syntax_error(error: UnexpectedInput, text: str, path: str) -> NesyInputError:
    """A one-line error at Lark's position (the end of `text` when input ran out) that says what
    was found and what was expected."""
    if isinstance(error, UnexpectedCharacters):
        found = repr(error.char)
        expected = error.allowed
    elif isinstance(error, UnexpectedToken):
        found = "end of input" if error.token.type == "$END" else repr(str(error.token))
        expected = error.expected
    elif isinstance(error, UnexpectedEOF):
        found, expected = "end of input", set(error.expected)
    else:
        found, expected = "input", set()
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if found == "end of input":
        line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
    elif not isinstance(line, int) or line < 0:
        line = column = None
    hint = f"; expected {_describe(set(expected))}" if expected else ""
    return NesyInputError(f"syntax error: unexpected {found}{hint}", path=path, line=line, column=column)


def read_term(text: str, path: str = "<string>") -> Term:
    """Parse one term; syntax errors become NesyInputError at the offending line and column."""
    try:
        return _term_parser().parse(text)
    except UnexpectedInput as error:
        raise syntax_error(error, text, path) from None
