"""Text -> `dsl.rasp.ast.Module` with Lark; syntax errors keep their file, line and column."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import lark

from dsl.errors import NesyInputError, syntax_error, terminal_spelling
from dsl.rasp import ast
from dsl.rasp.values import MAX_DIGITS, parse_number

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")
MAX_NESTING = 200   # levels of the parse tree: every later stage walks expressions recursively


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    # cache=True: lark keeps the LALR tables in the temp folder, so a fresh process (a cold
    # `nesy rasp compile`) loads them in milliseconds instead of rebuilding them (~0.1-0.2 s).
    return lark.Lark(GRAMMAR_FILE.read_text(), parser="lalr", propagate_positions=True,
                     maybe_placeholders=True, cache=True)


def _pos(meta_or_token) -> ast.Pos:
    return ast.Pos(getattr(meta_or_token, "line", 0) or 0, getattr(meta_or_token, "column", 0) or 0)


class _SourceError(Exception):
    """Raised inside the Lark transformer (which wraps exceptions), re-raised with the path."""

    def __init__(self, message: str, pos: ast.Pos) -> None:
        super().__init__(message)
        self.message, self.pos = message, pos


def _literal_number(token: lark.Token):
    """Exact: `0.1` is 1/10, not the float nearest it."""
    digits = sum(c.isdigit() for c in token)
    if digits > MAX_DIGITS:
        raise _SourceError(f"number with {digits} digits (limit {MAX_DIGITS})", _pos(token))
    return parse_number(str(token))


@lark.v_args(meta=True)
class _ToAst(lark.Transformer):
    """One method per grammar rule: parse tree -> AST."""

    def start(self, meta, items):
        return tuple(items)

    def assign(self, meta, items):
        name, expr = items
        return ast.Assign(str(name), expr, _pos(name))

    def exprstmt(self, meta, items):
        return ast.ExprStatement(items[0], _pos(meta))

    def funcdef(self, meta, items):
        name, params, *rest = items
        *body, result = rest
        return ast.FuncDef(str(name), params or (), tuple(body), result, _pos(name))

    def params(self, meta, items):
        return tuple(str(t) for t in items)

    def args(self, meta, items):
        return tuple(items)

    def lambda_(self, meta, items):
        return ast.Lambda(items[0], items[1], _pos(meta))

    def conditional(self, meta, items):
        then, test, orelse = items
        return ast.Conditional(then, test, orelse, _pos(meta))

    def or_(self, meta, items):
        return ast.Binary("or", items[0], items[1], _pos(meta))

    def and_(self, meta, items):
        return ast.Binary("and", items[0], items[1], _pos(meta))

    def not_(self, meta, items):
        return ast.Unary("not", items[0], _pos(meta))

    def compare(self, meta, items):
        left, op, right = items
        return ast.Binary(str(op), left, right, _pos(op))

    def binary(self, meta, items):
        left, op, right = items
        return ast.Binary(str(op), left, right, _pos(op))

    def neg(self, meta, items):
        return ast.Unary("-", items[0], _pos(meta))

    def annotate(self, meta, items):
        encoding, expr = items
        return ast.Annotated(str(encoding), expr, _pos(encoding))

    def number(self, meta, items):
        return ast.Literal(_literal_number(items[0]), _pos(items[0]))

    def string(self, meta, items):
        return ast.Literal(str(items[0])[1:-1], _pos(items[0]))

    def true_(self, meta, items):
        return ast.Literal(True, _pos(items[0]))

    def false_(self, meta, items):
        return ast.Literal(False, _pos(items[0]))

    def none_(self, meta, items):
        return ast.Literal(None, _pos(items[0]))

    def name(self, meta, items):
        return ast.Name(str(items[0]), _pos(items[0]))

    def call(self, meta, items):
        name, args = items
        return ast.Call(str(name), args or (), _pos(name))

    def predicate(self, meta, items):
        return ast.Predicate(str(items[0]), _pos(items[0]))


def _check_nesting(tree: lark.Tree, path: str) -> None:
    """Refuse trees deeper than MAX_NESTING, walking them without recursion."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            pos = _pos(node.meta) if isinstance(node, lark.Tree) else _pos(node)
            raise NesyInputError(f"expression nested deeper than {MAX_NESTING} levels", path=path,
                                 line=pos.line or None, column=pos.column or None)
        if isinstance(node, lark.Tree):
            stack.extend((child, depth + 1) for child in node.children if child is not None)


_BRACKETS = re.compile(r'"[^"\n]*"|\'[^\'\n]*\'|#[^\n]*|//[^\n]*|[()]')


def _check_brackets(text: str, path: str) -> None:
    """Refuse brackets nested deeper than MAX_NESTING before Lark spends seconds on them."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        piece = match.group()
        depth += 1 if piece == "(" else -1 if piece == ")" else 0
        if depth > MAX_NESTING:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise NesyInputError(f"brackets nested deeper than {MAX_NESTING} levels", path=path, line=line,
                                 column=column)


# how errors name the terminals that are not fixed text
_TERMINAL_NAMES = {"NAME": "a name", "NUMBER": "a number", "STRING": "a string", "COMPARE": "a comparison",
                   "ADDOP": "+ or -", "MULOP": "* / %"}

def parse(text: str, path: str = "<rasp>") -> ast.Module:
    """Parse RASP source; a syntax error becomes a NesyInputError naming path:line:column."""
    _check_brackets(text, path)
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as error:
        raise syntax_error(error, text, path, spell=terminal_spelling(_parser(), _TERMINAL_NAMES)) from None
    _check_nesting(tree, path)
    try:
        statements = _ToAst().transform(tree)
    except lark.exceptions.VisitError as error:
        if isinstance(error.orig_exc, _SourceError):
            pos = error.orig_exc.pos
            raise NesyInputError(error.orig_exc.message, path=path, line=pos.line, column=pos.column) from None
        raise
    if not statements:
        raise NesyInputError("empty program: no statement gives an output", path=path, line=1, column=1)
    return ast.Module(statements, path)


def decode_source(data: bytes, path: str) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped); anything else is refused by line and column."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NesyInputError("the file is UTF-16 (it starts with a UTF-16 byte-order mark); "
                             "save it as UTF-8", path=path, line=1, column=1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise NesyInputError(f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
                             path=path, line=line, column=column) from None


def parse_file(path: str | Path) -> ast.Module:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise NesyInputError(f"cannot read RASP file: {error.strerror}", path=str(path)) from None
    return parse(decode_source(data, str(path)), str(path))
