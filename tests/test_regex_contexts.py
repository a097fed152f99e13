"""The context join: one pooled regex inside a small pruned context (AlphaRegex's holes)."""
from __future__ import annotations

from dsl.core import Program
from dsl.regex import accepts, to_everyday
from dsl.regex.charset import CharSet
from solvers.regex_contexts import ContextJoin, substring_atoms
from solvers.regex_spans import SpanAlgebra
from solvers.regex_synthesis import SPANS, RegexVocabulary, _search_ops
from solvers.value_pool import ValuePool

POSITIVE = ["1", "11", "000", "1000", "000000"]
NEGATIVE = ["0", "00", "100", "0000", "00000"]     # (1|000)* separates them


def _setup():
    algebra = SpanAlgebra.for_sample(POSITIVE + NEGATIVE)
    search_ops = _search_ops(algebra, RegexVocabulary(tuple(CharSet.of(c) for c in "01")))
    by_name = {op.name: op for op in search_ops.ops}
    pool = ValuePool()
    for op in search_ops.ops:
        if op.arity == 0:
            pool.add(SPANS, (op.semantics(),), Program(op), 1)
    return algebra, search_ops, by_name, pool


def test_atoms_are_one_bit_and_every_occurrence_of_each_substring():
    algebra = SpanAlgebra.for_sample(["0101"])
    atoms = dict(substring_atoms(algebra))
    assert len(atoms) == len({"0101"[i:j] for i in range(5) for j in range(i, 5)})
    assert atoms[algebra.bit_of("01")].bit_count() == 2 and atoms[algebra.bit_of("")] == algebra.identity


def test_contexts_survive_alpharegex_pruning_only():
    algebra, search_ops, by_name, pool = _setup()
    join = ContextJoin(algebra, POSITIVE, NEGATIVE, by_name, SPANS)
    contexts = join._build_contexts(pool)
    texts = {str(search_ops.to_regex(c.wrap(Program(by_name["eps"])))) for c in contexts}
    assert "(star (union (chars:1) (eps)))" in texts           # (1|_)*: 1* rejects every negative
    assert "(star (union (chars:0) (eps)))" not in texts       # (0|_)* accepts 00 whatever the hole
    assert not any(t.startswith("(concat (chars:0)") for t in texts)   # 0_ rejects the positive 1


def test_a_hole_value_completes_the_context_and_the_answer_is_checked():
    algebra, search_ops, by_name, pool = _setup()
    join = ContextJoin(algebra, POSITIVE, NEGATIVE, by_name, SPANS, time_share=None)
    join(pool, 2, lambda: None)
    zero = algebra.chars(CharSet.of("0"))
    three_zeros = algebra.concat(zero, algebra.concat(zero, zero))
    zero_op = next(op for op in search_ops.ops if op.name == "chars:0")
    hole = Program(by_name["concat"], (Program(zero_op), Program(by_name["concat"], (Program(zero_op), Program(zero_op)))))
    pool.add(SPANS, (three_zeros,), hole, 5)
    found = join(pool, 5, lambda: None)
    regex = search_ops.to_regex(found)
    assert to_everyday(regex) == "(1|000)*" and regex.size == 8
    assert all(accepts(regex, s) for s in POSITIVE) and not any(accepts(regex, s) for s in NEGATIVE)
