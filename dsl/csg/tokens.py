"""CSGNet's token ids: 0..395 the terminals (CSGNet's order), then `+`, `*`, `-` and the stop `$`.

Batched code (the renderer, a program decoder) works on arrays of token ids, one postfix program a
row, padded with STOP; these functions turn `Program`s into such rows and back.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from dsl.core import Program
from dsl.csg.ops import combine, leaf
from dsl.csg.primitives import VOCABULARY
from dsl.errors import NesyInputError

PRIMITIVE_TOKENS = len(VOCABULARY)             # 396
OPERATOR_NAMES = ("+", "*", "-")
UNION_TOKEN, INTERSECTION_TOKEN, DIFFERENCE_TOKEN = range(PRIMITIVE_TOKENS, PRIMITIVE_TOKENS + 3)
STOP = PRIMITIVE_TOKENS + 3                    # 399, also the padding of token arrays
VOCABULARY_SIZE = STOP + 1                     # 400 tokens in all

def token_name(token: int) -> str:
    if 0 <= token < PRIMITIVE_TOKENS:
        return str(VOCABULARY[token])
    if PRIMITIVE_TOKENS <= token < STOP:
        return OPERATOR_NAMES[token - PRIMITIVE_TOKENS]
    if token == STOP:
        return "$"
    raise NesyInputError(f"token {token} is not one of CSGNet's {VOCABULARY_SIZE} tokens")

def to_tokens(program: Program) -> list[int]:
    """The postfix token ids of a program on CSGNet's grid (no STOP)."""
    if not program.children:
        return [program.head.value.token]
    left, right = program.children
    return to_tokens(left) + to_tokens(right) + [PRIMITIVE_TOKENS + OPERATOR_NAMES.index(program.head.name)]

def from_tokens(tokens: Sequence[int]) -> Program:
    """The program of a postfix token row (stops at the first STOP); a NesyInputError for a row
    that does not leave exactly one shape."""
    stack: list[Program] = []
    for position, token in enumerate(int(t) for t in tokens):
        if token == STOP:
            break
        name = token_name(token)
        if token < PRIMITIVE_TOKENS:
            stack.append(leaf(VOCABULARY[token]))
        elif len(stack) < 2:
            raise NesyInputError(f"token {position + 1} ({name}) needs two shapes before it")
        else:
            right = stack.pop()
            stack.append(combine(name, stack.pop(), right))
    if len(stack) != 1:
        raise NesyInputError(f"the tokens leave {len(stack)} shapes, not one")
    return stack[0]

def token_array(programs: Sequence[Program], width: int | None = None) -> np.ndarray:
    """Postfix token rows (N, width) int16 padded with STOP (width: the longest program)."""
    rows = [to_tokens(p) for p in programs]
    width = max((len(r) for r in rows), default=0) if width is None else width
    out = np.full((len(rows), width), STOP, dtype=np.int16)
    for i, row in enumerate(rows):
        if len(row) > width:
            raise NesyInputError(f"program {i + 1} has {len(row)} tokens, more than the width {width}")
        out[i, :len(row)] = row
    return out

