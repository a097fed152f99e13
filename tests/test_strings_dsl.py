"""The string DSL: SMT-LIB 2.6 edge cases, Python semantics == Z3 semantics for every op,
printing and parsing as inverses, and parse errors that say where and what."""
from __future__ import annotations

import doctest
import importlib

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nesy
from dsl.core import BOOL, INT, STRING, Const, Program, Type, Var, evaluate, to_z3, z3_literal
from dsl.errors import NesyInputError
from dsl.strings import ALL_OPS, SMT_OPS, SPREADSHEET_OPS, SMT_STRINGS, STRINGS, define_fun, parse_program, print_program
from dsl.strings.semantics import REPT_MAX_COUNT

VARIABLES: dict[str, Type] = {"x": STRING, "y": STRING, "n": INT, "b": BOOL}
# Few distinct characters so that needles are found: spaces and case for TRIM/PROPER, digits for
# str.to.int, and non-ASCII letters that case changes must leave alone (Python's "ß".upper() is "SS").
SHORT_TEXT = st.text(alphabet="ab A-1 09\"'éß", max_size=7)
SMALL_INT = st.integers(min_value=-3, max_value=12)


def op(name: str, *arg_types: Type):
    return STRINGS.op(name, arg_types)


def run(name: str, *args):
    types = [BOOL if isinstance(a, bool) else INT if isinstance(a, int) else STRING for a in args]
    return op(name, *types).semantics(*args)


# --- SMT-LIB 2.6 and spreadsheet edge cases (fixed expectations) -------------------------------

@pytest.mark.parametrize("name, args, expected", [
    ("str.substr", ("abc", -1, 2), ""),
    ("str.substr", ("abc", 1, -1), ""),
    ("str.substr", ("abc", 3, 1), ""),
    ("str.substr", ("abc", 1, 10), "bc"),
    ("str.at", ("abc", 3), ""),
    ("str.at", ("abc", -1), ""),
    ("str.indexof", ("abc", "", 3), 3),
    ("str.indexof", ("abc", "", 4), -1),
    ("str.indexof", ("abc", "b", -1), -1),
    ("str.indexof", ("abcb", "b", 2), 3),
    ("str.replace", ("abc", "", "X"), "Xabc"),
    ("str.replace", ("abab", "b", "X"), "aXab"),
    ("str.to.int", ("",), -1),
    ("str.to.int", ("12a",), -1),
    ("str.to.int", ("007",), 7),
    ("str.to.int", ("\u0661",), -1),  # an Arabic-Indic digit is not an SMT-LIB digit
    ("int.to.str", (-5,), ""),
    ("str.prefixof", ("ab", "abc"), True),
    ("str.prefixof", ("abc", "ab"), False),
    ("str.contains", ("abc", "bc"), True),
    ("str.replace_all", ("abab", "b", "X"), "aXaX"),
    ("str.replace_all", ("ab", "", "X"), "ab"),
    ("excel.trim", ("  a   b  ", ), "a b"),
    ("excel.proper", ("2-way o'NEIL 76BudGet",), "2-Way O'Neil 76Budget"),
    ("excel.left", ("abc", 5), "abc"),
    ("excel.left", ("abc", -1), ""),
    ("excel.right", ("abc", 2), "bc"),
    ("excel.right", ("abc", 0), ""),
    ("excel.mid", ("abcdef", 2, 3), "bcd"),
    ("excel.mid", ("abc", 0, 2), ""),
    ("excel.mid", ("abc", 4, 2), ""),
    ("excel.find", ("b", "abcb", 3), 4),
    ("excel.find", ("z", "abc", 1), 0),
    ("excel.find", ("", "abc", 4), 4),
    ("excel.find", ("", "abc", 5), 0),
    ("excel.find", ("c", "abc"), 3),
    ("excel.rept", ("ab", 2), "abab"),
    ("excel.rept", ("a", 10 ** 9), "a" * REPT_MAX_COUNT),
    ("str.to_upper", ("abé1ß",), "ABé1ß"),
    ("excel.proper", ("éLAN ça",), "éLan çA"),  # only ASCII letters are letters
])
def test_semantics_edge_cases(name, args, expected):
    assert run(name, *args) == expected


def test_huge_numbers_convert_without_python_digit_limit():
    digits = "9" * 5000
    assert run("int.to.str", run("str.to.int", digits)) == digits


# --- Python semantics == Z3 semantics -------------------------------------------------------

