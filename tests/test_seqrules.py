"""seqrules: the rule language (parse/print, Python semantics == the solver's numpy sweep), the
seeded task generator and task files, and the symbolic solver through the API and `nesy synth`."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nesy
from dsl.core import evaluate
from dsl.errors import NesyInputError
from dsl.registry import get_dsl
from dsl.seqrules import DSL, RULES, program_of, rules_of, run_rules
from dsl.seqrules.generator import generate, random_program
from dsl.seqrules.rules import rule_named
from dsl.seqrules.tasks import read_tasks, write_tasks
from solvers.seqrules.enumeration import RuleSearch, sweep
from solvers.seqrules.front_end import search_rules

REPO = Path(__file__).resolve().parents[1]


def test_discovered_and_round_trips() -> None:
    assert get_dsl("seqrules") is DSL
    rng = random.Random(1)
    for _ in range(200):
        program = program_of(random_program(rng))
        text = DSL.print(program)
        assert DSL.parse(text) == program
        assert DSL.parse(text.replace(", ", ",")) == program
    assert DSL.print(DSL.parse("id")) == "id"


def test_rule_semantics_by_hand() -> None:
    # left neighbour already rewritten, right one not yet, 0 beyond the ends
    assert rule_named("inc(left, 1)").apply((1, 0, 3, 0)) == (1, 1, 4, 1)
    assert rule_named("dec(right, 2)").apply((0, 2, 1, 4)) == (4, 2, 0, 4)
    assert rule_named("sub(1)").apply((2, 3, 1)) == (2, 1, 1)
    assert rule_named("mulclip(3)").apply((1, 2, 1, 0)) == (1, 4, 1, 0)
    assert rule_named("replace(max)").apply((0, 3, 0, 0)) == (3, 3, 3, 3)


def test_numpy_sweep_equals_python_semantics() -> None:
    rng = np.random.default_rng(0)
    states = rng.integers(0, 5, size=(500, 9))
    for rule in RULES:
        assert (sweep(rule, states) == np.array([rule.apply(s) for s in states.tolist()])).all(), rule.text


def test_bad_programs_are_clear_errors() -> None:
    with pytest.raises(NesyInputError, match="malformed seqrules program"):
        DSL.parse("inc(left 1)")
    with pytest.raises(NesyInputError, match="no rule 'inc\\(up, 1\\)'"):
        DSL.parse("inc(up, 1)")


def test_generator_is_seeded_and_programs_change_every_pair(tmp_path: Path) -> None:
    first, again = generate(20, 5), generate(20, 5)
    assert [t.examples for t in first] == [t.examples for t in again]
    for task in first:
        rules = DSL.parse(task.reference)
        assert 3 <= len(rules_of(rules)) <= 5
        for example in (*task.examples, *task.tests):
            assert evaluate(rules, task.env(example)) == example.output
        assert all(e.output != e.inputs[0] for e in task.examples)
    path = tmp_path / "tasks.jsonl"
    write_tasks(first, path)
    assert [(t.name, t.examples, t.tests, t.reference) for t in read_tasks(path)] == \
        [(t.name, t.examples, t.tests, t.reference) for t in first]


@pytest.mark.parametrize("line, message", [
    ('{"name": "a", "examples": [{"input": [0, 7], "output": [0, 1]}]}', "7 is not a number 0-4"),
    ('{"name": "a", "examples": [{"input": [0, 1], "output": [0]}]}', "different lengths"),
    ('{"name": "a", "examples": [], "colour": 1}', "unknown key"),
    ('{"name": "a", "examples": [{"input": [1], "output": [1]}], "reference": "inc(1)"}', "no rule"),
])
def test_bad_task_files_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"name": "ok", "examples": [{"input": [1], "output": [1]}]}\n' + line + "\n")
    with pytest.raises(NesyInputError, match=message) as error:
        read_tasks(path)
    assert error.value.line == 2 and error.value.path == str(path)


def test_enumerator_finds_a_program_that_fits_and_counts_candidates() -> None:
    for task in generate(6, 11, lengths=(3,)):
        outcome = search_rules(task, [1] * len(RULES), solutions=3, max_length=3)
        assert outcome.programs and outcome.candidates > 0
        for program in outcome.programs:
            assert all(run_rules([RULES[i] for i in program], e.inputs[0]) == e.output for e in task.examples)
    # a budget stops it with a timeout, not an exception
    hard = generate(1, 2, lengths=(5,))[0]
    stopped = search_rules(hard, [1] * len(RULES), max_candidates=100)
    assert str(stopped.status) == "timeout" and not stopped.programs


def test_costs_order_the_search() -> None:
    task = generate(1, 4, lengths=(3,))[0]
    wanted = {RULES.index(r) for r in rules_of(DSL.parse(task.reference))}
    cheap = [1 if i in wanted else 3 for i in range(len(RULES))]
    plain = search_rules(task, [1] * len(RULES))
    guided = search_rules(task, cheap)
    assert guided.programs and guided.candidates < plain.candidates


def test_api_and_cli_solve_and_verify(tmp_path: Path) -> None:
    tasks = generate(2, 8, lengths=(3,))
    result = nesy.synthesize(tasks[0], dsl="seqrules", timeout=20)
    assert result.found and result.verified is True and result.test_correct is not None
    assert all(result.run(e.inputs[0]) == e.output for e in tasks[0].examples)
    path = tmp_path / "t.jsonl"
    write_tasks(tasks, path)
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "nesy", "synth", str(path), "--dsl", "seqrules", "--json", str(out)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "verified" in run.stdout
    assert len(json.loads(out.read_text())["results"]) == 2


def test_cli_bad_task_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"name": "a", "examples": [{"input": [9], "output": [1]}]}\n')
    run = subprocess.run([sys.executable, "-m", "nesy", "synth", str(path), "--dsl", "seqrules"],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "9 is not a number 0-4" in run.stderr
