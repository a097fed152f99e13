"""Search keeps the programs that fit, a ranker picks one, noise is allowed on request, and the
result says how sure it is and what to check next."""
from __future__ import annotations

import random
import subprocess
import sys

import pytest

import nesy
from dsl.core import Example, STRING
from dsl.registry import get_dsl
from dsl.strings import parse_program
from nesy.api import as_task
from nesy.typos import typo, with_typo
from solvers.search.driver import SynthesisOptions, fitting_candidates, synthesize_task
from solvers.search.ranking import Candidate, SearchOrderRanker, rank
from solvers.search.result import Status
from solvers.strings.probes import probe_rows

EMAILS = [("john@x.com", "john"), ("mary@yahoo.org", "mary")]
STRINGS = get_dsl("strings")


class PreferLonger:
    """A ranker that picks against search's order: the largest program."""

    name = "prefer-longer"

    def scores(self, task, probes, candidates):
        return [float(c.program.size) for c in candidates]


def test_probes_keep_apart_programs_that_agree_on_the_examples():
    probes, candidates = fitting_candidates(as_task(EMAILS), STRINGS)
    assert probes and len(candidates) >= 2
    programs = {str(c.program) for c in candidates}
    assert any("str.indexof" in p for p in programs) and any("@" not in p for p in programs)
    assert len({c.probe_outputs for c in candidates}) == len(candidates)   # distinct behaviours


def test_the_result_reports_runners_up_and_the_row_to_check():
    result = nesy.synthesize(EMAILS, timeout=10, ranker="search-order")
    assert result.found and result.alternatives
    row, mine, other = result.distinguishing
    assert mine != other and result.run(*row) == mine


def test_the_users_unlabelled_rows_are_probed_first():
    result = nesy.synthesize(EMAILS, timeout=10, ranker="search-order", unlabelled=["carol@gmail.com"])
    assert result.distinguishing is not None and result.distinguishing_is_own
    assert result.distinguishing[0] == ("carol@gmail.com",)


def test_a_ranker_never_returns_a_program_that_fails_an_example():
    task = as_task(EMAILS)
    result = synthesize_task(task, STRINGS, SynthesisOptions(ranker=PreferLonger()))
    assert result.found
    for example in task.examples:
        assert result.run(*example.inputs) == example.output
    default = synthesize_task(task, STRINGS, SynthesisOptions(ranker=SearchOrderRanker()))
    assert result.program.size >= default.program.size


def test_ranking_off_is_plain_enumeration():
    task = as_task(EMAILS)
    off = synthesize_task(task, STRINGS, SynthesisOptions(rank=False))
    assert off.found and not off.alternatives and off.distinguishing is None


def test_rank_orders_by_score_then_search_order():
    a = Candidate(parse_program("(str.++ x0 x0)", {"x0": STRING}), ("aa",), order=0)
    b = Candidate(parse_program("x0", {"x0": STRING}), ("a",), order=1)
    ranked = rank(SearchOrderRanker(), as_task([("a", "aa")]), [("a",)], [a, b])
    assert [r.program for r in ranked] == [b.program, a.program]       # smaller first


def test_the_same_task_twice_gives_the_same_program():
    examples = [("John Smith", "Smith, J."), ("Ada Lovelace", "Lovelace, A.")]
    first = nesy.synthesize(examples, timeout=20)
    second = nesy.synthesize(examples, timeout=20)
    assert first.found and first.program == second.program
    assert [a.program for a in first.alternatives] == [a.program for a in second.alternatives]


def test_probe_rows_are_a_function_of_the_examples():
    task = as_task([("2024-03-05", "05"), ("1999-12-31", "31")])
    assert probe_rows(task, 5) == probe_rows(task, 5)
    assert len(probe_rows(task, 5)) == 5
    assert not set(probe_rows(task, 5)) & {e.inputs for e in task.examples}


# --- noise ------------------------------------------------------------------------------------

INITIALS = [("John Smith", "J.S."), ("Ada Lovelace", "A.L."), ("Alan Turing", "A.X."), ("Grace Hopper", "G.H.")]


def test_noise_names_the_example_it_treats_as_wrong():
    result = nesy.synthesize(INITIALS, timeout=20, noise=1, tests=[("Barbara Liskov", "B.L.")])
    assert result.solved, result.message
    assert result.dropped == (2,) and "example(s) 3 ('A.X.')" in result.message
    assert result.to_json()["treated_as_wrong"] == [3]


def test_noise_zero_is_exact_search():
    task = as_task(INITIALS[:2])
    exact = synthesize_task(task, STRINGS, SynthesisOptions())
    zero = synthesize_task(task, STRINGS, SynthesisOptions(noise=0))
    assert exact.program == zero.program and zero.dropped == ()


def test_noise_on_clean_examples_drops_nothing():
    clean = [("John Smith", "J.S."), ("Ada Lovelace", "A.L."), ("Grace Hopper", "G.H.")]
    result = nesy.synthesize(clean, timeout=20, noise=1)
    assert result.found and result.dropped == ()


def test_noise_must_be_a_whole_number():
    with pytest.raises(nesy.NesyInputError, match="noise"):
        nesy.synthesize(EMAILS, noise=-1)


def test_a_typo_changes_one_character_and_is_seeded():
    rng = random.Random(3)
    for word in ["J.S.", "a", "Lovelace, A."]:
        changed = typo(word, rng)
        assert changed != word and abs(len(changed) - len(word)) <= 1
    task = as_task(INITIALS)
    assert with_typo(task, 7) == with_typo(task, 7)
    assert sum(a != b for a, b in zip(task.examples, with_typo(task, 7).examples)) == 1


# --- the result as a function -----------------------------------------------------------------

def test_a_result_runs_and_exports_to_python():
    result = nesy.synthesize([("john smith", "J.S."), ("ada lovelace", "A.L.")], timeout=20)
    assert result("grace hopper") == result.run("grace hopper") == "G.H."
    namespace: dict = {}
    exec(result.to_python(), namespace)
    for name in ["grace hopper", "alan turing", "x y"]:
        assert namespace["f"](name) == result.run(name)
    with pytest.raises(ValueError, match="takes 1 input"):
        result.run("a", "b")


def test_fits_is_not_solved_and_held_out_tests_decide():
    fits = nesy.synthesize([("ab", "a")], timeout=5)
    assert fits.status is Status.FITS and fits.found and not fits.solved
    wrong = nesy.synthesize([("ab", "a")], tests=[("cd", "x")], timeout=5)
    assert wrong.status is Status.FITS and wrong.test_correct is False


def test_synth_fills_a_csv_column(tmp_path):
    task = tmp_path / "t.jsonl"
    task.write_text('{"name": "i", "examples": [{"inputs": ["John Smith"], "output": "J.S."}, '
                    '{"inputs": ["Ada Lovelace"], "output": "A.L."}]}\n')
    sheet = tmp_path / "s.csv"
    sheet.write_text("name,initials\nJohn Smith,J.S.\nGrace Hopper,\n")
    done = subprocess.run([sys.executable, "-m", "nesy", "synth", str(task), "--guide", "none", "--apply", str(sheet)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["name,initials", "John Smith,J.S.", "Grace Hopper,G.H."]
    bad = subprocess.run([sys.executable, "-m", "nesy", "synth", str(task), "--column", "2"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "--column needs --apply" in bad.stderr and "Traceback" not in bad.stderr
