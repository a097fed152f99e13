"""Form-field regexes: split positives at their common separators and describe each field tightly.

Realistic validation tasks (dates, phone numbers, codes) have positives that share a sequence of
separators (`/`, `-`, `.`, ` `, ...) with alphanumeric fields between them. The smallest regex that
fits the examples is usually far too general there (`.{4}`), so, as FOREST does, such a task is first
tried field by field: each field becomes the narrowest character class that holds all its characters,
with the range of lengths seen (`\\d{2}`, `[A-Z]{1,3}`), or a literal when every positive agrees.
The template is kept only when it also rejects every negative; otherwise `solvers.regex.numeric`
refines its parts (numeric bounds, the values seen) and, failing that, enumeration takes over.
A template that rejects every negative is then widened where the negatives allow it
(`widened`): a field whose lengths vary in the examples rarely has a real upper bound.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from dsl.core import Program, right_nested
from dsl.regex.charset import DIGIT, WORD, CharSet
from dsl.regex.ops import CONCAT, OPTIONAL, PLUS, UNION, RepeatOp, apply, char_set, leaf, repeat

# Narrowest first: a field gets the first class that holds every character it shows.
FIELD_CLASSES: tuple[CharSet, ...] = (
    DIGIT, CharSet.of([("a", "z")]), CharSet.of([("A", "Z")]),
    CharSet.of([("0", "9"), ("a", "f")]), CharSet.of([("0", "9"), ("A", "F")]),
    CharSet.of([("A", "Z"), ("a", "z")]), CharSet.of([("0", "9"), ("A", "Z")]), CharSet.of([("0", "9"), ("a", "z")]),
    CharSet.of([("0", "9"), ("A", "Z"), ("a", "z")]), WORD,
)


def _split(text: str) -> tuple[list[str], list[str]]:
    """Alphanumeric fields and the separators between them (fields may be empty)."""
    fields, separators, current = [], [], []
    for char in text:
        if char.isalnum():
            current.append(char)
        else:
            fields.append("".join(current))
            separators.append(char)
            current = []
    fields.append("".join(current))
    return fields, separators


@dataclass(frozen=True)
class FieldPart:
    """A run of the template: its regex pieces and the text each positive shows there.

    `values` lets later refinements (numeric bounds, literal alternatives) revisit a part without
    splitting the positives again."""

    pieces: tuple[Program, ...]
    values: tuple[str, ...]

    @property
    def widths(self) -> range | None:
        """The lengths a digit part (`\\d`, `\\d{2,4}`) allows; None for any other part."""
        if len(self.pieces) != 1:
            return None
        piece = self.pieces[0]
        if piece.head is char_set(DIGIT):
            return range(1, 2)
        if isinstance(piece.head, RepeatOp) and piece.children[0].head is char_set(DIGIT) and piece.head.hi is not None:
            return range(piece.head.lo, piece.head.hi + 1)
        return None


def _literal(text: str, count: int) -> list[FieldPart]:
    return [FieldPart(tuple(leaf(CharSet.of(c)) for c in text), (text,) * count)] if text else []


def _kind(char: str) -> str:
    return "d" if char.isdigit() else "u" if char.isupper() else "l" if char.islower() else "o"


def _runs(text: str) -> list[str]:
    """`AB12c` -> ["AB", "12", "c"]: maximal runs of digits, capitals, small letters."""
    runs: list[str] = []
    for char in text:
        if runs and _kind(runs[-1][-1]) == _kind(char):
            runs[-1] += char
        else:
            runs.append(char)
    return runs


def _common_prefix(values: Sequence[str]) -> str:
    first, last = min(values), max(values)
    length = next((i for i, (a, b) in enumerate(zip(first, last)) if a != b), min(len(first), len(last)))
    return first[:length]


# How `_field` describes a field whose values differ: "plain" (runs, else one class), or one of the
# refinements tried when the plain template accepts a negative.
STYLES = ("plain", "prefix", "columns", "shapes")
MAX_SHAPES = 3     # a "shapes" field is a union of at most this many run shapes


def _field(values: Sequence[str], style: str = "plain") -> list[FieldPart] | None:
    """The parts of one field, or None when no class fits (or a field is sometimes empty).
    A field whose values all show the same sequence of digit/capital/small-letter runs is
    described run by run (`[A-Z]{3}[0-9]{3}[A-Z]`). Refinements: "prefix" keeps text every value
    starts with literally (`0x[0-9a-f]+`); "columns" describes values of one length column by
    column (`\\d{2}[A-Z]{5}\\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]`); "shapes" joins the run shapes seen
    (`(\\d{2}|[A-Z]{2})`)."""
    if len(set(values)) == 1:
        return _literal(values[0], len(values))
    if any(not v for v in values):
        return None
    if style == "prefix":
        prefix = _common_prefix(values)
        if prefix:
            rest = _field([v[len(prefix):] for v in values])
            return None if rest is None else _literal(prefix, len(values)) + rest
    runs = [_runs(v) for v in values]
    shapes = {tuple(_kind(r[0]) for r in rs) for rs in runs}
    if len(shapes) == 1 and len(runs[0]) > 1:
        parts: list[FieldPart] = []
        for index in range(len(runs[0])):
            part = _field([rs[index] for rs in runs])
            if part is None:
                return None
            parts += part
        return parts
    if style == "columns" and len({len(v) for v in values}) == 1:
        return _columns(values)
    if style == "shapes" and 1 < len(shapes) <= MAX_SHAPES:
        return _shape_union(values, runs)
    chars = {c for v in values for c in v}
    charset = _narrowest(chars)
    if charset is None:
        return None
    lo, hi = min(map(len, values)), max(map(len, values))
    piece = leaf(charset) if lo == hi == 1 else apply(repeat(lo, hi), leaf(charset))
    return [FieldPart((piece,), tuple(values))]


def _narrowest(chars: set[str]) -> CharSet | None:
    return next((cs for cs in FIELD_CLASSES if all(c in cs for c in chars)), None)


def _columns(values: Sequence[str]) -> list[FieldPart] | None:
    """Values of one length, one class (or literal) a column, equal neighbours merged into `c{k}`."""
    columns: list[CharSet] = []
    for index in range(len(values[0])):
        chars = {v[index] for v in values}
        charset = CharSet.of(chars.pop()) if len(chars) == 1 else _narrowest(chars)
        if charset is None:
            return None
        columns.append(charset)
    pieces: list[Program] = []
    start = 0
    for index in range(1, len(columns) + 1):
        if index == len(columns) or columns[index] != columns[start]:
            count = index - start
            pieces.append(leaf(columns[start]) if count == 1 else apply(repeat(count, count), leaf(columns[start])))
            start = index
    return [FieldPart(tuple(pieces), tuple(values))]


def _shape_union(values: Sequence[str], runs: Sequence[list[str]]) -> list[FieldPart] | None:
    """One plain description per run shape seen, joined by union."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for value, value_runs in zip(values, runs):
        groups.setdefault(tuple(_kind(r[0]) for r in value_runs), []).append(value)
    branches = []
    for group in groups.values():
        parts = _field(group)
        if parts is None:
            return None
        branches.append(concatenation([piece for part in parts for piece in part.pieces]))
    return [FieldPart((right_nested(UNION, branches),), tuple(values))]


