"""Program text in SyGuS-IF / SMT-LIB 2.6 syntax, the inverse of the parser:
`parse_program(print_program(p), ...) == p` (op names as the table spells them).

A solution is for other tools: `solution_text` prints the ops as SMT-LIB 2.6 names them
(`ops.SOLUTION_NAMES`, which the parser reads back too) after a `define-fun` for each op that SMT-LIB
lacks, so Z3, cvc5 or any SyGuS tool reads it as it is."""
from __future__ import annotations

from typing import Sequence

from dsl.core import Const, Op, Program, Type, Var, to_sexpr
from dsl.errors import NesyInputError
from dsl.strings.ops import SOLUTION_NAMES
from dsl.strings.terms import MAX_CODE_POINT


def print_program(program: Program) -> str:
    """S-expression text of `program`.

    >>> from dsl.core import STRING
    >>> print_program(Program(Var("x", STRING)))
    'x'
    """
    return to_sexpr(program, format_literal)


def define_fun(name: str, inputs: Sequence[Var], return_type: Type, body: Program) -> str:
    """`(define-fun f ((x String) ...) String body)` with the body in SMT-LIB 2.6 names.

    >>> from dsl.core import INT, STRING
    >>> from dsl.strings.ops import ALL_OPS
    >>> to_int = next(op for op in ALL_OPS if op.name == "str.to.int")
    >>> define_fun("f", [Var("x", STRING)], INT, Program(to_int, (Program(Var("x", STRING)),)))
    '(define-fun f ((x String)) Int (str.to_int x))'
    """
    params = " ".join(f"({v.name} {v.type})" for v in inputs)
    return f"(define-fun {name} ({params}) {return_type} {_smt_lib_text(body)})"


def solution_text(name: str, inputs: Sequence[Var], return_type: Type, body: Program) -> str:
    """A SyGuS solution that stands alone: one line per definition of an op SMT-LIB lacks (and the
    recursive helpers they call), then `define_fun`.

    >>> from dsl.core import INT, STRING
    >>> from dsl.strings.ops import ALL_OPS
    >>> left = next(op for op in ALL_OPS if op.name == "excel.left")
    >>> x = Program(Var("x", STRING))
    >>> print(solution_text("f", [x.head], STRING, Program(left, (x, Program(Const(2, INT))))))
    (define-fun excel.left ((s String) (n Int)) String (str.substr s 0 n))
    (define-fun f ((x String)) String (excel.left x 2))
    """
    from dsl.strings.z3_semantics import definitions_for  # loads Z3: only solutions need it

    used = {(op.name, op.arity) for op in body.ops()}
    lines = [definition.text() for definition in definitions_for(used)]
    return "\n".join([*lines, define_fun(name, inputs, return_type, body)])


def _smt_lib_text(program: Program) -> str:
    head = program.head
    if not isinstance(head, Op):
        return to_sexpr(program, format_literal)
    name = SOLUTION_NAMES.get((head.name, head.arity), head.name)
    return "(" + " ".join([name, *map(_smt_lib_text, program.children)]) + ")"


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
