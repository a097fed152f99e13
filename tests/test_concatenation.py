"""The concatenation join on outputs that are empty strings (SyGuS 2019 euphony 39060015 raised
IndexError inside search: leaving out its one non-empty example left a target of "" alone, which
the join "reached" with no pieces, and rebuilding a program from no pieces failed)."""
from __future__ import annotations

from pathlib import Path

import pytest

from dsl.core import STRING, Const, Op, Program
from solvers.strings.concatenation import PieceIndex, join_pieces

CONCAT = Op("str.++", (STRING, STRING), STRING, lambda a, b: a + b)
EUPHONY = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "sygus-pbe-slia-2019" / "euphony" / \
    "39060015.sl"


def concat(left: Program, right: Program) -> Program:
    return Program(CONCAT, (left, right))


def indexed(target: tuple[str, ...], pieces: dict[str, tuple[str, ...]]) -> PieceIndex:
    index = PieceIndex(target, near_misses={})
    for name, vector in pieces.items():
        index.offer(vector, Program(Const(name, STRING)), 1)
    return index


def test_a_target_empty_on_every_example_has_no_concatenation():
    assert join_pieces(PieceIndex(("",)), 1, concat) is None
    assert join_pieces(PieceIndex(("", "")), 1, concat) is None


def test_leaving_out_the_only_non_empty_example_joins_nothing():
    index = indexed(("ab", ""), {"a": ("a", ""), "b": ("b", "")})
    joined = join_pieces(index, 1, concat)
    assert joined is not None and joined[0] == concat(Program(Const("a", STRING)), Program(Const("b", STRING)))
    assert join_pieces(index.without(0), 1, concat) is None     # was: IndexError
    assert join_pieces(index.without(1), 1, concat) is not None


def _search(task, candidates: int):
    from dsl.registry import get_dsl
    from solvers.search.driver import SynthesisOptions, synthesize_task
    from solvers.search.enumeration import SearchConfig

    return synthesize_task(task, get_dsl("strings"),
                           SynthesisOptions(config=SearchConfig(timeout=60.0, max_candidates=candidates)))


def test_a_task_with_an_empty_output_is_searched_to_an_answer():
    """The euphony task's shape in small: one output a concatenation, the other empty (raised
    IndexError from the concatenation's leave-one-out doubt before the fix)."""
    from dsl.core import Example, make_task

    result = _search(make_task("t", [Example(("ab cd",), "abcd"), Example(("/",), "")]), 50_000)
    assert result.found and result.run("x y") == "xy", result.message


@pytest.mark.slow
@pytest.mark.skipif(not EUPHONY.is_file(), reason=f"benchmark file {EUPHONY} is not here")
def test_euphony_39060015_is_solved():
    from dsl.task_files import load_tasks

    result = _search(load_tasks(EUPHONY, dsl="strings")[0], 1_000_000)   # raised IndexError at this budget
    assert result.solved, result.message
