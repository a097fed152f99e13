"""Task hints (unlabelled rows, constants, an op subset) in JSONL and the Python API, and unknown keys
refused at every level of a JSONL or BUSTLE JSON task: a misspelt key must not silently drop a
held-out check or a hint."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import nesy
from dsl.core import INT, STRING, Const
from dsl.errors import NesyInputError
from dsl.registry import get_dsl
from dsl.task_files import load_tasks
from solvers.search.driver import constants_for, ops_for

EXAMPLES = [{"inputs": ["ab cd"], "output": "ab-cd"}, {"inputs": ["x yz"], "output": "x-yz"}]
PAIRS = [("ab cd", "ab-cd"), ("x yz", "x-yz")]
STRINGS = get_dsl("strings")


def jsonl(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def refused(path: Path, fragment: str, line: int = 1) -> None:
    with pytest.raises(NesyInputError) as caught:
        load_tasks(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}:{line}: ") and fragment in message, message


@pytest.mark.parametrize("record,fragment", [
    ({"name": "a", "examples": [{"inputs": ["a"], "output": "b", "outputs": "b"}]},
     "unknown key 'outputs' in examples[0]"),
    ({"name": "a", "examples": EXAMPLES, "tests": [{"input": ["a"], "output": "b"}]}, "tests[0] must have \"inputs\""),
    ({"name": "a", "examples": EXAMPLES, "tests": [{"inputs": ["a"], "output": "b", "note": 1}]},
     "unknown key 'note' in tests[0]"),
    ({"name": "a", "examples": EXAMPLES, "test": []}, "unknown key 'test' in a task"),
    ({"name": "a", "examples": EXAMPLES, "constant": ["-"]}, "unknown key 'constant' in a task"),
    ({"name": "a", "examples": EXAMPLES, "op": ["str.++"]}, "unknown key 'op' in a task"),
    ({"name": "a", "examples": EXAMPLES, "inputsOnly": ["a"]}, "unknown key 'inputsOnly' in a task"),
])
def test_unknown_keys_are_refused_in_tasks_and_their_examples(tmp_path, record, fragment):
    refused(jsonl(tmp_path, {"name": "fine", "examples": EXAMPLES}, record), fragment, line=2)


def test_unknown_keys_in_bustle_json_examples_are_refused_at_the_task(tmp_path):
    path = tmp_path / "bustle.json"
    good = {"name": "a", "trainExamples": EXAMPLES, "testExamples": EXAMPLES}
    bad = {"name": "b", "trainExamples": EXAMPLES, "testExamples": [{"inputs": ["a"], "output": "b", "outptu": 1}]}
    path.write_text(json.dumps([good, bad], indent=2))
    line = path.read_text().splitlines().index("  {", 2) + 1
    refused(path, "unknown key 'outptu' in testExamples[0]", line=line)


def test_constants_and_ops_hints_reach_search(tmp_path):
    record = {"name": "dash", "examples": EXAMPLES, "constants": ["-", 2, "-"], "ops": ["str.replace", "ite"]}
    [task] = load_tasks(jsonl(tmp_path, record))
    assert task.constants == (Const("-", STRING), Const(2, INT))
    searched = ops_for(STRINGS, task)
    assert {op.name for op in searched} == {"str.replace", "ite"}
    assert len([op for op in searched if op.name == "ite"]) == 3     # every signature of a named op
    base, _ = constants_for(STRINGS, task, extract=True)
    assert set(STRINGS.constants) | {Const("-", STRING)} <= set(base)   # the usual constants stay


def test_a_task_without_ops_searches_the_default_set(tmp_path):
    [task] = load_tasks(jsonl(tmp_path, {"name": "plain", "examples": EXAMPLES}))
    assert task.grammar.ops is None and ops_for(STRINGS, task) == list(STRINGS.default_search_ops)


@pytest.mark.parametrize("hints,fragment", [
    ({"ops": ["str.lenght"]}, "unknown op 'str.lenght' in 'ops' of the strings DSL (close matches: str.len"),
    ({"ops": ["qqqqq"]}, "unknown op 'qqqqq' in 'ops' of the strings DSL (its ops: +, -"),
    ({"ops": "str.++"}, "'ops' must be a list of op names"),
    ({"ops": []}, "'ops' names no op"),
    ({"ops": [3]}, "ops[0] must be an op name (a string), got 3"),
    ({"constants": "-"}, "'constants' must be a list of constants"),
    ({"constants": [1.5]}, "constants[0]: unsupported value 1.5"),
    ({"constants": [["-"]]}, "constants[0]: unsupported value ['-']"),
    ({"inputs_only": [["a", "b"]]}, "inputs_only[0] has 2 inputs, the examples have 1"),
    ({"inputs_only": [{"inputs": ["a"]}]}, "inputs_only[0]: unsupported value"),
])
def test_bad_hints_are_refused_naming_the_hint(tmp_path, hints, fragment):
    refused(jsonl(tmp_path, {"name": "a", "examples": EXAMPLES, **hints}), fragment)


def test_the_api_takes_the_same_hints():
    task = nesy.as_task(PAIRS, unlabelled=["p q", ("r s",)], constants=("-",), ops=("str.replace",))
    assert task.unlabelled == (("p q",), ("r s",))
    assert task.constants == (Const("-", STRING),)
    assert {op.name for op in ops_for(STRINGS, task)} == {"str.replace"}
    assert nesy.as_task(task, ops=["str.++"]).grammar.ops != task.grammar.ops   # hints apply to a Task too


@pytest.mark.parametrize("hints,fragment", [
    ({"ops": ["str.lenght"]}, "task 'task': unknown op 'str.lenght' in 'ops'"),
    ({"ops": "str.replace"}, "task 'task': 'ops' must be a list of op names"),
    ({"constants": "-"}, "'constants' must be a list of constants"),
    ({"constants": [None]}, "constants[0]: unsupported value None"),
    ({"unlabelled": "p q"}, "'unlabelled' must be a list of input rows"),
    ({"unlabelled": [3]}, "unlabelled[0]: input x0 is Int 3, the examples give String"),
])
def test_the_api_refuses_bad_hints_in_one_line(hints, fragment):
    with pytest.raises(NesyInputError) as caught:
        nesy.as_task(PAIRS, **hints)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_synthesis_keeps_to_the_ops_given():
    result = nesy.synthesize(PAIRS, timeout=20, ops=["str.replace"], constants=["-"], guide=None)
    assert result.found
    assert {op.name for op in result.program.ops()} == {"str.replace"}
