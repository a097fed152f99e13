"""Z3 semantics of the string ops, built with the z3 Python API, and the SMT-LIB definitions of the
ops that SMT-LIB 2.6 lacks.

SMT ops map to Z3's native string theory. Every other op is a `Definition`: a function written in
SMT-LIB 2.6 strings and integers, whose Z3 form is what checks use and whose `define-fun` text is
what a printed solution carries, so that Z3, cvc5 or any SyGuS tool reads it (one body for both,
never a second spelling). Definitions avoid recursion where a bound allows (case changes are 26
`str.replace_all`, REPT doubles at most 7 times); text of unbounded length (PROPER, runs of
spaces, the k-th field or run, digit groups) needs a `define-fun-rec` helper, which Z3 unfolds on
concrete strings and cvc5 checks with `--fmf-fun`. Imported lazily by `ops` so that loading the op
table does not load Z3.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Callable, Iterable

import z3

from dsl.strings.ops import SOLUTION_NAMES
from dsl.strings.semantics import FIXED_MAX_DECIMALS, REPT_MAX_COUNT

_S, _I, _B = z3.StringSort(), z3.IntSort(), z3.BoolSort()
_EMPTY = z3.StringVal("")
_SPACE = z3.StringVal(" ")
# Z3's pretty printer breaks lines; a definition is printed on one (string literals kept as they are).
_LITERAL_OR_BLANKS = re.compile(r'("(?:[^"]|"")*")|\s+')


@dataclass(frozen=True, eq=False)
class Definition:
    """A function of SMT-LIB 2.6 strings and integers: `build(*params)` is its body; a recursive
    one is a `z3.RecFunction` (`function`), a plain one is applied by building its body on the
    arguments (checks then need no unfolding). Compared by identity: one object per function."""

    name: str
    params: tuple[z3.ExprRef, ...]
    build: Callable[..., z3.ExprRef]
    function: z3.FuncDeclRef | None = None

    def __call__(self, *args: z3.ExprRef) -> z3.ExprRef:
        return self.function(*args) if self.function is not None else self.build(*args)

    @property
    def body(self) -> z3.ExprRef:
        return self.build(*self.params)

    def text(self) -> str:
        """`(define-fun name ((s String) ...) Sort body)`, or `define-fun-rec` for a recursive one."""
        keyword = "define-fun-rec" if self.function is not None else "define-fun"
        params = " ".join(f"({p.sexpr()} {p.sort().sexpr()})" for p in self.params)
        body = _LITERAL_OR_BLANKS.sub(lambda m: m.group(1) or " ", _spelled(self.body).sexpr())
        return f"({keyword} {self.name} ({params}) {self.body.sort().sexpr()} {body})"


def _spelled(body: z3.ExprRef) -> z3.ExprRef:
    """`body` with each recursive helper as a plain function of its name: Z3 prints a call of a
    `RecFunction` as `((_ name 0) ...)`, which only Z3 reads."""
    for helper in _HELPERS.values():
        fn = helper.function
        plain = z3.Function(helper.name, *(fn.domain(i) for i in range(fn.arity())), fn.range())
        body = z3.substitute_funs(body, (fn, plain(*(z3.Var(i, fn.domain(i)) for i in range(fn.arity())))))
    return body


# Recursive helpers by name (what a body may call), and the definition of each op SMT-LIB lacks,
# by (op name, arity).
_HELPERS: dict[str, Definition] = {}
OP_DEFINITIONS: dict[tuple[str, int], Definition] = {}


def _params(signature: str) -> tuple[z3.ExprRef, ...]:
    """`"s:S n:I"` -> the Z3 constants `s` (String) and `n` (Int)."""
    sorts = {"S": _S, "I": _I, "B": _B}
    return tuple(z3.Const(name, sorts[sort]) for name, sort in (p.split(":") for p in signature.split()))


def _define(op: str, signature: str, build: Callable[..., z3.ExprRef]) -> Definition:
    """The definition of op `op` (named as solutions spell it) with parameters `signature`."""
    params = _params(signature)
    key = (op, len(params))
    definition = Definition(SOLUTION_NAMES.get(key, op), params, build)
    OP_DEFINITIONS[key] = definition
    return definition


def _define_rec(name: str, signature: str, result: z3.SortRef,
                build: Callable[..., z3.ExprRef]) -> Definition:
    """A recursive helper: `build(fn, *params)` may call `fn`, the function being defined."""
    params = _params(signature)
    fn = z3.RecFunction(name, *(p.sort() for p in params), result)
    z3.RecAddDefinition(fn, list(params), build(fn, *params))
    helper = Definition(name, params, lambda *args: build(fn, *args), fn)
    _HELPERS[name] = helper
    return helper


def definitions_for(ops: Iterable[tuple[str, int]]) -> list[Definition]:
    """The definitions a program over `ops` (name, arity) needs, each after the helpers it calls,
    in a stable order; SMT-LIB ops need none."""
    ordered: list[Definition] = []

    def add(definition: Definition) -> None:
        if definition in ordered:
            return
        for name in sorted(_called_helpers(definition.body) - {definition.name}):
            add(_HELPERS[name])
        ordered.append(definition)

    for key in sorted(set(ops)):
        if key in OP_DEFINITIONS:
            add(OP_DEFINITIONS[key])
    return ordered


def _called_helpers(body: z3.ExprRef) -> set[str]:
    seen, called, stack = set(), set(), [body]
    while stack:
        expr = stack.pop()
        if expr.get_id() in seen:
            continue
        seen.add(expr.get_id())
        if z3.is_app(expr):
            if expr.decl().name() in _HELPERS:
                called.add(expr.decl().name())
            stack.extend(expr.children())
    return called


def _rest(s: z3.SeqRef) -> z3.SeqRef:
    return z3.SubString(s, 1, z3.Length(s) - 1)


def _in_range(code: z3.ArithRef, low: str, high: str) -> z3.BoolRef:
    return z3.And(code >= ord(low), code <= ord(high))


def _shift_case(ch: z3.SeqRef, low: str, high: str, delta: int) -> z3.SeqRef:
    """`ch` with its code moved by `delta` when it lies in [low, high]."""
    code = z3.StrToCode(ch)
    return z3.If(_in_range(code, low, high), z3.StrFromCode(code + delta), ch)


def _is_letter(ch: z3.SeqRef) -> z3.BoolRef:
    code = z3.StrToCode(ch)
    return z3.Or(_in_range(code, "a", "z"), _in_range(code, "A", "Z"))


def _replace_each(s: z3.SeqRef, pairs: Iterable[tuple[str, str]]) -> z3.SeqRef:
    for old, new in pairs:
        s = replace_all(s, z3.StringVal(old), z3.StringVal(new))
    return s


def _abs(n: z3.ArithRef) -> z3.ArithRef:
    return z3.If(n < 0, -n, n)


def _sign(n: z3.ArithRef) -> z3.SeqRef:
    return z3.If(n < 0, z3.StringVal("-"), _EMPTY)


def _repeat(s: z3.SeqRef, n: z3.ArithRef) -> z3.SeqRef:
    """s repeated n times for n in [0, 127], without recursion: the copies s, ss, ssss, ... (up to
    64) that the binary digits of n select."""
    result, copies = _EMPTY, s
    for bit in range(7):
        result = z3.Concat(result, z3.If((n / 2 ** bit) % 2 == 1, copies, _EMPTY))
        copies = z3.Concat(copies, copies)
    return z3.If(n <= 0, _EMPTY, result)


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


# --- Spreadsheet and text ops, defined in SMT-LIB --------------------------------------------

def _op_definition(op: str, signature: str) -> Callable[[Callable[..., z3.ExprRef]], Definition]:
    """Decorator: the function builds the body of op `op`'s definition."""
    return lambda build: _define(op, signature, build)


