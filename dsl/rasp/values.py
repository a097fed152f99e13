"""RASP scalar values: one canonical form for numbers, a total order over mixed values, and the
scalar operations of maps, so the interpreter and the compiler's value tables agree bit for bit."""
from __future__ import annotations

import math
from typing import Any, Iterable

Value = Any  # None, bool, int, float, str, or a tuple of values (joint keys made by the compiler)


def canon(value: Value) -> Value:
    """Numbers rounded to 9 decimals, integral floats made ints: means computed in any order of
    summation land on the same value."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ArithmeticError("not a finite number")
        rounded = round(value, 9)
        return int(rounded) if rounded == int(rounded) else rounded
    return value


def sort_key(value: Value) -> tuple:
    """A total order over mixed values: None < booleans < numbers < strings < tuples."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float)):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    return (4, tuple(sort_key(v) for v in value))


def identity_key(value: Value) -> tuple:
    """Keys that keep True apart from 1 (Python's `==` does not)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, tuple):
        return ("t", tuple(identity_key(v) for v in value))
    return ("v", value)


def unique_sorted(values: Iterable[Value]) -> tuple[Value, ...]:
    """Distinct values in `sort_key` order."""
    seen = {identity_key(v): v for v in values}
    return tuple(sorted(seen.values(), key=sort_key))


def is_number(value: Value) -> bool:
    return isinstance(value, (int, float))  # booleans are ints: True counts as 1


def as_number(value: Value) -> float:
    return float(value)


def parse_token(text: str) -> Value:
    """A token as typed by a user: integers and decimals become numbers, anything else a string."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return canon(float(text))
    except ValueError:
        return text


def format_value(value: Value) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "(" + ",".join(format_value(v) for v in value) + ")"
    return str(value)


COMPARISONS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}

ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
}


def apply_op(op: str, args: tuple[Value, ...]) -> Value:
    """One scalar operation of a map. `None` (an aggregate that selected nothing) propagates;
    Python errors (`"a" + 1`, division by zero) surface as TypeError/ArithmeticError."""
    if op == "tuple":
        return tuple(args)
    if op == "if":
        test, then, orelse = args
        if test is None:
            return None
        return then if test else orelse
    if any(a is None for a in args):
        return None
    if op in COMPARISONS:
        return bool(COMPARISONS[op](*args))
    if op in ARITHMETIC:
        left, right = args
        if isinstance(left, str) or isinstance(right, str):
            if op == "+" and isinstance(left, str) and isinstance(right, str):
                return left + right
            raise TypeError(f"cannot apply {op} to {format_value(left)!r} and {format_value(right)!r}")
        return canon(ARITHMETIC[op](left, right))
    if op == "and":
        return bool(args[0]) and bool(args[1])
    if op == "or":
        return bool(args[0]) or bool(args[1])
    if op == "not":
        return not args[0]
    if op == "neg":
        if isinstance(args[0], str):
            raise TypeError(f"cannot negate {args[0]!r}")
        return canon(-args[0])
    if op == "count_from_fraction":
        # compiler-internal: selector_width's attention yields 1/(w+1); this recovers w
        return int(round(1 / args[0])) - 1
    if op == "abs":
        return canon(abs(args[0]))
    if op == "min":
        return min(args, key=sort_key)
    if op == "max":
        return max(args, key=sort_key)
    raise ValueError(f"unknown operation {op}")
