"""Reading s-expression text into untyped terms with positions, the step before typing.

The SyGuS reader shares these terms: a grammar production, a constraint and a program body are all
terms, and only their context says what a symbol means (a variable, a non-terminal, an op).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Collection, Union

from lark import Lark, Token, Transformer, UnexpectedInput

from dsl import errors
from dsl.errors import NesyInputError

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")

# SMT-LIB 2.6 string escapes: \u{d..d} (1-5 hex digits) and \udddd, up to code point 0x2FFFF.
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,5})\}|\\u([0-9a-fA-F]{4})")
MAX_CODE_POINT = 0x2FFFF

# Parentheses nested deeper than this are refused before parsing: typing, evaluation, printing and
# the Z3 translation all recurse over terms (real SyGuS files nest at most 5 deep).
MAX_NESTING = 200
# What the nesting scan must step over: string literals (`""` is a quote inside) and comments.
_NESTING_TOKENS = re.compile(r'"(?:[^"]|"")*"|;[^\n]*|[()]')
# Python refuses to convert longer digit strings to int (0: no limit).
MAX_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 0)()

# SMT-LIB simple symbols (SYMBOL of grammar.lark), and names an input may not take: SMT-LIB's
# reserved words and constants, and the SyGuS grammar keywords (besides any DSL op name).
_SIMPLE_SYMBOL = re.compile(r"[a-zA-Z_~!@$%^&*+=<>.?/-][a-zA-Z0-9_~!@$%^&*+=<>.?/-]*")
_NEGATIVE_NUMERAL = re.compile(r"-[0-9]+")  # a symbol by its characters, but read as a number
RESERVED_WORDS = frozenset({
    "!", "_", "as", "BINARY", "DECIMAL", "exists", "forall", "HEXADECIMAL", "let", "match", "NUMERAL",
    "par", "STRING", "true", "false", "Constant", "Variable", "InputVariable", "LocalVariable",
})


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
        digits = len(token.lstrip("-"))
        if MAX_DIGITS and digits > MAX_DIGITS:
            raise NesyInputError(f"numeral with {digits} digits (at most {MAX_DIGITS})", line=token.line,
                                 column=token.column)
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


def syntax_error(error: UnexpectedInput, text: str, path: str) -> NesyInputError:
    """A one-line error at Lark's position that says what was found and what was expected."""
    return errors.syntax_error(error, text, path, spell=lambda name: _TOKEN_NAMES.get(name, name))


def read_term(text: str, path: str = "<string>") -> Term:
    """Parse one term; syntax errors become NesyInputError at the offending line and column."""
    check_nesting(text, path)
    try:
        return _term_parser().parse(text)
    except UnexpectedInput as error:
        raise syntax_error(error, text, path) from None
    except NesyInputError as error:
        raise located(error, path) from None


def located(error: NesyInputError, path: str) -> NesyInputError:
    """`error` (raised while parsing, where the file is not known) with the file's path."""
    if error.path is not None:
        return error
    return NesyInputError(str(error), path=path, line=error.line, column=error.column)


def check_nesting(text: str, path: str) -> None:
    """Refuse parentheses nested deeper than MAX_NESTING, at the first one too deep."""
    depth = 0
    for match in _NESTING_TOKENS.finditer(text):
        token = match.group()
        if token == "(":
            depth += 1
            if depth > MAX_NESTING:
                start = match.start()
                raise NesyInputError(f"parentheses nested deeper than {MAX_NESTING} levels", path=path,
                                     line=text.count("\n", 0, start) + 1, column=start - text.rfind("\n", 0, start))
        elif token == ")":
            depth -= 1


def input_name_problem(name: object, reserved: Collection[str] = ()) -> str | None:
    """Why `name` cannot name an input in SMT-LIB text (a solution's `define-fun`), or None: it
    must be a simple symbol, not a reserved word, not one of `reserved` (the DSL's op names)."""
    shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:60] + "..."
    if not isinstance(name, str):
        return f"input name {shown} is not a string"
    if not _SIMPLE_SYMBOL.fullmatch(name) or _NEGATIVE_NUMERAL.fullmatch(name):
        return (f"input name {shown} is not an SMT-LIB symbol (letters, digits and ~!@$%^&*_-+=<>.?/, "
                f"not starting with a digit)")
    if name in RESERVED_WORDS or name in reserved:
        return f"input name {shown} is a reserved word or an operator"
    return None
