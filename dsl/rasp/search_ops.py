"""RASP as a typed op table for bottom-up search: each op computes one example's value.

A search value is, per example, a sequence (a tuple with one value per position) or a selector
(a tuple of bitmasks, one per query position: bit k set when key k is selected). The types keep
search inside what the compiler (`nesy.compiler`) turns into exact weights:

- `CAT` categorical sequences: what `select` and categorical `aggregate` read;
- `NUM` numerical sequences (means, and arithmetic on them): read by numerical aggregates and by
  maps, never by `select` (the compiler refuses that), combined with each other only affinely;
- `SEL` selectors;
- `OUT` categorical aggregates that mix several selected values (the most frequent wins): the
  compiler decodes those only as the program's output, so no op takes an `OUT`.

Every op knows its RASP spelling (`SOURCE`): `dsl.rasp.program_source` prints a found program as
a `.rasp` file that the parser reads back and the compiler compiles.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

from dsl.core import Op, Type
from dsl.rasp.values import Value, canon, format_value, identity_key, is_number, sort_key

CAT = Type("RaspCat")
NUM = Type("RaspNum")
SEL = Type("RaspSel")
OUT = Type("RaspOut")
TARGET = Type("RaspTarget")   # a task's output type: no op makes one, the goal join compares values

Sequence_ = tuple[Value, ...]
Selector = tuple[int, ...]


@dataclass(frozen=True)
class Source:
    """How an op is written in RASP: `template` formats the children's expressions ({0}, {1})."""

    template: str


SOURCE: dict[Op, Source] = {}


def _op(name: str, args: tuple[Type, ...], result: Type, semantics: Callable[..., Any], template: str,
        commutative: bool = False, cost: int = 1) -> Op:
    op = Op(name, args, result, semantics, cost=cost, commutative=commutative)
    SOURCE[op] = Source(template)
    return op


def literal(value: Value) -> str:
    """A value as a RASP literal the parser reads back to the same value."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if '"' in value else f'"{value}"'
    if isinstance(value, Fraction):
        return f"({value.numerator} / {value.denominator})"
    if isinstance(value, int) and value < 0:
        return f"({value})"
    return format_value(value)


# -- leaves: built from the input tokens --------------------------------------------------------

INDICES = _op("indices", (CAT,), CAT, lambda t: tuple(range(len(t))), "indices")
LENGTH = _op("length", (CAT,), CAT, lambda t: (len(t),) * len(t), "length")
SELECT_ALL = _op("select_all", (CAT,), SEL, lambda t: ((1 << len(t)) - 1,) * len(t),
                 "select(indices, indices, true)")


def _escaped(text: str) -> str:
    """Text as a part of an op's template, which `str.format` fills: a literal "{" stays itself."""
    return text.replace("{", "{{").replace("}", "}}")


def constant_op(value: Value) -> Op:
    """The sequence holding `value` at every position (RASP broadcasts a literal)."""
    return _op(f"const {format_value(value)!s}", (CAT,), CAT, lambda t: (value,) * len(t), _escaped(literal(value)))


# -- maps ---------------------------------------------------------------------------------------

def _pointwise(function: Callable[..., Value]) -> Callable[..., Sequence_]:
    """A scalar function lifted to sequences; None (nothing aggregated) stays None, as in RASP."""
    def unary(column: Sequence_) -> Sequence_:
        return tuple(None if x is None else canon(function(x)) for x in column)

    def binary(left: Sequence_, right: Sequence_) -> Sequence_:
        return tuple(None if x is None or y is None else canon(function(x, y)) for x, y in zip(left, right))

    def run(*columns: Sequence_) -> Sequence_:
        return unary(*columns) if len(columns) == 1 else binary(*columns)
    return run


def _numbers(function: Callable[..., Value]) -> Callable[..., Value]:
    """Only numbers (not strings, not booleans) go into arithmetic."""
    def run(*args: Value) -> Value:
        if not all(is_number(a) and not isinstance(a, bool) for a in args):
            raise TypeError("arithmetic on a non-number")
        return function(*args)
    return run


def _map(name: str, function: Callable[[Value], Value], body: str, arg: Type = CAT, result: Type = CAT) -> Op:
    encoding = "numerical " if result == NUM else ""
    return _op(f"map {name}", (arg,), result, _pointwise(function), f"{encoding}map(lambda x: {body}, {{0}})")


def _zipmap(name: str, function: Callable[[Value, Value], Value], body: str, args: tuple[Type, Type] = (CAT, CAT),
            result: Type = CAT, commutative: bool = False) -> Op:
    encoding = "numerical " if result == NUM else ""
    return _op(f"zipmap {name}", args, result, _pointwise(function),
               f"{encoding}zipmap(lambda x, y: {body}, {{0}}, {{1}})", commutative)


def _boolean(value: Value) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a boolean")
    return value


