"""The enumerator on a tiny op set of its own, so these tests do not depend on any DSL package."""
from __future__ import annotations

import pytest

from dsl.core import BOOL, INT, STRING, Const, Example, Op, Program, evaluate, make_task
from solvers.search.enumeration import BottomUpSearch, SearchConfig, compositions, leaves_for
from solvers.search.guide import UniformGuide
from solvers.search.result import Status

CONCAT = Op("concat", (STRING, STRING), STRING, lambda a, b: a + b)
UPPER = Op("upper", (STRING,), STRING, str.upper)
LENGTH = Op("len", (STRING,), INT, len)
PLUS = Op("+", (INT, INT), INT, lambda a, b: a + b, commutative=True)
HEAD = Op("head", (STRING, INT), STRING, lambda s, n: s[:n] if n >= 0 else "")
CONTAINS = Op("contains", (STRING, STRING), BOOL, lambda a, b: b in a)
ITE = Op("ite", (BOOL, STRING, STRING), STRING, lambda c, a, b: a if c else b)
OPS = (CONCAT, UPPER, LENGTH, PLUS, HEAD, CONTAINS, ITE)


def search(task, constants=(), **config):
    leaves = leaves_for(task.inputs, [Const(c, STRING if isinstance(c, str) else INT) for c in constants])
    return BottomUpSearch(OPS, leaves, SearchConfig(**{"timeout": 10.0, **config})).run(task)


def check(program: Program, task) -> bool:
    return all(evaluate(program, task.env(e)) == e.output for e in task.examples)


def test_compositions_cover_all_splits():
    assert sorted(compositions(4, 2, [1, 1])) == [(1, 3), (2, 2), (3, 1)]
    assert list(compositions(2, 3, [1, 1, 1])) == []
    assert len(list(compositions(6, 3, [1, 1, 1]))) == 10


def test_finds_the_cheapest_program():
    task = make_task("double", [Example(("ab",), "abab"), Example(("x",), "xx")])
    outcome = search(task)
    assert outcome.status is Status.SOLVED
    assert str(outcome.program) == "(concat x0 x0)"
    assert outcome.stats.candidates > 0


def test_uses_constants_and_ints():
    task = make_task("prefix", [Example(("hello",), "HE!"), Example(("world",), "WO!")])
    outcome = search(task, constants=["!", 1])
    assert outcome.status is Status.SOLVED
    assert check(outcome.program, task)


def test_conditional_solution_by_unification():
    examples = [Example(("a-b",), "A-B"), Example(("cd",), "cdcd"), Example(("x-y",), "X-Y"),
                Example(("pq",), "pqpq")]
    task = make_task("cond", examples)
    outcome = search(task, constants=["-"])
    assert outcome.status is Status.SOLVED
    assert check(outcome.program, task)
    assert "ite" in str(outcome.program)


def test_observational_equivalence_keeps_one_program_per_vector():
    task = make_task("none", [Example(("ab",), "zzz")])
    outcome = search(task, max_candidates=3000, unify=False)
    assert outcome.status is Status.TIMEOUT
    assert outcome.stats.values_kept < outcome.stats.candidates


def test_exhausted_space_reports_no_solution():
    no_growth = BottomUpSearch((UPPER,), leaves_for(make_task("t", [Example(("a",), "b")]).inputs, []),
                               SearchConfig(timeout=5.0, unify=False))
    outcome = no_growth.run(make_task("t", [Example(("a",), "b")]))
    assert outcome.status is Status.NO_SOLUTION


def test_time_budget_is_enforced():
    task = make_task("impossible", [Example(("ab",), "q" * 50), Example(("c",), "r")])
    outcome = search(task, timeout=0.3, unify=False)
    assert outcome.status is Status.TIMEOUT
    assert outcome.stats.seconds < 5


class DelayEverythingLong(UniformGuide):
    """A guide that delays every value longer than 3 characters: search must still succeed."""

    def value_penalties(self, task, type_, vectors, programs):
        return [2 if type_ == STRING and any(len(v) > 3 for v in vec) else 0 for vec in vectors]


def test_guide_penalties_delay_but_do_not_lose_values():
    task = make_task("double", [Example(("ab",), "ABABAB"), Example(("x",), "XXX")])
    leaves = leaves_for(task.inputs, [])
    plain = BottomUpSearch(OPS, leaves, SearchConfig(timeout=10)).run(task)
    guided = BottomUpSearch(OPS, leaves, SearchConfig(timeout=10), guide=DelayEverythingLong()).run(task)
    assert plain.status is Status.SOLVED and guided.status is Status.SOLVED
    assert check(guided.program, task)


def test_partial_ops_that_raise_are_skipped():
    fragile = Op("first", (STRING,), STRING, lambda s: s[0])
    task = make_task("first", [Example(("ab",), "a"), Example(("",), "")])
    leaves = leaves_for(task.inputs, [Const("", STRING)])
    outcome = BottomUpSearch((fragile, CONCAT), leaves, SearchConfig(timeout=2, max_cost=4)).run(task)
    assert outcome.status in (Status.NO_SOLUTION, Status.TIMEOUT, Status.SOLVED)
    if outcome.program is not None:
        assert check(outcome.program, task)


@pytest.mark.parametrize("bad", [[], [Example(("a",), "b"), Example((1,), "c")]])
def test_bad_examples_are_rejected(bad):
    from dsl.errors import NesyInputError

    with pytest.raises(NesyInputError):
        make_task("bad", bad)
