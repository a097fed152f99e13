"""Program text in SyGuS-IF / SMT-LIB 2.6 syntax, the inverse of the parser:
`parse_program(print_program(p), ...) == p`, and `define_fun` output is accepted by SyGuS tools and
by `z3.Solver.from_string` (after renaming `str.to.int`/`int.to.str` to their 2.6 names)."""
from __future__ import annotations

from typing import Sequence

from dsl.core import Program, Type, Var, to_sexpr
from dsl.errors import NesyInputError
from dsl.strings.terms import MAX_CODE_POINT


def print_program(program: Program) -> str:
    """S-expression text of `program`.

    >>> from dsl.core import STRING
    >>> print_program(Program(Var("x", STRING)))
    'x'
    """
    return to_sexpr(program, format_literal)


def define_fun(name: str, inputs: Sequence[Var], return_type: Type, body: Program) -> str:
    """`(define-fun f ((x String) ...) String body)`, a SyGuS solution."""
    params = " ".join(f"({v.name} {v.type})" for v in inputs)
    return f"(define-fun {name} ({params}) {return_type} {print_program(body)})"


def format_literal(value: object) -> str:
    """SMT-LIB 2.6 literal: a doubled quote for a quote, `\\u{..}` for a backslash and anything outside
    printable ASCII (so no text is read back as an escape), `(- n)` for negative integers.

    SMT-LIB has no spelling for characters beyond U+2FFFF: they are written as they are, which
    this package's reader reads back (Z3 does not check such programs: `dsl.core.z3_literal`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value >= 0 else f"(- {-value})"
    if isinstance(value, str):
        return '"' + "".join(_format_char(c) for c in value) + '"'
    raise NesyInputError(f"no SMT-LIB literal for {value!r}")


def _format_char(char: str) -> str:
    if char == '"':
        return '""'
    if " " <= char <= "~" and char != "\\":
        return char
    code = ord(char)
    if code > MAX_CODE_POINT:
        return char
    return f"\\u{{{code:x}}}"