def _recursive(name: str, signature: str, result: z3.SortRef) -> Callable[[Callable[..., z3.ExprRef]], Definition]:
    """Decorator: the function builds a recursive helper's body from (itself, *params)."""
    return lambda build: _define_rec(name, signature, result, build)


@_op_definition("str.to_upper", "s:S")
def upper(s):
    return _replace_each(s, zip(string.ascii_lowercase, string.ascii_uppercase))


@_op_definition("str.to_lower", "s:S")
def lower(s):
    return _replace_each(s, zip(string.ascii_uppercase, string.ascii_lowercase))


@_recursive("nesy.squeeze", "s:S", _S)
def _squeeze(squeeze, s):
    """Runs of spaces made one: each round halves them."""
    double = z3.StringVal("  ")
    return z3.If(z3.Contains(s, double), squeeze(replace_all(s, double, _SPACE)), s)


@_op_definition("excel.trim", "s:S")
def trim(s):
    squeezed = _squeeze(s)   # at most one space is left at either end
    left = z3.If(z3.PrefixOf(_SPACE, squeezed), _rest(squeezed), squeezed)
    return z3.If(z3.SuffixOf(_SPACE, left), z3.SubString(left, 0, z3.Length(left) - 1), left)


@_recursive("nesy.proper_from", "s:S after_letter:B", _S)
def _proper_from(proper_from, s, after_letter):
    head = z3.SubString(s, 0, 1)
    cased = z3.If(after_letter, _shift_case(head, "A", "Z", 32), _shift_case(head, "a", "z", -32))
    return z3.If(z3.Length(s) == 0, _EMPTY, z3.Concat(cased, proper_from(_rest(s), _is_letter(head))))


