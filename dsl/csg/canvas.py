"""Canvases: 64x64 binary images, packed one row per uint64 word so that union, intersection,
difference and pixel counts over thousands of shapes are a few numpy operations.

A packed canvas is an array of shape (..., 64) and dtype uint64: word r is row r, bit c is column c.
`Canvas` wraps one packed image as an immutable, hashable value (a task's target, a value kept by
search); `as_image` checks a user's picture and says in one line what is wrong with it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dsl.errors import NesyInputError

SIZE = 64                       # CSGNet's canvas is 64 x 64 pixels
WORDS = SIZE                    # one uint64 word per row


def pack(images: np.ndarray) -> np.ndarray:
    """Bool images (..., 64, 64) -> packed canvases (..., 64) uint64."""
    images = np.asarray(images, dtype=bool)
    bits = np.packbits(images, axis=-1, bitorder="little")          # (..., 64, 8) uint8
    return np.ascontiguousarray(bits).view(np.uint64)[..., 0]


def unpack(packed: np.ndarray) -> np.ndarray:
    """Packed canvases (..., 64) uint64 -> bool images (..., 64, 64)."""
    packed = np.ascontiguousarray(packed, dtype=np.uint64)
    bits = packed[..., None].view(np.uint8)                          # (..., 64, 8)
    return np.unpackbits(bits, axis=-1, bitorder="little").astype(bool)


def combine_packed(name: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """`left name right` on packed canvases (broadcast): `+` union, `*` intersection, `-` left
    without right."""
    if name == "+":
        return left | right
    if name == "*":
        return left & right
    return left & ~right


def pixel_count(packed: np.ndarray) -> np.ndarray:
    """Foreground pixels of each packed canvas: (..., 64) -> (...)."""
    return np.bitwise_count(packed).sum(axis=-1, dtype=np.int64)


@dataclass(frozen=True)
class Canvas:
    """One 64x64 binary image as an immutable value: equal pixels, equal canvases (and hashes)."""

    bits: bytes                 # the packed canvas' 512 bytes
    # postfix text of the program that drew it, when known (a synthetic target); not compared
    drawn_by: str = field(default="", compare=False)

    @staticmethod
    def from_image(image: Any, where: str = "image") -> "Canvas":
        return Canvas(pack(as_image(image, where)).tobytes())

    @staticmethod
    def from_packed(packed: np.ndarray, drawn_by: str = "") -> "Canvas":
        return Canvas(np.ascontiguousarray(packed, dtype=np.uint64).tobytes(), drawn_by)

    @property
    def packed(self) -> np.ndarray:
        return np.frombuffer(self.bits, dtype=np.uint64)

    @property
    def image(self) -> np.ndarray:
        return unpack(self.packed)

    @property
    def pixels(self) -> int:
        return int(pixel_count(self.packed))

    def __repr__(self) -> str:
        return f"Canvas({self.pixels} pixels)"


def as_image(value: Any, where: str = "image") -> np.ndarray:
    """A user's picture as a bool (64, 64) array, or a one-line NesyInputError saying why not:
    wrong size, values other than two levels, or nothing drawn (CSGNet scores a blank canvas 16)."""
    array = np.asarray(value)
    if array.shape != (SIZE, SIZE):
        raise NesyInputError(f"{where}: expected a {SIZE}x{SIZE} image, got shape {array.shape}")
    if array.dtype == bool:
        image = array
    else:
        if not np.issubdtype(array.dtype, np.number):
            raise NesyInputError(f"{where}: expected a binary image, got values of type {array.dtype}")
        levels = np.unique(array)
        if len(levels) > 2 or (len(levels) == 2 and levels[0] != 0):
            shown = ", ".join(str(v) for v in levels[:4]) + (", ..." if len(levels) > 4 else "")
            raise NesyInputError(f"{where}: expected a binary image (0 and one other level), got levels {shown}")
        image = array != 0
    if not image.any():
        raise NesyInputError(f"{where}: the image is empty (no foreground pixel)")
    if image.all():
        raise NesyInputError(f"{where}: the image is full (every pixel is foreground)")
    return image
