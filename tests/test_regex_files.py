"""Regex task files: AlphaRegex's 25, FOREST's format, JSONL, and clear errors for bad files."""
from __future__ import annotations

from pathlib import Path

import pytest

from dsl.errors import NesyInputError
from dsl.regex.task_files import load_regex_tasks
from dsl.regex.tasks import alphabet_of, regex_task
from dsl.task_files import load_tasks

ROOT = Path(__file__).resolve().parents[1]
ALPHAREGEX = ROOT.parent / "shared" / "benchmarks" / "alpharegex"
FOREST = ROOT.parent / "shared" / "benchmarks" / "regex" / "forest"
needs_alpharegex = pytest.mark.skipif(not ALPHAREGEX.is_dir(), reason="AlphaRegex benchmarks not checked out")


@needs_alpharegex
def test_all_25_alpharegex_files_are_read_with_x_expanded():
    tasks = load_regex_tasks(ALPHAREGEX)
    assert len(tasks) == 25
    for task in tasks:
        strings = [e.inputs[0] for e in task.examples]
        assert alphabet_of(task) == "01"
        assert all(set(s) <= {"0", "1"} for s in strings), task.name
        assert len(strings) == len(set(strings))
        assert any(e.output for e in task.examples) and any(not e.output for e in task.examples)
    start_with_0 = next(t for t in tasks if t.name == "no1_start_with_0")
    positives = {e.inputs[0] for e in start_with_0.examples if e.output}
    assert positives == {"0", "00", "01", "000", "001", "010", "011"}


@needs_alpharegex
def test_the_generic_loader_routes_regex_files():
    assert len(load_tasks(ALPHAREGEX / "no2_end_with_01", dsl="regex")) == 1


@pytest.mark.skipif(not FOREST.is_dir(), reason="FOREST benchmarks not checked out")
def test_forest_conditional_negatives_are_negatives_and_tests():
    tasks = {t.name: t for t in load_regex_tasks(FOREST)}
    assert len(tasks) == 62              # pc_lx2 / pc_pt are capture-extraction tasks, skipped
    date = tasks["date2"]
    assert "34/12/90" in {e.inputs[0] for e in date.tests if not e.output}
    assert "34/12/90" in {e.inputs[0] for e in date.examples if not e.output}
    assert date.source.startswith("forest-gt: ([0-9][0-9])/")
    hexa = {e.inputs[0] for e in tasks["hexa"].examples if e.output}
    assert "0x69" in hexa and not any(", " in s for s in hexa)     # `string, capture` lines
    # Empty lines are layout, as in FOREST's own reader, never the empty string as an example.
    assert not any(e.inputs[0] == "" for t in tasks.values() for e in t.examples)


def test_forest_empty_lines_are_not_examples(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("t\n++\n12\n\n345\n--\n\nab\n")
    (task,) = load_regex_tasks(path)
    assert [(e.inputs[0], e.output) for e in task.examples] == [("12", True), ("345", True), ("ab", False)]


def test_jsonl_tasks_with_alphabet_and_tests(tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_text('{"name": "t", "positive": ["ab"], "negative": ["a"], "alphabet": "abc", '
                    '"tests": {"positive": ["abab"], "negative": ["b"]}}\n\n'
                    '{"positive": ["1"], "negative": []}\n')
    first, second = load_regex_tasks(path)
    assert first.name == "t" and alphabet_of(first) == "abc"
    assert [(e.inputs[0], e.output) for e in first.tests] == [("abab", True), ("b", False)]
    assert second.name == "tasks.jsonl:3" and alphabet_of(second) == "1"


@pytest.mark.parametrize("line, fragment", [
    ('{"name": "t", "positive": ["a"', "malformed JSON"),
    ('{"name": "t"}', "needs \"positive\""),
    ('{"positive": ["a", 3]}', "list of strings"),
    ('{"positive": ["a"], "negative": ["a"]}', "both positive and negative"),
    ('{"positive": ["a"], "alphabet": 5}', "alphabet"),
])
def test_bad_jsonl_names_file_and_line(tmp_path, line, fragment):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"positive": ["x"]}\n' + line + "\n")
    with pytest.raises(NesyInputError) as error:
        load_regex_tasks(path)
    assert f"{path}:2" in str(error.value) and fragment in str(error.value)


def test_bad_alpharegex_file_names_the_line(tmp_path):
    path = tmp_path / "no_bad"
    path.write_text("description\n++\n01\n0a1\n--\n1\n")
    with pytest.raises(NesyInputError, match=r"no_bad:4: unexpected symbol 'a'"):
        load_regex_tasks(path)
    empty = tmp_path / "no_sections"
    empty.write_text("just a description\n")
    with pytest.raises(NesyInputError, match="no `\\+\\+`"):
        load_regex_tasks(empty)


def test_regex_task_rejects_contradictions():
    with pytest.raises(NesyInputError):
        regex_task("t", ["a"], ["a"])
    with pytest.raises(NesyInputError):
        regex_task("t", [], [])


REGEL_TASK = """// natural language
letters then digits

//example
"ab12",+
'x9',+
"12",-
“a”,-

// gt
concat(repeatatleast(<let>,1),repeatatleast(<num>,1))
"""


def test_regel_files_are_read_with_their_ground_truth(tmp_path):
    import z3

    from dsl.regex.ground_truth import ground_truth_z3
    from solvers.regex.checking import z3_classifies, z3_equivalence

    path = tmp_path / "7"
    path.write_text(REGEL_TASK)
    (task,) = load_regex_tasks(tmp_path)
    assert [(e.inputs[0], e.output) for e in task.examples] == [("ab12", True), ("x9", True), ("12", False),
                                                                 ("a", False)]
    truth = ground_truth_z3(task)
    assert isinstance(truth, z3.ReRef)
    assert z3_classifies(truth, ["ab12", "x9"], ["12", "a"])
    from dsl.regex import parse_regex
    assert z3_equivalence(parse_regex("[A-Za-z]+\\d+"), truth).equivalent


@pytest.mark.parametrize("term, accepted, rejected", [
    ("and(contain(<num>),not(contain(< >)))", ["a1", "9"], ["a 1", "ab"]),
    ("star(not(<->))", ["abc", ""], ["a-b"]),
    ("concat(startwith(<a>),endwith(<b>))", ["ab", "axxb"], ["ba", "a"]),
    ("repeatrange(or(<hex>,<_>),2,3)", ["f_", "0aF"], ["g1", "1", "1234"]),
])
def test_regel_terms_mean_what_regel_says(term, accepted, rejected):
    from dsl.regex.regel import regel_to_z3
    from solvers.regex.checking import z3_classifies

    assert z3_classifies(regel_to_z3(term), accepted, rejected)


def test_malformed_regel_ground_truth_is_reported():
    from dsl.regex.regel import regel_to_z3

    with pytest.raises(NesyInputError, match="unknown operator"):
        regel_to_z3("frobnicate(<a>)")
    with pytest.raises(NesyInputError, match="expected \\)"):
        regel_to_z3("concat(<a>,<b>")
