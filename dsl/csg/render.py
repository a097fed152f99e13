"""Drawing CSG programs: a stack machine over packed canvases, one row of token ids per program,
all rows stepped together (thousands of programs per call).

`render_tokens` is the batched core; `render` and `render_packed` draw `Program`s (whose leaves
may lie off CSGNet's grid, drawn once and cached).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import WORDS, combine_packed, pack, unpack
from dsl.csg.primitives import Primitive, vocabulary_masks
from dsl.csg.tokens import INTERSECTION_TOKEN, PRIMITIVE_TOKENS, STOP, UNION_TOKEN
from dsl.errors import NesyInputError

def render_tokens(tokens: np.ndarray) -> np.ndarray:
    """Packed canvases (N, 64) uint64 of postfix token rows (N, L), padded with STOP.

    A row that pops an empty stack or leaves other than one shape is a NesyInputError naming it."""
    tokens = np.asarray(tokens)
    if tokens.ndim != 2:
        raise NesyInputError(f"token array of shape {tokens.shape}: expected (programs, length)")
    count, width = tokens.shape
    masks = vocabulary_masks()
    stack = np.zeros((count, width // 2 + 2, WORDS), dtype=np.uint64)
    depth = np.zeros(count, dtype=np.int64)
    rows = np.arange(count)
    for step in range(width):
        column = tokens[:, step]
        if ((column < 0) | (column > STOP)).any():
            raise NesyInputError(f"token array holds ids outside 0..{STOP}")
        push = column < PRIMITIVE_TOKENS
        if push.any():
            if (depth[push] >= stack.shape[1]).any():
                raise NesyInputError("a token row pushes more shapes than it can combine")
            stack[rows[push], depth[push]] = masks[column[push]]
            depth[push] += 1
        operate = (column >= PRIMITIVE_TOKENS) & (column < STOP)
        if operate.any():
            _apply(stack, depth, rows[operate], column[operate])
    if (depth != 1).any():
        bad = int(np.flatnonzero(depth != 1)[0])
        raise NesyInputError(f"token row {bad + 1} leaves {depth[bad]} shapes, not one")
    return stack[:, 0].copy()

def _apply(stack: np.ndarray, depth: np.ndarray, rows: np.ndarray, ops: np.ndarray) -> None:
    if (depth[rows] < 2).any():
        bad = int(rows[depth[rows] < 2][0])
        raise NesyInputError(f"token row {bad + 1}: an operator needs two shapes before it")
    left = stack[rows, depth[rows] - 2]
    right = stack[rows, depth[rows] - 1]
    op = ops[:, None]
    result = np.where(op == UNION_TOKEN, left | right, np.where(op == INTERSECTION_TOKEN, left & right, left & ~right))
    stack[rows, depth[rows] - 2] = result
    depth[rows] -= 1

def primitive_packed(primitive: Primitive) -> np.ndarray:
    """The packed canvas of one primitive, on the grid or off it."""
    if primitive.in_vocabulary:
        return vocabulary_masks()[primitive.token]
    return pack(primitive.image)

def render_packed(program: Program) -> np.ndarray:
    """The packed canvas (64,) of one program (leaves on or off CSGNet's grid)."""
    if not program.children:
        return primitive_packed(program.head.value)
    left, right = (render_packed(c) for c in program.children)
    return combine_packed(program.head.name, left, right)

def render(program: Program) -> np.ndarray:
    """The bool (64, 64) image CSGNet draws for a program."""
    return unpack(render_packed(program))

def render_many(programs: Sequence[Program]) -> np.ndarray:
    """Bool images (N, 64, 64) of many programs."""
    if not programs:
        return np.zeros((0, 64, 64), dtype=bool)
    return unpack(np.stack([render_packed(p) for p in programs]))

