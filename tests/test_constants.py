"""Constant extraction: the literals a program needs, read off the examples."""
from __future__ import annotations

from dsl.core import INT, STRING, Const, Example
from solvers.constants import extract_constants, length_constants, removed_text


def examples(*pairs):
    return [Example((i,), o) for i, o in pairs]


def test_text_deleted_from_several_inputs_is_a_constant():
    found = removed_text(examples(("Acme Inc.", "Acme"), ("Stark", "Stark"), ("Wayne Co Inc.", "Wayne Co")))
    assert " Inc." in found


def test_fixed_width_outputs_give_their_length():
    assert 5 in length_constants(examples(("St 62704", "62704"), ("Loop 95014", "95014")))


def test_constant_length_difference_is_found():
    assert 4 in length_constants(examples(("a.txt", "a"), ("long.name", "long.name"[:-4])))


def test_text_added_to_several_outputs_is_a_constant_but_one_answer_is_not():
    found = extract_constants(examples(("45", "45.0"), ("9", "9.0"), ("john smith", "J.S.")))
    assert Const(".0", STRING) in found
    assert Const("J.S.", STRING) not in found


def test_lengths_of_string_constants_are_offered_as_integers():
    found = extract_constants(examples(("x", "x, USA"), ("y", "y, USA")))
    assert Const(", USA", STRING) in found and Const(5, INT) in found
