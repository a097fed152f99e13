"""A DSL defined only under tests/plugins is found through the `nesy.dsls` entry-point group and
synthesizes from a JSONL task file, through `nesy synth` and through `nesy.synthesize`, and its
answers are checked by its own Z3 checker. Nothing outside its package names it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nesy
from dsl import registry
from dsl.task_files import load_tasks

PLUGINS = Path(__file__).parent / "plugins"
TASK = {"name": "area_plus_one", "examples": [{"inputs": [2, 3], "output": 7}, {"inputs": [4, 5], "output": 21},
                                              {"inputs": [3, 1], "output": 4}],
        "tests": [{"inputs": [6, 7], "output": 43}, {"inputs": [0, 9], "output": 1}, {"inputs": [5, 2], "output": 11}]}


def _install_entry_point(site: Path) -> None:
    """What `pip install` of a package declaring the entry point leaves on sys.path: a dist-info
    folder with the entry point (the package itself is found on PYTHONPATH)."""
    info = site / "nesy_arith-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nesy-arith\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[nesy.dsls]\narith = nesy_arith\n")


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    _install_entry_point(site)
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(site))
    registry.discover.cache_clear()
    yield site
    registry.discover.cache_clear()


def test_plugin_is_discovered_by_entry_point(plugin_site: Path) -> None:
    assert "arith" in registry.dsl_names()
    assert {"strings", "regex"} <= set(registry.dsl_names())
    arith = registry.get_dsl("arith")
    program = arith.parse("(+ (* x0 x1) 1)", {})
    assert arith.parse(arith.print(program), {}) == program


def test_plugin_synthesizes_through_the_api(plugin_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "arith.jsonl"
    path.write_text(json.dumps(TASK) + "\n")
    (task,) = load_tasks(path, dsl="arith")
    result = nesy.synthesize(task, dsl="arith", timeout=20)
    assert result.solved and result.verified is True and result.test_correct is True
    assert result.program_text in ("(+ (* x0 x1) 1)", "(+ 1 (* x0 x1))", "(+ (* x1 x0) 1)", "(+ 1 (* x1 x0))")


def test_plugin_synthesizes_through_the_command_line(plugin_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "arith.jsonl"
    path.write_text(json.dumps(TASK) + "\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_site), str(PLUGINS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "nesy", "synth", str(path), "--dsl", "arith", "--timeout", "20",
                           "--json", str(tmp_path / "out.json")], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "task area_plus_one: solved" in done.stdout
    (row,) = json.loads((tmp_path / "out.json").read_text())["results"]
    assert row["verified"] is True and row["test_correct"] is True


def test_unknown_dsl_lists_the_known_ones(plugin_site: Path) -> None:
    with pytest.raises(nesy.NesyInputError, match="unknown DSL 'nope'.*arith"):
        registry.get_dsl("nope")


def test_plugin_syntax_errors_carry_their_position(plugin_site: Path) -> None:
    arith = registry.get_dsl("arith")
    with pytest.raises(nesy.NesyInputError) as error:
        arith.parse("(+ x0\n  (* x1 ]))", {})
    assert (error.value.line, error.value.column) == (2, 9)
    assert str(error.value).startswith("malformed arith term: unexpected ']'")
