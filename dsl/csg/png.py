"""A small PNG reader and writer (zlib only), enough for shape images: greyscale, grey + alpha,
RGB, RGBA and palette images of 1 to 8 bits (16-bit read too), not interlaced.

nesy reads user pictures without an imaging library as a dependency; a picture in a form this
does not read gets a one-line error saying so.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from dsl.errors import NesyInputError

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}      # colour type -> samples per pixel


def read_png(path: Path) -> np.ndarray:
    """The picture as a (height, width) array of grey levels (alpha 0 reads as background)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise NesyInputError(f"cannot read the file ({error.strerror})", path=str(path)) from None
    if not data.startswith(SIGNATURE):
        raise NesyInputError("not a PNG file", path=str(path))
    try:
        return _decode(data)
    except (struct.error, zlib.error, ValueError, IndexError) as error:
        raise NesyInputError(f"damaged PNG file ({error})", path=str(path)) from None


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, position = [], len(SIGNATURE)
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunks.append((kind, data[position + 8:position + 8 + length]))
        position += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _decode(data: bytes) -> np.ndarray:
    chunks = _chunks(data)
    if not chunks or chunks[0][0] != b"IHDR":
        raise ValueError("no IHDR chunk")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if colour not in _CHANNELS or depth not in (1, 2, 4, 8, 16) or interlace:
        raise ValueError(f"unsupported PNG form (colour type {colour}, {depth} bits, interlace {interlace})")
    channels = _CHANNELS[colour]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    samples = _unfilter(raw, width, height, channels, depth)
    if colour == 3:
        palette = next((body for kind, body in chunks if kind == b"PLTE"), b"")
        rgb = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3)
        return rgb[samples[..., 0]].astype(np.int64).sum(axis=-1)
    if colour in (4, 6):    # transparent pixels are background whatever their colour
        colour_part, alpha = samples[..., :-1], samples[..., -1]
        return np.where(alpha > 0, colour_part.sum(axis=-1), 0)
    return samples.sum(axis=-1)


def _unfilter(raw: bytes, width: int, height: int, channels: int, depth: int) -> np.ndarray:
    bits_per_pixel = channels * depth
    stride = (width * bits_per_pixel + 7) // 8
    step = max(1, bits_per_pixel // 8)
    rows = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], np.frombuffer(raw[start + 1:start + 1 + stride], dtype=np.uint8).astype(np.int64)
        if len(line) != stride:
            raise ValueError("image data ends early")
        out = line.copy()
        if kind == 2:
            out = (line + previous) & 0xFF
        elif kind in (1, 3, 4):
            for x in range(stride):
                a = out[x - step] if x >= step else 0
                b, c = previous[x], previous[x - step] if x >= step else 0
                if kind == 1:
                    predictor = a
                elif kind == 3:
                    predictor = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
                out[x] = (line[x] + predictor) & 0xFF
        elif kind != 0:
            raise ValueError(f"unknown row filter {kind}")
        rows[y] = out
        previous = out
    if depth == 16:
        return rows.view(">u2").reshape(height, width, channels).astype(np.int64)
    if depth < 8:
        bits = np.unpackbits(rows, axis=1)[:, :width * depth].reshape(height, width, depth)
        weights = 1 << np.arange(depth - 1, -1, -1)
        return (bits * weights).sum(axis=-1).reshape(height, width, 1)
    return rows.reshape(height, width, channels).astype(np.int64)


def write_png(path: Path, image: np.ndarray) -> None:
    """Write a bool or 8-bit grey image (height, width) as an 8-bit greyscale PNG (True = 255)."""
    array = np.asarray(image)
    grey = (array.astype(bool) * 255).astype(np.uint8) if array.dtype == bool else array.astype(np.uint8)
    height, width = grey.shape
    raw = b"".join(b"\x00" + grey[y].tobytes() for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    Path(path).write_bytes(SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                           + chunk(b"IEND", b""))
