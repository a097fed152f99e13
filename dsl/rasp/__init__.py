"""RASP (Weiss et al. 2021): grammar, syntax tree, IR, interpreter.

    >>> from dsl.rasp import load, run
    >>> program = load("opp = length - indices - 1; aggregate(select(indices, opp, ==), tokens);")
    >>> run(program, ["a", "b", "c"])
    ['c', 'b', 'a']
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from dsl.rasp import ir
from dsl.rasp.elaborate import elaborate
from dsl.rasp.interpreter import run as _run_ir
from dsl.rasp.parser import parse, parse_file
from dsl.rasp.values import Value

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "datasets" / "rasp"


def load(source: str, path: str = "<rasp>") -> ir.SOp:
    """Parse and check RASP source text; returns the IR node of the program's output."""
    return elaborate(parse(source, path))


def load_file(path: str | Path) -> ir.SOp:
    return elaborate(parse_file(path))


def run(program: ir.SOp, tokens: Sequence[Value]) -> list[Value]:
    """Run a loaded program on one input sequence with the reference semantics."""
    return _run_ir(program, tokens)


__all__ = ["LIBRARY_DIR", "ir", "load", "load_file", "parse", "parse_file", "run"]