def _z3_value(expr):
    value = z3.simplify(expr)
    if z3.is_string_value(value):
        return value.as_string()
    if z3.is_int_value(value):
        return value.as_long()
    if z3.is_true(value) or z3.is_false(value):
        return z3.is_true(value)
    raise AssertionError(f"Z3 did not reduce {expr} to a value: {value}")


def _z3_literal(value):
    if isinstance(value, bool):
        return z3.BoolVal(value)
    return z3.IntVal(value) if isinstance(value, int) else z3.StringVal(value)


_ARGUMENT = {STRING: SHORT_TEXT, INT: SMALL_INT, BOOL: st.booleans()}


@pytest.mark.parametrize("operator", ALL_OPS, ids=lambda o: o.signature)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_python_semantics_equal_z3_semantics(operator, data):
    args = [data.draw(_ARGUMENT[t]) for t in operator.arg_types]
    expected = operator.semantics(*args)
    assert _z3_value(operator.z3_semantics(*map(_z3_literal, args))) == expected


WIDE_ARGUMENT = {STRING: st.text(max_size=30), INT: st.integers(-10 ** 30, 10 ** 30), BOOL: st.booleans()}


@pytest.mark.parametrize("operator", ALL_OPS, ids=lambda o: o.signature)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_python_semantics_are_total_and_typed(operator, data):
    result = operator.semantics(*[data.draw(WIDE_ARGUMENT[t]) for t in operator.arg_types])
    expected_class = {STRING: str, INT: int, BOOL: bool}[operator.return_type]
    assert type(result) is expected_class


def test_every_op_has_z3_semantics_and_unit_cost():
    assert all(o.z3_semantics is not None and o.cost == 1 for o in ALL_OPS)
    assert {o.name for o in ALL_OPS if o.commutative} == {"+", "=", "and", "or"}


# --- printing and parsing -------------------------------------------------------------------

# Quotes, backslashes (printed as \u{5c}), text that looks like an escape, non-ASCII, and code
# points beyond SMT-LIB's U+2FFFF (printed as they are).
LITERAL_TEXT = st.one_of(st.text(alphabet='ab "\\u{41}é\t', max_size=6),
                         st.text(alphabet=st.characters(), max_size=4))
_LEAVES = {
    STRING: st.one_of(st.sampled_from(["x", "y"]).map(lambda n: Program(Var(n, STRING))),
                      LITERAL_TEXT.map(lambda s: Program(Const(s, STRING)))),
    INT: st.one_of(st.just(Program(Var("n", INT))), st.integers(-50, 50).map(lambda i: Program(Const(i, INT)))),
    BOOL: st.one_of(st.just(Program(Var("b", BOOL))), st.booleans().map(lambda v: Program(Const(v, BOOL)))),
}


@st.composite
def programs(draw, type_: Type = STRING, depth: int = 4) -> Program:
    """A random well-typed program over ALL_OPS."""
    candidates = [o for o in ALL_OPS if o.return_type == type_]
    if depth <= 1 or draw(st.integers(0, 3)) == 0:
        return draw(_LEAVES[type_])
    chosen = draw(st.sampled_from(candidates))
    return Program(chosen, tuple(draw(programs(t, depth - 1)) for t in chosen.arg_types))


@settings(max_examples=200, deadline=None)
@given(program=st.sampled_from([STRING, INT, BOOL]).flatmap(lambda t: programs(t)))
def test_print_then_parse_is_identity(program):
    assert parse_program(print_program(program), VARIABLES) == program


def test_parse_accepts_smt26_names_and_both_negative_spellings():
    smt26 = parse_program("(str.from_int (str.to_int x))", VARIABLES)
    assert print_program(smt26) == "(int.to.str (str.to.int x))"
    assert parse_program("(+ n -3)", VARIABLES) == parse_program("(+ n (- 3))", VARIABLES)


def test_parse_reads_other_solvers_nary_and_negation_forms():
    assert print_program(parse_program('(str.++ x " " y)', VARIABLES)) == '(str.++ (str.++ x " ") y)'
    assert print_program(parse_program("(- (str.len x))", VARIABLES)) == "(- 0 (str.len x))"
    assert evaluate(parse_program("(- 10 n 1)", VARIABLES), {"n": 3}) == 6


def test_overloads_resolve_by_argument_types():
    program = parse_program('(ite (= x "a") (ite b 1 n) (str.len x))', VARIABLES)
    assert program.head == op("ite", BOOL, INT, INT)
    assert program.children[0].head == op("=", STRING, STRING)
    assert evaluate(program, {"x": "a", "b": False, "n": 7}) == 7


