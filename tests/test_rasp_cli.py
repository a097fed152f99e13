"""`nesy rasp ...` end to end, as a user runs it."""
from __future__ import annotations

import json

import pytest
import torch

from dsl.rasp import LIBRARY_DIR
from nesy.cli import main

REVERSE = str(LIBRARY_DIR / "reverse.rasp")


def test_run_prints_the_output(capsys):
    assert main(["rasp", "run", REVERSE, "--input", "a b c"]) == 0
    assert capsys.readouterr().out.strip() == "c b a"


def test_run_trace(capsys):
    assert main(["rasp", "run", REVERSE, "--input", "1 2", "--trace"]) == 0
    assert "opp_index: 1 0" in capsys.readouterr().out


def test_compile_writes_model_and_metadata(tmp_path, capsys):
    out, lens = tmp_path / "model.pt", tmp_path / "lens.pt"
    assert main(["rasp", "compile", REVERSE, "--vocab", "a,b,c", "--max-len", "8", "--out", str(out),
                 "--transformer-lens", str(lens)]) == 0
    metadata = json.loads(out.with_suffix(".json").read_text())
    assert metadata["vocab"] == ["a", "b", "c"] and metadata["max_len"] == 8
    assert "layers 2" in capsys.readouterr().out
    assert torch.load(lens, weights_only=True)["config"]["attention_dir"] == "bidirectional"


def test_check_reports_exactness(capsys):
    assert main(["rasp", "check", str(LIBRARY_DIR / "sort_paper.rasp"), "--vocab", "a,b,c", "--max-len", "4"]) == 0
    out = capsys.readouterr().out
    assert "model == interpreter: 120/120 agree on all 120 inputs of length 1..4" in out and "0 skipped" in out


def test_check_samples_beyond_the_limit(capsys):
    assert main(["rasp", "check", REVERSE, "--vocab", "a,b,c", "--max-len", "6", "--limit", "100",
                 "--samples", "50"]) == 0
    assert "model == interpreter: 50/50 agree on 50 sampled inputs" in capsys.readouterr().out


def test_show_draws_the_residual_stream(tmp_path, capsys):
    png = tmp_path / "stream.png"
    assert main(["rasp", "show", REVERSE, "--input", "x y z", "--png", str(png)]) == 0
    assert png.stat().st_size > 1000 and capsys.readouterr().out.startswith("z y x")


def test_bench_subset_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["rasp", "bench", "--programs", "reverse,count_a", "--no-cold", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["results"]
    assert [r["program"] for r in rows] == ["reverse", "count_a"]
    assert all(r["exact_fraction"] == 1.0 and r["inputs_checked"] > 0 for r in rows)
    assert {"layers", "heads", "d_model", "mlp_hidden", "params", "compile_seconds"} <= set(rows[0])
    assert "| reverse |" in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["rasp", "run", "missing.rasp", "--input", "a"], "cannot read RASP file"),
    (["rasp", "check", REVERSE, "--vocab", ",", "--max-len", "3"], "has no tokens"),
    (["rasp", "bench", "--programs", "nope"], "not in the library: nope"),
])
def test_bad_input_is_one_line_exit_2(argv, words, capsys):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert words in error and error.count("\n") == 1


def test_check_fails_when_no_input_could_be_checked(tmp_path, capsys):
    program = tmp_path / "plus1.rasp"
    program.write_text("map(lambda x: x + 1, tokens);\n")  # fails on every input over letters
    assert main(["rasp", "check", str(program), "--vocab", "a,b", "--max-len", "3"]) == 1
    out = capsys.readouterr().out
    assert "model == interpreter: 0/0 agree" in out and "14 skipped" in out
    assert "FAILED: no input could be checked; 14 inputs were skipped" in out


def test_check_fails_when_some_inputs_are_skipped(tmp_path, capsys):
    program = tmp_path / "divide.rasp"
    program.write_text("map(lambda x: 6 / x, tokens);\n")  # fails where a token is 0
    assert main(["rasp", "check", str(program), "--vocab", "0,1,2", "--max-len", "2"]) == 1
    out = capsys.readouterr().out
    assert "6/6 agree" in out and "6 skipped" in out and "skipped input 0:" in out and "division by zero" in out
    assert "FAILED: 6 inputs were skipped" in out


