"""The command line as a user runs it: real processes, exit codes, one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYGUS = ROOT.parent / "shared" / "benchmarks" / "sygus-pbe-slia-2019"


def nesy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nesy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


SIMPLE_SL = """(set-logic SLIA)
(synth-fun f ((name String)) String
  ((Start String (ntString))
   (ntString String (name " " "." (str.++ ntString ntString) (str.at ntString ntInt)
                     (str.substr ntString ntInt ntInt)))
   (ntInt Int (0 1 2 (+ ntInt ntInt) (str.indexof ntString ntString ntInt)))))
(declare-var name String)
(constraint (= (f "Nancy FreeHafer") "N."))
(constraint (= (f "Andrew Cencici") "A."))
(constraint (= (f "Jan Kotas") "J."))
(check-synth)
"""


def test_synth_on_a_sygus_file_prints_a_define_fun(tmp_path):
    done = nesy("synth", str(write(tmp_path, "initial.sl", SIMPLE_SL)), "--timeout", "20")
    assert done.returncode == 0, done.stderr
    assert "(define-fun f ((name String)) String (str.++ (str.at name 0) \".\"))" in done.stdout


def test_synth_on_jsonl_reports_held_out_accuracy(tmp_path):
    task = {"name": "double", "examples": [{"inputs": ["ab"], "output": "abab"}],
            "tests": [{"inputs": ["xy"], "output": "xyxy"}]}
    done = nesy("synth", str(write(tmp_path, "t.jsonl", json.dumps(task) + "\n")), "--timeout", "10")
    assert done.returncode == 0, done.stderr
    assert "held-out tests correct: True" in done.stdout


def test_bench_writes_the_json_shape(tmp_path):
    lines = [json.dumps({"name": f"t{i}", "examples": [{"inputs": [s], "output": s + s}]})
             for i, s in enumerate(["a", "bc"])]
    suite = write(tmp_path, "suite.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "r.json"
    done = nesy("bench", "strings", "--suite", str(suite), "--timeout", "10", "--jobs", "2", "--json", str(out),
                "--quiet")
    assert done.returncode == 0, done.stderr
    assert "solved 0/2 (found 2," in done.stdout     # no held-out tests: found, not solved
    results = json.loads(out.read_text())["results"]
    assert {r["task"] for r in results} == {"t0", "t1"}
    assert set(results[0]) >= {"task", "status", "seconds", "program", "size", "test_correct"}


@pytest.mark.parametrize("name,text,fragment", [
    ("bad.jsonl", '{"name": "x", "examples": [\n', "bad.jsonl:1: malformed JSON"),
    ("mixed.jsonl", json.dumps({"name": "m", "examples": [{"inputs": ["a"], "output": "b"},
                                                          {"inputs": [3], "output": "c"}]}), "mixed types"),
    ("empty.jsonl", json.dumps({"name": "e", "examples": []}), "empty"),
    ("syntax.sl", "(set-logic SLIA)\n(synth-fun f ((x String)) String\n", "syntax.sl:"),
    ("logic.sl", "(set-logic BV)\n(check-synth)\n", "logic"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, name, text, fragment):
    done = nesy("synth", str(write(tmp_path, name, text)), "--timeout", "1")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert fragment in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_file_is_named(tmp_path):
    done = nesy("synth", str(tmp_path / "nope.sl"))
    assert done.returncode == 2 and "no such file" in done.stderr


def test_help_lists_the_commands():
    done = nesy("--help")
    assert done.returncode == 0
    for command in ("synth", "bench"):
        assert command in done.stdout


# --- the user docs say what the code does ----------------------------------------------------------

def _documented_ops(text: str) -> dict[tuple[str, tuple[str, ...], str], str]:
    """(name, argument types, result type) -> the "searched" cell, from the tables of docs/strings.md."""
    import re

    row = re.compile(r"^\| `([^`]+)` \| `\(([^)]*)\) -> (\w+)` \| .* \| (yes|no) \|$")
    found = {}
    for line in text.splitlines():
        match = row.match(line)
        if match:
            name, args, result, searched = match.groups()
            found[(name, tuple(a.strip() for a in args.split(",")), result)] = searched
    return found


def test_strings_doc_lists_exactly_the_op_table():
    from dsl.strings import SEARCH_OPS
    from dsl.strings.ops import ALIASES, ALL_OPS

    text = (ROOT / "docs" / "strings.md").read_text()
    documented = _documented_ops(text)
    table = {(op.name, tuple(str(t) for t in op.arg_types), str(op.return_type)): "yes" if op in SEARCH_OPS else "no"
             for op in ALL_OPS}
    assert documented == table
    for alias in ALIASES:
        assert f"`{alias}`" in text


def test_readme_says_how_to_run_nesy_after_make_demo():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert ".venv/bin/nesy" in readme and "source .venv/bin/activate" in readme
    train_lines = [line for line in readme.splitlines() if "nesy train guide" in line]
    assert train_lines and not any("datasets/" in line and "--force" not in line for line in train_lines)


def test_cli_doc_lists_the_exit_statuses():
    text = (ROOT / "docs" / "cli.md").read_text()
    for status in ("| 0 |", "| 1 |", "| 2 |", "| 130 |"):
        assert status in text


def test_bench_sample_is_only_for_the_nl_regex_bench():
    done = nesy("bench", "strings", "--suite", "datasets/strings/demo.jsonl", "--sample", "3")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["nesy: error: --sample: only the nl-regex bench samples its "
                                                 "splits, not strings"]