def test_smt_strings_rejects_spreadsheet_ops():
    assert SMT_STRINGS.ops == SMT_OPS and set(STRINGS.ops) == set(SMT_OPS + SPREADSHEET_OPS)
    with pytest.raises(NesyInputError, match="unknown operator str.to_upper"):
        SMT_STRINGS.parse("(str.to_upper x)", VARIABLES)


def test_define_fun_is_read_by_z3_with_the_same_meaning():
    inputs = [Var("x", STRING), Var("n", INT)]
    body = parse_program('(str.++ (str.++ x "q""\\u{5c}é\\") (int.to.str (- n (- 2))))', VARIABLES)
    text = define_fun("f", inputs, STRING, body)
    expected = evaluate(body, {"x": "in", "n": 3})
    assert expected == 'inq"\\é\\5'
    script = (text.replace("int.to.str", "str.from_int")
              + f"\n(assert (not (= (f \"in\" 3) {print_program(Program(Const(expected, STRING)))})))")
    solver = z3.Solver()
    solver.from_string(script)
    assert solver.check() == z3.unsat


@pytest.mark.parametrize("text", ["a\\u{41}", "\\u0041", "\\x41", "\\", "\\\\u{5c}", '"', "\x00\ud800é\U0002ffff"])
def test_z3_literals_are_the_characters_of_the_text(text):
    value = z3_literal(text)
    codes = [z3.simplify(z3.StrToCode(z3.SubString(value, i, 1))).as_long() for i in range(len(text))]
    assert z3.simplify(z3.Length(value)).as_long() == len(text) and codes == [ord(c) for c in text]


def test_text_beyond_z3_strings_is_not_checked_rather_than_failed():
    with pytest.raises(NesyInputError, match=r"U\+30000 is beyond Z3's strings"):
        z3_literal("a\U00030000")
    result = nesy.synthesize([("a\U00030000", 2), ("bbb", 3)], timeout=10, guide=None)
    assert result.found and result.verified is None


def test_escape_like_text_in_examples_is_checked_exactly():
    result = nesy.synthesize([("a\\u{41}", 7), ("bb", 2)], timeout=10, guide=None)
    assert result.found and result.verified is True
    result = nesy.synthesize([("\\u{4", "\\u{41}"), ("\\u{6", "\\u{61}")], timeout=10, guide=None)
    assert result.found and result.verified is True


def test_programs_print_beyond_smt_lib_characters_and_read_back():
    program = parse_program('(str.++ x "\U00030000\U0010ffff")', VARIABLES)
    assert print_program(program) == '(str.++ x "\U00030000\U0010ffff")'
    assert parse_program(print_program(program), VARIABLES) == program


def test_plain_program_text_keeps_backslashes():
    program = Program(Const("\\u{41}", STRING))
    assert parse_program(str(program), VARIABLES) == program


def test_to_z3_translates_whole_programs():
    program = parse_program('(excel.proper (str.replace_all x " " "_"))', VARIABLES)
    x = z3.String("x")
    solver = z3.Solver()
    solver.add(x == z3.StringVal("ab cD"), to_z3(program, {"x": x}) != z3.StringVal("Ab_Cd"))
    assert solver.check() == z3.unsat


@pytest.mark.parametrize("text, message", [
    ('(str.++ x\n  "a"', r"<string>:2:6: syntax error: unexpected end of input; expected '\(', '\)', a name"),
    ("(str.len x))", r"<string>:1:12: syntax error: unexpected '\)'; expected end of input"),
    ("(str.upcase x)", r"<string>:1:2: unknown operator str.upcase"),
    ("(str.len x y)", r"1:2: operator str.len takes 1 argument, got 2"),
    ("(str.at n x)", r"1:2: type mismatch: str.at expects \(String Int\), got \(Int String\)"),
    ("(str.len z)", r"1:10: unknown variable z \(variables: b, n, x, y\)"),
    ("(str.++ x str.len)", r"1:11: operator str.len used as a value"),
])
def test_parse_errors_name_position_and_expectation(text, message):
    with pytest.raises(NesyInputError, match=message):
        parse_program(text, VARIABLES)


@pytest.mark.parametrize("module", ["dsl.strings", "dsl.strings.parser", "dsl.strings.printer"])
def test_docstring_examples_run(module):
    results = doctest.testmod(importlib.import_module(module))
    assert results.attempted > 0 and results.failed == 0
