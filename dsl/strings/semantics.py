"""Python semantics of the string ops: plain total functions, called once per example in the
enumerator's hot loop, so they create no objects beyond their result.

SMT ops follow SMT-LIB 2.6 exactly (the `z3_semantics` module is the reference the tests compare
against). Spreadsheet ops follow Excel, made total: where Excel shows an error value, the result
is documented below. Letters are ASCII only for case changes, so Python and Z3 agree.
"""
from __future__ import annotations

import re

# `excel.rept` repeats at most this many times: a bound on blow-up that Z3 mirrors exactly.
REPT_MAX_COUNT = 100

# Python refuses int<->str conversions beyond 4300 digits by default; chunks stay under it.
_DIGIT_CHUNK = 4000
_TO_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TO_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WORD = re.compile(r"[A-Za-z]+")


# --- SMT-LIB 2.6 strings (str.++, str.len, str.contains, arithmetic, comparisons and Boolean
# connectives are Python builtins: see ops.py) -----------------------------------------------

def substr(s: str, start: int, length: int) -> str:
    """`str.substr`: "" when start is outside [0, |s|) or length <= 0; clipped at the end."""
    if start < 0 or length <= 0 or start >= len(s):
        return ""
    return s[start:start + length]


def at(s: str, i: int) -> str:
    return s[i] if 0 <= i < len(s) else ""


def indexof(s: str, t: str, start: int) -> int:
    """`str.indexof`: -1 when start is outside [0, |s|]; an empty needle is found at start."""
    if start < 0 or start > len(s):
        return -1
    return s.find(t, start)


def replace(s: str, t: str, u: str) -> str:
    """`str.replace`: the first occurrence only; an empty pattern inserts `u` at the front."""
    if not t:
        return u + s
    return s.replace(t, u, 1)


