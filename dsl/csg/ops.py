"""The CSG op table: shapes are leaves (a `Primitive` constant), `+` union, `*` intersection,
`-` difference (the first shape without the second), each on bool images.

`dsl.core.evaluate` works on these programs (a leaf evaluates to its primitive, which the ops
draw), but search and the command line render through `dsl.csg.render`, which is batched.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from dsl.core import Const, Op, Program, Type
from dsl.csg.primitives import Primitive

SHAPE = Type("Shape")


def as_mask(value: Any) -> np.ndarray:
    """A shape operand as a bool image: a primitive is drawn, an image is taken as it is."""
    return value.image if isinstance(value, Primitive) else np.asarray(value, dtype=bool)


UNION = Op("+", (SHAPE, SHAPE), SHAPE, lambda a, b: as_mask(a) | as_mask(b), commutative=True)
INTERSECTION = Op("*", (SHAPE, SHAPE), SHAPE, lambda a, b: as_mask(a) & as_mask(b), commutative=True)
DIFFERENCE = Op("-", (SHAPE, SHAPE), SHAPE, lambda a, b: as_mask(a) & ~as_mask(b))
OPS: tuple[Op, ...] = (UNION, INTERSECTION, DIFFERENCE)
OPS_BY_NAME: dict[str, Op] = {op.name: op for op in OPS}


def leaf(primitive: Primitive) -> Program:
    return Program(Const(primitive, SHAPE))


def combine(name: str, left: Program, right: Program) -> Program:
    """`left name right` for `name` one of + * -."""
    return Program(OPS_BY_NAME[name], (left, right))


def primitives_of(program: Program) -> list[Primitive]:
    """The program's leaves, left to right (the order of the postfix text)."""
    if not program.children:
        return [program.head.value]
    return [p for child in program.children for p in primitives_of(child)]


def length(program: Program) -> int:
    """Tokens of the postfix program (CSGNet's program length): leaves plus operators."""
    return program.size
