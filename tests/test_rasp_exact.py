"""Numerical RASP values are exact rationals: a mean times a count is the integer it should be, in
the interpreter, in the compiler's value sets and in the decoded output of the compiled model."""
from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from dsl.errors import NesyInputError
from dsl.rasp import LIBRARY_DIR, load, load_file, run
from dsl.rasp.values import canon, format_value, parse_token
from nesy.compiler import compile_program, compile_rasp
from nesy.compiler.assemble import NUMERIC_TOLERANCE, Readout
from nesy.compiler.check import check

# The program: the mean of all tokens, times the length, mod 3 (a non-affine map of it).
SUM_MOD_3 = """
mean = numerical aggregate(select(indices, indices, true), tokens);
total = mean * length;
total % 3;
"""


def test_mean_times_length_is_the_sum():
    # with 9-decimal rounding this printed 2.999999999 at every position
    assert run(load(SUM_MOD_3), [1, 1, 1, 1, 1, 1, 0]) == [0] * 7


@pytest.mark.parametrize("length", [6, 7])
def test_every_input_agrees_with_the_sum(length):
    program = load(SUM_MOD_3)
    wrong = [tokens for tokens in itertools.product((0, 1, 2), repeat=length)
             if run(program, list(tokens)) != [sum(tokens) % 3] * length]
    assert wrong == []  # 385 of 2187 were wrong at length 7


def test_compiled_model_decodes_to_the_exact_values():
    program = load(SUM_MOD_3)
    compiled = compile_program(program, (0, 1, 2), 7)
    outputs = compiled.run([[1, 1, 1, 1, 1, 1, 0], [2, 2, 1, 0, 2, 1, 2]])
    assert outputs == [[0] * 7, [1] * 7] and all(type(v) is int for row in outputs for v in row)
    report = check(compiled, program, reference=lambda tokens: [sum(tokens) % 3] * len(tokens))
    assert report.passed and report.reference.agreed == report.inputs_checked == 3279


def test_means_are_fractions_and_print_exactly():
    assert run(load_file(LIBRARY_DIR / "frac_prevs.rasp"), list("xyyx")) == [1, Fraction(1, 2), Fraction(1, 3),
                                                                              Fraction(1, 2)]
    assert [format_value(v) for v in (Fraction(1, 3), Fraction(-1, 8), Fraction(6, 3), 0)] == \
        ["1/3", "-0.125", "2", "0"]


def test_numerical_output_of_the_model_is_exact():
    source = "numerical aggregate(select(indices, indices, <=), tokens == 1);"
    compiled = compile_rasp(source, "0,1", 4)
    assert compiled.run([[1, 0, 0, 1]]) == [[1, Fraction(1, 2), Fraction(1, 3), Fraction(1, 2)]]
    assert compiled.metadata["output"]["tolerance"] == NUMERIC_TOLERANCE


def test_decimals_in_programs_and_tokens_are_exact():
    # 0.1 + 0.2 is 3/10, not the float 0.30000000000000004
    assert run(load("map(lambda x: x * 0.1 + 0.2, tokens) == 0.3;"), [1]) == [True]
    assert parse_token("0.5") == Fraction(1, 2) and parse_token("1/3") == Fraction(1, 3)
    assert parse_token("-4") == -4 and parse_token("1e5") == "1e5" and parse_token("nan") == "nan"
    assert canon(0.1) == Fraction(1, 10) and canon(Fraction(4, 2)) == 2 and type(canon(Fraction(4, 2))) is int


def test_decoding_tolerance():
    readout = Readout("out", True, [0, Fraction(1, 3), Fraction(1, 2), 400], [2], 5)
    assert readout.decode_number(0.33334) == Fraction(1, 3)
    assert readout.decode_number(400.03) == 400             # relative beyond magnitude 1
    assert readout.decode_number(0.4) == 0.4                # near no value: left a float, a mismatch


def test_runaway_numbers_are_an_error_not_a_crash():
    big = "9" * 900
    with pytest.raises(NesyInputError, match="number too large"):
        run(load(f"x = tokens * {big};\ny = x * x;\ny * x * x;"), [1])
