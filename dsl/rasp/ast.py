"""The RASP syntax tree: frozen dataclasses, each carrying the line and column it came from so
every later error (unknown name, type mismatch, uncompilable aggregate) can point at the source."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class Pos:
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True)
class Literal:
    """A number, string, boolean or None."""
    value: Any
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Name:
    id: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Predicate:
    """The comparison argument of `select`: `==`, `<`, ..., `TRUE`, `FALSE`."""
    op: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Binary:
    """`+ - * / %`, comparisons, and `and`/`or` (on sequences or on selectors)."""
    op: str
    left: "Expr"
    right: "Expr"
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Unary:
    """`-x` and `not x`."""
    op: str
    operand: "Expr"
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Conditional:
    then: "Expr"
    test: "Expr"
    orelse: "Expr"
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Annotated:
    """`numerical e` / `categorical e`: how a sequence is encoded in the residual stream."""
    encoding: str
    expr: "Expr"
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Lambda:
    params: tuple[str, ...]
    body: "Expr"
    pos: Pos = field(compare=False)


Expr = Union[Literal, Name, Predicate, Binary, Unary, Conditional, Annotated, Call, Lambda]


@dataclass(frozen=True)
class Assign:
    name: str
    expr: Expr
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class FuncDef:
    name: str
    params: tuple[str, ...]
    body: tuple[Assign, ...]
    result: Expr
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class ExprStatement:
    expr: Expr
    pos: Pos = field(compare=False)


Statement = Union[Assign, FuncDef, ExprStatement]


@dataclass(frozen=True)
class Module:
    """A parsed `.rasp` file; its output is the value of the last top-level statement."""
    statements: tuple[Statement, ...]
    path: str = field(default="<rasp>", compare=False)
