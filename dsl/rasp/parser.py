"""Text -> `dsl.rasp.ast.Module` with Lark; syntax errors keep their file, line and column."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import lark

from dsl.errors import NesyInputError
from dsl.rasp import ast

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    # cache=True: lark keeps the LALR tables in the temp folder, so a fresh process (a cold
    # `nesy rasp compile`) loads them in milliseconds instead of rebuilding them (~0.1-0.2 s).
    return lark.Lark(GRAMMAR_FILE.read_text(), parser="lalr", propagate_positions=True,
                     maybe_placeholders=True, cache=True)


def _pos(meta_or_token) -> ast.Pos:
    return ast.Pos(getattr(meta_or_token, "line", 0) or 0, getattr(meta_or_token, "column", 0) or 0)


def _literal_number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


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
        return ast.Literal(_literal_number(str(items[0])), _pos(items[0]))

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


def parse(text: str, path: str = "<rasp>") -> ast.Module:
    """Parse RASP source; a syntax error becomes a NesyInputError naming path:line:column."""
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as error:
        context = error.get_context(text).splitlines()[0].strip()
        expected = ""
        if isinstance(error, lark.exceptions.UnexpectedToken):
            names = sorted(error.expected)[:8]
            expected = f" (expected one of: {', '.join(names)})" if names else ""
        elif isinstance(error, lark.exceptions.UnexpectedCharacters):
            expected = f" (unexpected character {text[error.pos_in_stream]!r})"
        raise NesyInputError(f"syntax error near '{context}'{expected}", path=path,
                             line=error.line, column=error.column) from None
    statements = _ToAst().transform(tree)
    if not statements:
        raise NesyInputError("empty program: no statement gives an output", path=path, line=1, column=1)
    return ast.Module(statements, path)


def parse_file(path: str | Path) -> ast.Module:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise NesyInputError(f"cannot read RASP file: {error.strerror}", path=str(path)) from None
    return parse(text, str(path))