def _modulo(a: Value, b: Value) -> Value:
    if b == 0:
        raise ZeroDivisionError("modulo by zero")
    return a % b


MAPS: tuple[Op, ...] = (
    _map("x+1", _numbers(lambda x: x + 1), "x + 1"),
    _map("x-1", _numbers(lambda x: x - 1), "x - 1"),
    _map("x-2", _numbers(lambda x: x - 2), "x - 2"),
    _map("x%2", _numbers(lambda x: x % 2), "x % 2"),
    _map("-x", _numbers(lambda x: -x), "-x"),
    _map("not", lambda x: not _boolean(x), "not x"),
    _map("x==0", _numbers(lambda x: x == 0), "x == 0"),
)
ZIPMAPS: tuple[Op, ...] = (
    _zipmap("x+y", _numbers(lambda x, y: x + y), "x + y", commutative=True),
    _zipmap("x-y", _numbers(lambda x, y: x - y), "x - y"),
    _zipmap("x-y-1", _numbers(lambda x, y: x - y - 1), "x - y - 1"),
    _zipmap("x%y", _numbers(_modulo), "x % y"),
    _zipmap("x==y", lambda x, y: x == y, "x == y", commutative=True),   # as RASP: False == 0
    _zipmap("x<y", _numbers(lambda x, y: x < y), "x < y"),
    _zipmap("x and y", lambda x, y: _boolean(x) and _boolean(y), "x and y", commutative=True),
    _zipmap("x or y", lambda x, y: _boolean(x) or _boolean(y), "x or y", commutative=True),
    # Tracr's tie-break: a key made unique by a small multiple of the position (tokens are numbers)
    _zipmap("x+y/100", _numbers(lambda x, y: x + Fraction(y, 100)), "x + y / 100"),
    _zipmap("x-y/100", _numbers(lambda x, y: x - Fraction(y, 100)), "x - y / 100"),
)
# numerical sequences: only affine combinations of them, or maps to categorical values
NUMERICAL_MAPS: tuple[Op, ...] = (
    _map("num x<0", _numbers(lambda x: x < 0), "x < 0", arg=NUM),
    _map("num x==0", _numbers(lambda x: x == 0), "x == 0", arg=NUM),
    _zipmap("num x-y", _numbers(lambda x, y: x - y), "x - y", (NUM, NUM), NUM),
    _zipmap("num x*y", _numbers(lambda x, y: x * y), "x * y", (NUM, CAT), NUM),
)


# -- selectors ----------------------------------------------------------------------------------

PREDICATES: dict[str, Callable[[Value, Value], bool]] = {
    "==": lambda k, q: k == q, "!=": lambda k, q: k != q, "<": lambda k, q: k < q,
    "<=": lambda k, q: k <= q, ">": lambda k, q: k > q, ">=": lambda k, q: k >= q,
}


def _select(predicate: Callable[[Value, Value], bool], ordered: bool) -> Callable[[Sequence_, Sequence_], Selector]:
    """`select(keys, queries, op)` as row bitmasks, as the interpreter selects: a comparison with
    None never holds; an order between values of different kinds (a string and a number) is
    refused here, so search keeps to comparisons that mean something."""
    def run(keys: Sequence_, queries: Sequence_) -> Selector:
        if None in keys or None in queries:
            pairs = [(1 << i, k) for i, k in enumerate(keys) if k is not None]
            return tuple(0 if q is None else _row(pairs, q) for q in queries)
        pairs = [(1 << i, k) for i, k in enumerate(keys)]
        return tuple(_row(pairs, q) for q in queries)

    def _row(pairs: list[tuple[int, Value]], query: Value) -> int:
        mask = 0
        for bit, key in pairs:
            if predicate(key, query):
                mask |= bit
        return mask
    return run


SELECTS: tuple[Op, ...] = tuple(
    _op(f"select {name}", (CAT, CAT), SEL, _select(function, name not in ("==", "!=")),
        f"select({{0}}, {{1}}, {name})")
    for name, function in PREDICATES.items())


def _selector_not(selector: Selector) -> Selector:
    full = (1 << len(selector)) - 1
    return tuple(full & ~row for row in selector)


SELECTOR_OPS: tuple[Op, ...] = (
    _op("and", (SEL, SEL), SEL, lambda a, b: tuple(x & y for x, y in zip(a, b)), "({0} and {1})", True),
    _op("or", (SEL, SEL), SEL, lambda a, b: tuple(x | y for x, y in zip(a, b)), "({0} or {1})", True),
    _op("not", (SEL,), SEL, _selector_not, "(not {0})"),
)


# -- aggregates ---------------------------------------------------------------------------------

def selected(row: int, values: Sequence_) -> list[Value]:
    return [v for k, v in enumerate(values) if row >> k & 1]


