"""Regex synthesis end to end: the front end, the Python API and the command line."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nesy
from dsl.regex import accepts, parse_regex
from dsl.regex.task_files import load_regex_tasks
from dsl.regex.tasks import regex_task
from solvers.search.enumeration import SearchConfig
from solvers.regex.checking import z3_equivalence
from solvers.regex.front_end import synthesize_regex_task
from solvers.search.result import Status
from solvers.search.driver import SynthesisOptions

ROOT = Path(__file__).resolve().parents[1]
ALPHAREGEX = ROOT.parent / "shared" / "benchmarks" / "alpharegex"
OWN = ROOT / "datasets" / "regex" / "own.jsonl"


def solve(task, timeout: float = 20.0):
    return synthesize_regex_task(task, options=SynthesisOptions(config=SearchConfig(timeout=timeout)))


def test_smallest_regex_for_a_classic_language():
    task = regex_task("ends01", ["01", "101", "001", "1101"], ["0", "10", "011", "1", "010"], "01")
    result = solve(task)
    assert result.found and result.verified
    assert z3_equivalence(result.program, parse_regex("(0|1)*01"), alphabet="01").equivalent
    assert result.program.size == 6


def test_deep_concatenation_is_found_by_the_chain_join():
    strings = ["".join(bits) for n in range(7) for bits in __import__("itertools").product("01", repeat=n)]
    positive = [s for s in strings if "0110" in s]
    negative = [s for s in strings if "0110" not in s]
    result = solve(regex_task("contains0110", positive, negative, "01"))
    assert result.found and result.verified
    assert z3_equivalence(result.program, parse_regex(".*0110.*"), alphabet="01").equivalent


def test_answers_classify_every_example_by_python_re_too():
    for task in load_regex_tasks(OWN)[:6]:
        result = solve(task)
        assert result.found, task.name
        pattern = re.compile(result.program_text, re.DOTALL)
        for example in task.examples:
            assert bool(pattern.fullmatch(example.inputs[0])) == example.output, (task.name, result.program_text)


def test_contradictory_examples_have_no_solution():
    task = regex_task("ok", ["a"], ["b"])
    clashing = task.__class__(**{**task.__dict__, "examples": task.examples + (task.examples[1].__class__(("a",), False),)})
    assert solve(clashing).status is Status.NO_SOLUTION


def test_a_too_small_budget_times_out_cleanly():
    task = load_regex_tasks(ALPHAREGEX / "no7_zeros_divisible_by_3")[0] if ALPHAREGEX.is_dir() else \
        regex_task("t", ["000", "1", "0110110"], ["00", "0", "0000"], "01")
    result = solve(task, timeout=0.3)
    assert result.status in (Status.TIMEOUT, Status.FITS, Status.SOLVED)
    if result.found:
        assert result.verified


def test_python_api_takes_string_verdict_pairs():
    result = nesy.synthesize([("ab", True), ("aab", True), ("b", False), ("aba", False)], dsl="regex", timeout=10)
    assert result.found and result.verified
    assert accepts(result.program, "aaab") and not accepts(result.program, "ba")


def nesy_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nesy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.skipif(not ALPHAREGEX.is_dir(), reason="AlphaRegex benchmarks not checked out")
def test_cli_synth_on_an_alpharegex_file():
    done = nesy_cli("synth", "--dsl", "regex", "--guide", "none", str(ALPHAREGEX / "no2_end_with_01"))
    assert done.returncode == 0, done.stderr
    assert ".*01" in done.stdout and "verified (execution + Z3): True" in done.stdout


def test_cli_bench_writes_the_strings_json_shape(tmp_path):
    out = tmp_path / "regex.json"
    done = nesy_cli("bench", "regex", "--suite", str(OWN), "--limit", "3", "--timeout", "20", "--jobs", "1",
                    "--guide", "none", "--quiet", "--json", str(out))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    assert len(document["results"]) == 3 and document["summary"]["tasks"] == 3
    for row in document["results"]:
        assert {"task", "status", "seconds", "program", "size"} <= set(row)
        assert row["status"] in ("solved", "fits-examples") and row["verified"] is True
        re.compile(row["program"])


def test_cli_equiv_reports_a_witness_and_exit_status():
    same = nesy_cli("regex", "equiv", "(0+1)*", "(0*1*)*", "--syntax", "textbook")
    assert same.returncode == 0 and "equivalent" in same.stdout
    different = nesy_cli("regex", "equiv", "a*b", "a+b")
    assert different.returncode == 1 and "'b' is accepted by R1 only" in different.stdout
    bad = nesy_cli("regex", "equiv", "a(b", "a")
    assert bad.returncode == 2 and "column 4" in bad.stderr and "Traceback" not in bad.stderr


# Sizes (our node count) of AlphaRegex's own answers, from running the OCaml tool on each file
# (docs/regex.md, "Side by side with AlphaRegex itself"): ours must never be larger.
ALPHAREGEX_ANSWER_SIZES = {
    "no10_alternating": 10,
    "no11_0_followed_by_atleast_one_1": 5,
    "no12_n_is_ge_3_m_is_even": 13,
    "no13_atmost_2zeros": 14,
    "no14_start_cond": 16,
    "no15_except_0_and_1": 12,
    "no16_not_end_with_01": 16,
    "no17_atleastone0_atmostone1": 14,
    "no18_0110": 10,
    "no19_not_contain_substring_100": 10,
    "no1_start_with_0": 6,
    "no20_odd_pos_is_1": 9,
    "no21_exactly_00_once": 15,
    "no22_atleast2_and_not_end_with_10": 21,
    "no23_even_0s_and_followed_by_atleast_one_1": 13,
    "no24_00_before_11": 13,
    "no25_atmost_one_pair_of_11": 17,
    "no2_end_with_01": 8,
    "no3_substring_0101": 17,
    "no4_begin_1_end_0": 8,
    "no5_length_at_least3_and_third_0": 14,
    "no6_len_is_3_mul": 12,
    "no7_zeros_divisible_by_3": 14,
    "no8_even_zeros": 9,
    "no9_5th1": 22,
}


@pytest.mark.slow
@pytest.mark.skipif(not ALPHAREGEX.is_dir(), reason="AlphaRegex benchmarks not checked out")
@pytest.mark.parametrize("name", sorted(p.name for p in ALPHAREGEX.glob("no*")) if ALPHAREGEX.is_dir() else [])
def test_every_alpharegex_benchmark_is_solved_and_verified(name):
    # Correctness with a generous budget; the 60 s timings are the benchmark's job (docs/regex.md).
    task = load_regex_tasks(ALPHAREGEX / name)[0]
    result = solve(task, timeout=120)
    assert result.found and result.verified, result.message
    assert result.program.size <= ALPHAREGEX_ANSWER_SIZES[name], result.program_text


def test_form_fields_are_described_class_by_class():
    from solvers.regex.fields import field_template
    from dsl.regex import to_everyday

    template = field_template(["AB-123 x", "CD-4567 x", "EF-890 x"])
    assert to_everyday(template) == r"[A-Z]{2}-\d{3,4} x"
    assert to_everyday(field_template(["ABC123D", "XYZ987Q"])) == r"[A-Z]{3}\d{3}[A-Z]"
    assert field_template(["12/05", "12-05"]) is None          # the separators differ


def test_a_field_template_is_used_only_when_it_rejects_the_negatives():
    task = regex_task("phone", ["555-123-4567", "212-999-0000", "800-555-1212"],
                      ["5551234567", "555-1234-567", "abc-def-ghij"])
    result = solve(task)
    assert result.program_text == r"\d{3}-\d{3}-\d{4}" and result.verified
    shaped_negative = regex_task("phone2", ["555-123-4567", "212-999-0000"], ["555-123-4567x", "000-000-0000"])
    result = solve(shaped_negative)
    assert result.found and result.verified
    assert not accepts(result.program, "000-000-0000")


def test_input_output_pairs_that_are_not_verdicts_are_refused():
    from dsl.errors import NesyInputError

    with pytest.raises(NesyInputError, match="True \\(accept\\) or False"):
        nesy.synthesize([("ab", "x"), ("b", "y")], dsl="regex")


def test_cli_score_compares_answers_with_the_ground_truth(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "phone.txt").write_text("phone numbers\n++\n555-123-4567\n212-999-0000\n800-555-1212\n"
                                     "--\n5551234567\n555-1234-567\n**\n[0-9]{3}-[0-9]{3}-[0-9]{4}\n")
    (suite / "loose.txt").write_text("loose\n++\nab\naab\n--\nb\n**\na+b\n")
    out = tmp_path / "results.json"
    done = nesy_cli("bench", "regex", "--suite", str(suite), "--timeout", "10", "--jobs", "1", "--guide", "none",
                    "--quiet", "--json", str(out))
    assert done.returncode == 0, done.stderr
    scored = nesy_cli("regex", "score", str(out), "--suite", str(suite))
    assert scored.returncode == 0, scored.stderr
    counts = json.loads(scored.stdout.strip().splitlines()[-1])
    assert counts["answered"] == 2 and counts["with_truth"] == 2 and counts["truth_fits_examples"] == 2
    assert counts["equivalent"] == 1     # the phone template; two strings do not pin down a+b
    assert "loose" in scored.stdout


def test_a_join_answer_wrong_on_other_examples_ends_the_round():
    import pytest
    from dsl.core import Example
    from dsl.regex.charset import CharSet
    from solvers.regex.spans import SpanAlgebra
    from solvers.regex.front_end import RegexVocabulary, _Refuted, _refuting, _search_ops
    from dsl.core import Program
    algebra = SpanAlgebra.for_sample(["01", "0"])
    search_ops = _search_ops(algebra, RegexVocabulary(tuple(CharSet.of(c) for c in "01")))
    by_name = {op.name: op for op in search_ops.ops}
    zero_one = Program(by_name["concat"], (Program(by_name["chars:0"]), Program(by_name["chars:1"])))
    examples = [Example(("01",), True), Example(("0",), False), Example(("001",), True)]

    class Pool:
        size = 7
    hook = _refuting(lambda pool, level, check: zero_one, search_ops, examples)
    with pytest.raises(_Refuted) as refuted:          # 01 rejects the positive 001
        hook(Pool(), 3, lambda: None)
    assert refuted.value.program == zero_one and refuted.value.values == 7
    right = _refuting(lambda pool, level, check: zero_one, search_ops, examples[:2])
    assert right(Pool(), 3, lambda: None) == zero_one and right(Pool(), 4, lambda: None) == zero_one


def test_fields_of_varying_length_are_widened_only_where_no_negative_objects():
    from solvers.regex.fields import template_pieces, widened

    def generalized_template(positive, rejects):
        pieces = template_pieces(positive)
        return None if pieces is None else widened(pieces, rejects)
    from dsl.regex import to_everyday

    negatives = ["12.345", "abc.12", "1.2"]
    rejects = lambda regex: not any(accepts(regex, n) for n in negatives)  # noqa: E731
    # Prices: the integer part's lengths vary (widened), the cents are always two digits (kept).
    assert to_everyday(generalized_template(["1.99", "12345.00", "42.50"], rejects)) == r"\d+\.\d{2}"
    # A negative with a long first field keeps its bound.
    long_first = lambda regex: rejects(regex) and not accepts(regex, "123456.00")  # noqa: E731
    assert to_everyday(generalized_template(["1.99", "12345.00"], long_first)) == r"\d{1,5}\.\d{2}"
    assert generalized_template(["12/05", "12-05"], rejects) is None


def test_a_shared_literal_prefix_is_kept_when_the_plain_template_accepts_a_negative():
    task = regex_task("hex", ["0x1f", "0xabc0", "0x9", "0x7d2"], ["1f", "x9", "0xg1", "1x20"])
    result = solve(task)
    assert result.program_text == r"0x[0-9a-f]+" and result.verified


def test_a_shorter_shape_makes_the_rest_of_the_longer_one_optional():
    task = regex_task("dollars", ["$3", "$13", "$8.89", "$1999.99", "$0.99"],
                      ["$8.908", "$12.0", "$78.", "43.45", "12"])
    result = solve(task)
    assert result.program_text == r"\$\d+(\.\d{2})?" and result.verified
    from solvers.regex.fields import optional_tail_pieces
    assert optional_tail_pieces(["a-b", "a.b"]) is None        # neither shape extends the other


def test_fixed_length_codes_are_described_column_by_column_when_one_class_is_too_wide():
    positive = ["39TNQLE1593M2ZD", "92XRKAV0788AIZ6", "91QFAHI2853KUZ3", "18GXOPI9634J5Z2", "38FFFIS1772TMZR"]
    task = regex_task("gst", positive, ["3BFFFIS1772TMZR", "672IZPZ3186U7ZF", "87FAEIZ1B88YDZH"])
    result = solve(task)
    assert result.program_text == r"\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]" and result.verified


def test_fields_of_several_run_shapes_become_a_union_of_them():
    positive = ["11-DH-75", "35-NI-10", "RU-03-10", "79-72-YN", "AB-CD-12", "12-34-AB"]
    task = regex_task("plate", positive, ["V2-64-YE", "97-M5-92", "564-ZJ-90"])
    result = solve(task)
    assert accepts(result.program, "XY-12-AB") and not accepts(result.program, "X1-12-AB")
    assert result.verified and "|" in result.program_text
