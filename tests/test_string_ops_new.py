"""The ops users asked for (issue 12, item 4): last index of, the k-th field, positions at runs of a
token class, number formats. Their Python semantics on edge cases, agreement with their Z3
semantics, printing and parsing, and their place in search: off under a grammar, on when named."""
from __future__ import annotations

from dataclasses import replace

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nesy
from dsl.core import INT, STRING, Const, Grammar, Program, Type, Var, evaluate
from dsl.registry import get_dsl
from dsl.strings import SEARCH_OPS, STRINGS, parse_program, print_program
from dsl.strings.semantics import FIXED_MAX_DECIMALS
from solvers.search.driver import ops_for

NEW_OPS = [op for op in STRINGS.ops if op.name.startswith("nesy.")]
VARIABLES: dict[str, Type] = {"x": STRING, "y": STRING, "n": INT}


def run(name: str, *args):
    types = [INT if isinstance(a, int) else STRING for a in args]
    return STRINGS.op(name, types).semantics(*args)


@pytest.mark.parametrize("name, args, expected", [
    ("nesy.last_indexof", ("a.b.c", "."), 3),
    ("nesy.last_indexof", ("abc", "z"), -1),
    ("nesy.last_indexof", ("abc", ""), 3),          # Python's rfind: "" is found at the end
    ("nesy.last_indexof", ("aaa", "aa"), 1),
    ("nesy.field", ("a,b,,c", ",", 0), "a"),
    ("nesy.field", ("a,b,,c", ",", 2), ""),
    ("nesy.field", ("a,b,,c", ",", -1), "c"),
    ("nesy.field", ("a,b", ",", 2), ""),
    ("nesy.field", ("a,b", ",", -3), ""),
    ("nesy.field", ("abc", "", 0), "abc"),          # an empty delimiter: the whole text is one field
    ("nesy.field", ("abc", "", 1), ""),
    ("nesy.field", ("aaa", "aa", 1), "a"),          # split's occurrences: leftmost, not overlapping
    ("nesy.digits_start", ("ab12cd345", 0), 2),
    ("nesy.digits_end", ("ab12cd345", 0), 4),
    ("nesy.digits_start", ("ab12cd345", -1), 6),
    ("nesy.digits_end", ("ab12cd345", -1), 9),
    ("nesy.digits_start", ("ab12cd345", 2), -1),
    ("nesy.digits_start", ("ab12cd345", -3), -1),
    ("nesy.letters_start", ("12 Ann Lee", 1), 7),
    ("nesy.letters_end", ("12 Ann Lee", 0), 6),
    ("nesy.letters_end", ("é Ann", 0), 5),        # ASCII letters only
    ("nesy.spaces_start", ("a \t b", 0), 1),
    ("nesy.spaces_end", ("a \t b", 0), 4),
    ("nesy.spaces_end", ("ab", 0), -1),
    ("nesy.thousands", (1234567,), "1,234,567"),
    ("nesy.thousands", (999,), "999"),
    ("nesy.thousands", (-1234,), "-1,234"),
    ("nesy.thousands", (0,), "0"),
    ("nesy.fixed", (123456, 2), "1,234.56"),
    ("nesy.fixed", (5, 2), "0.05"),
    ("nesy.fixed", (-5, 2), "-0.05"),
    ("nesy.fixed", (1234, 0), "1,234"),
    ("nesy.fixed", (1234, -3), "1,234"),
    ("nesy.fixed", (1, 10 ** 6), "0." + "0" * (FIXED_MAX_DECIMALS - 1) + "1"),
])
def test_semantics_edge_cases(name, args, expected):
    assert run(name, *args) == expected


def test_huge_numbers_format_without_python_digit_limit():
    assert run("nesy.thousands", 10 ** 5000).count(",") == 5000 // 3


# Runs of every class side by side (tabs and newlines are spaces too) and repeated delimiters.
TOKEN_TEXT = st.text(alphabet="aZ9 0\t\n,.-é", max_size=9)
SMALL_INT = st.integers(min_value=-4, max_value=4)
NUMBER = st.one_of(st.integers(-10 ** 7, 10 ** 7), st.integers(-3, 30))
_ARGUMENT = {STRING: TOKEN_TEXT, INT: SMALL_INT}


def _z3_value(expr):
    value = z3.simplify(expr)
    if z3.is_string_value(value):
        return value.as_string()
    assert z3.is_int_value(value), value
    return value.as_long()


def _z3_literal(value):
    return z3.IntVal(value) if isinstance(value, int) else z3.StringVal(value)


@pytest.mark.parametrize("operator", NEW_OPS, ids=lambda o: o.signature)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_python_semantics_equal_z3_semantics(operator, data):
    number_op = operator.arg_types[0] == INT
    args = [data.draw(NUMBER if number_op and i == 0 else _ARGUMENT[t]) for i, t in enumerate(operator.arg_types)]
    assert _z3_value(operator.z3_semantics(*map(_z3_literal, args))) == operator.semantics(*args)


