"""Editing one place of a program, scored for every replacement at once.

For a CSG program and one of its sub-programs, every pixel of the whole picture is, as a function
of the sub-program's pixel x, one of 0, 1, x or not-x (union, intersection and difference are
monotone in their left operand and antitone in the right). So drawing the program twice, with
the place empty and with it full, gives `(x & full) | (~x & empty)`: the picture for any
replacement of that place, in two numpy operations per candidate, without redrawing the program.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import WORDS, combine_packed
from dsl.csg.render import primitive_packed

Path = tuple[int, ...]          # child indices from the root
FULL = np.full(WORDS, np.uint64(0xFFFF_FFFF_FFFF_FFFF), dtype=np.uint64)
EMPTY = np.zeros(WORDS, dtype=np.uint64)


def places(program: Program, path: Path = ()) -> Iterator[tuple[Path, Program]]:
    """Every sub-program with its path, parents first."""
    yield path, program
    for index, child in enumerate(program.children):
        yield from places(child, path + (index,))


def replace_at(program: Program, path: Path, new: Program) -> Program:
    if not path:
        return new
    children = list(program.children)
    children[path[0]] = replace_at(children[path[0]], path[1:], new)
    return Program(program.head, tuple(children))


def draw_with(program: Program, path: Path | None, value: np.ndarray) -> np.ndarray:
    """The packed picture of `program` with the sub-program at `path` drawn as `value`."""
    if path is not None and not path:
        return value
    if not program.children:
        return primitive_packed(program.head.value)
    parts = [draw_with(child, path[1:] if path and path[0] == i else None, value)
             for i, child in enumerate(program.children)]
    return combine_packed(program.head.name, *parts)


@dataclass(frozen=True)
class Place:
    """One place of a program and its two context pictures."""

    path: Path
    sub: Program
    when_empty: np.ndarray
    when_full: np.ndarray

    @staticmethod
    def of(program: Program, path: Path, sub: Program) -> "Place":
        return Place(path, sub, draw_with(program, path, EMPTY), draw_with(program, path, FULL))

    def pictures(self, values: np.ndarray) -> np.ndarray:
        """Whole pictures (N, 64) for sub-program pictures `values` (N, 64) at this place."""
        return (values & self.when_full) | (~values & self.when_empty)
