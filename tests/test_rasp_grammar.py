"""Bad RASP programs fail with one line naming the file, line and column, and what is wrong."""
from __future__ import annotations

import pytest

from dsl.errors import NesyInputError
from dsl.rasp import LIBRARY_DIR, load, run
from dsl.rasp.parser import parse, parse_file
from dsl.rasp.printer import to_source


def error_of(source: str, tokens=("a", "b")) -> NesyInputError:
    with pytest.raises(NesyInputError) as caught:
        run(load(source, "prog.rasp"), list(tokens))
    return caught.value


def test_syntax_error_has_position_and_expectation():
    error = error_of("x = select(tokens, tokens, ==)\ny = 1;")
    assert (error.line, error.column) == (2, 1)
    assert str(error).startswith("prog.rasp:2:1: syntax error") and "expected" in str(error)


def test_bad_character():
    error = error_of("x = tokens $ 1;")
    assert error.line == 1 and error.column == 12 and "'$'" in str(error)


@pytest.mark.parametrize("source, line, column, words", [
    ("x = tokenz + 1;", 1, 5, "unknown name 'tokenz'"),
    ("x = frobnicate(tokens);", 1, 5, "unknown function 'frobnicate'"),
    ("s = select(tokens, tokens, ==);\nx = s + 1;", 2, 7, "type mismatch"),
    ("x = aggregate(tokens, tokens);", 1, 15, "must be a selector"),
    ("x = select(tokens, tokens);", 1, 5, "select takes 3 arguments, got 2"),
    ("x = select(tokens, tokens, tokens);", 1, 28, "third argument must be a comparison"),
    ("def f(a) { return a; }\nx = f(tokens, tokens);", 2, 5, "f takes 1 arguments, got 2"),
    ("def f(a) { return f(a); }\nf(tokens);", 1, 19, "recursion"),
    ("x = map(lambda a: tokens, tokens);", 1, 19, "lambda computes one value"),
    ("def f(a) { return a; }", 1, 1, "no statement outside function definitions"),
    ('x = 1 + "a";', 1, 7, "cannot compute +"),
])
def test_static_errors(source, line, column, words):
    error = error_of(source)
    assert (error.line, error.column) == (line, column), str(error)
    assert words in str(error)


def test_runtime_type_error_names_the_line():
    error = error_of('x = 1;\ny = tokens + 1;', tokens=["a"])
    assert error.line == 2 and "cannot compute this map at position 0" in str(error)


def test_numerical_aggregate_of_strings():
    error = error_of("x = 1;\nnumerical aggregate(select(tokens, tokens, true), tokens);")
    assert error.line == 2 and "numerical aggregate of a non-numerical value 'a'" in str(error)


def test_empty_program_and_missing_file(tmp_path):
    with pytest.raises(NesyInputError, match="empty program"):
        parse("# only a comment\n")
    with pytest.raises(NesyInputError, match="cannot read RASP file"):
        parse_file(tmp_path / "missing.rasp")


def test_comments_and_walrus_assignment_are_accepted():
    program = load("// slash comment\n# hash comment\nx := indices + 1; # trailing\nx;")
    assert run(program, ["a", "b"]) == [1, 2]


@pytest.mark.parametrize("name", sorted(p.stem for p in LIBRARY_DIR.glob("*.rasp")))
def test_printer_round_trips_the_library(name):
    module = parse((LIBRARY_DIR / f"{name}.rasp").read_text())
    assert parse(to_source(module)) == module


def test_printer_keeps_lambdas_conditionals_and_annotations():
    source = ("def f(a) { b = a * 2; return b; }\nx = map(lambda v: (v + 1) if v > 0 else -v, tokens);\n"
              "y = numerical aggregate(select(x, indices, TRUE), f(x) == 'q\"');\nnot (x == 1) and true;")
    module = parse(source)
    assert parse(to_source(module)) == module
