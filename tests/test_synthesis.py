"""End-to-end synthesis on the string DSL: easy tasks must be solved, and every answer checked."""
from __future__ import annotations

from pathlib import Path

import pytest

import nesy
from dsl.core import Example, STRING, evaluate, make_task
from dsl.errors import NesyInputError
from solvers.strings.smt_check import z3_verified
from solvers.search.result import Status
from solvers.search.driver import distinct_examples, synthesize_task
from dsl.registry import get_dsl

EASY_TASKS = [
    ("repeat", [("ab", "abab"), ("x", "xx")]),
    ("first char", [("hello", "h"), ("world", "w"), ("abc", "a")]),
    ("upper", [("hello", "HELLO"), ("Mixed Case", "MIXED CASE")]),
    ("append dot zero", [("45", "45.0"), ("9876", "9876.0"), ("1", "1.0")]),
    ("domain", [("ann@example.com", "example.com"), ("bob@mail.org", "mail.org"), ("c@d.net", "d.net")]),
    ("before dash", [("ab-cd", "ab"), ("xyz-1", "xyz"), ("q-rs", "q")]),
    ("length", [("abc", 3), ("", 0), ("hello", 5)]),
    ("two inputs", [(("John", "Smith"), "John Smith"), (("Ada", "Lovelace"), "Ada Lovelace")]),
]


@pytest.mark.parametrize("name,examples", EASY_TASKS, ids=[t[0] for t in EASY_TASKS])
def test_easy_tasks_are_solved_and_verified(name, examples):
    result = nesy.synthesize(examples, timeout=20)
    assert result.status is Status.FITS and result.found, result.message   # no held-out tests: fits, not "solved"
    task = nesy.as_task(examples)
    for example in task.examples:
        assert evaluate(result.program, task.env(example)) == example.output
    assert result.verified is True
    assert result.program_text.splitlines()[-1].startswith("(define-fun f (")   # after any op definitions


def test_held_out_tests_decide_solved():
    result = nesy.synthesize([("ab", "abab")], tests=[("x", "xx"), ("yz", "yzyz")], timeout=10)
    assert result.status is Status.SOLVED
    assert result.test_correct is True and result.solved


def test_contradictory_examples_have_no_solution():
    task = make_task("contradiction", [Example(("a",), "x"), Example(("a",), "y")])
    examples, message = distinct_examples(task)
    assert examples == () and "contradictory" in message
    result = synthesize_task(task, get_dsl("strings"))
    assert result.status is Status.NO_SOLUTION


def test_z3_rejects_a_wrong_program():
    dsl = get_dsl("strings")
    task = make_task("t", [Example(("ab",), "abab")])
    wrong = dsl.parse('(str.++ x0 "b")', {"x0": STRING})
    assert z3_verified(wrong, task) is False
    right = dsl.parse("(str.++ x0 x0)", {"x0": STRING})
    assert z3_verified(right, task) is True


@pytest.mark.parametrize("examples,fragment", [
    ([], "empty"),
    ([("a", "b"), (1, "c")], "mixed types"),
    ([("a", "b"), ("c", 2)], "mixed types"),
    ([("a", "b"), (("c", "d"), "e")], "inputs"),
    ([3.5], "expected (inputs, output)"),
])
def test_bad_examples_get_clear_errors(examples, fragment):
    with pytest.raises(NesyInputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        nesy.synthesize(examples, timeout=1)


def test_unknown_dsl_is_named():
    with pytest.raises(NesyInputError, match="unknown DSL 'nope'"):
        nesy.synthesize([("a", "b")], dsl="nope")


SYGUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "sygus-pbe-slia-2019"
QUICK_SYGUS = ["from_2018/bikes.sl", "from_2018/initials.sl", "from_2018/dr-name.sl",
               "from_2018/name-combine-4.sl", "euphony/12948338.sl"]


@pytest.mark.skipif(not SYGUS_DIR.is_dir(), reason="shared SyGuS benchmarks not present")
@pytest.mark.parametrize("name", QUICK_SYGUS)
def test_sygus_solutions_stay_inside_the_files_grammar(name):
    from dsl.sygus import load_sygus
    from solvers.search.enumeration import SearchConfig
    from solvers.search.driver import SynthesisOptions

    task = load_sygus(SYGUS_DIR / name)
    result = synthesize_task(task, get_dsl("strings"), SynthesisOptions(config=SearchConfig(timeout=30)))
    assert result.status is Status.SOLVED, result.message
    assert result.verified is True
    assert result.program.ops() <= task.grammar.ops
    assert {c.value for c in result.program.constants()} <= {c.value for c in task.grammar.constants}
    assert result.program_text.startswith(f"(define-fun {task.function_name} (")
