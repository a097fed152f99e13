"""The one error type users see: a one-line message that names what is wrong and where."""
from __future__ import annotations

from typing import Any, Callable, Mapping


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


def syntax_error(error: Exception, text: str, path: str | None = None, *, what: str = "syntax error",
                 spell: Callable[[str], str] | None = None) -> NesyInputError:
    """Lark's `UnexpectedInput` as a one-line `NesyInputError` at Lark's position (the end of `text`
    when input ran out), saying what was found and what was expected. Every Lark parser in nesy
    reports through here, so positions are always fields (`line`, `column`), not only text.

    `spell` turns a terminal name (`RPAR`, `__ANON_0`) into what a user would type."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(error, UnexpectedCharacters):
        found, expected = repr(error.char), set(error.allowed or ())
    elif isinstance(error, UnexpectedToken):
        found = "end of input" if error.token.type == "$END" else repr(str(error.token))
        expected = set(error.expected or ())
    elif isinstance(error, UnexpectedEOF):
        found, expected = "end of input", set(error.expected or ())
    else:
        found, expected = "input", set()
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if found == "end of input":
        line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
    elif not isinstance(line, int) or line < 0:
        line = column = None
    names = sorted({(spell or str)(name) for name in expected})
    hint = f"; expected {', '.join(names[:12])}{', ...' if len(names) > 12 else ''}" if names else ""
    return NesyInputError(f"{what}: unexpected {found}{hint}", path=path or None, line=line, column=column)


def terminal_spelling(parser: Any, names: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """A `spell` for `syntax_error`: a terminal as a user would type it. Fixed-text terminals
    (Lark names them `RPAR`, `__ANON_0`) are shown as their text, the others by `names` or as
    their lowercased name ("a name" for NAME when `names` says so)."""
    fixed = {t.name: repr(t.pattern.value) for t in parser.terminals if t.pattern.type == "str"}
    names = dict(names or {})

    def spell(terminal: str) -> str:
        if terminal in names:
            return names[terminal]
        return fixed.get(terminal, "end of input" if terminal == "$END" else terminal.lower())

    return spell
