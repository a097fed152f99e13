"""RASP scalar values: numbers are exact rationals (ints and `Fraction`s: a mean times a count is
the integer it should be), a total order over mixed values, and the scalar operations of maps, so
the interpreter and the compiler's value tables agree exactly."""
from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Callable, Iterable

from dsl.errors import NesyInputError

Value = Any  # None, bool, int, Fraction, str, or a tuple of values (joint keys made by the compiler)

MAX_DIGITS = 1000        # digits in a number typed in a program or an input
MAX_NUMBER_BITS = 4000   # |numerator| and denominator of any value (~1200 digits): printable, bounded
_NUMBER = re.compile(r"[+-]?(\d+)(?:\.(\d+)|/(\d+))?")


def canon(value: Value) -> Value:
    """The one form of a number: exact (a float, from a Python caller, becomes the rational of its
    shortest decimal: 0.1 -> 1/10), integral rationals made ints; too large numbers refused."""
    kind = type(value)  # exact types: this runs on every arithmetic result
    if kind is int:
        if value.bit_length() > MAX_NUMBER_BITS:
            raise ArithmeticError("number too large")
        return value
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            raise ArithmeticError("not a finite number")
        return canon(Fraction(repr(value)))
    if kind is Fraction:
        if value.denominator == 1:
            return canon(value.numerator)
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_NUMBER_BITS:
            raise ArithmeticError("number too large")
    return value


def sort_key(value: Value) -> tuple:
    """A total order over mixed values: None < booleans < numbers < strings < tuples."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float, Fraction)):
        return (2, _approximate(value), value)  # floats compare fast; ties fall to the exact value
    if isinstance(value, str):
        return (3, value)
    return (4, tuple(sort_key(v) for v in value))


def _approximate(number) -> float:
    """A float that never orders two numbers the wrong way round (rounding is monotonic)."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


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
    return isinstance(value, (int, float, Fraction))  # booleans are ints: True counts as 1


def as_number(value: Value) -> float:
    """The float a weight holds (the model computes in floats; values stay exact)."""
    return float(value)


def parse_number(text: str) -> int | Fraction | None:
    """`12`, `-3`, `0.25`, `1/3` as exact numbers; None for anything else (no exponents, no nan)."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    digits = sum(len(g or "") for g in match.groups())
    if digits > MAX_DIGITS:
        raise NesyInputError(f"the number {text.strip()[:20]}... has {digits} digits (limit {MAX_DIGITS})")
    if match.group(3) is not None and int(match.group(3)) == 0:
        return None
    return canon(Fraction(text.strip()))


def parse_token(text: str) -> Value:
    """A token as typed by a user: integers, decimals and fractions (`1/3`) become exact numbers,
    anything else a string."""
    number = parse_number(text)
    return text if number is None else number


def format_value(value: Value) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "(" + ",".join(format_value(v) for v in value) + ")"
    if isinstance(value, Fraction):
        return _fraction_text(value)
    return str(value)


def _fraction_text(value: Fraction) -> str:
    """Exact: a decimal when the denominator divides a small power of ten (0.25), else p/q."""
    denominator, places = value.denominator, 0
    while places <= 20 and (10 ** places) % denominator:
        places += 1
    if places == 0:
        return str(value.numerator)
    if places > 20:
        return f"{value.numerator}/{denominator}"
    scaled = str(abs(value.numerator) * (10 ** places // denominator)).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{scaled[:-places]}.{scaled[-places:]}"


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
    "/": lambda a, b: Fraction(a) / b,
    "%": lambda a, b: a % b,
}


def _arithmetic(op: str) -> Callable[[tuple[Value, ...]], Value]:
    function = ARITHMETIC[op]

    def run(args: tuple[Value, ...]) -> Value:
        left, right = args
        if left is None or right is None:
            return None
        if isinstance(left, str) or isinstance(right, str):
            if op == "+" and isinstance(left, str) and isinstance(right, str):
                return left + right
            raise TypeError(f"cannot apply {op} to {format_value(left)!r} and {format_value(right)!r}")
        if op in ("/", "%") and not isinstance(right, tuple) and right == 0:
            raise ZeroDivisionError("division by zero")
        return canon(function(left, right))
    return run


def _comparison(op: str) -> Callable[[tuple[Value, ...]], Value]:
    function = COMPARISONS[op]

    def run(args: tuple[Value, ...]) -> Value:
        left, right = args
        if left is None or right is None:
            return None
        return bool(function(left, right))
    return run


def _if(args: tuple[Value, ...]) -> Value:
    test, then, orelse = args
    if test is None:
        return None
    return then if test else orelse


def _strict(function: Callable[..., Value]) -> Callable[[tuple[Value, ...]], Value]:
    """`function(*args)`, or None when an argument is None (nothing was aggregated)."""
    def run(args: tuple[Value, ...]) -> Value:
        if any(a is None for a in args):
            return None
        return function(*args)
    return run


def _negate(value: Value) -> Value:
    if isinstance(value, str):
        raise TypeError(f"cannot negate {value!r}")
    return canon(-value)


def _count_from_fraction(value: Value) -> Value:
    # compiler-internal: selector_width's attention yields 1/(w+1); this recovers w
    return round(1 / Fraction(value)) - 1


# Every scalar operation of a map, as a function of its argument tuple. `None` (an aggregate that
# selected nothing) propagates; Python errors (`"a" + 1`, division by zero) surface as
# TypeError/ArithmeticError.
OPERATIONS: dict[str, Callable[[tuple[Value, ...]], Value]] = {
    "tuple": tuple, "if": _if,
    **{op: _comparison(op) for op in COMPARISONS}, **{op: _arithmetic(op) for op in ARITHMETIC},
    "and": _strict(lambda a, b: bool(a) and bool(b)), "or": _strict(lambda a, b: bool(a) or bool(b)),
    "not": _strict(lambda a: not a), "neg": _strict(_negate), "abs": _strict(lambda a: canon(abs(a))),
    "count_from_fraction": _strict(_count_from_fraction),
    "min": _strict(lambda *a: min(a, key=sort_key)), "max": _strict(lambda *a: max(a, key=sort_key)),
}


def apply_op(op: str, args: tuple[Value, ...]) -> Value:
    """One scalar operation of a map (see OPERATIONS)."""
    if op not in OPERATIONS:
        raise ValueError(f"unknown operation {op}")
    return OPERATIONS[op](tuple(args))
