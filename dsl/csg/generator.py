"""Seeded synthetic CSG programs in CSGNet's grammar, by program length (3, 5, ..., 13 tokens).

A program of length 2k - 1 is a random binary tree of k leaves drawn from CSGNet's 396 terminals
with random operators. A draw is kept when every operator changes the shape (not equal to
either operand) and nothing it builds is blank, so that the length is the shape's real length;
programs are deduplicated by their rendered image, and the image's hash puts each in the train,
validation or test split, so the same picture never lands in two splits.
"""
from __future__ import annotations

import hashlib
from typing import Iterator

import numpy as np

from dsl.core import Program
from dsl.csg.canvas import combine_packed, pixel_count
from dsl.csg.ops import combine, leaf
from dsl.csg.primitives import VOCABULARY
from dsl.csg.render import render_packed
from dsl.errors import NesyInputError

LENGTHS = (3, 5, 7, 9, 11, 13)
SPLITS = {"train": (0, 80), "val": (80, 90), "test": (90, 100)}   # percent of the image-hash range
MAX_DRAWS_PER_PROGRAM = 200


def image_split(packed: np.ndarray) -> str:
    """The split of a picture: its hash, as a percentage, falls in one of SPLITS' ranges."""
    digest = hashlib.sha256(np.ascontiguousarray(packed, dtype=np.uint64).tobytes()).digest()
    percent = int.from_bytes(digest[:8], "little") % 100
    return next(name for name, (low, high) in SPLITS.items() if low <= percent < high)


def random_tree(leaves: int, rng: np.random.Generator) -> Program:
    """A random program with `leaves` terminals: random split of the leaves, random operator."""
    if leaves == 1:
        return leaf(VOCABULARY[int(rng.integers(len(VOCABULARY)))])
    left = int(rng.integers(1, leaves))
    return combine("+*-"[int(rng.integers(3))], random_tree(left, rng), random_tree(leaves - left, rng))


def _every_operator_matters(program: Program) -> np.ndarray | None:
    """The program's packed canvas when each operator changes its operands and none is blank."""
    if not program.children:
        return render_packed(program)
    left, right = (_every_operator_matters(c) for c in program.children)
    if left is None or right is None:
        return None
    result = combine_packed(program.head.name, left, right)
    if not pixel_count(result) or np.array_equal(result, left) or np.array_equal(result, right):
        return None
    return result


def generate(length: int, count: int, seed: int, split: str | None = None) -> list[Program]:
    """`count` programs of `length` tokens with distinct images (of one split, if given).

    >>> [p.size for p in generate(5, 3, seed=0)]
    [5, 5, 5]
    """
    return list(_programs(length, count, seed, split))


def _programs(length: int, count: int, seed: int, split: str | None) -> Iterator[Program]:
    if length not in range(1, 2 * len(VOCABULARY), 2):
        raise NesyInputError(f"a CSG program has an odd number of tokens; got length {length}")
    if split is not None and split not in SPLITS:
        raise NesyInputError(f"unknown split {split!r} (expected {', '.join(SPLITS)})")
    rng = np.random.default_rng([seed, length])
    seen: set[bytes] = set()
    draws = 0
    while len(seen) < count:
        draws += 1
        if draws > MAX_DRAWS_PER_PROGRAM * count:
            raise NesyInputError(f"only {len(seen)} distinct programs of length {length} in {draws - 1} draws")
        program = random_tree((length + 1) // 2, rng)
        packed = _every_operator_matters(program)
        if packed is None or packed.tobytes() in seen:
            continue
        if split is not None and image_split(packed) != split:
            continue
        seen.add(packed.tobytes())
        yield program
