"""The JSONL and BUSTLE/CrossBeam JSON task readers: what they accept, and a one-line located error
for everything else (bad encodings, deep nesting, huge numbers, unknown keys, unusable names)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsl.errors import NesyInputError
from dsl.task_files import load_tasks

BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
DATASETS = Path(__file__).resolve().parents[1] / "datasets" / "strings"
EXAMPLES = [{"inputs": ["ab"], "output": "abab"}, {"inputs": ["x"], "output": "xx"}]


def jsonl(tmp_path: Path, *records: object, name: str = "t.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def refused(path: Path, fragment: str) -> NesyInputError:
    """The error reading `path`: one line, naming the file, containing `fragment`."""
    with pytest.raises(NesyInputError) as caught:
        load_tasks(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and fragment in message, message
    return caught.value


@pytest.mark.parametrize("names,fragment", [
    (["x", "x"], "input name 'x' is given twice"),
    (["my x", "y"], "not an SMT-LIB symbol"),
    (["x)", "y"], "not an SMT-LIB symbol"),
    (["1x", "y"], "not an SMT-LIB symbol"),
    (["-1", "y"], "not an SMT-LIB symbol"),
    (["", "y"], "not an SMT-LIB symbol"),
    (["true", "y"], "reserved word"),
    (["str.len", "y"], "reserved word or an operator"),
    (["str.to_int", "y"], "reserved word or an operator"),
    ([1, "y"], "input name 1 is not a string"),
    ([["x"], "y"], "is not a string"),
])
def test_input_names_must_be_distinct_smt_symbols(tmp_path, names, fragment):
    record = {"name": "join", "examples": [{"inputs": ["a", "b"], "output": "ab"}], "input_names": names}
    assert refused(jsonl(tmp_path, record), fragment).line == 1


def test_input_names_that_are_not_a_list_are_refused(tmp_path):
    refused(jsonl(tmp_path, {"name": "t", "examples": EXAMPLES, "inputNames": "x"}), "must be a list of names")


def test_good_input_names_are_kept(tmp_path):
    record = {"name": "join", "examples": [{"inputs": ["a", "b"], "output": "ab"}], "inputNames": ["first", "last-1"]}
    [task] = load_tasks(jsonl(tmp_path, record))
    assert [v.name for v in task.inputs] == ["first", "last-1"]


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
@pytest.mark.parametrize("encoding,name,fragment", [("latin-1", "café", "not UTF-8: byte 0xe9 at byte offset 14"),
                                                    ("utf-16", "café", "UTF-16"),
                                                    ("utf-16-le", "cafe", "NUL character at offset 1")])
def test_files_that_are_not_utf8_are_refused_with_the_offset(tmp_path, suffix, encoding, name, fragment):
    path = tmp_path / f"t{suffix}"
    path.write_bytes((json.dumps([{"name": name, "examples": EXAMPLES}], ensure_ascii=False) + "\n").encode(encoding))
    assert refused(path, fragment).line == 1


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"name": "bom", "examples": EXAMPLES}).encode())
    assert [t.name for t in load_tasks(path)] == ["bom"]


def test_line_separators_inside_strings_do_not_split_jsonl_lines(tmp_path):
    record = {"name": "sep", "examples": [{"inputs": ["a\u2028b"], "output": "a"}, {"inputs": ["c\x85"], "output": "c"}]}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [task] = load_tasks(path)
    assert task.examples[0].inputs == ("a\u2028b",)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_deep_nesting_is_refused_at_its_position(tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    path.write_text('{"name": "x", "examples": ' + "[" * 10_000 + "]" * 10_000 + "}\n")
    error = refused(path, "nested deeper than 100 levels")
    assert error.line == 1


def test_a_5000_digit_number_is_refused(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"name": "n", "examples": EXAMPLES}) + "\n"
                    + '{"name": "big", "examples": [{"inputs": [1], "output": ' + "9" * 5000 + "}]}\n")
    assert refused(path, "an integer with more than").line == 2


def test_an_unknown_key_is_named_with_file_line_and_the_known_keys(tmp_path):
    path = jsonl(tmp_path, {"name": "a", "examples": EXAMPLES}, {"name": "b", "exmaples": EXAMPLES, "examples": EXAMPLES})
    error = refused(path, "unknown key 'exmaples' in a task (known keys: name, description, examples")
    assert error.line == 2


def test_an_unknown_example_key_is_refused(tmp_path):
    record = {"name": "a", "examples": [{"inputs": ["a"], "output": "aa", "outptu": "x"}]}
    refused(jsonl(tmp_path, record), "unknown key 'outptu' in examples[0]")


def test_json_list_errors_point_at_the_task_line(tmp_path):
    path = tmp_path / "tasks.json"
    good = {"name": "a", "trainExamples": EXAMPLES, "testExamples": [], "tables": [], "expectedProgram": "",
            "tags": [], "description": ""}
    path.write_text(json.dumps([good, {"name": "b", "trainExamples": EXAMPLES, "tests2": []}], indent=2))
    error = refused(path, "unknown key 'tests2'")
    assert error.line == path.read_text().splitlines().index("  {", 2) + 1


def test_malformed_json_lists_keep_line_and_column(tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text('[\n  {"name": "a", "examples": []},\n  {"name": }\n]\n')
    error = refused(path, "malformed JSON")
    assert (error.line, error.column) == (3, 12)


def test_inputs_only_rows_are_accepted_and_checked(tmp_path):
    rows = {"name": "r", "examples": EXAMPLES, "inputs_only": [["cd"], "e"]}
    assert len(load_tasks(jsonl(tmp_path, rows))) == 1
    refused(jsonl(tmp_path, {**rows, "inputs_only": [["a", "b"]]}, name="arity.jsonl"), "inputs_only[0] has 2 inputs")
    refused(jsonl(tmp_path, {**rows, "inputs_only": [[3]]}, name="type.jsonl"), "inputs_only[0]: input x0 is Int")
    refused(jsonl(tmp_path, {**rows, "inputs_only": "cd"}, name="shape.jsonl"), "must be a list of input rows")


@pytest.mark.parametrize("record,fragment", [
    ({"name": ["x"], "examples": EXAMPLES}, "task name must be a string"),
    ({"name": "\ud800", "examples": EXAMPLES}, "task name must be a string"),
    ({"name": "b", "examples": EXAMPLES, "trainExamples": EXAMPLES}, "both 'examples' and 'trainExamples'"),
])
def test_odd_task_records_are_refused(tmp_path, record, fragment):
    refused(jsonl(tmp_path, record), fragment)


@pytest.mark.skipif(not (BENCHMARKS / "bustle").is_dir(), reason="BUSTLE benchmarks not present")
def test_shipped_suites_use_only_known_keys():
    assert len(load_tasks(BENCHMARKS / "bustle")) == 127
    assert len(load_tasks(DATASETS)) == 85      # spreadsheet 55, demo 10, forum 20