def test_check_against_a_python_reference(tmp_path, capsys):
    reference = tmp_path / "intended.py"
    reference.write_text("def reference(tokens):\n    return tokens[::-1]\n\n"
                         "def sorted_tokens(tokens):\n    return sorted(tokens)\n")
    argv = ["rasp", "check", REVERSE, "--vocab", "1,2", "--max-len", "3", "--reference"]
    assert main(argv + [str(reference)]) == 0
    assert "program == reference: 14/14 agree" in capsys.readouterr().out
    assert main(argv + [f"{reference}:sorted_tokens"]) == 1
    out = capsys.readouterr().out
    assert "program == reference: 9/14 agree" in out and "input 1 2: program 2 1, reference 1 2" in out
    assert "FAILED: the program differs from the reference on 5 of 14 inputs" in out


def test_check_against_an_io_file(tmp_path, capsys):
    examples = tmp_path / "reverse.txt"
    examples.write_text("# input -> intended output\n1 2 3 -> 3 2 1\n2 2 1 -> 1 2 2\n1 2 -> 1 2\n")
    assert main(["rasp", "check", REVERSE, "--vocab", "1,2,3", "--max-len", "3", "--reference", str(examples)]) == 1
    out = capsys.readouterr().out
    assert "program == reference: 2/3 agree" in out and "input 1 2: program 2 1, reference 1 2" in out


@pytest.mark.parametrize("reference, words", [
    ("missing.py", "cannot read the reference file"),
    ("REF.py:nope", "no function 'nope'"),
    ("bad.txt", "bad.txt:2: an example is 'input tokens -> output tokens'"),
    ("long.txt", "long.txt:1: input of length 4 exceeds max_len 3"),
])
def test_bad_reference_is_one_line_exit_2(tmp_path, capsys, reference, words):
    (tmp_path / "REF.py").write_text("def reference(tokens):\n    return tokens\n")
    (tmp_path / "bad.txt").write_text("1 -> 1\n1 2 1\n")
    (tmp_path / "long.txt").write_text("1 2 3 1 -> 1 3 2 1\n")
    assert main(["rasp", "check", REVERSE, "--vocab", "1,2,3", "--max-len", "3", "--reference",
                 str(tmp_path / reference)]) == 2
    error = capsys.readouterr().err
    assert words in error and error.count("\n") == 1


@pytest.mark.parametrize("data, words", [
    ("tokens;\n".encode("utf-16"), "UTF-16"),
    ("x = tokens; # caf\xe9\n".encode("latin-1"), "bad.rasp:1:18: not UTF-8 text (byte 0xe9)"),
    (("-" * 10000 + "tokens;\n").encode(), "nested deeper than"),
    (("tokens" + " + 1" * 10000 + ";\n").encode(), "nested deeper than"),
    (("abs(" * 10000 + "tokens" + ")" * 10000 + ";\n").encode(), "bad.rasp:1:804: brackets nested deeper"),
    (("(" * 10000 + "tokens" + ")" * 10000 + ";\n").encode(), "brackets nested deeper than 200 levels"),
    (("tokens + " + "9" * 5000 + ";\n").encode(), "bad.rasp:1:10: number with 5000 digits"),
])
def test_unreadable_programs_are_one_line_exit_2(tmp_path, capsys, data, words):
    path = tmp_path / "bad.rasp"
    path.write_bytes(data)
    for argv in (["run", str(path), "--input", "1 2"], ["compile", str(path), "--vocab", "1,2", "--max-len", "2",
                                                        "--out", str(tmp_path / "m.pt")]):
        assert main(["rasp", *argv]) == 2
        error = capsys.readouterr().err
        assert words in error and error.count("\n") == 1


def test_a_byte_order_mark_is_fine(tmp_path, capsys):
    path = tmp_path / "bom.rasp"
    path.write_bytes("\ufeffindices + 1;\n".encode("utf-8"))
    assert main(["rasp", "run", str(path), "--input", "a b"]) == 0
    assert capsys.readouterr().out.strip() == "1 2"


def test_huge_input_number_is_one_line_exit_2(capsys):
    assert main(["rasp", "run", REVERSE, "--input", "1 " + "9" * 5000]) == 2
    error = capsys.readouterr().err
    assert "has 5000 digits" in error and error.count("\n") == 1


def test_run_prints_exact_fractions(capsys):
    assert main(["rasp", "run", str(LIBRARY_DIR / "frac_prevs.rasp"), "--input", "x y y x"]) == 0
    assert capsys.readouterr().out.strip() == "1 0.5 1/3 0.5"
