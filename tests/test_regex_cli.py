"""`nesy regex ...` under misuse (issue 20): Python's syntax means what it means in `re`, and every
bad pattern, budget, alphabet or file is a one-line error with exit status 2, never a traceback."""
from __future__ import annotations

import argparse
import codecs
import json
from pathlib import Path

import pytest

from dsl.errors import NesyInputError
from dsl.regex.task_files import load_regex_tasks
from nesy.cli import build_parser, main

FOREST = "dates\n++\n01/02/2024\n--\n1/2/2024\n**\n[0-9]{2}/[0-9]{2}/[0-9]{4}\n"


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    status = main(["regex", *args])
    out, err = capsys.readouterr()
    return status, out, err


def refused(capsys: pytest.CaptureFixture, *args: str) -> str:
    status, _, err = run(capsys, *args)
    assert status == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_equiv_reads_anchors_at_the_ends_as_whole_string_matching(capsys):
    status, out, _ = run(capsys, "equiv", "^a$", "a")
    assert status == 0 and out.strip() == "equivalent"


def test_match_reads_an_escaped_dash_in_a_class_as_the_character(capsys):
    status, out, _ = run(capsys, "match", r"[a-z0-9.\-_]+", "A", "-", "x.y_z")
    assert status == 1 and out.split() == ["reject", "'A'", "accept", "'-'", "accept", "'x.y_z'"]


@pytest.mark.parametrize("command", [["equiv", "{}", "a"], ["convert", "{}"], ["match", "{}", "a"]])
@pytest.mark.parametrize("pattern, fragment", [
    ("(" * 10_000 + "a" + ")" * 10_000, "too long"), ("a" * 100_000, "too long"),
    ("(a" * 3000 + ")" * 3000, "levels deep"), ("a\\1", "backreference"), ("a$b", "anchor $"),
])
def test_patterns_that_would_crash_or_mislead_are_refused_in_one_line(capsys, command, pattern, fragment):
    err = refused(capsys, *[pattern if arg == "{}" else arg for arg in command])
    assert fragment in err, err


@pytest.mark.parametrize("value", ["-5", "nan", "inf", "0", "soon"])
@pytest.mark.parametrize("command", [["equiv", "a", "b"], ["score", "results.json", "--suite", "suite"]])
def test_timeouts_are_checked_before_any_work(capsys, command, value):
    assert "--timeout" in refused(capsys, *command, "--timeout", value)


def test_an_empty_alphabet_is_refused_and_a_huge_timeout_is_not_a_z3_error(capsys):
    assert "--alphabet is empty" in refused(capsys, "equiv", "a", "b", "--alphabet", "")
    status, out, _ = run(capsys, "equiv", "a?", "b?", "--alphabet", "a", "--timeout", "1e300")
    assert status == 1 and "'a' is accepted by R1 only" in out


def test_characters_z3_cannot_check_are_named_with_the_argument(capsys):
    assert "R2:" in refused(capsys, "equiv", "[^a]", "\U00030000")
    assert "--alphabet" in refused(capsys, "equiv", "a", "b", "--alphabet", "a\U00030000")


def _regex_subcommands() -> dict[str, argparse.ArgumentParser]:
    top = build_parser()
    regex = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)).choices["regex"]
    return next(a for a in regex._actions if isinstance(a, argparse._SubParsersAction)).choices


@pytest.mark.parametrize("name", ["equiv", "match", "convert", "score"])
def test_every_argument_of_every_regex_command_has_help(name):
    parser = _regex_subcommands()[name]
    for action in parser._actions:
        assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


# --- regex task files: the encoding is checked, the error names the file and where -----------

@pytest.mark.parametrize("name, text", [("task.txt", FOREST), ("no1_task", "d\n++\n01\n--\n1\n"),
                                        ("regel", '// examples\n"12",+\n"a",-\n// gt\nrepeat(<num>,2)\n')])
def test_task_files_that_are_not_utf8_are_refused_at_their_byte(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    assert load_regex_tasks(path)   # the text itself is fine
    path.write_bytes(text.encode("utf-8") + b"\xff\n")
    with pytest.raises(NesyInputError) as error:
        load_regex_tasks(path)
    assert error.value.path == str(path) and f"byte offset {len(text.encode())}" in str(error.value)
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    with pytest.raises(NesyInputError, match="UTF-16") as error:
        load_regex_tasks(path)
    assert error.value.path == str(path) and error.value.line == 1


def test_a_task_without_examples_names_its_file(tmp_path):
    path = tmp_path / "task.txt"
    path.write_text("description only\n++\n")
    with pytest.raises(NesyInputError) as error:
        load_regex_tasks(path)
    assert error.value.path == str(path)


def test_synth_on_a_utf16_regex_task_is_exit_status_2(capsys, tmp_path):
    path = tmp_path / "task.txt"
    path.write_bytes(FOREST.encode("utf-16"))
    assert main(["synth", "--dsl", "regex", "--guide", "none", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err


@pytest.mark.parametrize("content, fragment", [
    (b"\xff\xfe{}", "UTF-16"), (b'{"results": 3}', "not a list"), (b'{"results": [{"task": 1}]}', "result 1"),
    (b'{"results": [{"task": "dates", "status": "solved", "program": "a(b"}]}', "answer to task dates"),
])
def test_score_refuses_a_damaged_results_file_in_one_line(capsys, tmp_path, content, fragment):
    suite = tmp_path / "dates.txt"
    suite.write_text(FOREST)
    results = tmp_path / "results.json"
    results.write_bytes(content)
    err = refused(capsys, "score", str(results), "--suite", str(suite))
    assert fragment in err and str(results) in err, err


def test_score_still_scores_a_good_answer(capsys, tmp_path):
    suite = tmp_path / "dates.txt"
    suite.write_text(FOREST)
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"results": [{"task": "dates", "status": "solved", "program": r"\d\d/\d\d/\d{4}"}]}))
    status, out, _ = run(capsys, "score", str(results), "--suite", str(suite))
    assert status == 0 and json.loads(out.splitlines()[-1])["equivalent"] == 1


def test_a_forest_ground_truth_that_does_not_parse_is_no_ground_truth(tmp_path):
    from dsl.regex.ground_truth import ground_truth_z3

    path = tmp_path / "task.txt"
    for truth in ("a)b(", "([0-9]{2}))/x, $0 <= 31", "(a$b)"):
        path.write_text(f"++\nab\n--\nb\n**\n{truth}\n")
        assert ground_truth_z3(load_regex_tasks(path)[0]) is None
