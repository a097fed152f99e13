"""The everyday syntax reads what Python's `re` reads (under whole-string matching, re.ASCII and
re.DOTALL), or refuses by name and column; printing and reading back keeps the regex; lengths and
depths past the limits are one-line errors."""
from __future__ import annotations

import re
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.core import Program
from dsl.errors import NesyInputError
from dsl.regex import accepts, parse_regex, to_everyday, to_z3
from dsl.regex.charset import NAMED_CLASSES, CharSet
from dsl.regex.escapes import OUTSIDE
from dsl.regex.ops import CONCAT, EMPTY, EPSILON, OPTIONAL, PLUS, STAR, UNION, CharSetOp, apply, leaf, repeat
from dsl.regex.parser import MAX_DEPTH, _parser
from solvers.regex.checking import z3_equivalence

FLAGS = re.ASCII | re.DOTALL
# Characters that mean something somewhere in the syntax, and a few that are plain.
TRICKY = "ab-]^\\[.$|(){}*+?\n\x00é0_ "


def python_agrees(text: str, regex: Program, strings: list[str]) -> None:
    compiled = re.compile(text, FLAGS)
    for string in strings:
        assert accepts(regex, string) == bool(compiled.fullmatch(string)), (text, string)


# --- what issue 20 found -------------------------------------------------------------------

def test_an_escaped_dash_in_a_class_is_the_character():
    regex = parse_regex(r"[a-z0-9.\-_]+")
    assert accepts(regex, "a-b_c.d") and not accepts(regex, "A")
    assert parse_regex(r"[a\-z]") == leaf(CharSet.of("-az"))
    assert parse_regex(r"[\--/]") == leaf(CharSet.of([("-", "/")]))   # \- may still start a range


@pytest.mark.parametrize("text", ["^a$", "a$", "^a", r"\Aa\Z", "^a|b$"])
def test_anchors_at_the_ends_are_no_ops_under_whole_string_matching(text):
    expected = "a|b" if "|" in text else "a"
    assert z3_equivalence(parse_regex(text), parse_regex(expected)).equivalent
    python_agrees(text, parse_regex(text), ["a", "b", "", "a\n", "ab"])


@pytest.mark.parametrize("text, column, fragment", [
    ("a^b", 2, "anchor ^"), ("a$b", 2, "anchor $"), ("(^a)", 2, "anchor ^"), ("(a$)", 3, "anchor $"),
    ("^^a", 2, "anchor ^"), (r"a\Zb", 2, r"\Z"),
    (r"(a)\1", 4, "backreference"), (r"a\b", 2, "word boundary"), (r"\B", 1, r"\B"),
    ("(?=a)", 1, "lookahead"), ("(?!a)b", 1, "lookahead"), ("x(?<=a)", 2, "lookbehind"), ("(?<!a)", 1, "lookbehind"),
    ("(?i)a", 1, "flags (?i)"), ("a(?s:b)", 2, "flags"), ("(?P<n>a)", 1, "named group"), ("(?P=n)", 1, "backreference"),
    ("(?#note)a", 1, "comment"), ("(?>a)", 1, "atomic group"), ("(?(1)a|b)", 1, "conditional"),
    ("a*+", 3, "possessive"), ("a{2}+", 5, "possessive"),
])
def test_python_constructs_with_another_meaning_are_refused_by_name(text, column, fragment):
    with pytest.raises(NesyInputError) as error:
        parse_regex(text, path="R1")
    message = str(error.value)
    assert fragment in message and f"column {column}" in message and "\n" not in message, message
    assert message.startswith("R1: unsupported construct") and error.value.column == column


@pytest.mark.parametrize("text, column, fragment", [
    ("a**", 3, "multiple repeat"), ("a*??", 4, "multiple repeat"), (r"\q", 1, r"bad escape \q"),
    (r"\x4g", 1, "incomplete escape"), (r"[\d-z]", 2, "bad character range"), (r"[\8]", 2, "bad escape"),
    (r"\N{NO SUCH NAME}", 1, "names no Unicode"), (r"[\777]", 2, "above"), ("[]", 1, "no ] closes"),
    ("[^]", 1, "no ] closes"), ("{2}", 1, "'{2}'"), ("a|{,}", 3, "'{,}'"), ("a\\", 2, "lone"),
])
def test_what_python_refuses_is_refused_with_the_column(text, column, fragment):
    with pytest.raises(NesyInputError) as error:
        parse_regex(text)
    assert fragment in str(error.value) and error.value.column == column, str(error.value)
    with pytest.raises(re.error), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        re.compile(text)


@pytest.mark.parametrize("text, same_as", [
    (r"\x41\u00e9\U0001F600\N{BULLET}", "Aé\U0001F600\u2022"), (r"\0\012\101", "\x00\nA"), (r"[\b]", "\b"),
    ("a+?", "a+"), ("a*?", "a*"), ("a{1,2}?", "a{1,2}"), ("a{,2}", "a{0,2}"), ("a{,}", "a*"),
    ("a]}", r"a\]\}"), ("a{x}{", r"a\{x\}\{"), ("a{1,2", r"a\{1,2"),
    (r"[\W_]", "[^0-9A-Za-z]"), (r"[^\W\d_]", "[A-Za-z]"), (r"[\Da]", r"\D"),
    ("[]a]", r"\]|a"), ("[^]a]", r"[^\]a]"), ("[a-]", "a|-"), ("[-a]", "a|-"), ("[a-c-e]", "[a-ce-]"),
])
def test_python_syntax_is_read_as_python_reads_it(text, same_as):
    assert parse_regex(text) == parse_regex(same_as) or z3_equivalence(parse_regex(text),
                                                                        parse_regex(same_as)).equivalent
    python_agrees(text, parse_regex(text), ["", "a", "aa", "aaa", "-", "]", "b", "A", "_", "1", "\b", "é"])


