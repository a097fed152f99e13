"""Logical specs (no examples) are solved by CEGIS and proven for all inputs by Z3."""
from __future__ import annotations

from dsl.registry import get_dsl
from dsl.sygus import parse_sygus
from solvers.search.result import Status
from solvers.strings.spec_cegis import counterexample
from solvers.search.driver import SynthesisOptions, synthesize_task
from solvers.search.enumeration import SearchConfig

MAX2 = """(set-logic LIA)
(synth-fun max2 ((x Int) (y Int)) Int
  ((Start Int (x y 0 1 (+ Start Start) (ite StartBool Start Start)))
   (StartBool Bool ((<= Start Start) (and StartBool StartBool)))))
(declare-var x Int)
(declare-var y Int)
(constraint (>= (max2 x y) x))
(constraint (>= (max2 x y) y))
(constraint (or (= x (max2 x y)) (= y (max2 x y))))
(check-synth)
"""


def test_max2_is_synthesized_and_proven():
    task = parse_sygus(MAX2, "max2.sl")
    assert task.spec and not task.examples
    result = synthesize_task(task, get_dsl("strings"), SynthesisOptions(config=SearchConfig(timeout=30)))
    assert result.status is Status.SOLVED
    assert result.verified is True
    assert counterexample(task, result.program) is None


def test_a_wrong_candidate_gets_a_real_counterexample():
    task = parse_sygus(MAX2, "max2.sl")
    dsl = get_dsl("strings")
    from dsl.core import INT

    wrong = dsl.parse("x", {"x": INT, "y": INT})
    point = counterexample(task, wrong)
    assert point is not None
    x, y = point
    assert y > x  # returning x is only wrong where y is larger
