"""Z3 semantics of the string ops, built with the z3 Python API.

SMT ops map to Z3's native string theory. Spreadsheet ops that Z3 lacks (case changes, TRIM,
PROPER, REPT) are recursive functions over character codes; Z3 unfolds them on concrete strings,
which is what checking a candidate against examples needs. Imported lazily by `ops` so that
loading the op table does not load Z3.
"""
from __future__ import annotations

import z3

from dsl.strings.semantics import REPT_MAX_COUNT

_S = z3.StringSort()
_EMPTY = z3.StringVal("")
_SPACE = z3.StringVal(" ")


def _rest(s: z3.SeqRef) -> z3.SeqRef:
    return z3.SubString(s, 1, z3.Length(s) - 1)


def _in_range(code: z3.ArithRef, low: str, high: str) -> z3.BoolRef:
    return z3.And(code >= ord(low), code <= ord(high))


def _shift_case(ch: z3.SeqRef, low: str, high: str, delta: int) -> z3.SeqRef:
    """`ch` with its code moved by `delta` when it lies in [low, high]."""
    code = z3.StrToCode(ch)
    return z3.If(_in_range(code, low, high), z3.StrFromCode(code + delta), ch)


def _upper_char(ch: z3.SeqRef) -> z3.SeqRef:
    return _shift_case(ch, "a", "z", -32)


def _lower_char(ch: z3.SeqRef) -> z3.SeqRef:
    return _shift_case(ch, "A", "Z", 32)


def _map_chars(name: str, char_fn) -> z3.FuncDeclRef:
    """A recursive function applying `char_fn` to every character."""
    fn = z3.RecFunction(name, _S, _S)
    s = z3.Const("s", _S)
    z3.RecAddDefinition(fn, [s], z3.If(z3.Length(s) == 0, _EMPTY,
                                       z3.Concat(char_fn(z3.SubString(s, 0, 1)), fn(_rest(s)))))
    return fn


def _strip_left() -> z3.FuncDeclRef:
    fn = z3.RecFunction("nesy.strip_left", _S, _S)
    s = z3.Const("s", _S)
    z3.RecAddDefinition(fn, [s], z3.If(z3.PrefixOf(_SPACE, s), fn(_rest(s)), s))
    return fn


def _strip_right() -> z3.FuncDeclRef:
    fn = z3.RecFunction("nesy.strip_right", _S, _S)
    s = z3.Const("s", _S)
    z3.RecAddDefinition(fn, [s], z3.If(z3.SuffixOf(_SPACE, s),
                                       fn(z3.SubString(s, 0, z3.Length(s) - 1)), s))
    return fn


def _squeeze() -> z3.FuncDeclRef:
    """Collapse runs of spaces: replace a double space by one until none is left."""
    fn = z3.RecFunction("nesy.squeeze", _S, _S)
    s = z3.Const("s", _S)
    double = z3.StringVal("  ")
    z3.RecAddDefinition(fn, [s], z3.If(z3.Contains(s, double), fn(z3.Replace(s, double, _SPACE)), s))
    return fn


def _proper() -> z3.FuncDeclRef:
    """PROPER over (text, previous character was a letter)."""
    fn = z3.RecFunction("nesy.proper", _S, z3.BoolSort(), _S)
    s, after_letter = z3.Const("s", _S), z3.Bool("after_letter")
    head = z3.SubString(s, 0, 1)
    code = z3.StrToCode(head)
    is_letter = z3.Or(_in_range(code, "a", "z"), _in_range(code, "A", "Z"))
    cased = z3.If(after_letter, _lower_char(head), _upper_char(head))
    z3.RecAddDefinition(fn, [s, after_letter],
                        z3.If(z3.Length(s) == 0, _EMPTY, z3.Concat(cased, fn(_rest(s), is_letter))))
    return fn


def _rept() -> z3.FuncDeclRef:
    fn = z3.RecFunction("nesy.rept", _S, z3.IntSort(), _S)
    s, n = z3.Const("s", _S), z3.Int("n")
    z3.RecAddDefinition(fn, [s, n], z3.If(n <= 0, _EMPTY, z3.Concat(s, fn(s, n - 1))))
    return fn


_UPPER = _map_chars("nesy.upper", _upper_char)
_LOWER = _map_chars("nesy.lower", _lower_char)
_STRIP_LEFT, _STRIP_RIGHT, _SQUEEZE = _strip_left(), _strip_right(), _squeeze()
_PROPER = _proper()
_REPT = _rept()


# --- SMT-LIB 2.6 strings -------------------------------------------------------------------

def concat(s, t):
    return z3.Concat(s, t)


def substr(s, start, length):
    return z3.SubString(s, start, length)


def at(s, i):
    return z3.SubString(s, i, 1)


def length(s):
    return z3.Length(s)


def indexof(s, t, start):
    return z3.IndexOf(s, t, start)


def replace(s, t, u):
    return z3.Replace(s, t, u)


def to_int(s):
    return z3.StrToInt(s)


def from_int(n):
    return z3.IntToStr(n)


def prefixof(s, t):
    return z3.PrefixOf(s, t)


def suffixof(s, t):
    return z3.SuffixOf(s, t)


def contains(s, t):
    return z3.Contains(s, t)


def ite(c, a, b):
    return z3.If(c, a, b)


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def eq(a, b):
    return a == b


def le(a, b):
    return a <= b


def lt(a, b):
    return a < b


def ge(a, b):
    return a >= b


def gt(a, b):
    return a > b


def and_(a, b):
    return z3.And(a, b)


def or_(a, b):
    return z3.Or(a, b)


def not_(a):
    return z3.Not(a)


def replace_all(s, t, u):
    """Z3's native `str.replace_all` (the Python API has no wrapper for it)."""
    ctx = s.ctx
    return z3.SeqRef(z3.z3core.Z3_mk_seq_replace_all(ctx.ref(), s.as_ast(), t.as_ast(), u.as_ast()), ctx)


# --- Spreadsheet (Excel / BUSTLE) ------------------------------------------------------------

def upper(s):
    return _UPPER(s)


def lower(s):
    return _LOWER(s)


def trim(s):
    return _SQUEEZE(_STRIP_RIGHT(_STRIP_LEFT(s)))


def proper(s):
    return _PROPER(s, z3.BoolVal(False))


def left(s, n):
    return z3.SubString(s, 0, n)


def right(s, n):
    size = z3.Length(s)
    return z3.If(n <= 0, _EMPTY, z3.If(n >= size, s, z3.SubString(s, size - n, n)))


def mid(s, start, n):
    return z3.If(z3.Or(start < 1, n <= 0), _EMPTY, z3.SubString(s, start - 1, n))


def find(needle, haystack, start):
    out_of_range = z3.Or(start < 1, start > z3.Length(haystack) + 1)
    return z3.If(out_of_range, 0, z3.IndexOf(haystack, needle, start - 1) + 1)


def find_from_first(needle, haystack):
    return z3.IndexOf(haystack, needle, 0) + 1


def rept(s, n):
    return _REPT(s, z3.If(n > REPT_MAX_COUNT, REPT_MAX_COUNT, n))
