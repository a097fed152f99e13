"""Constant extraction: the literals a program needs, read off the examples."""
from __future__ import annotations

from dsl.core import INT, STRING, Const, Example
from solvers.strings.literals import extract_constants, length_constants, removed_text


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


def test_added_text_stops_where_copied_text_starts():
    found = extract_constants([Example(("George Washington", "male"), "Mr. Washington"),
                               Example(("Alan Turing", "male"), "Mr. Turing"),
                               Example(("Grace Hopper", "female"), "Ms. Hopper")])
    assert Const("Mr.", STRING) in found


def test_repeated_outputs_are_offered_as_labels_even_when_seen_once():
    found = extract_constants(examples(("43%", "In Progress"), ("0%", "Not Yet Started"),
                                       ("52%", "In Progress"), ("100%", "Completed")))
    for label in ("In Progress", "Not Yet Started", "Completed"):
        assert Const(label, STRING) in found
    # all outputs distinct: a one-off output is that example's answer, not a label
    assert Const("J.S.", STRING) not in extract_constants(examples(("john smith", "J.S."), ("ann lee", "A.L.")))


def test_a_whole_input_value_is_not_offered_as_removed_text():
    # the first column repeats (in any case): a literal of it would let search memorise the
    # column instead of reading x0, which is wrong on the next row with another text
    rows = [Example(("the text to search in", "find this"), "FALSE"), Example(("the text to search in", "SeArCh"), "TRUE"),
            Example(("THE TEXT TO SEARCH IN", "t to s"), "TRUE")]
    assert all(t.lower() != "the text to search in" for t in removed_text(rows))


def test_a_value_only_some_rows_have_stays_a_constant_for_conditions():
    rows = [Example(("9:00", "morning"), "9 AM"), Example(("11:00", "morning"), "11 AM"),
            Example(("3:00", "afternoon"), "3 PM"), Example(("9:00", "night"), "9 PM")]
    assert "morning" in removed_text(rows)


def test_a_separator_several_inputs_have_and_no_output_keeps_is_a_constant():
    """"," of "$1,234.50" -> "1234.50": two of three inputs have it, no output does (what
    `str.replace_all x0 "," ""` needs); a character only one input has is not offered."""
    found = extract_constants(examples(("$1,234.50", "1234.50"), ("$89.99", "89.99"), ("$1,250,000.00", "1250000.00"),
                                       ("#7", "7")))
    assert Const(",", STRING) in found
    assert Const("#", STRING) not in found
