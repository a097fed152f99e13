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
    assert "120/120 all inputs exact" in capsys.readouterr().out


def test_check_samples_beyond_the_limit(capsys):
    assert main(["rasp", "check", REVERSE, "--vocab", "a,b,c", "--max-len", "6", "--limit", "100",
                 "--samples", "50"]) == 0
    assert "50/50 sampled inputs exact" in capsys.readouterr().out


def test_show_draws_the_residual_stream(tmp_path, capsys):
    png = tmp_path / "stream.png"
    assert main(["rasp", "show", REVERSE, "--input", "x y z", "--png", str(png)]) == 0
    assert png.stat().st_size > 1000 and capsys.readouterr().out.startswith("z y x")


def test_bench_subset_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["rasp", "bench", "--programs", "reverse,count_a", "--json", str(out)]) == 0
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
