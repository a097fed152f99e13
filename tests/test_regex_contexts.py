"""The context join: one pooled regex inside a small pruned context (AlphaRegex's holes)."""
from __future__ import annotations

from dsl.core import Program
from dsl.regex import accepts, to_everyday
from dsl.regex.charset import CharSet
from solvers.regex.contexts import ContextJoin, substring_atoms
from solvers.regex.spans import SpanAlgebra
from solvers.regex.front_end import SPANS, RegexVocabulary, _search_ops
from solvers.search.value_pool import ValuePool

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


def test_alive_test_by_carries_agrees_with_row_by_row():
    import random
    from solvers.regex.chains import ChainJoin
    algebra = SpanAlgebra.for_sample(POSITIVE + NEGATIVE)
    join = ChainJoin(algebra, POSITIVE, NEGATIVE, None, None)
    rng = random.Random(0)
    everything = (1 << (len(algebra.strings) * algebra.width ** 2)) - 1
    for _ in range(2000):
        state = rng.getrandbits(everything.bit_length()) & rng.getrandbits(everything.bit_length())
        state &= rng.getrandbits(everything.bit_length())
        assert join._alive(state) == all(state & row for row in join._rows)
    assert join._alive(everything) and not join._alive(0)


def _random_values(algebra, count, seed=1):
    """Span matrices of random regexes over 0, 1, eps (union, concat, star, optional)."""
    import random
    rng = random.Random(seed)
    values = [algebra.chars(CharSet.of("0")), algebra.chars(CharSet.of("1")), algebra.identity]
    while len(values) < count:
        a, b = rng.choice(values), rng.choice(values)
        pick = rng.random()
        values.append(algebra.concat(a, b) if pick < 0.4 else a | b if pick < 0.7
                      else algebra.star(a) if pick < 0.85 else algebra.optional(a))
    return values


def test_needed_and_forbidden_substrings_never_reject_a_value_that_fits():
    # A value without a needed substring, or with a forbidden one, never completes the context;
    # and only a positive's substrings can be needed, only a negative's forbidden.
    algebra, search_ops, by_name, pool = _setup()
    join = ContextJoin(algebra, POSITIVE, NEGATIVE, by_name, SPANS)
    contexts = join._build_contexts(pool)
    zero = algebra.chars(CharSet.of("0"))
    three_zeros = algebra.concat(zero, algebra.concat(zero, zero))
    values = _random_values(algebra, 400) + [three_zeros, three_zeros | algebra.identity]
    goal = algebra.acceptance_goal(POSITIVE, NEGATIVE)
    positive_bits = {algebra.bit_of(s[i:j]) for s in POSITIVE for i in range(len(s) + 1) for j in range(i, len(s) + 1)}
    negative_bits = {algebra.bit_of(s[i:j]) for s in NEGATIVE for i in range(len(s) + 1) for j in range(i, len(s) + 1)}
    fits = 0
    for context in contexts:   # (1|_)* with 000 in the hole fits
        needed, forbidden = join._needed(context.steps), join._forbidden(context.steps)
        assert all(1 << b in positive_bits for b in range(needed.bit_length()) if needed >> b & 1)
        assert all(1 << b in negative_bits for b in range(forbidden.bit_length()) if forbidden >> b & 1)
        for value in values:
            if goal(join._apply(context.steps, value)):
                fits += 1
                assert value & needed == needed and not value & forbidden
    assert fits > 0
    assert any(join._needed(c.steps) for c in contexts) and any(join._forbidden(c.steps) for c in contexts)


def test_atoms_can_be_limited_to_some_strings():
    algebra = SpanAlgebra.for_sample(["0110", "01"])
    atoms = dict(substring_atoms(algebra, ["01"]))
    assert set(atoms) == {algebra.bit_of(t) for t in ("", "0", "1", "01")}