def _single_valued(selector: Selector, values: Sequence_) -> Sequence_:
    """A categorical aggregate that reads one value per query (or none: None)."""
    out = []
    for row in selector:
        chosen = {identity_key(v): v for v in selected(row, values)}
        if len(chosen) > 1:
            raise ValueError("several selected values")
        out.append(next(iter(chosen.values())) if chosen else None)
    return tuple(out)


def most_frequent(chosen: list[Value]) -> Value:
    """The interpreter's categorical aggregate: the most frequent value, ties to the smallest."""
    if not chosen:
        return None
    counts = Counter(identity_key(v) for v in chosen)
    by_key = {identity_key(v): v for v in chosen}
    best = max(counts.values())
    return min((by_key[k] for k, c in counts.items() if c == best), key=sort_key)


def _mixed(selector: Selector, values: Sequence_) -> Sequence_:
    """The most frequent selected value (an example may well select one value per query: the
    kind of aggregate is a property of the whole program, not of one example)."""
    return tuple(most_frequent(selected(row, values)) for row in selector)


def _mean(selector: Selector, values: Sequence_) -> Sequence_:
    if any(not is_number(v) for v in values):
        raise TypeError("a numerical aggregate of a non-number")
    out = []
    for row in selector:
        chosen = selected(row, values)
        out.append(canon(Fraction(sum(chosen)) / len(chosen)) if chosen else 0)
    return tuple(out)


AGGREGATES: tuple[Op, ...] = (
    _op("aggregate", (SEL, CAT), CAT, _single_valued, "aggregate({0}, {1})"),
    _op("aggregate mixed", (SEL, CAT), OUT, _mixed, "aggregate({0}, {1})"),
    _op("numerical aggregate", (SEL, CAT), NUM, _mean, "numerical aggregate({0}, {1}, 0)"),
    _op("numerical aggregate num", (SEL, NUM), NUM, _mean, "numerical aggregate({0}, {1}, 0)"),
    _op("selector_width", (SEL,), CAT, lambda s: tuple(bin(row).count("1") for row in s), "selector_width({0})"),
)

# -- idioms: the compound functions of Tracr's library (make_hist, make_sort_unique's rank,
# shift_by, reverse), each one op of cost 2, written out in full in the program text ----------

def _self_width(select_op: Op) -> Callable[[Sequence_], Sequence_]:
    width = AGGREGATES[-1].semantics
    return lambda keys: width(select_op.semantics(keys, keys))


def _earlier_equal(keys: Sequence_) -> Sequence_:
    return tuple(sum(1 for k in keys[:i] if k is not None and k == key) if key is not None else 0
                 for i, key in enumerate(keys))


def _moved(offset: Callable[[int, int], int]) -> Callable[[Sequence_], Sequence_]:
    def run(values: Sequence_) -> Sequence_:
        n = len(values)
        return tuple(values[j] if 0 <= (j := offset(i, n)) < n else None for i in range(n))
    return run


IDIOMS: tuple[Op, ...] = (
    _op("hist", (CAT,), CAT, _self_width(SELECTS[0]), "selector_width(select({0}, {0}, ==))", cost=2),
    _op("rank", (CAT,), CAT, _self_width(SELECTS[2]), "selector_width(select({0}, {0}, <))", cost=2),
    _op("rank_desc", (CAT,), CAT, _self_width(SELECTS[4]), "selector_width(select({0}, {0}, >))", cost=2),
    _op("occurrence", (CAT,), CAT, _earlier_equal,
        "selector_width(select({0}, {0}, ==) and select(indices, indices, <))", cost=2),
    _op("previous", (CAT,), CAT, _moved(lambda i, n: i - 1), "aggregate(select(indices, indices - 1, ==), {0})",
        cost=2),
    _op("reverse", (CAT,), CAT, _moved(lambda i, n: n - i - 1),
        "aggregate(select(indices, length - indices - 1, ==), {0})", cost=2),
)

SEARCH_OPS: tuple[Op, ...] = (*MAPS, *ZIPMAPS, *NUMERICAL_MAPS, *SELECTS, *SELECTOR_OPS, *AGGREGATES, *IDIOMS)


# -- lookup tables: maps built by search from examples ------------------------------------------

def table_op(table: Sequence[tuple[Value, Value]], default: Value, arg: Type) -> Op:
    """The map `x -> table[x]` (`default` for any other x), written as nested conditionals."""
    lookup = {identity_key(k): v for k, v in table}

    def function(x: Value) -> Value:
        return lookup.get(identity_key(x), default)

    body = literal(default)
    for key, value in sorted(table, key=lambda kv: sort_key(kv[0]), reverse=True):
        body = f"({literal(value)} if x == {literal(key)} else {body})"
    name = "table " + ", ".join(f"{format_value(k)}:{format_value(v)}" for k, v in sorted(table, key=lambda kv: sort_key(kv[0])))
    return _op(f"{name} else {format_value(default)}", (arg,), CAT, _pointwise(function),
               f"map(lambda x: {_escaped(body)}, {{0}})")
