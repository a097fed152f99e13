"""The file being read: where errors point, and which sort names it may use."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsl.core import BOOL, INT, STRING, Type
from dsl.errors import NesyInputError

SORTS: dict[str, Type] = {"String": STRING, "Int": INT, "Bool": BOOL}


@dataclass(frozen=True)
class Source:
    """A SyGuS text and its path, making located one-line errors."""

    path: str

    def error(self, message: str, where: Any = None) -> NesyInputError:
        """An error at `where` (anything with `line` and `column`), or at the whole file."""
        if where is None:
            return NesyInputError(message, path=self.path)
        return NesyInputError(message, path=self.path, line=where.line, column=where.column)

    def sort(self, name: str, where: Any) -> Type:
        if name not in SORTS:
            raise self.error(f"unsupported sort {name} (supported: {', '.join(SORTS)})", where)
        return SORTS[name]
