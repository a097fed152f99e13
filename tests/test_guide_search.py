"""Guided search end to end: only verified programs come back, the guide's costs are well formed,
and the command line offers guided, plain and side-by-side runs."""
from __future__ import annotations

import json

import pytest

from dsl.core import Example, evaluate, make_task
from dsl.strings import STRINGS
from nesy.cli import main
from nesy.guides.neural import NeuralGuide, default_weights_path, guide_runs
from solvers.search.enumeration import SearchConfig
from solvers.search.driver import SynthesisOptions, synthesize_task

WEIGHTS = default_weights_path("strings")
pytestmark = pytest.mark.skipif(not WEIGHTS.is_file(), reason="shipped guide weights missing")

TASKS = [
    make_task("initials", [Example(("john smith",), "J.S."), Example(("ada lovelace",), "A.L."),
                           Example(("grace hopper",), "G.H.")], [Example(("alan turing",), "A.T.")]),
    make_task("first", [Example(("Ada Lovelace",), "Ada"), Example(("Grace Hopper",), "Grace"),
                        Example(("Alan Turing",), "Alan")], [Example(("Barbara Liskov",), "Barbara")]),
    make_task("shout", [Example(("hello",), "HELLO!"), Example(("Hi there",), "HI THERE!")],
              [Example(("ok",), "OK!")]),
    make_task("join", [Example(("Smith", "John"), "John Smith"), Example(("Liskov", "Barbara"), "Barbara Liskov")]),
]


@pytest.fixture(scope="module")
def guide():
    return NeuralGuide.from_file(WEIGHTS, STRINGS)


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_guided_search_returns_only_verified_programs(task, guide):
    result = synthesize_task(task, STRINGS, SynthesisOptions(SearchConfig(timeout=10.0)), guide)
    assert result.found and result.verified
    for example in (*task.examples, *task.tests):
        assert evaluate(result.program, task.env(example)) == example.output


def test_costs_are_well_formed(guide):
    task = TASKS[0]
    ops = list(STRINGS.default_search_ops)
    costs = guide.op_costs(task, ops)
    assert set(costs) == set(ops)
    assert all(op.cost <= costs[op] <= op.cost + 1 for op in ops)
    programs = [STRINGS.parse(text, {"x0": v.type}) for text, v in
                [("(str.to_upper x0)", task.inputs[0]), ("(str.at x0 0)", task.inputs[0]),
                 ("(str.++ x0 x0)", task.inputs[0])]]
    vectors = [tuple(evaluate(p, task.env(e)) for e in task.examples) for p in programs]
    penalties = guide.value_penalties(task, programs[0].type, vectors, programs)
    assert len(penalties) == 3 and all(p in (0, 1, 2) for p in penalties)
    # a value already scored (it comes back at its delayed level) is not delayed again
    assert list(guide.value_penalties(task, programs[0].type, vectors, programs)) == [0, 0, 0]


def test_guide_specs():
    assert guide_runs("none", STRINGS) == [("plain", None)]
    labels = [label for label, _ in guide_runs("both", STRINGS)]
    assert labels == ["guided", "plain"]


def test_bench_runs_guided_and_plain_in_one_table(tmp_path, capsys):
    suite = tmp_path / "suite.jsonl"
    suite.write_text("\n".join(json.dumps({"name": t.name, "examples": [{"inputs": list(e.inputs), "output": e.output}
                                                                        for e in t.examples],
                                           "tests": [{"inputs": list(e.inputs), "output": e.output} for e in t.tests]})
                               for t in TASKS[:2]))
    out = tmp_path / "r.json"
    assert main(["bench", "strings", "--suite", str(suite), "--timeout", "10", "--jobs", "2", "--quiet",
                 "--guide", "both", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "guided status" in printed and "plain status" in printed
    document = json.loads(out.read_text())
    assert set(document["runs"]) == {"guided", "plain"}
    assert document["runs"]["guided"]["summary"]["found"] == 2


def test_damaged_weights_on_the_command_line(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00" * 100)
    suite = tmp_path / "s.jsonl"
    suite.write_text(json.dumps({"name": "t", "examples": [{"inputs": ["a"], "output": "A"}]}))
    assert main(["synth", str(suite), "--guide", str(bad)]) == 2
    assert "bad.pt" in capsys.readouterr().err


def test_tasks_with_their_own_grammar_get_no_value_delays(guide):
    from dataclasses import replace

    from dsl.core import Grammar

    task = replace(TASKS[2], grammar=Grammar(ops=frozenset(STRINGS.default_search_ops)))
    programs = [STRINGS.parse(text, {"x0": task.inputs[0].type}) for text in
                ("(str.at x0 0)", "(str.++ x0 x0)", "(excel.rept x0 2)", "(str.to_lower x0)")]
    vectors = [tuple(evaluate(p, task.env(e)) for e in task.examples) for p in programs]
    assert list(guide.value_penalties(task, programs[0].type, vectors, programs)) == [0, 0, 0, 0]