@pytest.mark.parametrize("text", [
    '(str.substr x (nesy.digits_start x 0) (- (nesy.digits_end x 0) (nesy.digits_start x 0)))',
    '(nesy.field x "," (- 1))',
    '(excel.right x (- (str.len x) (+ (nesy.last_indexof x "/") 1)))',
    '(str.++ "$" (nesy.fixed (str.to.int x) 2))',
    '(nesy.thousands (str.len y))',
    '(excel.left x (nesy.spaces_start x 0))',
    '(str.substr x (nesy.letters_start x (- 1)) (nesy.letters_end x 0))',
])
def test_programs_print_and_parse_back(text):
    program = parse_program(text, VARIABLES)
    assert print_program(program) == text
    assert parse_program(print_program(program), VARIABLES) == program


def test_a_grammar_turns_the_new_ops_off():
    dsl = get_dsl("strings")
    task = nesy.as_task([("a,b", "b")])
    sygus_like = replace(task, grammar=Grammar(frozenset(
        op for op in dsl.ops if op.name in ("str.++", "str.substr", "str.indexof"))))
    assert not set(ops_for(dsl, sygus_like)) & set(NEW_OPS)
    hinted = nesy.as_task([("a,b", "b")], ops=["nesy.field", "str.++"])
    assert {op.name for op in ops_for(dsl, hinted)} == {"nesy.field", "str.++"}


def test_free_form_search_uses_the_new_ops_that_paid():
    # Measured on the spreadsheet and BUSTLE suites (docs/strings.md, "Ops of our own"): searched
    # without hints, the last field of a list is a three-node program, right on a longer list too
    searched = {op.name for op in SEARCH_OPS}
    number_formats = {"nesy.thousands", "nesy.fixed"}     # measured not to pay: searched when named
    assert {op.name for op in NEW_OPS} - number_formats <= searched
    assert not number_formats & searched
    result = nesy.synthesize([("red,green,blue", "blue"), ("a,b", "b"), ("one,two,three,four", "four")], timeout=20,
                             tests=[("x,y,z,w", "w")])
    assert result.solved and result.program.size <= 4, result.program_text


@pytest.mark.parametrize("ops, examples, tests", [
    (["nesy.field"], [("red,green,blue", "blue"), ("a,b", "b")], [("x,y,z,w", "w")]),
    (["nesy.last_indexof", "excel.right", "str.len", "-", "+"],
     [("a/b/c.txt", "c.txt"), ("dir/file", "file"), ("x/y/zz/w.py", "w.py")], [("p/q/r", "r")]),
    (["nesy.digits_start", "nesy.digits_end", "str.substr", "-"],
     [("order 123 shipped", "123"), ("id 7 ok 88", "7"), ("ab 4567", "4567")], [("zz 90 x 1", "90")]),
    (["nesy.thousands", "str.to.int"], [("1234567", "1,234,567"), ("4500", "4,500")], [("98765", "98,765")]),
    (["nesy.fixed", "str.to.int", "str.++", "+"], [("123456", "$1,234.56"), ("705", "$7.05")], [("99", "$0.99")]),
])
def test_search_finds_programs_with_the_new_ops_when_a_task_names_them(ops, examples, tests):
    result = nesy.synthesize(examples, tests=tests, timeout=20, guide=None, ops=ops)
    assert result.solved and result.test_correct, result.program_text
    assert any(op.name in ops[:1] for op in result.program.ops())


def test_an_answer_with_a_new_op_checks_with_z3_and_prints_its_definition():
    result = nesy.synthesize([("red,green,blue", "blue"), ("a,b", "b")], timeout=20, guide=None,
                             ops=["nesy.field"])
    assert result.verified is True
    assert result.program_text.splitlines()[0].startswith("(define-fun-rec nesy.field_from ")
    program = Program(STRINGS.op("nesy.field", (STRING, STRING, INT)),
                      (Program(Var("x0", STRING)), Program(Const(",", STRING)), Program(Const(-1, INT))))
    assert evaluate(program, {"x0": "a,b"}) == "b"


@pytest.mark.parametrize("text", [
    '(str.at x0 (nesy.letters_start x0 1))',
    '(str.substr x0 (nesy.digits_start x0 0) (- (nesy.digits_end x0 0) (nesy.digits_start x0 0)))',
    '(str.substr x0 (nesy.spaces_end x0 0) (nesy.letters_end x0 (- 1)))',
    '(nesy.field x0 "," (- 1))', '(nesy.fixed (str.to.int x0) 2)', '(nesy.thousands (nesy.last_indexof x0 "a"))',
])
def test_programs_with_the_new_ops_export_to_python(text):
    from dsl.core import STRING, evaluate
    from dsl.python_export import to_python
    from dsl.strings import STRINGS

    program = STRINGS.parse(text, {"x0": STRING})
    namespace: dict = {}
    exec(to_python(program, ["x0"]), namespace)
    for x in ["ab 12 cd 345", "red,green,blue", "123456", "a a a", ""]:
        assert namespace["f"](x) == evaluate(program, {"x0": x})
