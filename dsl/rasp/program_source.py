"""A program found by search (a `dsl.core.Program` over `dsl.rasp.search_ops`) as RASP source.

Every distinct sub-program becomes one named statement, written once and used by name wherever
it recurs, so a selector two aggregates share is one attention pattern in the compiled model,
and the text reads top to bottom like a hand-written `.rasp` file:

    >>> from dsl.core import Program
    >>> from dsl.rasp.search_ops import CAT, INDICES, SELECTS, AGGREGATES, MAPS
    >>> tokens = Program.var("tokens", CAT)
    >>> indices = Program(INDICES, (tokens,))
    >>> before = Program(MAPS[1], (indices,))
    >>> print(to_rasp(Program(AGGREGATES[0], (Program(SELECTS[0], (indices, before)), tokens))), end="")
    map1 = map(lambda x: x - 1, indices);
    select2 = select(indices, map1, ==);
    output = aggregate(select2, tokens);
"""
from __future__ import annotations

from typing import Mapping

from dsl.core import Op, Program, Type, Var
from dsl.rasp.search_ops import CAT, SOURCE, TARGET

OUTPUT_NAME = "output"


def to_rasp(program: Program, output_name: str = OUTPUT_NAME) -> str:
    """RASP source whose last statement (named `output_name`) computes `program`."""
    names: dict[Program, str] = {}
    lines: list[str] = []

    def expression(node: Program) -> str:
        if isinstance(node.head, Var):
            return node.head.name
        if node in names:
            return names[node]
        head = node.head
        assert isinstance(head, Op), f"not a RASP search program: {node}"
        text = SOURCE[head].template.format(*(expression(child) for child in node.children))
        if _inline(head):
            return text          # a built-in (indices, length) or a literal: written where it is used
        names[node] = name = f"{_stem(head)}{len(names) + 1}"
        lines.append(f"{name} = {text};")
        return name

    last = expression(program)
    if lines and lines[-1].startswith(f"{last} = "):
        lines[-1] = f"{output_name} = " + lines[-1][len(last) + 3:]
    else:
        lines.append(f"{output_name} = {last};")
    return "\n".join(lines) + "\n"


def _inline(op: Op) -> bool:
    template = SOURCE[op].template
    return "{" not in template and not template.startswith("select")


def _stem(op: Op) -> str:
    return op.name.split()[0].replace("numerical", "mean").replace("table", "map").replace("select_all", "everything")


PARSED = "rasp source"   # the op name of a program read from text (its source follows a newline)


def parse_program(text: str, variables: Mapping[str, Type] | None = None, path: str = "<rasp>") -> Program:
    """RASP source as a one-node program over `tokens` that runs the interpreter: what the
    `Dsl`'s parser gives (search programs are built from ops, not parsed)."""
    from dsl.rasp import load, run

    program = load(text, path)
    op = Op(f"{PARSED}\n{text}", (CAT,), TARGET, lambda tokens: tuple(run(program, tokens)))
    return Program(op, (Program.var("tokens", CAT),))


def print_program(program: Program) -> str:
    """RASP source of a search program, or the text a parsed program was read from."""
    head = program.head
    if isinstance(head, Op) and head.name.startswith(PARSED + "\n"):
        return head.name[len(PARSED) + 1:]
    return to_rasp(program)
