"""Reading solutions: a `(define-fun ...)` as solvers print it, typed over the string DSL, so other
solvers' answers (cvc5's, say) can be run, checked and measured like ours."""
from __future__ import annotations

from dataclasses import dataclass

from dsl.core import Program, Type, Var
from dsl.strings.ops import ALL_OPS
from dsl.strings.parser import build_program
from dsl.sygus.commands import read_commands
from dsl.sygus.source import Source


@dataclass(frozen=True)
class FunctionDefinition:
    """A `(define-fun name ((x T) ...) T body)`."""

    name: str
    inputs: tuple[Var, ...]
    return_type: Type
    body: Program


def parse_define_fun(text: str, path: str = "<string>") -> FunctionDefinition:
    """The one define-fun in `text`, bare or in cvc5's extra parentheses.

    >>> parse_define_fun('((define-fun f ((x String)) Int (str.len x)))').body.size
    2
    """
    source = Source(path)
    commands = read_commands(text, path)
    if len(commands) == 1 and commands[0].name == "solutions":
        commands = list(commands[0].args)
    if len(commands) != 1 or commands[0].name != "define-fun":
        raise source.error("expected exactly one (define-fun ...)")
    name, params, sort, body = commands[0].args
    inputs = tuple(Var(p.name, source.sort(p.sort, p)) for p in params)
    return_type = source.sort(str(sort), sort)
    program = build_program(body, {v.name: v.type for v in inputs}, ALL_OPS, path)
    if program.type != return_type:
        raise source.error(f"body of {name} has type {program.type}, declared {return_type}", sort)
    return FunctionDefinition(str(name), inputs, return_type, program)