def field_parts(positive: Sequence[str], style: str = "plain") -> list[FieldPart] | None:
    """The template's parts in order (fields, runs and separators), or None when the positives do
    not share their separators or some field fits no class. `style`: see `_field`."""
    if not positive:
        return None
    splits = [_split(p) for p in positive]
    separators = splits[0][1]
    if any(s != separators for _, s in splits):
        return None
    parts: list[FieldPart] = []
    for index in range(len(separators) + 1):
        field = _field([fields[index] for fields, _ in splits], style)
        if field is None:
            return None
        parts += field
        if index < len(separators):
            parts += _literal(separators[index], len(positive))
    return parts or None


def concatenation(pieces: Sequence[Program]) -> Program:
    """`p1 p2 ...` right-nested (the parser's shape)."""
    return right_nested(CONCAT, pieces)


def template_pieces(positive: Sequence[str], style: str = "plain") -> list[Program] | None:
    """The template's regex pieces in order, or None when the positives do not share their
    separators (or some field fits no class)."""
    parts = field_parts(positive, style)
    return None if parts is None else [piece for part in parts for piece in part.pieces]


def field_template(positive: Sequence[str], style: str = "plain") -> Program | None:
    """The field-by-field regex of the positives, or None when they do not share their separators."""
    pieces = template_pieces(positive, style)
    return None if pieces is None else concatenation(pieces)


def _unbounded(piece: Program) -> Program | None:
    """`c{lo,hi}` with lo < hi (lengths that vary in the examples) as `c+`, else None."""
    head = piece.head
    if isinstance(head, RepeatOp) and head.lo >= 1 and (head.hi is None or head.hi > head.lo):
        return apply(PLUS, piece.children[0])
    return None


def widened(pieces: Sequence[Program], rejects: Callable[[Program], bool]) -> Program:
    """The concatenation of `pieces` with each field of varying length widened to `c+` wherever
    the wider regex still rejects every negative (`rejects`), left to right.

    Seen lengths are a sample: `\\d{1,5}` from five prices is almost never meant, `\\d+` often is,
    and a negative such as a too-long code keeps the bound (the widening is then refused)."""
    pieces = list(pieces)
    for index, piece in enumerate(pieces):
        wider = _unbounded(piece)
        if wider is not None:
            trial = [*pieces[:index], wider, *pieces[index + 1:]]
            if rejects(concatenation(trial)):
                pieces = trial
    return concatenation(pieces)


def optional_tail_pieces(positive: Sequence[str]) -> list[Program] | None:
    """Pieces for positives of two shapes, one the other cut short at a separator (`$3`,
    `$8.89`): the template of what all share, then the template of the rest of the longer ones
    as one optional group (`\\$\\d{1,4}(\\.\\d{2})?`). None for any other mix of separators."""
    shapes = sorted({tuple(_split(p)[1]) for p in positive}, key=len)
    if len(shapes) != 2 or shapes[1][:len(shapes[0])] != shapes[0]:
        return None
    cut = len(shapes[0])            # the longer ones go on at their separator number `cut`
    heads, tails = [], []
    for text in positive:
        at = _separator_position(text, cut)
        heads.append(text if at is None else text[:at])
        if at is not None:
            tails.append(text[at:])
    head, tail = template_pieces(heads), template_pieces(tails)
    if head is None or tail is None:
        return None
    return [*head, apply(OPTIONAL, concatenation(tail))]


def _separator_position(text: str, number: int) -> int | None:
    """Where the separator with this 0-based number stands in `text` (None: it has fewer)."""
    positions = [i for i, char in enumerate(text) if not char.isalnum()]
    return positions[number] if number < len(positions) else None
