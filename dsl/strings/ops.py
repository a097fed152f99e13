"""The op table of the string DSL: SMT-LIB string ops (what SyGuS grammars use) and the optional
spreadsheet ops that FlashFill/BUSTLE users expect.

Names are the spellings SyGuS-Comp 2019 files use (`str.to.int`, `int.to.str`); the parser also
accepts the SMT-LIB 2.6 names listed in `ALIASES`. Spreadsheet ops take the SMT-LIB 2.6 or cvc5
name where one exists (`str.replace_all`; cvc5's `str.to_upper`) and an `excel.` prefix otherwise,
so a printed program says whose semantics it means.
"""
from __future__ import annotations

import importlib
import operator
from typing import Any, Callable

from dsl.core import BOOL, INT, STRING, Op, Type
from dsl.strings import semantics as py


def _z3(name: str) -> Callable[..., Any]:
    """The Z3 semantics `name`, imported on first use so the op table does not load Z3."""
    def build(*args: Any) -> Any:
        return getattr(importlib.import_module("dsl.strings.z3_semantics"), name)(*args)
    build.__name__ = f"z3_{name}"
    return build


def _op(name: str, args: tuple[Type, ...], result: Type, fn: Callable[..., Any], z3_name: str,
        commutative: bool = False) -> Op:
    return Op(name, args, result, fn, _z3(z3_name), commutative=commutative)


S, I, B = STRING, INT, BOOL

# Builtins where they have exactly the op's meaning on well-typed arguments: they run in the
# enumerator's inner loop and cost half a Python function call. (`operator.contains(s, t)` is
# `t in s`; `&` and `|` on two bools give a bool.)
SMT_OPS: tuple[Op, ...] = (
    _op("str.++", (S, S), S, operator.add, "concat"),
    _op("str.substr", (S, I, I), S, py.substr, "substr"),
    _op("str.at", (S, I), S, py.at, "at"),
    _op("str.len", (S,), I, len, "length"),
    _op("str.indexof", (S, S, I), I, py.indexof, "indexof"),
    _op("str.replace", (S, S, S), S, py.replace, "replace"),
    _op("str.to.int", (S,), I, py.to_int, "to_int"),
    _op("int.to.str", (I,), S, py.from_int, "from_int"),
    _op("str.prefixof", (S, S), B, py.prefixof, "prefixof"),
    _op("str.suffixof", (S, S), B, py.suffixof, "suffixof"),
    _op("str.contains", (S, S), B, operator.contains, "contains"),
    _op("ite", (B, S, S), S, py.ite, "ite"),
    _op("ite", (B, I, I), I, py.ite, "ite"),
    _op("ite", (B, B, B), B, py.ite, "ite"),
    _op("+", (I, I), I, operator.add, "add", commutative=True),
    _op("-", (I, I), I, operator.sub, "sub"),
    _op("=", (I, I), B, operator.eq, "eq", commutative=True),
    _op("=", (S, S), B, operator.eq, "eq", commutative=True),
    _op("<=", (I, I), B, operator.le, "le"),
    _op("<", (I, I), B, operator.lt, "lt"),
    _op(">=", (I, I), B, operator.ge, "ge"),
    _op(">", (I, I), B, operator.gt, "gt"),
    _op("and", (B, B), B, operator.and_, "and_", commutative=True),
    _op("or", (B, B), B, operator.or_, "or_", commutative=True),
    _op("not", (B,), B, operator.not_, "not_"),
)

# Excel CONCATENATE, LEN and EXACT are `str.++`, `str.len` and `=` on strings; VALUE is left out
# (Excel parses signs, decimals and dates; `str.to.int` covers digit strings).
SPREADSHEET_OPS: tuple[Op, ...] = (
    _op("str.to_upper", (S,), S, py.upper, "upper"),
    _op("str.to_lower", (S,), S, py.lower, "lower"),
    _op("str.replace_all", (S, S, S), S, py.replace_all, "replace_all"),
    _op("excel.trim", (S,), S, py.trim, "trim"),
    _op("excel.proper", (S,), S, py.proper, "proper"),
    _op("excel.left", (S, I), S, py.left, "left"),
    _op("excel.right", (S, I), S, py.right, "right"),
    _op("excel.mid", (S, I, I), S, py.mid, "mid"),
    _op("excel.find", (S, S), I, py.find_from_first, "find_from_first"),
    _op("excel.find", (S, S, I), I, py.find, "find"),
    _op("excel.rept", (S, I), S, py.rept, "rept"),
    # What FlashFill users ask for beyond Excel's text functions: the last match, the k-th field,
    # FlashFill's positions at runs of a token class, and number formats.
    _op("nesy.last_indexof", (S, S), I, py.last_indexof, "last_indexof"),
    _op("nesy.field", (S, S, I), S, py.field, "field"),
    _op("nesy.digits_start", (S, I), I, py.digits_start, "digits_start"),
    _op("nesy.digits_end", (S, I), I, py.digits_end, "digits_end"),
    _op("nesy.letters_start", (S, I), I, py.letters_start, "letters_start"),
    _op("nesy.letters_end", (S, I), I, py.letters_end, "letters_end"),
    _op("nesy.spaces_start", (S, I), I, py.spaces_start, "spaces_start"),
    _op("nesy.spaces_end", (S, I), I, py.spaces_end, "spaces_end"),
    _op("nesy.thousands", (I,), S, py.thousands, "thousands"),
    _op("nesy.fixed", (I, I), S, py.fixed, "fixed"),
)

ALL_OPS: tuple[Op, ...] = SMT_OPS + SPREADSHEET_OPS

# How a printed solution spells an op, by (name, arity), where that differs from the table: the
# SMT-LIB 2.6 names of the SyGuS-Comp 2019 spellings (cvc5 reads only these), and a name of our own
# for an op that a tool has built in (cvc5 refuses to redefine `str.to_upper`; Z3 lacks it) or
# that shares its name with another arity (a `define-fun` has one).
SOLUTION_NAMES: dict[tuple[str, int], str] = {
    ("str.to.int", 1): "str.to_int",
    ("int.to.str", 1): "str.from_int",
    ("str.to_upper", 1): "nesy.to_upper",
    ("str.to_lower", 1): "nesy.to_lower",
    ("excel.find", 2): "excel.find2",
}

# Other spellings the parser accepts, mapped to the table's names.
ALIASES: dict[str, str] = {
    **{spelling: name for (name, _), spelling in SOLUTION_NAMES.items()},
    "str.replaceall": "str.replace_all",  # CVC4's spelling
}

# SMT-LIB's left-associative ops: `(str.++ a b c)` means `(str.++ (str.++ a b) c)`.
LEFT_ASSOCIATIVE: frozenset[str] = frozenset({"str.++", "+", "-", "and", "or"})
