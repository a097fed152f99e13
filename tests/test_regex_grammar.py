"""Regex text <-> AST: both printers round-trip, the everyday text means the same to Python's `re`,
and malformed text gets a one-line error with the column."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.core import Program
from dsl.errors import NesyInputError
from dsl.regex import accepts, parse_regex, to_everyday, to_textbook
from dsl.regex.charset import ANY, DIGIT, WORD, CharSet
from dsl.regex.ops import CONCAT, EMPTY, EPSILON, OPTIONAL, PLUS, STAR, UNION, apply, leaf, repeat

SPECIAL_CHARS = "ab0.*+?()[]{}|\\^-$ /"
CLASSES = [ANY, DIGIT, WORD, CharSet.of([("a", "c"), ("x", "z")]), CharSet.of("]-^\\"),
           CharSet.of([("0", "9")], negated=True), CharSet.of("ab", negated=True)]


def regexes(leaves: st.SearchStrategy[Program], rich: bool = True) -> st.SearchStrategy[Program]:
    """Random regex ASTs; `rich` adds r+ and r{m,n} (which the textbook syntax lacks)."""
    unary = [STAR, OPTIONAL] + ([PLUS] if rich else [])

    def extend(children: st.SearchStrategy[Program]) -> st.SearchStrategy[Program]:
        options = [st.builds(apply, st.sampled_from([UNION, CONCAT]), children, children),
                   st.builds(apply, st.sampled_from(unary), children)]
        if rich:
            bounds = st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, 3))).filter(
                lambda b: b[1] is None or b[1] >= b[0])
            options.append(st.builds(lambda b, c: apply(repeat(*b), c), bounds, children))
        return st.one_of(*options)

    return st.recursive(leaves, extend, max_leaves=8)


everyday_leaves = st.one_of(st.sampled_from(SPECIAL_CHARS).map(lambda c: leaf(CharSet.of(c))),
                            st.sampled_from(CLASSES).map(leaf),
                            st.just(Program(EPSILON)), st.just(Program(EMPTY)))
textbook_leaves = st.one_of(st.sampled_from("01ab").map(lambda c: leaf(CharSet.of(c))), st.just(leaf(ANY)),
                            st.just(Program(EPSILON)), st.just(Program(EMPTY)))


@settings(max_examples=300, deadline=None)
@given(regexes(everyday_leaves))
def test_everyday_printing_round_trips(regex):
    assert parse_regex(to_everyday(regex)) == regex


@settings(max_examples=300, deadline=None)
@given(regexes(textbook_leaves, rich=False))
def test_textbook_printing_round_trips(regex):
    assert parse_regex(to_textbook(regex), "textbook") == regex


@settings(max_examples=200, deadline=None)
@given(regexes(everyday_leaves), st.lists(st.text(alphabet="ab0.*(]\\-^ /", max_size=5), min_size=1, max_size=8))
def test_python_re_reads_the_everyday_text_the_same_way(regex, strings):
    compiled = re.compile(to_everyday(regex), re.DOTALL)
    for text in strings:
        assert accepts(regex, text) == bool(compiled.fullmatch(text)), (to_everyday(regex), text)


@pytest.mark.parametrize("text, accepted, rejected", [
    (r"\d{2}/\d{2}/\d{4}", ["01/02/2024"], ["1/02/2024", "01/02/24"]),
    (r"[A-Z][a-z]+( [A-Z][a-z]+)*", ["Ada Lovelace", "Bob"], ["ada", "Ada  L"]),
    (r"\w+@\w+\.(com|org)", ["x_1@mail.org"], ["x@mail.net", "@mail.com"]),
    (r"(ab|c){2,}", ["abc", "cc", "ababab"], ["ab", "", "abca"]),
    (r"[^0-9]?x", ["x", "ax", "xx"], ["1x", "xy"]),
    ("()", [""], ["a"]),
    ("(?!)", [], ["", "a"]),
])
def test_known_regexes_accept_and_reject(text, accepted, rejected):
    regex = parse_regex(text)
    assert all(accepts(regex, s) for s in accepted)
    assert not any(accepts(regex, s) for s in rejected)


def test_textbook_syntax_reads_alpharegex_notation():
    regex = parse_regex("(0+1)^*0X?e", "textbook")
    assert to_everyday(regex) == "(0|1)*0.?()"
    assert to_textbook(regex) == "(0+1)*0X?e"


def test_equal_sets_have_one_spelling():
    assert parse_regex("[0-9]") == parse_regex(r"\d") == parse_regex("[0-45-9]")
    assert to_everyday(parse_regex("[cba]")) == "[a-c]"


@pytest.mark.parametrize("text, syntax, fragment", [
    ("a(b", "everyday", "column 4"),
    ("a)b", "everyday", "column 2"),
    ("*a", "everyday", "column 1"),
    ("a{3,1}", "everyday", "reversed"),
    ("[z-a]", "everyday", "reversed"),
    ("0++1", "textbook", "column 3"),
    ("0|1", "textbook", "column 2"),
])
def test_malformed_regexes_get_a_clear_error(text, syntax, fragment):
    with pytest.raises(NesyInputError) as error:
        parse_regex(text, syntax, path="R1")
    message = str(error.value)
    assert message.startswith("R1: malformed") and fragment in message and "\n" not in message


def test_the_textbook_printer_refuses_what_it_cannot_spell():
    with pytest.raises(NesyInputError):
        to_textbook(parse_regex("a+"))
    with pytest.raises(NesyInputError):
        to_textbook(parse_regex("[a-z]"))
