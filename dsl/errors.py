"""The one error type users see: a one-line message that names what is wrong and where."""
from __future__ import annotations


class NesyInputError(ValueError):
    """Bad input (a file, a grammar, examples, a model): the message is shown to the user as is,
    and the command line exits with status 2 without a traceback."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.path, self.line, self.column = path, line, column
        where = ""
        if path:
            where = path
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(where + message)
