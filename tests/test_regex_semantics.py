"""Three meanings of a regex must agree: the derivative matcher, Z3's InRe, and the span matrices
search computes with; and `z3_equivalence` must be right and give real distinguishing strings."""
from __future__ import annotations

import itertools

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.core import Program
from dsl.regex import accepts, parse_regex, to_everyday, to_z3
from dsl.regex.charset import CharSet
from dsl.regex.ops import CONCAT, OPTIONAL, PLUS, STAR, UNION, CharSetOp, RepeatOp
from solvers.regex.checking import z3_classifies, z3_equivalence
from solvers.regex.spans import SpanAlgebra
from test_regex_grammar import everyday_leaves, regexes

short_strings = st.lists(st.text(alphabet="ab0.*(]\\-^ /", max_size=5), min_size=1, max_size=6)


def z3_accepts(regex: Program, text: str) -> bool:
    solver = z3.Solver()
    solver.add(z3.InRe(z3.StringVal(text), to_z3(regex)))
    return solver.check() == z3.sat


@settings(max_examples=120, deadline=None)
@given(regexes(everyday_leaves), short_strings)
def test_matcher_agrees_with_z3(regex, strings):
    for text in strings:
        assert accepts(regex, text) == z3_accepts(regex, text), (to_everyday(regex), text)


def spans_value(regex: Program, algebra: SpanAlgebra) -> int:
    """The span matrix of a regex, computed by the algebra the enumerator uses."""
    head, kids = regex.head, [spans_value(c, algebra) for c in regex.children]
    if isinstance(head, CharSetOp):
        return algebra.chars(head.charset)
    if isinstance(head, RepeatOp):
        return algebra.repeat(kids[0], head.lo, head.hi)
    table = {UNION: lambda a, b: a | b, CONCAT: algebra.concat, STAR: algebra.star, PLUS: algebra.plus,
             OPTIONAL: algebra.optional}
    if head in table:
        return table[head](*kids)
    return algebra.identity if head.name == "eps" else 0


@settings(max_examples=200, deadline=None)
@given(regexes(everyday_leaves), short_strings)
def test_span_matrices_decide_every_substring_like_the_matcher(regex, strings):
    algebra = SpanAlgebra.for_sample(strings)
    value = spans_value(regex, algebra)
    substrings = {s[i:j] for s in strings for i in range(len(s) + 1) for j in range(i, len(s) + 1)}
    for text in substrings:
        assert bool(value & algebra.bit_of(text)) == accepts(regex, text), (to_everyday(regex), text)


def test_equivalence_of_known_pairs():
    assert z3_equivalence(parse_regex("(a|b)*"), parse_regex("(a*b*)*")).equivalent
    assert z3_equivalence(parse_regex(r"\d{2,3}"), parse_regex(r"\d\d\d?")).equivalent
    assert z3_equivalence(parse_regex(".*1.*"), parse_regex("(0|1)*1(0|1)*"), alphabet="01").equivalent


@settings(max_examples=40, deadline=None)
@given(regexes(everyday_leaves), regexes(everyday_leaves))
def test_a_reported_difference_really_separates_the_two(first, second):
    verdict = z3_equivalence(first, second)
    if verdict.equivalent is False:
        assert accepts(first, verdict.witness) != accepts(second, verdict.witness)
        assert accepts(first, verdict.witness) == verdict.in_first
    elif verdict.equivalent:
        for text in ("".join(p) for n in range(4) for p in itertools.product("ab.", repeat=n)):
            assert accepts(first, text) == accepts(second, text)


def test_z3_classification_checks_both_sides():
    regex = parse_regex("[^0-9]x")
    assert z3_classifies(regex, ["ax", ".x"], ["1x", "x"])
    assert not z3_classifies(regex, ["ax", "1x"], [])
    assert not z3_classifies(regex, [], ["ax"])


def test_charset_membership():
    assert "q" in CharSet.of([("a", "z")]) and "Q" not in CharSet.of([("a", "z")])
    assert "5" not in CharSet.of([("0", "9")], negated=True)


def direct_matrix(regex: Program, algebra: SpanAlgebra) -> int:
    """Every span of every block, decided one by one by the derivative matcher."""
    width, value = algebra.width, 0
    for block, text in enumerate(algebra.strings):
        for i in range(len(text) + 1):
            for j in range(i, len(text) + 1):
                if accepts(regex, text[i:j]):
                    value |= 1 << (block * width * width + i * width + j)
    return value


@settings(max_examples=150, deadline=None)
@given(regexes(everyday_leaves), short_strings)
def test_span_matrices_are_exact_on_every_span(regex, strings):
    # Every span of every block (not only one occurrence of each substring), and no bit outside
    # the spans: the diagonal product and Warshall's closure must not leak between blocks or rows.
    algebra = SpanAlgebra.for_sample(strings)
    assert spans_value(regex, algebra) == direct_matrix(regex, algebra), to_everyday(regex)


@settings(max_examples=100, deadline=None)
@given(regexes(everyday_leaves), regexes(everyday_leaves), short_strings)
def test_curried_products_agree_with_concat(first, second, strings):
    algebra = SpanAlgebra.for_sample(strings)
    left, right = spans_value(first, algebra), spans_value(second, algebra)
    product = algebra.concat(left, right)
    assert algebra.times(left)(right) == product
    assert algebra.times_right(right)(left) == product
    assert algebra.concat(left, right) == product      # again, from the kept left factor
    assert algebra.plus(left) == algebra.concat(left, algebra.star(left))