def test_the_grammar_lexes_escapes_with_the_escape_reader_pattern():
    terminal = next(t for t in _parser("everyday").terminals if t.name == "ESCAPE")
    assert terminal.pattern.value == OUTSIDE


# --- limits --------------------------------------------------------------------------------

def test_deep_group_nesting_is_read_without_recursion():
    assert parse_regex("(" * 4000 + "a" + ")" * 4000) == parse_regex("a")


@pytest.mark.parametrize("text, fragment", [
    ("(" * 10_000 + "a" + ")" * 10_000, "too long"), ("a" * 100_000, "too long"),
    ("(a" * 1000 + ")" * 1000, "levels deep"), ("a" * (MAX_DEPTH + 1), "levels deep"),
    ("|".join("a" * (MAX_DEPTH + 1)), "levels deep"),
])
def test_too_long_or_too_deep_is_a_one_line_error(text, fragment):
    with pytest.raises(NesyInputError) as error:
        parse_regex(text, path="R1")
    assert fragment in str(error.value) and str(error.value).startswith("R1: ")


def test_the_deepest_regex_allowed_still_reaches_z3_and_hashes():
    regex = parse_regex("a" * MAX_DEPTH)
    assert hash(regex) and regex.size == 2 * MAX_DEPTH - 1 and accepts(regex, "a" * MAX_DEPTH)
    assert z3_equivalence(regex, parse_regex(f"a{{{MAX_DEPTH}}}")).equivalent


def test_characters_past_z3_are_refused_not_misjudged():
    with pytest.raises(NesyInputError, match="past what Z3 can check"):
        to_z3(parse_regex("\U00030000"))
    verdict = z3_equivalence(parse_regex("."), parse_regex("[\x00-\U0002fffe]"))
    assert verdict.equivalent is False and verdict.witness == "\U0002ffff"


# --- properties ----------------------------------------------------------------------------

@st.composite
def char_sets(draw: st.DrawFn) -> CharSet:
    """Unions of characters, ranges and named classes over TRICKY, perhaps negated."""
    def item(draw_item: st.DrawFn) -> CharSet:
        kind = draw_item(st.sampled_from(("char", "range", "named")))
        if kind == "named":
            return NAMED_CLASSES[draw_item(st.sampled_from(sorted(NAMED_CLASSES)))]
        low = draw_item(st.sampled_from(TRICKY))
        high = draw_item(st.sampled_from(TRICKY)) if kind == "range" else low
        return CharSet.of([tuple(sorted((low, high)))])

    members = draw(st.lists(st.composite(item)(), min_size=1, max_size=4))
    union = CharSet.union(members)
    return union.complement() if draw(st.booleans()) else union


def regexes() -> st.SearchStrategy[Program]:
    leaves = st.one_of(char_sets().map(leaf), st.just(Program(EPSILON)), st.just(Program(EMPTY)))
    bounds = st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, 3))).filter(
        lambda b: b[1] is None or b[1] >= b[0])

    def extend(children: st.SearchStrategy[Program]) -> st.SearchStrategy[Program]:
        return st.one_of(st.builds(apply, st.sampled_from([UNION, CONCAT]), children, children),
                         st.builds(apply, st.sampled_from([STAR, PLUS, OPTIONAL]), children),
                         st.builds(lambda b, c: apply(repeat(*b), c), bounds, children))

    return st.recursive(leaves, extend, max_leaves=8)


def without_empty_classes(regex: Program) -> Program:
    """The printer spells a class of no character as `(?!)`, which reads back as `empty`."""
    if isinstance(regex.head, CharSetOp) and regex.head.charset == CharSet(()):
        return Program(EMPTY)
    return Program(regex.head, tuple(without_empty_classes(c) for c in regex.children))


strings = st.lists(st.text(alphabet=TRICKY + "Aé", max_size=5), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(regexes(), strings)
def test_printing_and_reading_back_keeps_the_regex_and_python_agrees(regex, samples):
    text = to_everyday(regex)
    assert parse_regex(text) == without_empty_classes(regex), text
    python_agrees(text, regex, samples)


PIECES = ["a", "b", "-", "\\-", "[", "]", "[^", "^", "$", "(", ")", "(?:", "|", "*", "+", "?", "{2}", "{1,}",
          "{,2}", "{", "}", "\\d", "\\W", "\\s", "\\x41", "\\b", "\\1", "\\0", "\\12", ".", "\\", "\\n", "\\]",
          "\\\\", "(?!)", "(?i)", "(?=", "é", " ", "\\A", "\\Z", "{,}", "\\u00e9", "\\D", "\\w", "\\t"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join), strings)
def test_any_text_read_is_read_as_python_reads_it(text, samples):
    try:
        regex = parse_regex(text)
    except NesyInputError as error:
        assert error.column is not None and "\n" not in str(error), str(error)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        python_agrees(text, regex, samples)   # re.error here: we read what Python refuses
