"""Write files that `torch.load(..., weights_only=True)` reads, without importing torch.

Importing torch takes seconds; compiling a RASP program takes milliseconds. So the compiler keeps
its weights in numpy and writes `.pt` files itself, in torch's zip format (what `torch.save` writes
since 1.6): `<name>/data.pkl` (a pickle whose tensors refer to storages by key),
`<name>/data/<key>` (each storage's raw little-endian bytes, 64-byte aligned),
`<name>/byteorder` and `<name>/version`.

Only what the compiler saves is supported: dicts (plain and ordered), lists, tuples, str, int,
float, bool, None, and float32/int64 numpy arrays (saved as tensors).
"""
from __future__ import annotations

import struct
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

ALIGNMENT = 64  # torch aligns storages so that they can be memory-mapped
STORAGE_TYPES = {np.dtype(np.float32): "FloatStorage", np.dtype(np.float64): "DoubleStorage",
                 np.dtype(np.int64): "LongStorage"}


class _PickleWriter:
    """Protocol-2 pickle opcodes for the supported values; arrays become storage records."""

    def __init__(self) -> None:
        self.out = bytearray(b"\x80\x02")                     # PROTO 2
        self.storages: list[np.ndarray] = []

    def value(self, obj: Any) -> None:
        if obj is None:
            self.out += b"N"
        elif obj is True or obj is False:
            self.out += b"\x88" if obj else b"\x89"
        elif isinstance(obj, (int, np.integer)):
            self._int(int(obj))
        elif isinstance(obj, (float, np.floating)):
            self.out += b"G" + struct.pack(">d", float(obj))
        elif isinstance(obj, str):
            self._str(obj)
        elif isinstance(obj, np.ndarray):
            self._tensor(obj)
        elif isinstance(obj, tuple):
            self.out += b"("
            for item in obj:
                self.value(item)
            self.out += b"t"
        elif isinstance(obj, list):
            self.out += b"]"
            for item in obj:
                self.value(item)
                self.out += b"a"                               # APPEND
        elif isinstance(obj, dict):
            if isinstance(obj, OrderedDict):
                self._global("collections", "OrderedDict")
                self.out += b")R"                              # OrderedDict()
            else:
                self.out += b"}"
            for key, item in obj.items():
                self.value(key)
                self.value(item)
                self.out += b"s"                               # SETITEM
        else:
            raise TypeError(f"cannot write a {type(obj).__name__} into a torch file")

    def _int(self, n: int) -> None:
        if 0 <= n < 256:
            self.out += b"K" + bytes([n])
        elif 0 <= n < 65536:
            self.out += b"M" + struct.pack("<H", n)
        elif -2**31 <= n < 2**31:
            self.out += b"J" + struct.pack("<i", n)
        else:
            raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
            self.out += b"\x8a" + bytes([len(raw)]) + raw      # LONG1

    def _str(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.out += b"X" + struct.pack("<I", len(raw)) + raw

    def _global(self, module: str, name: str) -> None:
        self.out += b"c" + f"{module}\n{name}\n".encode()

    def _tensor(self, array: np.ndarray) -> None:
        """torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)."""
        if array.dtype not in STORAGE_TYPES:
            raise TypeError(f"cannot write a {array.dtype} array into a torch file")
        array = np.require(array, requirements="C")  # (ascontiguousarray would make 0-d arrays 1-d)
        key = str(len(self.storages))
        self.storages.append(array)
        self._global("torch._utils", "_rebuild_tensor_v2")
        self.out += b"("
        self.out += b"("                                      # the storage's persistent id
        self._str("storage")
        self._global("torch", STORAGE_TYPES[array.dtype])
        self._str(key)
        self._str("cpu")
        self._int(array.size)
        self.out += b"tQ"                                     # TUPLE, BINPERSID
        self._int(0)
        self.value(tuple(int(s) for s in array.shape))
        strides = np.cumprod((1,) + array.shape[:0:-1])[::-1] if array.ndim else ()
        self.value(tuple(int(s) for s in strides))
        self.out += b"\x89"                                   # requires_grad False
        self._global("collections", "OrderedDict")
        self.out += b")R"                                     # backward hooks: OrderedDict()
        self.out += b"tR"                                     # TUPLE, REDUCE


def save_torch_file(obj: Any, path: str | Path) -> Path:
    """Write `obj` (arrays in place of tensors) to `path` as torch.save would."""
    path = Path(path)
    writer = _PickleWriter()
    writer.value(obj)
    writer.out += b"."                                         # STOP
    prefix = path.stem or "archive"
    records = [("data.pkl", bytes(writer.out)), ("byteorder", b"little")]
    records += [(f"data/{i}", array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
                for i, array in enumerate(writer.storages)]
    records += [("version", b"3\n")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in records:
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.extra = _padding(archive.fp.tell(), len(info.filename))
            archive.writestr(info, data)
    return path


def _padding(offset: int, name_length: int) -> bytes:
    """A zip extra field that puts the record's data at a multiple of ALIGNMENT (as torch does)."""
    start = offset + 30 + name_length + 4                     # local header, name, extra-field header
    size = -start % ALIGNMENT
    return b"FB" + struct.pack("<H", size) + b"Z" * size


__all__ = ["save_torch_file"]
