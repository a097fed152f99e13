"""The command line under misuse: bad budgets, unwritable outputs, Ctrl-C, closed pipes, and the
help and exit statuses a user relies on. Small tasks, `--timeout 1`, `--guide none` where the
guide does not matter."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nesy.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
EASY = {"name": "easy", "examples": [{"inputs": ["ab"], "output": "abab"}, {"inputs": ["c"], "output": "cc"}]}
# No small program yields these outputs: each such task runs until its time limit.
HARD = {"name": "hard", "examples": [
    {"inputs": ["John Smith"], "output": "no program yields this: J.S. 2024/03/12 #1"},
    {"inputs": ["Ada Lovelace"], "output": "no program yields this: A.L. 1815/11/01 #2"},
    {"inputs": ["Alan Turing"], "output": "no program yields this: A.T. 1912/06/23 #3"}]}


def task_file(tmp_path: Path, hard: int = 0) -> Path:
    """One easy task, then `hard` tasks that each take the whole time limit."""
    records = [EASY] + [dict(HARD, name=f"hard{i}") for i in range(hard)]
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def one_line_error(capsys: pytest.CaptureFixture, fragment: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert fragment in err, err
    return err


def start(*args: str, **popen: object) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "nesy", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


# --- budgets: refused by argparse before any work, in one line -----------------------------------

SYNTH = ["synth", "{file}", "--guide", "none"]
BENCH = ["bench", "strings", "--suite", "{file}", "--guide", "none", "--quiet"]
TRAIN = ["train", "guide", "--out", "{tmp}/g.pt"]


@pytest.mark.parametrize("command,option,value", [
    (SYNTH, "--timeout", "-5"), (SYNTH, "--timeout", "nan"), (SYNTH, "--timeout", "inf"),
    (SYNTH, "--timeout", "0"), (SYNTH, "--timeout", "soon"),
    (SYNTH, "--max-candidates", "0"), (SYNTH, "--max-candidates", "-3"), (SYNTH, "--max-candidates", "1.5"),
    (SYNTH, "--max-memory-mb", "-1"), (SYNTH, "--max-memory-mb", "nan"),
    (BENCH, "--timeout", "-5"), (BENCH, "--timeout", "nan"), (BENCH, "--jobs", "0"), (BENCH, "--jobs", "-2"),
    (BENCH, "--limit", "0"), (BENCH, "--limit", "-1"),
    (TRAIN, "--values", "0"), (TRAIN, "--jobs", "0"), (TRAIN, "--epochs", "-1"), (TRAIN, "--seed", "-1"),
    (TRAIN, "--pool-candidates", "0"),
])
def test_bad_budget_is_one_line_exit_2(tmp_path, capsys, command, option, value):
    args = [a.format(file=task_file(tmp_path), tmp=tmp_path) for a in command] + [f"{option}={value}"]
    assert main(args) == 2
    one_line_error(capsys, f"argument {option}:")
    assert not (tmp_path / "g.pt").exists()


def test_good_budgets_are_accepted(tmp_path, capsys):
    assert main(["synth", str(task_file(tmp_path)), "--guide", "none", "--timeout", "1", "--max-candidates",
                 "100000", "--max-memory-mb", "2048.5"]) == 0
    assert "task easy: fits-examples" in capsys.readouterr().out


# --- output files: checked before the run starts --------------------------------------------------

@pytest.mark.parametrize("command", [SYNTH, BENCH])
def test_json_naming_a_folder_is_refused_before_the_run(tmp_path, capsys, command):
    args = [a.format(file=task_file(tmp_path)) for a in command] + ["--timeout", "1", "--json", str(tmp_path)]
    assert main(args) == 2
    err = one_line_error(capsys, "--json names a folder")
    assert str(tmp_path) in err
    assert "task easy" not in capsys.readouterr().out  # nothing was run


@pytest.mark.parametrize("command", [SYNTH, BENCH])
def test_json_under_a_file_is_refused_before_the_run(tmp_path, capsys, command):
    file = task_file(tmp_path)
    args = [a.format(file=file) for a in command] + ["--timeout", "1", "--json", str(file / "r.json")]
    assert main(args) == 2
    one_line_error(capsys, "is a file")


def test_synth_json_into_a_missing_folder_makes_it(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "r.json"
    assert main(["synth", str(task_file(tmp_path)), "--guide", "none", "--timeout", "1", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["state"] == "finished"
    assert [r["status"] for r in document["results"]] == ["fits-examples"]
    assert [p.name for p in out.parent.iterdir()] == ["r.json"]  # no temporary file left behind


def test_bench_json_records_its_state(tmp_path, capsys):
    out = tmp_path / "b.json"
    assert main(["bench", "strings", "--suite", str(task_file(tmp_path)), "--guide", "none", "--quiet",
                 "--timeout", "1", "--jobs", "1", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["state"] == "finished"
    assert [r["status"] for r in document["results"]] == ["fits-examples"]


# --- Ctrl-C: one stops the whole run; what finished is printed and written, exit 130 ------------------

def test_one_ctrl_c_stops_synth_and_keeps_what_finished(tmp_path):
    out = tmp_path / "r.json"
    process = start("synth", str(task_file(tmp_path, hard=4)), "--guide", "none", "--timeout", "1",
                    "--json", str(out), start_new_session=True)
    first = []
    while not first or first[-1].strip():  # the first result's block ends with a blank line
        first.append(process.stdout.readline())
        assert first[-1], process.communicate()[1]
    assert first[0].startswith("task easy: fits-examples")
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    document = json.loads(out.read_text())
    assert document["state"] == "interrupted"
    statuses = [r["status"] for r in document["results"]]
    assert statuses[0] == "fits-examples" and statuses[-1] == "interrupted" and len(statuses) == 5


def test_one_ctrl_c_stops_bench_with_both_guides(tmp_path):
    out = tmp_path / "b.json"
    process = start("bench", "strings", "--suite", str(task_file(tmp_path, hard=3)), "--guide", "both",
                    "--timeout", "1", "--jobs", "1", "--quiet", "--json", str(out), start_new_session=True)
    deadline = time.monotonic() + 120
    while not (out.exists() and json.loads(out.read_text())["results"]):  # written as results arrive
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()[1]
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    stdout, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "guided: solved" in stdout and "plain: solved 0/4" in stdout  # the table of what finished
    document = json.loads(out.read_text())
    assert document["state"] == "interrupted"
    assert document["runs"]["guided"]["results"][0]["status"] == "fits-examples"
    assert {r["status"] for r in document["runs"]["plain"]["results"]} == {"interrupted"}  # never started


# --- a closed output pipe (`nesy ... | head`) ends quietly -------------------------------------------

@pytest.mark.parametrize("command,status", [
    (["--help"], 0),  # argparse itself ignores a failed write of help
    (SYNTH + ["--timeout", "1"], 141), (BENCH + ["--timeout", "1"], 141)])
def test_closed_stdout_is_no_traceback(tmp_path, command, status):
    process = start(*[a.format(file=task_file(tmp_path)) for a in command])
    process.stdout.close()  # the reader is gone before the first line is written
    err = process.stderr.read()
    process.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert process.returncode == status


# --- help, version, exit statuses --------------------------------------------------------------------

def test_version(capsys):
    assert main(["--version"]) == 0
    from nesy import __version__
    assert capsys.readouterr().out.strip() == f"nesy {__version__}"


def test_synth_help_lists_the_discovered_dsls(capsys):
    from dsl.registry import dsl_names

    assert main(["synth", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    names = dsl_names()
    assert f"known: {', '.join(names)}" in out
    assert "regex" in names and "strings" in names


def test_top_level_help_discovers_no_dsl():
    code = ("import sys; from nesy.cli import main; main(['--help']); "
            "print(sorted(m for m in sys.modules if m.startswith('dsl.') and m != 'dsl.errors'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


@pytest.mark.parametrize("command", [["synth"], ["bench"], ["train", "guide"]])
def test_help_documents_exit_statuses(capsys, command):
    assert main([*command, "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0" in out and "2 bad input" in out and "130 interrupted" in out


def _subparser(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    for name in names:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


@pytest.mark.parametrize("command", [["synth"], ["bench"], ["train", "guide"]])
def test_every_option_has_help(command):
    parser = _subparser(build_parser(), *command)
    missing = [a.option_strings or a.dest for a in parser._actions if not a.help]
    assert missing == []


# --- training never overwrites a file unless asked ------------------------------------------------

SMALL_TRAINING = ["--values", "20", "--epochs", "1", "--jobs", "1", "--pool-candidates", "200"]


@pytest.mark.parametrize("existing", ["g.pt", "g.json"])
def test_train_refuses_to_overwrite_without_force(tmp_path, capsys, existing):
    (tmp_path / existing).write_text("precious")
    assert main(["train", "guide", "--out", str(tmp_path / "g.pt"), *SMALL_TRAINING]) == 2
    one_line_error(capsys, "--force")
    assert (tmp_path / existing).read_text() == "precious"


def test_train_default_output_is_outside_datasets(tmp_path, monkeypatch):
    from nesy.commands import train

    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["train", "guide"])
    weights, card = train.output_paths(args)  # refused if it existed
    assert "datasets" not in weights.parts and card.suffix == ".json"
    assert not weights.is_absolute()


def test_train_refuses_the_shipped_weights(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    shipped = Path("datasets/guides/strings.pt")
    before = shipped.stat().st_mtime_ns
    assert main(["train", "guide", "--out", str(shipped), *SMALL_TRAINING]) == 2
    one_line_error(capsys, "--force")
    assert shipped.stat().st_mtime_ns == before


# --- atomic writes ---------------------------------------------------------------------------------

def test_write_atomically_replaces_whole_files(tmp_path):
    from nesy.commands.options import write_atomically

    path = tmp_path / "r.json"
    write_atomically(path, "first")
    write_atomically(path, "second")
    assert path.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