@_op_definition("excel.proper", "s:S")
def proper(s):
    return _proper_from(s, z3.BoolVal(False))


@_op_definition("excel.left", "s:S n:I")
def left(s, n):
    return z3.SubString(s, 0, n)


@_op_definition("excel.right", "s:S n:I")
def right(s, n):
    size = z3.Length(s)
    return z3.If(n <= 0, _EMPTY, z3.If(n >= size, s, z3.SubString(s, size - n, n)))


@_op_definition("excel.mid", "s:S start:I n:I")
def mid(s, start, n):
    return z3.If(z3.Or(start < 1, n <= 0), _EMPTY, z3.SubString(s, start - 1, n))


@_op_definition("excel.find", "needle:S haystack:S start:I")
def find(needle, haystack, start):
    out_of_range = z3.Or(start < 1, start > z3.Length(haystack) + 1)
    return z3.If(out_of_range, 0, z3.IndexOf(haystack, needle, start - 1) + 1)


@_op_definition("excel.find", "needle:S haystack:S")
def find_from_first(needle, haystack):
    return z3.IndexOf(haystack, needle, 0) + 1


@_op_definition("excel.rept", "s:S n:I")
def rept(s, n):
    return _repeat(s, z3.If(n > REPT_MAX_COUNT, REPT_MAX_COUNT, n))


@_recursive("nesy.last_from", "s:S t:S i:I", _I)
def _last_from(last_from, s, t, i):
    """The last position at or before i where t occurs in s."""
    return z3.If(i < 0, -1, z3.If(z3.SubString(s, i, z3.Length(t)) == t, i, last_from(s, t, i - 1)))


@_op_definition("nesy.last_indexof", "s:S t:S")
def last_indexof(s, t):
    return _last_from(s, t, z3.Length(s) - z3.Length(t))


@_recursive("nesy.field_from", "s:S d:S k:I", _S)
def _field_from(field_from, s, d, k):
    """Field k >= 0 of s split at a non-empty d."""
    at = z3.IndexOf(s, d, 0)
    first = z3.If(z3.Contains(s, d), z3.SubString(s, 0, at), s)
    rest = field_from(z3.SubString(s, at + z3.Length(d), z3.Length(s)), d, k - 1)
    return z3.If(k < 0, _EMPTY, z3.If(k == 0, first, z3.If(z3.Contains(s, d), rest, _EMPTY)))


