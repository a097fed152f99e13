"""Regex text -> `Program`, in either syntax, with Lark; errors keep Lark's position.

Groups are pure grouping (no AST node) and chains of `|`/concatenation are built right-nested, which
is the shape the printers leave unparenthesised: that is what makes `parse(print(r)) == r` hold.
"""
from __future__ import annotations

from functools import lru_cache, reduce
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from dsl.core import Program
from dsl.errors import NesyInputError
from dsl.regex.charset import ANY, ESCAPED_CONTROLS, NAMED_CLASSES, CharSet
from dsl.regex.ops import CONCAT, EMPTY, EPSILON, OPTIONAL, PLUS, STAR, UNION, apply, leaf, repeat

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")
SYNTAXES = ("everyday", "textbook")


@lru_cache(maxsize=2)
def _parser(syntax: str) -> Lark:
    return Lark(GRAMMAR_FILE.read_text(), start=f"start_{syntax}", parser="lalr", maybe_placeholders=False)


def _right_nested(op, parts: list[Program]) -> Program:
    return reduce(lambda right, left: apply(op, left, right), reversed(parts[:-1]), parts[-1])


def _postfix(base: Program, marks: list[str]) -> Program:
    for mark in marks:
        if mark == "*":
            base = apply(STAR, base)
        elif mark == "+":
            base = apply(PLUS, base)
        elif mark == "?":
            base = apply(OPTIONAL, base)
        else:
            base = apply(_count(mark), base)
    return base


def _count(text: str):
    body = text[1:-1]
    if "," not in body:
        return repeat(int(body), int(body))
    lo, hi = body.split(",")
    low, high = int(lo), (int(hi) if hi else None)
    if high is not None and high < low:
        raise ValueError(f"repetition {text} has its bounds reversed")
    return repeat(low, high)


def _bracket(text: str) -> CharSet:
    body = text[1:-1]
    negated = body.startswith("^")
    if negated:
        body = body[1:]
    items: list[str | CharSet] = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            escaped = body[i:i + 2]
            items.append(NAMED_CLASSES[escaped] if escaped in NAMED_CLASSES and escaped != "." else
                         ESCAPED_CONTROLS.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            items.append(body[i])
            i += 1
    ranges: list[tuple[str, str]] = []
    k = 0
    while k < len(items):
        item = items[k]
        if isinstance(item, CharSet):
            if item.negated:
                raise ValueError(f"negated class {item.everyday()} inside brackets is not supported")
            ranges += [(chr(lo), chr(hi)) for lo, hi in item.ranges]
            k += 1
        elif k + 2 < len(items) and items[k + 1] == "-" and isinstance(items[k + 2], str):
            lo, hi = item, items[k + 2]
            if hi < lo:
                raise ValueError(f"range {lo}-{hi} is reversed")
            ranges.append((lo, hi))
            k += 3
        else:
            ranges.append((item, item))
            k += 1
    if not ranges and not negated:
        raise ValueError("empty character class []")
    return CharSet.of(ranges, negated)


class _ToProgram(Transformer):
    """Parse tree -> Program for both syntaxes: their chain and postfix rules mean the same."""

    def _alternatives(self, parts):
        return _right_nested(UNION, parts)

    def _sequence(self, parts):
        return _right_nested(CONCAT, parts) if parts else Program(EPSILON)

    def _repetition(self, children):
        return _postfix(children[0], [str(c) for c in children[1:]])

    def _first(self, children):
        return children[0]

    e_alt = t_alt = _alternatives
    e_seq = t_seq = _sequence
    e_rep = t_rep = _repetition
    start_everyday = start_textbook = group = t_group = e_postfix = _first

    def t_postfix(self, _):
        return "*"

    def t_optional(self, _):
        return "?"

    def nothing(self, _):
        return Program(EMPTY)

    def t_empty(self, _):
        return Program(EMPTY)

    def t_epsilon(self, _):
        return Program(EPSILON)

    def any_char(self, _):
        return leaf(ANY)

    def t_any(self, _):
        return leaf(ANY)

    @v_args(inline=True)
    def bracket(self, token: Token):
        return leaf(_bracket(str(token)))

    @v_args(inline=True)
    def escape(self, token: Token):
        text = str(token)
        if text in NAMED_CLASSES:
            return leaf(NAMED_CLASSES[text])
        return leaf(CharSet.of(ESCAPED_CONTROLS.get(text[1], text[1])))

    @v_args(inline=True)
    def literal(self, token: Token):
        return leaf(CharSet.of(str(token)))

    t_symbol = literal


def parse_regex(text: str, syntax: str = "everyday", path: str = "<regex>") -> Program:
    """Parse a regex; `syntax` is "everyday" (Python-`re` style) or "textbook" (AlphaRegex style).

    >>> from dsl.regex.printer import to_everyday
    >>> to_everyday(parse_regex("(0+1)*01", "textbook"))
    '(0|1)*01'
    """
    if syntax not in SYNTAXES:
        raise NesyInputError(f"unknown regex syntax {syntax!r} (expected one of {', '.join(SYNTAXES)})")
    try:
        tree = _parser(syntax).parse(text)
        return _ToProgram().transform(tree)
    except UnexpectedInput as error:
        raise NesyInputError(f"malformed {syntax} regex {text!r}: {_what_went_wrong(error, text)}",
                             path=path) from None
    except VisitError as error:
        raise NesyInputError(f"malformed {syntax} regex {text!r}: {error.orig_exc}", path=path) from None


_TERMINAL_NAMES = {"CLASS": "a [class]", "ESCAPE": "an \\escape", "LITERAL": "a character", "QUANT": "* + ?",
                   "COUNT": "{m,n}", "T_SYMBOL": "a symbol", "T_STAR": "*", "$END": "the end"}


def _spelling(terminal: str) -> str:
    """A terminal as the user would type it (Lark names anonymous ones `__ANON_0`, `RPAR`...)."""
    if terminal in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[terminal]
    for syntax in SYNTAXES:
        for definition in _parser(syntax).terminals:
            if definition.name == terminal and definition.pattern.type == "str":
                return repr(definition.pattern.value)
    return terminal


def _what_went_wrong(error: UnexpectedInput, text: str) -> str:
    """Lark's verdict in one line: where, what was found, what would have been accepted."""
    if isinstance(error, UnexpectedEOF):
        found, column = "the end of the regex", len(text) + 1
    elif isinstance(error, UnexpectedToken) and error.token.type == "$END":
        found, column = "the end of the regex", len(text) + 1
    elif isinstance(error, UnexpectedToken):
        found, column = repr(str(error.token)), error.column
    else:
        found, column = repr(text[error.pos_in_stream]) if error.pos_in_stream is not None else "?", error.column
    expected = sorted({_spelling(name) for name in getattr(error, "expected", None) or
                       getattr(error, "allowed", None) or ()})
    hint = f" (expected {', '.join(expected)})" if expected else ""
    return f"unexpected {found} at column {column}{hint}"
