"""Leave-one-out doubt: a join (decision tree or concatenation) that only fits because each
example steered it is in doubt, and search prefers what it can predict."""
from __future__ import annotations

from dsl.core import BOOL, STRING, Const, Example, Op, Program, make_task
from dsl.strings import STRINGS
from solvers.strings.concatenation import PieceIndex, join_pieces
from solvers.search.driver import SynthesisOptions, synthesize_task
from solvers.search.enumeration import SearchConfig
from solvers.search.decision_trees import Masked, leave_one_out_errors

ITE = Op("ite", (BOOL, STRING, STRING), STRING, lambda c, a, b: a if c else b)


def leaf(name: str) -> Program:
    return Program(Const(name, STRING))


def make_ite(c: Program, a: Program, b: Program) -> Program:
    return Program(ITE, (c, a, b))


def outputs_of(tree: Program, predicate_masks: dict[str, int], term_masks: dict[str, int], i: int) -> bool:
    """Run a tree of named leaves on example i through the masks (no real semantics needed)."""
    while tree.head is ITE:
        condition, then, otherwise = tree.children
        tree = then if predicate_masks[condition.head.value] >> i & 1 else otherwise
    return bool(term_masks[tree.head.value] >> i & 1)


def test_a_condition_that_separates_classes_is_not_in_doubt():
    terms = {"A": 0b000111, "B": 0b111000}
    predicates = {"p": 0b000111, "noise": 0b010101}
    masked_terms = [Masked(m, 1, leaf(n)) for n, m in terms.items()]
    masked_predicates = [Masked(m, 1, leaf(n)) for n, m in predicates.items()]
    errors = leave_one_out_errors(0b111111, masked_terms, masked_predicates, make_ite,
                                  lambda tree, i: outputs_of(tree, predicates, terms, i))
    assert errors == 0


def test_a_tree_where_every_example_steers_its_own_split_is_in_doubt():
    # one example per class: without it, nothing tells the tree that its class exists
    terms = {"A": 0b001, "B": 0b010, "C": 0b100}
    predicates = {"p": 0b001, "q": 0b010}
    errors = leave_one_out_errors(0b111, [Masked(m, 1, leaf(n)) for n, m in terms.items()],
                                  [Masked(m, 1, leaf(n)) for n, m in predicates.items()], make_ite,
                                  lambda tree, i: outputs_of(tree, predicates, terms, i))
    assert errors == 3


def test_piece_index_without_an_example_adds_its_near_misses():
    index = PieceIndex(("ab", "cd", "ef"), near_misses={})
    assert index.offer(("a", "c", "e"), leaf("first"), 1)
    assert not index.offer(("b", "d", "x"), leaf("second"), 1)     # misses example 2 only
    assert join_pieces(index, 1, lambda a, b: Program(ITE, (a, a, b))) is None
    reduced = index.without(2)
    assert reduced.target == ("ab", "cd")
    assert join_pieces(reduced, 1, lambda a, b: Program(ITE, (leaf("c"), a, b))) is not None


def test_search_prefers_the_length_condition_that_generalizes():
    task = make_task("longer", [Example(("length,", "is same"), "length,"), Example(("123", "45"), "123"),
                                Example(("xyz", "abcdef"), "abcdef"), Example(("aa", "aaa"), "aaa"),
                                Example(("aa", "a"), "aa")],
                     tests=[Example(("q", "rstu"), "rstu"), Example(("hello", "hi"), "hello"),
                            Example(("", "x"), "x")])
    result = synthesize_task(task, STRINGS, SynthesisOptions(config=SearchConfig(timeout=30)))
    assert result.solved and result.test_correct, result.program_text
