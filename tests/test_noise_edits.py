"""A typo is a character edit or two: the edit distance noise search leans on, the scout's match
within edits, and answers that treat as wrong only examples a typo away."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import nesy
from solvers.search.edits import edit_distance, output_edits
from solvers.search.enumeration import _near_match


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[:], i
        for j, y in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
    return row[-1]


@settings(max_examples=300, deadline=None)
@given(st.text("abc", max_size=8), st.text("abc", max_size=8), st.integers(0, 4))
def test_banded_distance_is_levenshtein_up_to_the_limit(a, b, limit):
    assert edit_distance(a, b, limit) == min(_levenshtein(a, b), limit + 1)


def test_outputs_compare_as_text_and_a_raise_is_far():
    assert output_edits(1250, 1205, 3) == 2
    assert output_edits("True", True, 3) == 0                           # a Boolean by its spelling
    assert output_edits("x", None, 2) == 3


def test_the_scout_matches_within_a_typo_and_needs_two_right():
    target = ("J.S.", "A.L.", "A.X.")
    assert _near_match(("J.S.", "A.L.", "A.T."), target, 1)          # one character off
    assert not _near_match(("J.S.", "A.L.", "Turing"), target, 1)    # far off: no typo
    assert not _near_match(("J.S.", "A.T.", "A.T."), target, 1)      # two wrong
    assert not _near_match(("J.S.", "A.T."), ("J.S.", "A.L."), 1)    # only one right


def test_the_example_a_typo_hides_is_named_not_a_far_one():
    # the third output has a typo (B for P); a program right on the other three and far off on one
    # of them must not win over the program a typo away
    examples = [("<backup>", "<BACKUP>"), ("none", "NONE"), ("<db>", "<DB>"), ("<main>", "<MAIB>")]
    result = nesy.synthesize(examples, timeout=20, noise=1, tests=[("<x>", "<X>")])
    assert result.solved and result.dropped == (3,), result.message
