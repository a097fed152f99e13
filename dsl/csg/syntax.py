"""CSG program text <-> `Program`, in CSGNet's postfix syntax and in infix, with Lark.

Postfix (`c(32,32,16)s(24,40,12)+`) is what CSGNet writes and what benchmarks exchange; infix
(`c(32,32,16) + s(24,40,12)`) is for people. Both print back so that `parse(print(p)) == p`:
the infix printer adds exactly the parentheses the grammar's precedence needs (`*` binds
tighter than `+` and `-`, all left-associative). Errors keep Lark's line and column, and a
postfix text that leaves the stack wrong says at which token.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError

from dsl.core import Program
from dsl.csg.ops import OPS_BY_NAME, combine, leaf
from dsl.csg.primitives import Primitive
from dsl.errors import NesyInputError, syntax_error, terminal_spelling

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")
SYNTAXES = ("postfix", "infix")
MAX_LENGTH = 100_000            # characters of program text
_PRECEDENCE = {"+": 1, "-": 1, "*": 2}


class _Refusal(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


class _ToProgram(Transformer):
    @v_args(inline=True)
    def primitive(self, kind: Token, x: Token, y: Token, r: Token) -> Program:
        try:
            return leaf(Primitive(str(kind), int(x), int(y), int(r)))
        except NesyInputError as error:
            raise _Refusal(str(error), kind.start_pos) from None

    @v_args(inline=True)
    def postfix_item(self, item: Program | Token) -> Program | Token:
        return item

    def start_postfix(self, items: list) -> Program:
        stack: list[Program] = []
        for item in items:
            if isinstance(item, Program):
                stack.append(item)
            elif item.type == "STOP":
                break
            elif len(stack) < 2:
                raise _Refusal(f"operator {item} needs two shapes before it", item.start_pos)
            else:
                right = stack.pop()
                stack.append(combine(str(item), stack.pop(), right))
        if len(stack) != 1:
            last = items[-1]
            where = last.start_pos if isinstance(last, Token) else 0
            raise _Refusal(f"the program leaves {len(stack)} shapes, not one (an operator is missing)", where)
        return stack[0]

    @v_args(inline=True)
    def binary(self, left: Program, op: Token, right: Program) -> Program:
        return combine(str(op), left, right)

    @v_args(inline=True)
    def start_infix(self, program: Program) -> Program:
        return program


@lru_cache(maxsize=2)
def _parser(syntax: str) -> Lark:
    return Lark(GRAMMAR_FILE.read_text(), start=f"start_{syntax}", parser="lalr", maybe_placeholders=False)


def guess_syntax(text: str) -> str:
    """Postfix when the text ends in an operator or a stop (or has no operator), else infix."""
    stripped = text.strip().rstrip("$").rstrip()
    has_operator = any(op in stripped for op in OPS_BY_NAME)
    return "postfix" if not has_operator or stripped[-1:] in OPS_BY_NAME else "infix"


def parse_program(text: str, syntax: str = "auto", path: str | None = None) -> Program:
    """A CSG program from postfix or infix text (`syntax` "auto" tells them apart).

    >>> print_infix(parse_program("c(32,32,16)s(24,40,12)+t(32,16,8)*"))
    '(c(32,32,16) + s(24,40,12)) * t(32,16,8)'
    """
    if len(text) > MAX_LENGTH:
        raise NesyInputError(f"program text of {len(text)} characters is above nesy's limit of {MAX_LENGTH}",
                             path=path)
    if syntax == "auto":
        syntax = guess_syntax(text)
    if syntax not in SYNTAXES:
        raise NesyInputError(f"unknown CSG syntax {syntax!r} (expected {', '.join(SYNTAXES)} or auto)")
    parser = _parser(syntax)
    try:
        tree = parser.parse(text)
    except UnexpectedInput as error:
        raise syntax_error(error, text, path, what=f"{syntax} CSG syntax error", spell=terminal_spelling(parser))
    try:
        return _ToProgram().transform(tree)
    except VisitError as error:
        refusal = error.orig_exc
        if not isinstance(refusal, _Refusal):
            raise
        line = text.count("\n", 0, refusal.position) + 1
        column = refusal.position - (text.rfind("\n", 0, refusal.position) + 1) + 1
        raise NesyInputError(str(refusal), path=path, line=line, column=column) from None


def print_postfix(program: Program) -> str:
    """CSGNet's postfix text: leaves and operators in post-order, no spaces."""
    parts: list[str] = []
    stack = [(program, False)]
    while stack:
        node, expanded = stack.pop()
        if not node.children:
            parts.append(str(node.head.value))
        elif expanded:
            parts.append(node.head.name)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
    return "".join(parts)


def print_infix(program: Program) -> str:
    """Infix text with the fewest parentheses that read back as the same tree."""
    if not program.children:
        return str(program.head.value)
    op = program.head.name
    left, right = program.children
    left_text, right_text = print_infix(left), print_infix(right)
    if left.children and _PRECEDENCE[left.head.name] < _PRECEDENCE[op]:
        left_text = f"({left_text})"
    if right.children and _PRECEDENCE[right.head.name] <= _PRECEDENCE[op]:
        right_text = f"({right_text})"
    return f"{left_text} {op} {right_text}"
