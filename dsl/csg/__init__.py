"""The 2D CSG DSL: CSGNet's grammar (shape image -> program).

Programs combine CSGNet's 396 terminals (circles `c`, squares `s`, triangles `t` at x, y with
size r on a 64x64 canvas) with `+` union, `*` intersection and `-` difference; their text is
CSGNet's postfix (`c(32,32,16)s(24,40,12)+`) or infix (`c(32,32,16) + s(24,40,12)`). A task is
one target picture; search (`solvers.csg`) finds a short program whose picture is close to it by
IoU and CSGNet's Chamfer distance (`dsl.csg.metrics`).

>>> program = CSG_DSL.parse("c(32,32,16)s(24,40,12)+")
>>> int(render(program).sum()), CSG_DSL.print(program), print_infix(program)
(887, 'c(32,32,16)s(24,40,12)+', 'c(32,32,16) + s(24,40,12)')
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from dsl.core import Dsl, Program, Task, Type
from dsl.csg.canvas import Canvas
from dsl.csg.ops import OPS, SHAPE
from dsl.csg.render import render
from dsl.csg.syntax import parse_program, print_infix, print_postfix
from dsl.errors import NesyInputError


def _parse(text: str, variables: Mapping[str, Type]) -> Program:
    return parse_program(text)


def _value_type(value: Any, where: str) -> Type:
    if isinstance(value, Canvas):
        return SHAPE
    raise NesyInputError(f"{where}: a CSG task's value is a 64x64 picture, not {type(value).__name__}")


def _read_tasks(path: Path) -> list[Task]:
    from dsl.csg.tasks import read_csg_tasks

    return read_csg_tasks(path)


CSG_DSL = Dsl("csg", OPS, (), _parse, print_postfix, value_type=_value_type, read_tasks=_read_tasks,
              front_end="solvers.csg.front_end:synthesize_csg_task",
              bench_runner="nesy.csg.bench:run_csg_bench",
              description="2D CSG (CSGNet's grammar): a 64x64 shape picture -> a postfix program; task files: "
              ".npz, .h5, .png or a folder of them, .txt of postfix programs")
DSL = CSG_DSL

__all__ = ["DSL", "CSG_DSL", "SHAPE", "Canvas", "parse_program", "print_postfix", "print_infix", "render"]
