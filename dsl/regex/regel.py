"""Regel's StackOverflow benchmark files: examples, and the ground truth in Regel's own DSL.

A file has `// natural language`, `// examples` (`"string",+` / `"string",-` lines) and `// gt`
sections. The ground truth uses `and`/`not`, which our AST has no node for, so it is translated
straight into a Z3 regex (`regel_to_z3`), which is all that comparing an answer with it needs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from dsl.core import Task
from dsl.errors import NesyInputError
from dsl.regex import z3_semantics as z3s
from dsl.regex.charset import ANY, DIGIT, CharSet
from dsl.regex.tasks import regex_task

GROUND_TRUTH_PREFIX = "regel-gt: "
QUOTES = "\"'\u201c\u201d"
CLASSES: dict[str, CharSet] = {
    "num": DIGIT, "num1-9": CharSet.of([("1", "9")]), "let": CharSet.of([("A", "Z"), ("a", "z")]),
    "cap": CharSet.of([("A", "Z")]), "low": CharSet.of([("a", "z")]), "any": ANY,
    "alphanum": CharSet.of([("0", "9"), ("A", "Z"), ("a", "z")]),
    "spec": CharSet.of("-,;.+:!@#_$%&*=^"),   # Regel's special characters
    "hex": CharSet.of([("0", "9"), ("A", "F"), ("a", "f")]), "vow": CharSet.of("aeiouAEIOU"),
}


def load_regel_file(path: Path, text: str) -> Task:
    """One Regel task from `text`, the file's; the ground truth rides in `source` after `GROUND_TRUTH_PREFIX`."""
    positive, negative, truth, section = [], [], "", ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("//"):
            section = line[2:].strip()
            continue
        if not line:
            continue
        if section.startswith("ex"):
            text, _, sign = line.rpartition(",")
            if sign not in ("+", "-") or len(text) < 2 or text[0] not in QUOTES or text[-1] not in QUOTES:
                raise NesyInputError("expected \"string\",+ or \"string\",- here", path=str(path), line=number)
            (positive if sign == "+" else negative).append(text[1:-1])   # raw text: no escapes in these files
        elif section == "gt" and not truth:
            truth = line
    return regex_task(path.name, positive, negative, source=GROUND_TRUTH_PREFIX + truth, path=str(path))


def regel_to_z3(text: str) -> Any:
    """Regel's DSL (`concat(<num>,star(<a>))`, `and`, `not`, `repeatrange(x,1,3)`...) as a z3 regex."""
    parser = _Reader(text)
    regex = parser.expression()
    if parser.position != len(text):
        raise NesyInputError(f"Regel ground truth {text!r}: unexpected text at column {parser.position + 1}")
    return regex


class _Reader:
    """Recursive descent over Regel's terms: `name(args)`, `<class>`, `<c>` (a literal), integers."""

    def __init__(self, text: str) -> None:
        self.text, self.position = text.replace(" ,", ","), 0

    def expression(self) -> Any:
        return self._term()[0]

    def _term(self) -> tuple[Any, bool]:
        """(z3 regex, whether it matches single characters only)."""
        import z3

        text = self.text
        if text.startswith("<", self.position):
            end = text.index(">", self.position + 2)     # `<>>` is the literal `>`
            name = text[self.position + 1:end]
            self.position = end + 1
            return (z3s.charset(CLASSES[name]) if name in CLASSES else z3.Re(z3.StringVal(name))), len(name) == 1 or name in CLASSES
        start = self.position
        while self.position < len(text) and text[self.position].isalnum():
            self.position += 1
        name = text[start:self.position]
        if name.isdigit():
            return int(name), False
        if not text.startswith("(", self.position):
            raise NesyInputError(f"Regel ground truth {text!r}: expected ( after {name!r} at column {self.position + 1}")
        self.position += 1
        terms = [self._term()]
        while text.startswith(",", self.position):
            self.position += 1
            terms.append(self._term())
        args = [regex for regex, _ in terms]
        if not text.startswith(")", self.position):
            raise NesyInputError(f"Regel ground truth {text!r}: expected ) at column {self.position + 1}")
        self.position += 1
        if name not in _OPERATORS:
            raise NesyInputError(f"Regel ground truth {text!r}: unknown operator {name!r}")
        single = all(one for _, one in terms) and name in ("or", "and", "not", "notcc")
        if name == "not" and single:
            name = "notcc"   # not(<->) inside star(...) means "a character other than -" in Regel's answers
        return _OPERATORS[name](*args), single


def _any_string() -> Any:
    import z3

    return z3.Star(z3.AllChar(z3s.re_sort()))


def _not_char_class(a: Any) -> Any:
    import z3

    return z3.Intersect(z3.AllChar(z3s.re_sort()), z3.Complement(a))


def _z3(name: str) -> Callable[..., Any]:
    import z3

    return getattr(z3, name)


_OPERATORS: dict[str, Callable[..., Any]] = {
    "concat": lambda a, b: _z3("Concat")(a, b),
    "or": lambda a, b: _z3("Union")(a, b),
    "and": lambda a, b: _z3("Intersect")(a, b),
    "not": lambda a: _z3("Complement")(a),
    "notcc": _not_char_class,
    "star": lambda a: _z3("Star")(a),
    "optional": lambda a: _z3("Option")(a),
    "startwith": lambda a: _z3("Concat")(a, _any_string()),
    "endwith": lambda a: _z3("Concat")(_any_string(), a),
    "contain": lambda a: _z3("Concat")(_any_string(), a, _any_string()),
    "repeat": lambda a, k: z3s.repeat(a, k, k),
    "repeatatleast": lambda a, k: z3s.repeat(a, k, None),
    "repeatrange": lambda a, lo, hi: z3s.repeat(a, lo, hi),
}
