"""RASP (Weiss et al. 2021): grammar, syntax tree, IR, interpreter, and `DSL`, the language for
synthesis from input/output sequences (`nesy synth --dsl rasp`, `nesy bench rasp`; see
docs/rasp-synthesis.md).

    >>> from dsl.rasp import load, run
    >>> program = load("opp = length - indices - 1; aggregate(select(indices, opp, ==), tokens);")
    >>> run(program, ["a", "b", "c"])
    ['c', 'b', 'a']
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from dsl.core import Dsl, Type
from dsl.errors import NesyInputError
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


def _value_type(value: object, where: str) -> Type:
    from dsl.rasp.search_ops import CAT

    if isinstance(value, (tuple, list)):
        return CAT
    raise NesyInputError(f"{where}: a RASP example value is a sequence (a list of tokens), not {value!r}")


def _read_tasks(path: Path) -> list:
    from dsl.rasp.tasks import read_tasks

    return read_tasks(path)


def _dsl() -> Dsl:
    from dsl.rasp.program_source import parse_program, print_program
    from dsl.rasp.search_ops import SEARCH_OPS

    return Dsl("rasp", SEARCH_OPS, (), parse_program, print_program,
               description="RASP programs from input/output sequences, compiled to transformer weights",
               value_type=_value_type, read_tasks=_read_tasks,
               front_end="solvers.rasp.front_end:synthesize",
               bench_runner="nesy.rasp_synthesis.bench:run_bench")


DSL = _dsl()

__all__ = ["DSL", "LIBRARY_DIR", "ir", "load", "load_file", "parse", "parse_file", "run"]
