"""The CSG DSL's text: CSGNet's vocabulary, postfix and infix round trips, token ids, errors."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.core import Program
from dsl.csg import CSG_DSL, parse_program, print_infix, print_postfix
from dsl.csg.ops import combine, leaf
from dsl.csg.primitives import VOCABULARY, Primitive
from dsl.csg.tokens import STOP, from_tokens, to_tokens, token_array
from dsl.errors import NesyInputError
from dsl.registry import get_dsl

TERMINALS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "csg2d-cad" / "csgnet_terminals.txt"

on_grid = st.sampled_from(VOCABULARY).map(leaf)
off_grid = st.builds(Primitive, st.sampled_from("cst"), st.integers(0, 63), st.integers(0, 63),
                     st.integers(1, 64)).map(leaf)
programs = st.recursive(on_grid | off_grid,
                        lambda inner: st.builds(combine, st.sampled_from("+*-"), inner, inner), max_leaves=12)


def test_vocabulary_is_csgnets_token_list_in_its_order() -> None:
    if not TERMINALS.exists():
        pytest.skip("CSGNet's token list is not beside the repository")
    lines = TERMINALS.read_text().split()
    assert [str(p) for p in VOCABULARY] == lines[:396]
    assert lines[396:] == ["+", "*", "-", "$"]


@settings(max_examples=200, deadline=None)
@given(programs)
def test_postfix_and_infix_read_back_as_the_same_tree(program: Program) -> None:
    assert parse_program(print_postfix(program)) == program
    assert parse_program(print_infix(program), syntax="infix") == program
    assert parse_program(print_infix(program)) == program


@settings(max_examples=100, deadline=None)
@given(st.recursive(on_grid, lambda inner: st.builds(combine, st.sampled_from("+*-"), inner, inner), max_leaves=8))
def test_token_rows_round_trip(program: Program) -> None:
    tokens = to_tokens(program)
    assert len(tokens) == program.size
    assert from_tokens(tokens + [STOP, STOP]) == program
    assert from_tokens(token_array([program], width=len(tokens) + 3)[0]) == program


def test_infix_precedence_and_grouping() -> None:
    a, b, c = "c(32,32,16)", "s(24,40,12)", "t(32,16,8)"
    assert parse_program(f"{a} + {b} * {c}") == parse_program(f"{a}{b}{c}*+")
    assert parse_program(f"{a} - {b} - {c}") == parse_program(f"{a}{b}-{c}-")
    assert parse_program(f"{a} - ({b} - {c})") == parse_program(f"{a}{b}{c}--")
    assert print_infix(parse_program(f"{a}{b}{c}--")) == f"{a} - ({b} - {c})"
    assert parse_program(f" {a} {b} + $ ") == parse_program(f"{a}{b}+")


def test_the_dsl_is_found_and_prints_postfix() -> None:
    dsl = get_dsl("csg")
    program = dsl.parse("c(32,32,16) + s(24,40,12)")
    assert dsl.print(program) == "c(32,32,16)s(24,40,12)+"
    assert dsl is CSG_DSL


@pytest.mark.parametrize("text, message", [
    ("c(32,32,16)+", r"operator \+ needs two shapes"),
    ("c(32,32,16)s(24,40,12)", "leaves 2 shapes"),
    ("c(32,32", "syntax error"),
    ("x(1,2,3)", "syntax error"),
    ("c(1,2,99)", "r in 1..64"),
    ("c(1,2,3) + (s(8,8,8)", "syntax error"),
])
def test_bad_programs_give_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(NesyInputError, match=message) as error:
        parse_program(text, path="p.txt")
    assert "\n" not in str(error.value)
    assert str(error.value).startswith("p.txt:1:")


def test_off_grid_primitives_have_no_token() -> None:
    assert not Primitive("c", 9, 9, 9).in_vocabulary
    with pytest.raises(NesyInputError, match="not one of CSGNet's 396"):
        to_tokens(parse_program("c(9,9,9)"))
    with pytest.raises(NesyInputError, match="needs two shapes"):
        from_tokens([396])
