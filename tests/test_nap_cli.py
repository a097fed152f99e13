"""The `nesy nap` commands end to end, as a user runs them, on the cached digits network."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nesy.cli import main
from nesy.nap.bench import BenchConfig, run_bench


def test_mine_verify_and_plot(tmp_path: Path, capsys) -> None:
    naps, report, png = tmp_path / "naps.json", tmp_path / "report.json", tmp_path / "naps.png"
    assert main(["nap", "mine", "--model", "digits", "--delta", "0.99", "--out", str(naps), "--plot", str(png)]) == 0
    assert png.stat().st_size > 1000 and "recall" in capsys.readouterr().out
    assert main(["nap", "verify", "--model", "datasets/nap/digits-64-32-32-10.onnx", "--naps", str(naps),
                 "--property", "robust", "--region", "ball:0.05", "--classes", "3", "--timeout", "5",
                 "--json", str(report)]) == 0
    results = json.loads(report.read_text())["results"]
    assert len(results) == 9 and all(r["verdict"] == "verified" for r in results)
    assert main(["nap", "verify", "--naps", str(naps), "--property", "robust", "--classes", "3",
                 "--timeout", "5", "--json", str(report)]) == 0
    results = json.loads(report.read_text())["results"]
    falsified = [r for r in results if r["verdict"] == "counterexample"]
    assert falsified and all(r["replayed"] and r["counterexample"]["follows_nap"] for r in falsified)


def test_bench_writes_totals(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    assert main(["nap", "bench", "--classes", "0,1", "--deltas", "1.0", "--no-marabou", "--eps-timeout", "0.2",
                 "--json", str(out)]) == 0
    totals = json.loads(out.read_text())["totals"]
    assert totals["queries"] == 2 * 2 * 9 + 1 and totals["marabou_seconds"] == "not installed"
    assert totals["unreplayed_counterexamples"] == 0 and totals["decided"] == totals["queries"]
    table = capsys.readouterr().out
    assert "marabou s" not in table and "agree" not in table and "Marabou: not run (--no-marabou)" in table


def test_bad_input_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["nap", "verify", "--naps", str(tmp_path / "missing.json")]) == 2
    assert main(["nap", "mine", "--model", str(tmp_path / "m.pt"), "--out", str(tmp_path / "n.json")]) == 2
    assert main(["nap", "verify", "--naps", "x", "--region", "ball:-1"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith("nesy: error:") for e in errors)


@pytest.mark.slow
def test_full_bench_decides_every_property_on_the_digits_network() -> None:
    """The issue's goals on the 64-32-32-10 network: all 60 properties decided, every witness replayed."""
    result = run_bench(BenchConfig(marabou=False))
    totals = result["totals"]
    assert totals["properties"] == 60 and totals["properties_undecided_at_retry"] == 0
    assert totals["properties_decided_at_timeout"] >= 54
    assert totals["unreplayed_counterexamples"] == 0 and totals["decided"] == totals["queries"] == 675


def test_verify_prints_a_totals_line(tmp_path: Path, capsys) -> None:
    naps = tmp_path / "naps.json"
    assert main(["nap", "mine", "--out", str(naps)]) == 0
    capsys.readouterr()
    assert main(["nap", "verify", "--naps", str(naps), "--classes", "3", "--timeout", "5"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"totals: 9 queries: 0 hold, 9 violated, 0 unknown \(witness did not replay\), "
                        r"0 timeout; \d+\.\d\d s", last), last


def run_nesy(args: list[str], prelude: str = "", close_stdout: bool = False) -> subprocess.CompletedProcess:
    """`nesy ARGS` in a fresh interpreter (unbuffered, as on a terminal); `prelude` runs first."""
    code = f"import sys\n{prelude}\nfrom nesy.cli import main\nsys.exit(main({args!r}))"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(Path.cwd())}
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if close_stdout:
        process.stdout.close()   # the reader is gone before the first line, as with `| head -0`
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(args, process.returncode, out or b"", err.decode())


def test_closed_stdout_keeps_the_files_and_ends_quietly(tmp_path: Path) -> None:
    naps, png = tmp_path / "naps.json", tmp_path / "naps.png"
    done = run_nesy(["nap", "mine", "--out", str(naps), "--plot", str(png)], close_stdout=True)
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    assert done.returncode in (0, 141) and naps.exists() and png.stat().st_size > 1000


def test_missing_optional_package_names_the_extra(tmp_path: Path) -> None:
    done = run_nesy(["nap", "bench", "--classes", "0", "--deltas", "1.0", "--no-marabou", "--json",
                     str(tmp_path / "b.json")], prelude="sys.modules['scipy'] = None")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "'scipy'" in done.stderr and "pip install scipy" in done.stderr


def test_missing_onnx_names_the_extra(tmp_path: Path) -> None:
    done = run_nesy(["nap", "mine", "--model", "datasets/nap/digits-64-32-32-10.onnx", "--out",
                     str(tmp_path / "n.json")], prelude="sys.modules['onnx'] = None")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "onnx" in done.stderr and "pip install onnx" in done.stderr
