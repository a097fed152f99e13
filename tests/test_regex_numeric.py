"""Numeric field conditions: integer ranges as regexes, bounds solved with Z3, FOREST-style tasks end to end."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.regex import accepts, parse_regex
from dsl.regex.ground_truth import forest_truth_z3, ground_truth_z3
from dsl.regex.numeric_ranges import digits_in_range, fixed_width_range, value_in_range
from dsl.regex.printer import to_everyday
from dsl.regex.task_files import load_regex_tasks
from dsl.regex.tasks import regex_task
from solvers.search.enumeration import SearchConfig
from solvers.regex.checking import z3_equivalence
from solvers.regex.numeric import DigitRange, bounded_field_template, solve_bounds
from solvers.regex.front_end import synthesize_regex_task
from solvers.search.driver import SynthesisOptions


def accepted(program, strings) -> set[str]:
    """Through Python's `re` (which reads the everyday spelling as our matcher does): fast enough to be exhaustive."""
    pattern = re.compile(to_everyday(program))
    return {s for s in strings if pattern.fullmatch(s)}


@pytest.mark.parametrize("width", [1, 2, 3])
def test_fixed_width_ranges_hold_exactly_the_numbers_in_range(width):
    strings = [str(n).zfill(width) for n in range(10 ** width)]
    step = 1 if width < 3 else 37            # width 3: a spread of both ends
    for lo in range(0, 10 ** width, step):
        for hi in range(lo, 10 ** width, step):
            assert accepted(fixed_width_range(lo, hi, width), strings) == set(strings[lo:hi + 1]), (lo, hi)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 99_999), st.integers(0, 99_999), st.sets(st.integers(1, 5), min_size=1))
def test_digits_in_range_at_given_widths(a, b, widths):
    lo, hi = min(a, b), max(a, b)
    program = digits_in_range(lo, hi, widths)
    probes = {0, 1, lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, (lo + hi) // 2, 99_999}
    for n in (p for p in probes if p >= 0):
        for width in range(1, 7):
            if len(str(n)) > width:
                continue
            text = str(n).zfill(width)
            expected = width in widths and lo <= n <= hi
            assert accepts(program, text) == expected, (lo, hi, widths, text)


@pytest.mark.parametrize("lo, hi", [(0, 0), (0, 255), (1, 12), (1, 31), (7, 7), (1, None), (7000, None), (0, None)])
def test_value_in_range_reads_any_width_with_leading_zeros(lo, hi):
    strings = [str(n).zfill(w) for w in range(1, 6) for n in range(min(10 ** w, 10_000))]
    expected = {s for s in strings if lo <= int(s) and (hi is None or int(s) <= hi)}
    assert accepted(value_in_range(lo, hi), strings) == expected


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_bounds_hold_the_positives_and_break_every_shaped_negative(data):
    columns = data.draw(st.integers(1, 3))
    row = st.tuples(*[st.integers(0, 999)] * columns)
    positive = data.draw(st.lists(row, min_size=1, max_size=6))
    shaped = data.draw(st.lists(row, max_size=6))
    bounds = solve_bounds(positive, shaped, [999] * columns)
    # DigitRange exist exactly when the tightest ones (the positives' min and max) break every shaped row.
    tight = [(min(r[c] for r in positive), max(r[c] for r in positive)) for c in range(columns)]
    feasible = all(any(not lo <= v <= hi for v, (lo, hi) in zip(r, tight)) for r in shaped)
    assert (bounds is not None) == feasible
    if bounds is not None:
        assert all(b.lo <= v <= b.hi for r in positive for v, b in zip(r, bounds))
        assert all(any(not b.lo <= v <= b.hi for v, b in zip(r, bounds)) for r in shaped)


@pytest.mark.parametrize("positive, shaped, limit, expected", [
    ([(21,), (2,), (31,)], [(34,), (0,)], 99, DigitRange(1, 31)),          # a day: 1..31, not 2..33
    ([(146,), (255,), (1,)], [(500,)], 999, DigitRange(0, 255)),           # an octet
    ([(8550,), (7040,)], [(3150,), (6980,)], 9999, DigitRange(7000, 9999)),  # a round lower bound
    ([(5,), (40,)], [], 99, DigitRange(0, 99)),                            # nothing to break: no bound
])
def test_bounds_prefer_natural_numbers(positive, shaped, limit, expected):
    assert solve_bounds(positive, shaped, [limit]) == [expected]


def test_forest_conditions_are_part_of_the_ground_truth():
    truth = forest_truth_z3(r"([0-9]{2})/([0-9]{2})/[0-9]{2}, $0 <= 31, $0 >= 1, $1 <= 12, $1 >= 1")
    assert z3_equivalence(parse_regex(r"(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])/\d{2}"), truth).equivalent
    assert not z3_equivalence(parse_regex(r"\d{2}/\d{2}/\d{2}"), truth).equivalent
    octets = forest_truth_z3(r"([0-9]{1,3})\.([0-9]{1,3}), $0 <= 255, $1 <= 255")
    assert z3_equivalence(parse_regex(r"(\d{1,2}|[01]\d\d|2[0-4]\d|25[0-5])\.(\d{1,2}|[01]\d\d|2[0-4]\d|25[0-5])"),
                          octets).equivalent


def test_letter_parts_narrow_to_the_values_seen_when_a_class_lets_a_negative_through():
    regex = bounded_field_template(["08:34 AM", "12:10 PM", "11:00 AM", "02:52 PM"], ["10:14 MM", "13:34 AM"])
    assert regex is not None
    assert accepts(regex, "09:59 PM") and not accepts(regex, "09:59 AA") and not accepts(regex, "13:00 PM")


DATE_TASK = """dates, day <= 31 and month <= 12
++
21/01/2019
03/12/2018
24/08/2020
01/05/1997
18/12/1997
30/07/1983
--
123/87/2453
31/03/19
1/17/12345
+-
32/01/2019
03/13/2018
00/08/2020
01/00/1997
**
([0-9]{2})/([0-9]{2})/[0-9]{4}, $0 <= 31, $0 >= 1, $1 <= 12, $1 >= 1
"""


def test_a_date_task_with_conditional_negatives_gets_the_ground_truth(tmp_path):
    (tmp_path / "date.txt").write_text(DATE_TASK)
    (task,) = load_regex_tasks(tmp_path)
    result = synthesize_regex_task(task, options=SynthesisOptions(config=SearchConfig(timeout=20)))
    assert result.verified and result.test_correct
    assert result.program_text == r"(0[1-9]|[1-2]\d|3[0-1])/(0[1-9]|1[0-2])/\d{4}"
    assert z3_equivalence(result.program, ground_truth_z3(task)).equivalent


def test_shapes_that_only_a_width_rejects_need_no_bound():
    task = regex_task("years", ["8/94", "12/68", "3/1516", "11/2063"], ["1/206", "13/151"])
    result = synthesize_regex_task(task, options=SynthesisOptions(config=SearchConfig(timeout=20)))
    assert result.verified and accepts(result.program, "5/1999") and not accepts(result.program, "5/199")