@_op_definition("nesy.field", "s:S d:S k:I")
def field(s, d, k):
    # str.replace_all drops the same non-overlapping occurrences that a split splits at
    fields = (z3.Length(s) - z3.Length(replace_all(s, d, _EMPTY))) / z3.Length(d) + 1
    split = z3.If(k >= 0, _field_from(s, d, k), _field_from(s, d, fields + k))
    return z3.If(d == _EMPTY, z3.If(z3.Or(k == 0, k == -1), s, _EMPTY), split)


# Token classes of the run positions, as `semantics.DIGITS`, `LETTERS` and `SPACES` match them.
def _is_digit(ch: z3.SeqRef) -> z3.BoolRef:
    return _in_range(z3.StrToCode(ch), "0", "9")


def _is_space(ch: z3.SeqRef) -> z3.BoolRef:
    code = z3.StrToCode(ch)   # -1 for "", which is in no class
    return z3.Or(_in_range(code, "\t", "\r"), code == ord(" "))


def _run_scan(name: str, in_class: Callable[[z3.SeqRef], z3.BoolRef], after: bool) -> Definition:
    """The helper `name (s i step k)`: boundary k of the runs of a class met walking from position
    i by step (-1 when there is none), where a run starts or (after) the position just past one."""
    def build(scan, s, i, step, k):
        inside = in_class(z3.SubString(s, i - 1 if after else i, 1))
        outside = z3.Not(in_class(z3.SubString(s, i if after else i - 1, 1)))
        boundary = z3.And(inside, outside)
        # one recursive call, not one per branch: solvers unfold it once per position
        onward = scan(s, i + step, step, z3.If(boundary, k - 1, k))
        return z3.If(z3.Or(i < 0, i > z3.Length(s)), -1, z3.If(z3.And(boundary, k == 0), i, onward))
    return _define_rec(name, "s:S i:I step:I k:I", _I, build)


def _run_position(op: str, in_class: Callable[[z3.SeqRef], z3.BoolRef], after: bool) -> Definition:
    scan = _run_scan(op + "_scan", in_class, after)

    def position(s, k):
        return z3.If(k >= 0, scan(s, 0, 1, k), scan(s, z3.Length(s), -1, -k - 1))
    return _define(op, "s:S k:I", position)


digits_start = _run_position("nesy.digits_start", _is_digit, after=False)
digits_end = _run_position("nesy.digits_end", _is_digit, after=True)
letters_start = _run_position("nesy.letters_start", _is_letter, after=False)
letters_end = _run_position("nesy.letters_end", _is_letter, after=True)
spaces_start = _run_position("nesy.spaces_start", _is_space, after=False)
spaces_end = _run_position("nesy.spaces_end", _is_space, after=True)


@_recursive("nesy.group_thousands", "d:S", _S)
def _group_thousands(group, d):
    size = z3.Length(d)
    head = group(z3.SubString(d, 0, size - 3))
    return z3.If(size <= 3, d, z3.Concat(head, z3.StringVal(","), z3.SubString(d, size - 3, 3)))


@_op_definition("nesy.thousands", "n:I")
def thousands(n):
    return z3.Concat(_sign(n), _group_thousands(z3.IntToStr(_abs(n))))


@_op_definition("nesy.fixed", "n:I d:I")
def fixed(n, d):
    places = z3.If(d < 0, 0, z3.If(d > FIXED_MAX_DECIMALS, FIXED_MAX_DECIMALS, d))
    digits = z3.IntToStr(_abs(n))
    padded = z3.Concat(_repeat(z3.StringVal("0"), places + 1 - z3.Length(digits)), digits)
    point = z3.Length(padded) - places
    fraction = z3.If(places > 0, z3.Concat(z3.StringVal("."), z3.SubString(padded, point, places)), _EMPTY)
    return z3.Concat(_sign(n), _group_thousands(z3.SubString(padded, 0, point)), fraction)