def to_int(s: str) -> int:
    """`str.to.int`: the value of a non-empty all-ASCII-digit string, else -1."""
    if not (s.isascii() and s.isdigit()):  # isdigit alone admits non-ASCII digits; "" fails it
        return -1
    if len(s) <= _DIGIT_CHUNK:
        return int(s)
    value = 0
    for begin in range(0, len(s), _DIGIT_CHUNK):
        chunk = s[begin:begin + _DIGIT_CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def from_int(n: int) -> str:
    """`int.to.str`: decimal digits of a non-negative integer, "" for negatives."""
    if n < 0:
        return ""
    try:
        return str(n)
    except ValueError:  # more digits than Python converts at once
        high, low = divmod(n, 10 ** _DIGIT_CHUNK)
        return from_int(high) + str(low).zfill(_DIGIT_CHUNK)


def prefixof(s: str, t: str) -> bool:
    """`str.prefixof s t`: s is a prefix of t."""
    return t.startswith(s)


def suffixof(s: str, t: str) -> bool:
    """`str.suffixof s t`: s is a suffix of t."""
    return t.endswith(s)


def ite(c: bool, a, b):
    return a if c else b


def replace_all(s: str, t: str, u: str) -> str:
    """`str.replace_all` (Excel SUBSTITUTE): every occurrence; an empty pattern changes nothing."""
    if not t:
        return s
    return s.replace(t, u)


# --- Spreadsheet (Excel / BUSTLE) ------------------------------------------------------------

def upper(s: str) -> str:
    return s.upper() if s.isascii() else s.translate(_TO_UPPER)


def lower(s: str) -> str:
    return s.lower() if s.isascii() else s.translate(_TO_LOWER)


def trim(s: str) -> str:
    """Excel TRIM: drop leading and trailing spaces and collapse inner runs of spaces to one
    (only the space character, as in Excel; tabs stay)."""
    if "  " not in s and not s.startswith(" ") and not s.endswith(" "):
        return s
    return " ".join(filter(None, s.split(" ")))


def _proper_word(match: re.Match) -> str:
    word = match.group(0)
    return word[0].translate(_TO_UPPER) + word[1:].translate(_TO_LOWER)


def proper(s: str) -> str:
    """Excel PROPER: a letter after a non-letter is upper-cased, a letter after a letter is
    lower-cased ("2-way o'neil" -> "2-Way O'Neil"). On ASCII text that is exactly `str.title`."""
    return s.title() if s.isascii() else _WORD.sub(_proper_word, s)


def left(s: str, n: int) -> str:
    """Excel LEFT: the first n characters; "" for n <= 0 (Excel: #VALUE! for n < 0)."""
    return s[:n] if n > 0 else ""


def right(s: str, n: int) -> str:
    """Excel RIGHT: the last n characters; "" for n <= 0 (Excel: #VALUE! for n < 0)."""
    return s[-n:] if n > 0 else ""


def mid(s: str, start: int, n: int) -> str:
    """Excel MID with a 1-based start: "" when start < 1 or n <= 0 (Excel: #VALUE!), clipped at
    the end."""
    if start < 1 or n <= 0:
        return ""
    return s[start - 1:start - 1 + n]


def find(needle: str, haystack: str, start: int) -> int:
    """Excel FIND(needle, haystack, start), 1-based: the position of the first occurrence at or
    after `start`, or 0 where Excel gives #VALUE! (not found, or start outside [1, |haystack|+1])."""
    if start < 1 or start > len(haystack) + 1:
        return 0
    return haystack.find(needle, start - 1) + 1


def find_from_first(needle: str, haystack: str) -> int:
    """Excel FIND with its default start 1."""
    return haystack.find(needle) + 1


def rept(s: str, n: int) -> str:
    """Excel REPT: s repeated n times, n clamped to [0, REPT_MAX_COUNT]."""
    if n <= 0:
        return ""
    return s * min(n, REPT_MAX_COUNT)


# --- Fields, token positions and number formats (FlashFill positions, split, FIXED) ------------
# Positions are 0-based as in the SMT-LIB ops; a field or a run is picked as in a Python list
# (0 the first, 1 the second, -1 the last), so the cheap constants 0, 1 and -1 reach the usual ones.

# Runs of a token class: ASCII only, as for case changes, so Python and Z3 agree.
DIGITS = re.compile("[0-9]+")
LETTERS = re.compile("[A-Za-z]+")
SPACES = re.compile("[ \t\n\v\f\r]+")
# `nesy.fixed` writes at most this many decimals: a bound that keeps its SMT-LIB definition free
# of recursion (the zeros it pads with are an `excel.rept`).
FIXED_MAX_DECIMALS = 20


def last_indexof(s: str, t: str) -> int:
    """The last position of t in s, -1 when none (an empty t is found at the end)."""
    return s.rfind(t)


def field(s: str, delimiter: str, k: int) -> str:
    """Field k of `s.split(delimiter)`, "" when there is none; an empty delimiter leaves `s` the
    only field (Python refuses to split on "")."""
    parts = s.split(delimiter) if delimiter else [s]
    return parts[k] if -len(parts) <= k < len(parts) else ""


def _run(pattern: re.Pattern, s: str, k: int) -> re.Match | None:
    if k >= 0:
        for index, match in enumerate(pattern.finditer(s)):
            if index == k:
                return match
        return None
    runs = list(pattern.finditer(s))
    return runs[k] if k >= -len(runs) else None


def _run_position(pattern: re.Pattern, s: str, k: int, end: bool) -> int:
    """Where run k of `pattern` in `s` starts (or ends: the position after it), -1 when there is no
    run k. The six ops below are plain functions, not closures, so a program exports to Python."""
    match = _run(pattern, s, k)
    if match is None:
        return -1
    return match.end() if end else match.start()


def digits_start(s: str, k: int) -> int:
    return _run_position(DIGITS, s, k, False)


def digits_end(s: str, k: int) -> int:
    return _run_position(DIGITS, s, k, True)


def letters_start(s: str, k: int) -> int:
    return _run_position(LETTERS, s, k, False)


def letters_end(s: str, k: int) -> int:
    return _run_position(LETTERS, s, k, True)


def spaces_start(s: str, k: int) -> int:
    return _run_position(SPACES, s, k, False)


def spaces_end(s: str, k: int) -> int:
    return _run_position(SPACES, s, k, True)


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])


def thousands(n: int) -> str:
    """The digits of n grouped by commas: 1234567 -> "1,234,567", -1234 -> "-1,234"."""
    return ("-" if n < 0 else "") + _group_thousands(from_int(abs(n)))


def fixed(n: int, decimals: int) -> str:
    """Fixed-point n, counted in units of 10^-decimals (cents for 2), with exactly that many
    decimals and thousands separators: (123456, 2) -> "1,234.56", (-5, 2) -> "-0.05"; decimals are
    clamped to [0, FIXED_MAX_DECIMALS] (0: `thousands`)."""
    places = min(max(decimals, 0), FIXED_MAX_DECIMALS)
    digits = from_int(abs(n)).zfill(places + 1)
    whole, fraction = digits[:len(digits) - places], digits[len(digits) - places:]
    return ("-" if n < 0 else "") + _group_thousands(whole) + ("." + fraction if places else "")
